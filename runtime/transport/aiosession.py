"""AsyncTransport: a Config's TLS, credentials and proxy over aiohttp (``pip install kubeset[async]``).

    transport = AsyncTransport(config)            # what AsyncRESTClient(config) builds
    response = await transport.send_async(HTTPRequest("GET", config.host + "/version"))
    response.status_code, await response.read()
    await transport.aclose()

The asyncio counterpart of :class:`~kubeset.transport.session.Transport`, behind the same seam
(:class:`~kubeset.transport.base.AsyncHTTPTransport`): what goes on the wire is decided once in
:class:`~kubeset.transport.outgoing.Outgoing` (credential and ``Impersonate-*`` lines, User-Agent,
proxy) and :func:`~kubeset.transport.tls.build_ssl_context`, as for requests.  Credentials that
may block (an exec plugin runs, an oidc token is refreshed) are fetched in a worker thread, so
the event loop never waits on them.  Like the requests transport, a whole body is read within
``Timeouts.total`` (the call's deadline), ``max_body_size`` after decompression and
``MAX_INFLATION`` times its compressed size; aiohttp's exceptions become kubeset errors here,
classified by type.  This is the only module that knows aiohttp.

Why aiohttp: it is what kubernetes_asyncio and the official client's asyncio tree use, it streams
bodies chunk by chunk with per-read timeouts, and repeated header lines pass as a list.  HTTP/2
is not offered (kube-apiserver serves HTTP/1.1 to every client).  SOCKS5 proxies are not
supported by this transport (the requests one supports them).
"""

from __future__ import annotations

import asyncio
import ssl
import time
import zlib
from collections.abc import AsyncIterator
from typing import Self

try:
    import aiohttp
    from yarl import URL
except ImportError as e:  # pragma: no cover - exercised by an install without the extra
    raise ImportError(
        "kubeset's asyncio support needs aiohttp: pip install 'kubeset[async]'"
    ) from e

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
from .base import AsyncResponse, Headers, HTTPRequest, Timeouts
from .outgoing import Outgoing
from .session import DEFAULT_MAX_BODY_SIZE, MAX_INFLATION, environ_proxies
from .tls import build_ssl_context

__all__ = ["AsyncTransport", "translate_aiohttp_error"]

_CHUNK = 256 * 1024
_INFLATION_FLOOR = 16 * 1024 * 1024
POOL_SIZE = 100
"""Connections one AsyncTransport keeps open at most (aiohttp's default; concurrent requests
beyond it wait for a free one)."""


def _within(limit: float | None) -> str:
    return f" within {limit:g} s" if limit is not None else ""


def translate_aiohttp_error(
    exc: BaseException, timeouts: Timeouts, *, reading: bool
) -> KubesetError:
    """The kubeset error for an exception of aiohttp or the socket layer.

    ``reading``: the answer's head had arrived and its body was being read."""
    if isinstance(exc, TimeoutError):  # aiohttp's timeouts subclass it
        if reading:
            return RequestTimeout("the answer did not complete within the read timeout")
        if isinstance(exc, aiohttp.ConnectionTimeoutError):
            return RequestTimeout(
                f"no connection{_within(timeouts.connect)} (connect timeout, TLS handshake included)"
            )
        return RequestTimeout(f"no answer{_within(timeouts.read)} (read timeout)")
    if isinstance(exc, (aiohttp.ClientSSLError, ssl.SSLError)):
        return ApiConnectionError(f"TLS failed: {exc}"[:300])
    if isinstance(exc, aiohttp.ClientConnectorError):
        return ApiConnectionError(f"cannot reach the server: {exc.os_error or exc}"[:300])
    if isinstance(exc, (aiohttp.ClientPayloadError, aiohttp.ClientResponseError)):
        # a body that broke off, or an answer the parser refused (chunk sizes, header lines)
        return ConnectionLost(f"connection lost while reading the answer: {type(exc).__name__}")
    if isinstance(
        exc,
        (
            aiohttp.ServerDisconnectedError,
            ConnectionResetError,
            BrokenPipeError,
            aiohttp.ClientOSError,
        ),
    ):
        if reading:
            return ConnectionLost(f"connection lost while reading the answer: {type(exc).__name__}")
        return ConnectionLost(
            f"cannot reach the server: the connection was lost before an answer ({type(exc).__name__})"
        )
    if reading:
        return ConnectionLost(f"connection lost while reading the answer: {exc}"[:300])
    return ApiConnectionError(f"cannot reach the server: {exc}"[:300])


_ERRORS = (aiohttp.ClientError, OSError, TimeoutError)


class _Inflater:
    """The body as sent (Content-Encoding gzip or deflate undone), within the size limits."""

    __slots__ = ("_raw", "_size", "_z", "max_size")

    def __init__(self, encoding: str, max_size: int | None) -> None:
        encoding = encoding.strip().lower()
        if encoding in ("gzip", "x-gzip"):
            self._z: zlib._Decompress | None = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._z = zlib.decompressobj()
        elif encoding in ("", "identity"):
            self._z = None
        else:
            raise DecodeError(
                f"the answer's Content-Encoding {encoding!r} is not one kubeset asked for"
            )
        self.max_size = max_size
        self._raw = 0
        self._size = 0

    def feed(self, data: bytes) -> bytes:
        self._raw += len(data)
        if self._z is not None:
            try:
                data = self._z.decompress(data)
            except zlib.error:
                raise DecodeError(
                    "the answer's body does not decode as its Content-Encoding says; a proxy in between?"
                ) from None
        self._size += len(data)
        if self.max_size is not None and self._size > self.max_size:
            raise ResponseTooLarge(
                f"the answer exceeds the limit of {self.max_size} bytes (max_body_size)"
            )
        if self._size > _INFLATION_FLOOR and self._size > MAX_INFLATION * max(self._raw, 1):
            raise ResponseTooLarge(
                f"the answer inflates to more than {MAX_INFLATION} times its compressed size"
                " (a decompression bomb?)"
            )
        return data


class AsyncTransport:
    """One aiohttp session per Config and event loop, applying TLS, the credential,
    impersonation and the proxy (see the module doc).  A 401 answered to an exec-plugin
    credential makes it fetch a new credential and send the request once more."""

    max_body_size: int | None = DEFAULT_MAX_BODY_SIZE

    def __init__(self, config: Config) -> None:
        self.config = config
        self.default_timeout = resolve_timeout(config.timeout, None)
        self.outgoing = Outgoing(config, environ_proxies=environ_proxies)
        self.credentials = self.outgoing.credentials
        if self.outgoing.proxy_scheme == "socks5":
            raise ConfigError(
                "proxy-url: the asyncio transport does not support socks5 proxies"
                " (use an http(s) proxy, or the sync client)"
            )
        self._ssl = build_ssl_context(config)
        self._client_cert: tuple[bytes, bytes] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._blocking_credentials = (
            self.credentials.exec is not None or self.credentials.oidc is not None
        )

    def __repr__(self) -> str:
        return f"AsyncTransport(host={self.config.host!r})"

    def _new_session(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(ssl=self._ssl, limit=POOL_SIZE, enable_cleanup_closed=True)
        return aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,  # inflated here, within the limits
            trust_env=False,  # proxies decided by Outgoing; no .netrc
            skip_auto_headers=("User-Agent", "Accept-Encoding"),
            timeout=aiohttp.ClientTimeout(total=None),
        )

    def _session_now(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            # a session belongs to one event loop: a client reused under a new loop gets a new one
            self._session = self._new_session()
            self._loop = loop
        return self._session

    def _use_client_cert(self, cert: tuple[bytes, bytes] | None) -> None:
        """A new TLS context (and session) for a new client certificate."""
        if cert is None or cert == self._client_cert:
            return
        self._ssl = build_ssl_context(self.config, client_cert=cert)
        self._client_cert = cert
        old, self._session = self._session, None
        if old is not None and not old.closed:
            asyncio.get_running_loop().create_task(old.close())

    async def _auth(self, request: HTTPRequest) -> RequestAuth:
        if self._blocking_credentials:
            return await asyncio.to_thread(self.credentials.for_request, request.headers)
        return self.credentials.for_request(request.headers)

    async def send_async(self, request: HTTPRequest) -> AsyncResponse:
        """Send one request with the Config's credential, headers and proxy."""
        repeated = False
        while True:
            auth = await self._auth(request)
            self._use_client_cert(auth.client_cert)
            response = await self._send(request, auth)
            if response.status_code == 401 and not repeated and self.credentials.rejected(auth):
                response.close()
                repeated = True
                continue
            return response

    async def _send(self, request: HTTPRequest, auth: RequestAuth) -> AsyncResponse:
        timeouts = request.timeouts
        lines = self.outgoing.header_lines(request, auth)
        if not any(k.lower() == "accept-encoding" for k, _ in lines):
            lines.append(("Accept-Encoding", "gzip, deflate"))
        url = request.url + (f"?{request.query}" if request.params else "")
        started = time.monotonic()
        deadline = started + timeouts.total if timeouts.total is not None else None
        session = self._session_now()
        try:
            async with asyncio.timeout_at(_loop_deadline(deadline)):
                resp = await session.request(
                    request.method,
                    URL(url, encoded=True),
                    data=request.body,
                    headers=lines,  # a list: repeated lines stay separate
                    proxy=self.outgoing.proxy_for(request.url),
                    server_hostname=self.config.server_name or None,
                    timeout=aiohttp.ClientTimeout(
                        total=None, sock_connect=timeouts.connect, sock_read=timeouts.read
                    ),
                    allow_redirects=False,
                )
        except _ERRORS as e:
            raise translate_aiohttp_error(e, timeouts, reading=False) from None
        elapsed = time.monotonic() - started
        headers = Headers(dict(resp.headers))
        if request.stream:
            inflater = _Inflater(resp.headers.get("Content-Encoding", ""), None)
            return AsyncResponse(
                resp.status,
                headers,
                _chunks(resp, inflater, timeouts),
                close=resp.close,
                abort=resp.close,
                elapsed=elapsed,
            )
        declared = resp.headers.get("Content-Length", "")
        limit = self.max_body_size
        if limit is not None and declared.isdigit() and int(declared) > limit:
            resp.close()
            raise ResponseTooLarge(
                f"the answer announces {declared} bytes, more than the limit of {limit} (max_body_size)"
            )
        inflater = _Inflater(resp.headers.get("Content-Encoding", ""), limit)
        parts: list[bytes] = []
        try:
            async with asyncio.timeout_at(_loop_deadline(deadline)):
                async for data in _chunks(resp, inflater, timeouts):
                    parts.append(data)
        except TimeoutError:
            resp.close()
            raise RequestTimeout(
                f"the answer did not complete within the call's timeout ({sum(map(len, parts))} bytes read)"
            ) from None
        resp.release()
        return AsyncResponse(resp.status, headers, b"".join(parts), elapsed=elapsed)

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _loop_deadline(deadline: float | None) -> float | None:
    """A ``time.monotonic`` deadline on the running loop's clock."""
    if deadline is None:
        return None
    loop = asyncio.get_running_loop()
    return loop.time() + (deadline - time.monotonic())


async def _chunks(
    resp: aiohttp.ClientResponse, inflater: _Inflater, timeouts: Timeouts
) -> AsyncIterator[bytes]:
    """The decoded body as it arrives; every failure a kubeset error."""
    try:
        while True:
            data = await resp.content.read(_CHUNK)
            if not data:
                return
            out = inflater.feed(data)
            if out:
                yield out
    except KubesetError:
        resp.close()
        raise
    except _ERRORS as e:
        resp.close()
        raise translate_aiohttp_error(e, timeouts, reading=True) from None
