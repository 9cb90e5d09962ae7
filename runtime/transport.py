"""The HTTP transport: one ``requests.Session`` per :class:`~kubeset.config.Config`.

``Transport.request`` applies, on every request, what client-go's ``transport``
package applies: TLS (CA, client certificate, verification on by default, TLS >= 1.2,
server name), credentials (bearer token, token file re-read at most once a minute,
basic auth, exec plugin with one refresh-and-retry after a 401, oidc id-token),
``Impersonate-*`` headers, the User-Agent, the client-side QPS/burst token bucket and
the proxy (``proxy-url``, else ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``).

Key material held in memory (``*-data`` fields, exec plugin certificates) is loaded
into the ``ssl.SSLContext`` through an anonymous in-memory file (``memfd_create``) so
it never touches a file system; where that is unavailable it goes through a 0600 file
in a private 0700 temporary directory that is removed right after loading.
"""

from __future__ import annotations

import base64
import ipaddress
import logging
import os
import platform
import shutil
import ssl
import sys
import tempfile
import threading
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Self

import requests
import requests.adapters
import requests.utils
from urllib3 import HTTPHeaderDict

from ._version import __version__
from .auth import (
    CachedFileToken,
    ExecAuthenticator,
    ExecCredential,
    OIDCToken,
    auth_provider_token_source,
)
from .config import DEFAULT_BURST, DEFAULT_QPS, Config, ConfigError
from .flowcontrol import TokenBucketRateLimiter

__all__ = ["TokenBucketRateLimiter", "Transport", "default_user_agent"]


log = logging.getLogger(__name__)


def default_user_agent() -> str:
    """``kubeset/<version> (python <x.y.z>; <os>/<arch>)``."""
    py = ".".join(str(p) for p in sys.version_info[:3])
    system = platform.system().lower() or "unknown"
    machine = platform.machine().lower() or "unknown"
    return f"kubeset/{__version__} (python {py}; {system}/{machine})"


# --------------------------------------------------------------------------- TLS


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


@contextmanager
def _in_memory_files(*blobs: bytes) -> Iterator[list[str]]:
    """Paths from which OpenSSL can read ``blobs`` without them touching a disk.

    Linux: anonymous memory files (``memfd_create``) read through ``/proc/self/fd``.
    Elsewhere: 0600 files in a private 0700 directory, removed on exit.
    """
    if hasattr(os, "memfd_create") and os.path.isdir("/proc/self/fd"):
        fds: list[int] = []
        try:
            for blob in blobs:
                fd = os.memfd_create("kubeset-tls", os.MFD_CLOEXEC)
                fds.append(fd)
                _write_all(fd, blob)
            yield [f"/proc/self/fd/{fd}" for fd in fds]
        finally:
            for fd in fds:
                os.close(fd)
        return
    folder = tempfile.mkdtemp(prefix="kubeset-tls-")  # mode 0700
    try:
        paths = []
        for i, blob in enumerate(blobs):
            path = os.path.join(folder, f"{i}.pem")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                _write_all(fd, blob)
            finally:
                os.close(fd)
            paths.append(path)
        yield paths
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _read_file(path: str, what: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise ConfigError(f"{what} {path}: cannot read the file: {exc.strerror}") from None


def _ssl_reason(exc: ssl.SSLError) -> str:
    return str(exc.reason or exc.strerror or exc.__class__.__name__)


def build_ssl_context(
    config: Config, client_cert: tuple[bytes, bytes] | None = None
) -> ssl.SSLContext:
    """The client-side ``ssl.SSLContext`` for ``config``.

    ``client_cert`` (PEM certificate, PEM key) overrides the config's client
    certificate (exec plugins return one).
    """
    has_ca = bool(config.ca_data or config.ca_file)
    if config.insecure and has_ca:
        raise ConfigError(
            "specifying a root certificates file with the insecure flag is not allowed"
        )
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if config.insecure:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    elif config.ca_data:
        try:
            ctx.load_verify_locations(cadata=config.ca_data.decode("ascii"))
        except (UnicodeDecodeError, ssl.SSLError, ValueError) as exc:
            reason = _ssl_reason(exc) if isinstance(exc, ssl.SSLError) else "not PEM text"
            raise ConfigError(
                f"certificate-authority-data: no usable PEM certificate ({reason})"
            ) from None
    elif config.ca_file:
        data = _read_file(config.ca_file, "certificate-authority")
        try:
            ctx.load_verify_locations(cadata=data.decode("ascii"))
        except (UnicodeDecodeError, ssl.SSLError, ValueError) as exc:
            reason = _ssl_reason(exc) if isinstance(exc, ssl.SSLError) else "not PEM text"
            raise ConfigError(
                f"certificate-authority {config.ca_file}: no usable PEM certificate ({reason})"
            ) from None
    else:
        ctx.load_default_certs()
        if not ctx.get_ca_certs():
            try:
                import certifi

                ctx.load_verify_locations(cafile=certifi.where())
            except (ImportError, OSError, ssl.SSLError):  # pragma: no cover
                pass
    if client_cert is None:
        client_cert = _config_client_cert(config)
    if client_cert is not None:
        cert_pem, key_pem = client_cert
        try:
            with _in_memory_files(cert_pem, key_pem) as (cert_path, key_path):
                # never let OpenSSL prompt on the terminal for a key passphrase
                ctx.load_cert_chain(cert_path, key_path, password=_no_passphrase)
        except _EncryptedKey:
            raise ConfigError(
                "client-key: the private key is encrypted; client-go and kubeset need an "
                "unencrypted PEM key"
            ) from None
        except ssl.SSLError as exc:
            raise ConfigError(
                "client-certificate/client-key: cannot use the client certificate and key "
                f"({_ssl_reason(exc)}); they must be a matching PEM certificate and PEM key"
            ) from None
    return ctx


class _EncryptedKey(Exception):
    pass


def _no_passphrase() -> bytes:
    raise _EncryptedKey()


def _config_client_cert(config: Config) -> tuple[bytes, bytes] | None:
    has_cert = bool(config.cert_data or config.cert_file)
    has_key = bool(config.key_data or config.key_file)
    if not has_cert and not has_key:
        return None
    if not has_cert or not has_key:
        raise ConfigError(
            "a client certificate needs both a certificate (client-certificate[-data]) "
            "and a key (client-key[-data])"
        )
    cert = config.cert_data or _read_file(str(config.cert_file), "client-certificate")
    key = config.key_data or _read_file(str(config.key_file), "client-key")
    return cert, key


class _KubeAdapter(requests.adapters.HTTPAdapter):
    """An HTTPAdapter that uses our SSLContext (and nothing from requests' CA logic).

    It also sends multi-valued headers (``Impersonate-Group``, ``Impersonate-Extra-*``)
    as repeated header lines, which a plain requests header dict cannot express.
    """

    def __init__(
        self,
        ssl_context: ssl.SSLContext,
        server_name: str | None,
        multi_headers: list[tuple[str, str]],
    ) -> None:
        self._ssl_context = ssl_context
        self._server_name = server_name
        self._multi_headers = multi_headers
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
        if self._multi_headers:
            names = {key.lower() for key, _ in self._multi_headers}
            merged = HTTPHeaderDict()
            for key, value in request.headers.items():
                if key.lower() not in names:  # a redirect re-sends an already merged dict
                    merged.add(key, value if isinstance(value, str) else value.decode("latin-1"))
            for key, value in self._multi_headers:
                merged.add(key, value)
            request.headers = merged  # type: ignore[assignment]
        return super().send(request, *args, **kwargs)


# --------------------------------------------------------------------------- headers

_HEADER_TOKEN = set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _escape_extra_key(key: str) -> str:
    """Percent-encode an Impersonate-Extra key like client-go (legal header chars kept)."""
    out = []
    for byte in key.encode("utf-8"):
        ch = chr(byte)
        if ch in _HEADER_TOKEN and ch != "%":
            out.append(ch)
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def _impersonation_headers(config: Config) -> tuple[dict[str, str], list[tuple[str, str]]]:
    imp = config.impersonate
    single: dict[str, str] = {}
    multi: list[tuple[str, str]] = []
    if not imp:
        return single, multi
    if (imp.groups or imp.extra or imp.uid) and not imp.user:
        raise ConfigError(
            "impersonation: groups, uid or extra are requested without impersonating a user"
        )
    single["Impersonate-User"] = imp.user
    if imp.uid:
        single["Impersonate-Uid"] = imp.uid
    for group in imp.groups:
        multi.append(("Impersonate-Group", group))
    for key in sorted(imp.extra):
        for value in imp.extra[key]:
            multi.append((f"Impersonate-Extra-{_escape_extra_key(key)}", value))
    return single, multi


# --------------------------------------------------------------------------- proxies


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _socks_remote_dns(proxy: str) -> str:
    # Go resolves names through a SOCKS5 proxy; urllib3 does that for "socks5h".
    if proxy.lower().startswith("socks5://"):
        return "socks5h://" + proxy[len("socks5://") :]
    return proxy


# --------------------------------------------------------------------------- transport


class Transport:
    """One HTTP session per Config, applying TLS, auth, impersonation, rate limits, proxy.

    ``request`` takes an absolute URL and returns the ``requests.Response`` as is (no
    status handling: that is the REST layer's business).  A 401 answered to an
    exec-plugin credential makes the transport fetch a new credential and send the
    request once more.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        if (config.bearer_token_file or config.bearer_token) and (
            config.username or config.password
        ):
            raise ConfigError("username/password or bearer token may be set, but not both")
        if config.exec_provider is not None and config.auth_provider is not None:
            raise ConfigError("execProvider and authProvider cannot be used in combination")
        self._token_file: CachedFileToken | None = (
            CachedFileToken(config.bearer_token_file) if config.bearer_token_file else None
        )
        self._exec: ExecAuthenticator | None = (
            ExecAuthenticator(config.exec_provider) if config.exec_provider is not None else None
        )
        self._oidc: OIDCToken | None = (
            auth_provider_token_source(config.auth_provider)
            if config.auth_provider is not None
            else None
        )
        qps = config.qps if config.qps != 0 else DEFAULT_QPS
        burst = config.burst if config.burst > 0 else DEFAULT_BURST
        self.rate_limiter: Any = config.rate_limiter
        if self.rate_limiter is None and qps > 0:
            self.rate_limiter = TokenBucketRateLimiter(qps, burst)
        self._single_headers, self._multi_headers = _impersonation_headers(config)
        self._single_headers["User-Agent"] = config.user_agent or default_user_agent()
        if config.disable_compression:
            self._single_headers["Accept-Encoding"] = "identity"
        if config.proxy_url:
            scheme = urllib.parse.urlsplit(config.proxy_url).scheme.lower()
            if scheme not in ("http", "https", "socks5"):
                raise ConfigError(
                    f"proxy-url: unsupported scheme {scheme!r}, "
                    'must be "http", "https", or "socks5"'
                )
            if scheme == "socks5":
                try:
                    import socks  # type: ignore[import-untyped, import-not-found, unused-ignore]  # noqa: F401
                except ImportError:
                    raise ConfigError(
                        "proxy-url: a socks5 proxy needs PySocks (pip install 'kubeset[socks]')"
                    ) from None
        self._lock = threading.Lock()
        self._client_cert: tuple[bytes, bytes] | None = None
        self._proxy_cache: dict[str, dict[str, str]] = {}
        self._retired: list[requests.adapters.BaseAdapter] = []
        self.session = requests.Session()
        self.session.trust_env = False  # no .netrc, no REQUESTS_CA_BUNDLE; proxies handled here
        self._mount(build_ssl_context(config))

    def __repr__(self) -> str:
        return f"Transport(host={self.config.host!r})"

    def _mount(self, ctx: ssl.SSLContext) -> None:
        adapter = _KubeAdapter(ctx, self.config.server_name, self._multi_headers)
        old = self.session.adapters.get("https://")
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        if old is not None:
            # requests still in flight may use the old adapter: close it later
            self._retired.append(old)
            while len(self._retired) > 2:
                self._retired.pop(0).close()

    def _use_client_cert(self, cert: tuple[bytes, bytes] | None) -> None:
        """Rebuild the TLS context when an exec plugin hands out a new certificate."""
        with self._lock:
            if cert is None or cert == self._client_cert:
                return
            ctx = build_ssl_context(self.config, client_cert=cert)
            self._client_cert = cert
            self._mount(ctx)

    def _proxies(self, url: str) -> dict[str, str]:
        if self.config.proxy_url:
            proxy = _socks_remote_dns(self.config.proxy_url)
            return {"http": proxy, "https": proxy}
        parts = urllib.parse.urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        cached = self._proxy_cache.get(key)
        if cached is not None:
            return cached
        if _is_loopback(parts.hostname or ""):
            found: dict[str, str] = {}
        else:
            # like Go's ProxyFromEnvironment: HTTPS_PROXY / HTTP_PROXY honouring NO_PROXY
            # (ALL_PROXY is not used); like Go, the environment is read once (per
            # Transport and host here)
            found = {
                k: _socks_remote_dns(v)
                for k, v in requests.utils.get_environ_proxies(url).items()
                if k in ("http", "https")
            }
        if len(self._proxy_cache) < 256:
            self._proxy_cache[key] = found
        return found

    def _auth_header(self) -> tuple[str | None, ExecCredential | None]:
        cfg = self.config
        if self._token_file is not None:
            try:
                return "Bearer " + self._token_file.token(), None
            except ConfigError:
                if cfg.bearer_token:
                    return "Bearer " + cfg.bearer_token, None
                raise
        if cfg.bearer_token:
            return "Bearer " + cfg.bearer_token, None
        if cfg.username or cfg.password:
            raw = f"{cfg.username or ''}:{cfg.password or ''}".encode()
            return "Basic " + base64.b64encode(raw).decode("ascii"), None
        if self._exec is not None:
            cred = self._exec.credentials()
            self._use_client_cert(
                (cred.cert_pem, cred.key_pem) if cred.cert_pem and cred.key_pem else None
            )
            return ("Bearer " + cred.token if cred.token else None), cred
        if self._oidc is not None:
            return "Bearer " + self._oidc.token(), None
        return None, None

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | list[str]] | None = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
        timeout: float | tuple[float, float] | None = None,
    ) -> requests.Response:
        """Send one request (``url`` is absolute) and return the response (unread when
        ``stream`` is true).

        Network and TLS failures raise ``requests`` exceptions; credentials that cannot
        be obtained (unreadable token file, failing exec plugin, expired oidc token)
        raise :class:`~kubeset.config.ConfigError` (``ExecPluginError`` for plugins)
        before anything is sent.  ``timeout`` defaults to ``config.timeout``."""
        if timeout is None:
            timeout = self.config.timeout
        attempt = 0
        while True:
            attempt += 1
            if self.rate_limiter is not None:
                self.rate_limiter.accept()
            hdrs: dict[str, str] = dict(self._single_headers)
            cred: ExecCredential | None = None
            caller_auth = headers is not None and any(k.lower() == "authorization" for k in headers)
            if not caller_auth:
                auth, cred = self._auth_header()
                if auth is not None:
                    hdrs["Authorization"] = auth
            if headers:
                hdrs.update(headers)
            response = self.session.request(
                method,
                url,
                params=params,
                data=data,
                headers=hdrs,
                stream=stream,
                timeout=timeout,
                proxies=self._proxies(url),
            )
            if (
                response.status_code == 401
                and cred is not None
                and self._exec is not None
                and attempt == 1
            ):
                self._exec.invalidate(cred)
                log.debug("401 with an exec plugin credential; fetching a new one and retrying")
                response.close()
                continue
            return response

    def close(self) -> None:
        self.session.close()
        for adapter in self._retired:
            adapter.close()
        self._retired.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
