"""Opening WebSockets to the API server with a Config's TLS, credentials, impersonation and proxy.

    dialer = dialer_for(rest)                                   # one per transport, cached
    ws = dialer.open(request.build(rest.host, rest.timeout), EXEC_PROTOCOLS)

The HTTP side of kubeset sends through ``requests``; a WebSocket needs the raw socket, so this
module connects itself and takes every decision from the same places the HTTP transport does:
the ``ssl.SSLContext`` of :func:`kubeset.transport.tls.build_ssl_context`, the ``Authorization``
and ``Impersonate-*`` lines of the transport's own :class:`~kubeset.transport.auth.Credentials`
(a 401 to an exec-plugin credential fetches a new one and dials once more), the Config's
User-Agent, and connecting within :data:`~kubeset.transport.base.CONNECT_TIMEOUT` (TLS handshake
included).  Proxies: an ``http://`` proxy (``proxy-url`` or ``HTTPS_PROXY``/``HTTP_PROXY``
honouring ``NO_PROXY``; never for loopback) is used through ``CONNECT``; ``https://`` and
``socks5://`` proxies are refused with a clear error (not supported for streams yet).
"""

from __future__ import annotations

import base64
import ipaddress
import socket
import ssl
import threading
import urllib.parse
import urllib.request
import weakref
from collections.abc import Sequence
from typing import Any, Protocol

from ..config import Config, default_user_agent
from ..errors import ApiConnectionError, ConfigError, RequestTimeout, StreamError, Unauthorized
from ..rest.client import RESTClientBase, public_url
from ..transport.auth import Credentials
from ..transport.base import CONNECT_TIMEOUT, HTTPRequest
from ..transport.session import Transport
from ..transport.tls import build_ssl_context
from .websocket import Connection, KeepAlive, WebSocket, handshake, require_websockets

__all__ = ["Dialer", "StreamDialer", "dialer_for"]

_SKIPPED = frozenset({"accept", "content-type", "accept-encoding"})


class StreamDialer(Protocol):
    """What the stream clients need: a connection for a built request (a seam for fakes)."""

    def open(self, request: HTTPRequest, subprotocols: Sequence[str]) -> Connection: ...


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Dialer:
    """Opens WebSockets to the server of ``config`` (see the module docstring)."""

    def __init__(
        self,
        config: Config,
        credentials: Credentials | None = None,
        *,
        keepalive: KeepAlive | None = None,
    ) -> None:
        require_websockets()
        self.config = config
        self.credentials = credentials or Credentials(config)
        self.keepalive = keepalive or KeepAlive()
        self._lock = threading.Lock()
        self._ctx: ssl.SSLContext | None = None
        self._cert: tuple[bytes, bytes] | None = None
        self._user_agent = config.user_agent or default_user_agent()
        self._proxy = self._configured_proxy()

    def __repr__(self) -> str:
        return f"Dialer(host={self.config.host!r})"

    def _configured_proxy(self) -> str:
        proxy = self.config.proxy_url
        if not proxy:
            return ""
        scheme = urllib.parse.urlsplit(proxy).scheme.lower()
        if scheme != "http":
            raise StreamError(
                f"proxy-url: a {scheme}:// proxy is not supported for exec, attach and "
                "port-forward streams yet (an http:// proxy is)"
            )
        return proxy

    def _proxy_for(self, scheme: str, host: str) -> str:
        if _is_loopback(host):
            return ""
        if self._proxy:
            return self._proxy
        found = urllib.request.getproxies_environment()
        if urllib.request.proxy_bypass(host):  # NO_PROXY (the environment's, on Linux)
            return ""
        proxy = found.get(scheme, "")
        if proxy and urllib.parse.urlsplit(proxy).scheme.lower() != "http":
            raise StreamError(
                f"proxy {public_url(proxy)}: only http:// proxies are supported for streams"
            )
        return proxy

    def _context(self, cert: tuple[bytes, bytes] | None) -> ssl.SSLContext:
        with self._lock:
            if self._ctx is None or (cert is not None and cert != self._cert):
                self._ctx = build_ssl_context(self.config, client_cert=cert)
                self._cert = cert
            return self._ctx

    def _connect(self, url: urllib.parse.SplitResult, secure: bool, path: str) -> socket.socket:
        host = url.hostname or ""
        port = url.port or (443 if secure else 80)
        proxy = self._proxy_for("https" if secure else "http", host)
        try:
            if proxy:
                sock = _tunnel(proxy, host, port)
            else:
                sock = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT)
        except TimeoutError:
            raise RequestTimeout(
                f"GET {path}: no connection within {CONNECT_TIMEOUT:g} s"
            ) from None
        except OSError as exc:
            raise ApiConnectionError(
                f"GET {path}: cannot connect to {host}:{port}: {exc.strerror or exc}"
            ) from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def _tls(
        self, sock: socket.socket, host: str, cert: tuple[bytes, bytes] | None, path: str
    ) -> socket.socket:
        ctx = self._context(cert)
        try:
            sock.settimeout(CONNECT_TIMEOUT)
            return ctx.wrap_socket(sock, server_hostname=self.config.server_name or host)
        except TimeoutError:
            sock.close()
            raise RequestTimeout(
                f"GET {path}: no TLS handshake within {CONNECT_TIMEOUT:g} s"
            ) from None
        except ssl.SSLError as exc:
            sock.close()
            raise ApiConnectionError(f"GET {path}: TLS: {exc.reason or exc}") from None
        except OSError as exc:
            sock.close()
            raise ApiConnectionError(f"GET {path}: TLS: {exc.strerror or exc}") from None

    def open(self, request: HTTPRequest, subprotocols: Sequence[str]) -> WebSocket:
        """Dial ``request`` (GET; its query and headers) and upgrade it to a WebSocket."""
        parts = urllib.parse.urlsplit(request.url)
        secure = parts.scheme == "https"
        if parts.scheme not in ("http", "https"):
            raise ConfigError(f"server URL {public_url(request.url)!r}: expected http(s)://")
        path = parts.path
        query = f"?{request.query}" if request.params else ""
        url = f"{'wss' if secure else 'ws'}://{parts.netloc}{path}{query}"
        repeated = False
        while True:
            auth = self.credentials.for_request(request.headers)
            headers = [("User-Agent", self._user_agent), *auth.headers]
            headers += [(k, v) for k, v in request.headers.items() if k.lower() not in _SKIPPED]
            sock = self._connect(parts, secure, path)
            if secure:
                sock = self._tls(sock, parts.hostname or "", auth.client_cert, path)
            try:
                return handshake(
                    sock,
                    url,
                    headers,
                    subprotocols,
                    timeout=request.timeouts.read,
                    path=path,
                    keepalive=self.keepalive,
                )
            except Unauthorized:
                if repeated or not self.credentials.rejected(auth):
                    raise
                repeated = True


def _tunnel(proxy: str, host: str, port: int) -> socket.socket:
    """A socket to ``host:port`` through the http proxy's CONNECT."""
    p = urllib.parse.urlsplit(proxy)
    sock = socket.create_connection((p.hostname or "", p.port or 80), timeout=CONNECT_TIMEOUT)
    target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}"]
    if p.username is not None:
        raw = f"{urllib.parse.unquote(p.username)}:{urllib.parse.unquote(p.password or '')}"
        lines.append("Proxy-Authorization: Basic " + base64.b64encode(raw.encode()).decode())
    try:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk or len(head) > 65536:
                raise OSError(f"the proxy {public_url(proxy)} ended the CONNECT")
            head += chunk
    except BaseException:
        sock.close()
        raise
    status = head.split(b"\r\n", 1)[0].split(b" ")
    if len(status) < 2 or status[1] != b"200":
        sock.close()
        raise OSError(
            f"the proxy {public_url(proxy)} refused CONNECT: {b' '.join(status[1:]).decode('latin-1')}"
        )
    return sock


_DIALERS: weakref.WeakKeyDictionary[object, StreamDialer] = weakref.WeakKeyDictionary()
_DIALERS_LOCK = threading.Lock()


def dialer_for(rest: RESTClientBase[Any, Any]) -> StreamDialer:
    """The dialer of ``rest``'s transport (made once per transport).

    A transport may bring its own (``stream_dialer``, e.g. a fake); otherwise it must be a
    :class:`~kubeset.transport.Transport` built from a Config, whose credentials it shares."""
    transport = rest.transport
    own = getattr(transport, "stream_dialer", None)
    if own is not None:
        return own  # type: ignore[no-any-return]
    if not isinstance(transport, Transport):
        raise StreamError(
            f"exec, attach and port-forward need a client built from a Config "
            f"(its transport is a {type(transport).__name__})"
        )
    with _DIALERS_LOCK:
        found = _DIALERS.get(transport)
        if found is None:
            found = Dialer(transport.config, transport.credentials)
            _DIALERS[transport] = found
        return found
