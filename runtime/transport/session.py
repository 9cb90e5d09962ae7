"""kubeset's transports over ``requests``: :class:`Transport` (a Config) and :class:`SessionTransport`.

    transport = Transport(config)            # what RESTClient(config) builds
    response = transport.send(HTTPRequest("GET", config.host + "/version"))
    response.status_code, response.read()

:class:`Transport` applies on every request what client-go's ``transport`` package applies: TLS
(:mod:`.tls`), the credential and ``Impersonate-*`` headers (:class:`~.auth.Credentials`: bearer
token, token file, basic auth, exec plugin with one new credential and retry after a 401, oidc;
rotated client certificate files), the User-Agent, and the proxy (``proxy-url``, else ``HTTPS_PROXY``/``HTTP_PROXY``/
``NO_PROXY``).  Rate limiting and retries are the RESTClient's, not the transport's.

This is the only module that knows ``requests``: its exceptions become kubeset errors here,
classified by type (:class:`~kubeset.errors.RequestTimeout`, :class:`~kubeset.errors.ConnectionLost`,
:class:`~kubeset.errors.ApiConnectionError`, :class:`~kubeset.errors.DecodeError` for a body
that is not the encoding it claims), and its responses become kubeset's
:class:`~kubeset.transport.base.Response`.  A whole body is read here, one socket read at a time,
within ``Timeouts.total`` (the call's deadline), ``max_body_size`` after decompression and
:data:`MAX_INFLATION` times its compressed size (a decompression bomb stops early).
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Self

import requests
import requests.adapters
import requests.utils
import urllib3.exceptions
from urllib3 import HTTPHeaderDict

from ..config import Config, resolve_timeout
from ..errors import (
    ApiConnectionError,
    ConfigError,
    ConnectionLost,
    DecodeError,
    KubesetError,
    RequestTimeout,
    ResponseTooLarge,
)
from .auth import RequestAuth
from .base import Headers, HTTPRequest, Response, Timeouts
from .outgoing import REPEATED_HEADERS, Outgoing
from .tls import build_ssl_context

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "SessionTransport",
    "Transport",
    "environ_proxies",
    "translate_error",
]

log = logging.getLogger(__name__)

_CHUNK = 64 * 1024  # bytes read at a time from a streamed body
_BODY_CHUNK = 256 * 1024  # bytes read at a time from a whole body

DEFAULT_MAX_BODY_SIZE = 1024 * 1024 * 1024
"""Bytes a whole (non-streamed) answer may take after decompression: 1 GiB, far above any list
the API server sends in one page."""

MAX_INFLATION = 200
"""How many times its compressed size a body may inflate to, once past ``_INFLATION_FLOOR``:
JSON from the API server compresses 5 to 30 times; a decompression bomb about 1000 times."""
_INFLATION_FLOOR = 16 * 1024 * 1024

# what an established connection breaking looks like, by type, anywhere in the exception chain
_LOST = (
    ConnectionResetError,
    BrokenPipeError,
    http.client.RemoteDisconnected,
    http.client.IncompleteRead,
    urllib3.exceptions.ProtocolError,
    requests.exceptions.ChunkedEncodingError,
)
_TIMEOUT = (TimeoutError, urllib3.exceptions.TimeoutError, requests.exceptions.Timeout)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions it wraps (requests and urllib3 wrap them in args and .reason)."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo.extend(a for a in e.args if isinstance(a, BaseException))
        for attr in ("reason", "__cause__", "__context__"):
            inner = getattr(e, attr, None)
            if isinstance(inner, BaseException):
                todo.append(inner)


def _short_reason(exc: BaseException) -> str:
    text = str(exc)
    for marker in ("Failed to establish a new connection: ", "Caused by "):
        if marker in text:
            text = text.split(marker, 1)[1]
    return text.strip("()'\" ")[:200]


def _within(limit: float | None) -> str:
    return f" within {limit:g} s" if limit is not None else ""


def translate_error(exc: Exception, timeouts: Timeouts, *, reading: bool) -> KubesetError:
    """The kubeset error for an exception of requests / urllib3 / the socket layer.

    ``reading``: the answer's head had arrived and its body was being read."""
    chain = list(_chain(exc))
    if any(isinstance(e, urllib3.exceptions.DecodeError) for e in chain):
        return DecodeError(
            "the answer's body does not decode as its Content-Encoding says"
            f" ({type(exc).__name__}); a proxy in between?"
        )
    refused = any(isinstance(e, urllib3.exceptions.NewConnectionError) for e in chain)
    if not refused and any(isinstance(e, _TIMEOUT) for e in chain):
        connect = any(
            isinstance(
                e, (requests.exceptions.ConnectTimeout, urllib3.exceptions.ConnectTimeoutError)
            )
            for e in chain
        )
        if reading:
            return RequestTimeout("the answer did not complete within the read timeout")
        if connect:
            return RequestTimeout(f"no connection{_within(timeouts.connect)} (connect timeout)")
        # urllib3 reports a TLS handshake that timed out as it reports a late answer
        return RequestTimeout(
            f"no answer{_within(timeouts.read)} (read timeout), or no TLS handshake"
            f"{_within(timeouts.connect)}"
        )
    if any(isinstance(e, ssl.SSLError) for e in chain) or isinstance(
        exc, requests.exceptions.SSLError
    ):
        return ApiConnectionError(f"TLS failed: {_short_reason(exc)}")
    if any(isinstance(e, _LOST) for e in chain):
        if reading:
            return ConnectionLost(f"connection lost while reading the answer: {type(exc).__name__}")
        return ConnectionLost(
            f"cannot reach the server: the connection was lost before an answer ({type(exc).__name__})"
        )
    if reading:
        return ConnectionLost(f"connection lost while reading the answer: {_short_reason(exc)}")
    return ApiConnectionError(f"cannot reach the server: {_short_reason(exc)}")


_LIBRARY_ERRORS = (
    requests.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
)


def _abort(response: requests.Response) -> None:
    """Shut the socket down so that a read blocked in another thread wakes, then close."""
    try:
        # urllib3 keeps the socket's shutdown even when http.client handed the socket to the
        # response (an answer with "Connection: close")
        response.raw.shutdown()
    except (AttributeError, ValueError, RuntimeError, OSError):  # older urllib3, released
        sock = _socket(response)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
    response.close()


@dataclass(frozen=True, slots=True)
class _BodyLimits:
    """How a body is read: chunk size, size cap (None: none), deadline (monotonic, or None)."""

    chunk: int
    max_size: int | None
    deadline: float | None


def _socket(response: requests.Response) -> socket.socket | None:
    """The connection's socket while the pool owns it (an answer with "Connection: close" has
    none: its reads are bounded by the read timeout, clipped to the call's budget at send)."""
    sock = getattr(response.raw.connection, "sock", None)
    return sock if isinstance(sock, socket.socket) else None


def _chunks(
    response: requests.Response, timeouts: Timeouts, limits: _BodyLimits
) -> Iterator[bytes]:
    """The decoded body as it arrives (one read each: a slow server cannot hold a chunk back),
    within ``limits``; every failure a kubeset error.

    urllib3 inflates at most ``chunk`` bytes per read, so a decompression bomb is stopped at the
    size cap or the inflation ratio, not after it filled memory."""
    raw = response.raw
    size = 0
    try:
        if limits.max_size is not None:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limits.max_size:
                raise ResponseTooLarge(
                    f"the answer announces {declared} bytes, more than the limit of"
                    f" {limits.max_size} (max_body_size)"
                )
        while True:
            if limits.deadline is not None:
                remaining = limits.deadline - time.monotonic()
                if remaining <= 0:
                    raise RequestTimeout(
                        f"the answer did not complete within the call's timeout ({size} bytes read)"
                    )
                sock = _socket(response)
                if sock is not None:
                    read = timeouts.read
                    sock.settimeout(remaining if read is None else min(read, remaining))
            data = raw.read1(limits.chunk, decode_content=True)
            if not data:
                sock = _socket(response) if limits.deadline is not None else None
                if sock is not None:  # the pooled connection's next request sets its own
                    sock.settimeout(timeouts.read)
                return
            size += len(data)
            if limits.max_size is not None and size > limits.max_size:
                raise ResponseTooLarge(
                    f"the answer exceeds the limit of {limits.max_size} bytes (max_body_size)"
                )
            if size > _INFLATION_FLOOR and size > MAX_INFLATION * max(raw.tell(), 1):
                raise ResponseTooLarge(
                    f"the answer inflates to more than {MAX_INFLATION} times its compressed size"
                    " (a decompression bomb?)"
                )
            yield data
    except KubesetError:
        response.close()
        raise
    except _LIBRARY_ERRORS as e:
        response.close()
        raise translate_error(e, timeouts, reading=True) from None


def _clip(timeouts: Timeouts) -> tuple[float | None, float | None]:
    """``(connect, read)`` for requests, neither beyond the whole-call budget ``total``."""
    total = timeouts.total
    if total is None:
        return timeouts.connect, timeouts.read
    total = max(total, 0.001)
    connect, read = timeouts.connect, timeouts.read
    return (
        total if connect is None else min(connect, total),
        total if read is None else min(read, total),
    )


# Repeated header lines (Impersonate-Group, Impersonate-Extra-*) cannot live in requests' header
# dict: the transport hands them to the adapter JSON-encoded under this name, and the adapter
# sends them as separate lines.
_REPEATED = "X-Kubeset-Repeated-Headers"


class _KubeAdapter(requests.adapters.HTTPAdapter):
    """An HTTPAdapter that uses our SSLContext (and nothing from requests' CA logic).

    It also sends multi-valued headers (``Impersonate-Group``, ``Impersonate-Extra-*``)
    as repeated header lines, which a plain requests header dict cannot express.
    """

    def __init__(self, ssl_context: ssl.SSLContext, server_name: str | None) -> None:
        self._ssl_context = ssl_context
        self._server_name = server_name
        super().__init__(pool_connections=10, pool_maxsize=25)

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        pool_kwargs["ssl_context"] = self._ssl_context
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        return super().proxy_manager_for(proxy, **proxy_kwargs)

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, _ = super().build_connection_pool_key_attributes(request, True, None)
        pool_kwargs: dict[str, Any] = {}
        if host_params.get("scheme") == "https":
            pool_kwargs["ssl_context"] = self._ssl_context
            if self._server_name:
                pool_kwargs["server_hostname"] = self._server_name
        return host_params, pool_kwargs

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        # Verification is configured in the SSLContext; requests must not add its own
        # CA bundle (that would widen trust beyond the configured CA).
        return None

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        repeated = request.headers.pop(_REPEATED, None)
        if repeated:
            lines = json.loads(repeated)
            merged = HTTPHeaderDict()
            for key, value in request.headers.items():
                merged.add(key, value if isinstance(value, str) else value.decode("latin-1"))
            for key, value in lines:
                merged.add(key, value)
            request.headers = merged  # type: ignore[assignment]
        return super().send(request, *args, **kwargs)


def environ_proxies(url: str) -> dict[str, str]:
    """The proxies the environment names for ``url`` (``HTTPS_PROXY``/``HTTP_PROXY``, honouring
    ``NO_PROXY``), by scheme; empty when none applies."""
    return {
        k: v for k, v in requests.utils.get_environ_proxies(url).items() if k in ("http", "https")
    }


class SessionTransport:
    """A bare transport over a ``requests.Session``: no TLS settings, credentials or proxy.

    For local servers, tests and benchmarks; clusters go through :class:`Transport`, which
    ``RESTClient(config)`` builds.
    """

    default_timeout: float | None = None  # of ``request()`` calls that give none
    max_body_size: int | None = DEFAULT_MAX_BODY_SIZE  # of a whole answer, after decompression

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        max_body_size: int | None = DEFAULT_MAX_BODY_SIZE,
    ) -> None:
        self.session = session or requests.Session()
        self.max_body_size = max_body_size

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def send(self, request: HTTPRequest) -> Response:
        return self._send(request, request.headers)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
        timeout: float | None = None,
    ) -> Response:
        """``send`` for hand-written calls: ``transport.request("GET", url).status_code``."""
        if timeout is None:
            timeout = self.default_timeout
        return self.send(
            HTTPRequest(
                method=method,
                url=url,
                params=tuple((params or {}).items()),
                headers=Headers(headers or {}),
                body=data,
                stream=stream,
                timeouts=Timeouts.of_call(timeout, read=timeout, total=None if stream else timeout),
            )
        )

    def _send(
        self,
        request: HTTPRequest,
        headers: Mapping[str, str],
        proxies: Mapping[str, str] | None = None,
    ) -> Response:
        timeouts = request.timeouts
        started = time.monotonic()
        try:
            r = self.session.request(
                request.method,
                request.url,
                params=list(request.params) or None,
                data=request.body,
                headers=dict(headers),
                stream=True,  # the body is read here, within the limits (see _chunks)
                timeout=_clip(timeouts),
                proxies=dict(proxies) if proxies is not None else None,
            )
        except _LIBRARY_ERRORS as e:
            raise translate_error(e, timeouts, reading=False) from None
        elapsed = r.elapsed.total_seconds()
        if request.stream:
            limits = _BodyLimits(_CHUNK, None, None)  # lines are capped by the LineStream
            return Response(
                r.status_code,
                Headers(r.headers),
                _chunks(r, timeouts, limits),
                close=r.close,
                abort=lambda: _abort(r),
                elapsed=elapsed,
            )
        deadline = started + timeouts.total if timeouts.total is not None else None
        limits = _BodyLimits(_BODY_CHUNK, self.max_body_size, deadline)
        content = b"".join(_chunks(r, timeouts, limits))
        r.raw.release_conn()  # read to the end: the connection goes back to the pool
        return Response(r.status_code, Headers(r.headers), content, elapsed=elapsed)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Transport(SessionTransport):
    """One HTTP session per Config, applying TLS, the credential, impersonation and the proxy.

    ``send`` returns the answer as it is (status handling is the REST layer's business).  A 401
    answered to an exec-plugin credential makes the transport fetch a new credential and send
    the request once more.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.default_timeout = resolve_timeout(config.timeout, None)
        self._lock = threading.Lock()
        self._client_cert: tuple[bytes, bytes] | None = None
        self.outgoing = Outgoing(config, environ_proxies=environ_proxies)
        self.credentials = self.outgoing.credentials
        if self.outgoing.proxy_scheme == "socks5":
            try:
                import socks  # type: ignore[import-untyped, import-not-found, unused-ignore]  # noqa: F401
            except ImportError:
                raise ConfigError(
                    "proxy-url: a socks5 proxy needs PySocks (pip install 'kubeset[socks]')"
                ) from None
        self._retired: list[requests.adapters.BaseAdapter] = []
        session = requests.Session()
        session.trust_env = False  # no .netrc, no REQUESTS_CA_BUNDLE; proxies handled here
        super().__init__(session)
        self._mount(build_ssl_context(config))

    def __repr__(self) -> str:
        return f"Transport(host={self.config.host!r})"

    def _mount(self, ctx: ssl.SSLContext) -> None:
        adapter = _KubeAdapter(ctx, self.config.server_name)
        old = self.session.adapters.get("https://")
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        if old is not None:
            # requests still in flight may use the old adapter: close it later
            self._retired.append(old)
            while len(self._retired) > 2:
                self._retired.pop(0).close()

    def _use_client_cert(self, cert: tuple[bytes, bytes] | None) -> None:
        """Rebuild the TLS context for a new client certificate (rotated files, exec plugin)."""
        with self._lock:
            if cert is None or cert == self._client_cert:
                return
            ctx = build_ssl_context(self.config, client_cert=cert)
            self._client_cert = cert
            self._mount(ctx)

    def _proxies(self, url: str) -> dict[str, str]:
        proxy = self.outgoing.proxy_for(url)
        if not proxy:
            return {}
        if self.config.proxy_url:
            return {"http": proxy, "https": proxy}
        return {urllib.parse.urlsplit(url).scheme: proxy}

    def send(self, request: HTTPRequest) -> Response:
        """Send one request with the Config's credential, headers and proxy.

        Credentials that cannot be obtained (unreadable token file, failing exec plugin,
        expired oidc token) raise :class:`~kubeset.config.ConfigError` (``ExecPluginError`` for
        plugins) before anything is sent."""
        repeated = False
        while True:
            auth = self.credentials.for_request(request.headers)
            if auth.client_cert is not None:
                self._use_client_cert(auth.client_cert)
            response = self._send(request, self._headers(request, auth), self._proxies(request.url))
            if response.status_code == 401 and not repeated and self.credentials.rejected(auth):
                log.debug("401 with an exec plugin credential; fetching a new one and retrying")
                response.close()
                repeated = True
                continue
            return response

    def _headers(self, request: HTTPRequest, auth: RequestAuth) -> dict[str, str]:
        headers: dict[str, str] = {}
        lines: list[tuple[str, str]] = []
        for key, value in self.outgoing.header_lines(request, auth):
            if key.startswith(REPEATED_HEADERS):
                lines.append((key, value))
            else:
                headers[key] = value
        if lines:
            headers[_REPEATED] = json.dumps(lines)
        return headers

    def close(self) -> None:
        super().close()
        for adapter in self._retired:
            adapter.close()
        self._retired.clear()
