"""RESTClient: sends Kubernetes API requests (client-go's ``rest.RESTClient``).

    rest = RESTClient(config)                      # or RESTClient(transport, host="https://...")
    pod = (rest.get().group_version("", "v1").namespace("default").resource("pods").name("web-0")
           .do().into(Pod))

The builder is :class:`~kubeset.rest.request.Request`; this module runs a request: the rate
limiter (:mod:`kubeset.flowcontrol`) before each attempt, the transport (the one HTTP seam,
:mod:`kubeset.transport.base`), the retry policy (:mod:`kubeset.rest.retry`) between attempts,
and the mapping of a non-2xx answer to an :class:`~kubeset.errors.ApiError` subclass.  Every
failure names the request (method, URL without credentials or query).

A timeout set on the request or the client (or Config) is the deadline of the whole call: each
attempt gets what is left (``Timeouts.total``: the transport bounds the body read by it), and a
retry whose wait would pass it ends the call with :class:`~kubeset.errors.RequestTimeout`.

What a call decides (attempts, deadline, retries, error names) is :class:`~kubeset.rest.call.Call`;
the settings both REST clients share are :class:`RESTClientBase`, so the asyncio client
(:class:`~kubeset.rest.aio.AsyncRESTClient`) differs from this one only in how it sends and waits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Generic, Self, TypeVar

from ..config import DEFAULT_BURST, DEFAULT_QPS, Config, resolve_timeout
from ..errors import KubesetError
from ..flowcontrol import RateLimiter, TokenBucketRateLimiter
from ..transport.base import HTTPTransport, Response
from ..transport.session import Transport
from .call import Call, named_error, public_url
from .request import PatchType, Request, RequestBuilder
from .retry import RetryPolicy
from .watch import WATCH_IDLE_TIMEOUT

__all__ = ["DEFAULT_TIMEOUT", "RESTClient", "RESTClientBase", "public_url", "rate_limiter_for"]

DEFAULT_TIMEOUT = 60.0  # seconds, when neither the request nor the Config sets one (0: none)

R = TypeVar("R", bound=RequestBuilder[Any])  # the request type a client makes
T = TypeVar("T")  # its transport


def rate_limiter_for(config: Config) -> RateLimiter | None:
    """The Config's rate limiter: its own, else a token bucket (QPS 5 / burst 10 by default,
    none when ``qps`` is negative)."""
    if config.rate_limiter is not None:
        return config.rate_limiter
    qps = config.qps if config.qps != 0 else DEFAULT_QPS
    burst = config.burst if config.burst > 0 else DEFAULT_BURST
    return TokenBucketRateLimiter(qps, burst) if qps > 0 else None


class RESTClientBase(Generic[R, T]):
    """What both REST clients share: server, timeouts, retry policy, rate limiter, transport.

    ``config`` is a :class:`~kubeset.config.Config` (the subclass builds its transport and the
    Config's rate limiter) or a ready transport (``host=`` needed unless the transport has a
    ``config`` or ``host``; no rate limiter unless ``rate_limiter=`` is given).
    """

    def __init__(
        self,
        config: Config | T,
        *,
        host: str | None = None,
        timeout: float | None = None,
        max_retries: int = 5,
        backoff_base: float = 0.25,
        backoff_max: float = 8.0,
        max_retry_after: float = 60.0,
        watch_idle_timeout: float | None = WATCH_IDLE_TIMEOUT,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        base: str | None
        if isinstance(config, Config):
            base = host or config.base_url
            configured = config.timeout
            self.rate_limiter = rate_limiter or rate_limiter_for(config)
            if not base:
                raise ValueError(
                    f"{type(self).__name__} needs the server URL: the Config has no host"
                )
            self.transport: T = self.open_transport(config)
        else:
            self.transport = config
            inner = getattr(config, "config", None)
            base = host or getattr(inner, "host", None) or getattr(config, "host", None)
            configured = getattr(inner, "timeout", None)
            self.rate_limiter = rate_limiter
        if not base:
            raise ValueError(
                f"{type(self).__name__} needs the server URL: pass host='https://...' with a bare transport"
            )
        if "://" not in base:
            raise ValueError(
                f"server URL {public_url(base)!r} has no scheme (expected https://host:port)"
            )
        self.host = base.rstrip("/")
        self.timeout: float | None = resolve_timeout(
            timeout, resolve_timeout(configured, DEFAULT_TIMEOUT)
        )  # None: no client-side timeout
        self.call_timeout: float | None = resolve_timeout(
            timeout, resolve_timeout(configured, None)
        )
        """The deadline of every call: the Config's timeout or ``timeout=`` when one is set (the
        default per-read limit of 60 s is not a deadline; None: no overall deadline)."""
        self.watch_idle_timeout = watch_idle_timeout
        """A watch with bookmarks that receives nothing this long (seconds) raises
        :class:`~kubeset.errors.ConnectionLost`: the API server sends a bookmark about every
        minute, so silence means the connection died without a word (None: wait forever)."""
        self.retry = RetryPolicy(
            max_retries=max_retries,
            backoff_base=backoff_base,
            backoff_max=backoff_max,
            max_retry_after=max_retry_after,
        )

    def open_transport(self, config: Config) -> T:
        """The transport of ``config`` (each client kind builds its own)."""
        raise NotImplementedError

    def new_request(self, method: str) -> R:
        """A request of this client (each client kind makes its own request type)."""
        raise NotImplementedError

    # -- builder entry points (client-go: Get(), Post(), Put(), Patch(pt), Delete()) -------
    def verb(self, method: str) -> R:
        return self.new_request(method.upper())

    def get(self) -> R:
        return self.new_request("GET")

    def post(self) -> R:
        return self.new_request("POST")

    def put(self) -> R:
        return self.new_request("PUT")

    def patch(self, patch_type: PatchType | str) -> R:
        pt = patch_type.value if isinstance(patch_type, PatchType) else str(patch_type)
        return self.new_request("PATCH").content_type(pt)

    def delete(self) -> R:
        return self.new_request("DELETE")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {public_url(self.host)}>"


class RESTClient(RESTClientBase[Request, HTTPTransport]):
    """Sends Kubernetes API requests through a transport; see :class:`Request`.

    ``RESTClient(config)`` builds a :class:`kubeset.transport.Transport` and the Config's rate
    limiter; ``RESTClient(transport, host=...)`` uses any :class:`HTTPTransport` (no rate
    limiter unless ``rate_limiter=`` is given).
    """

    def __init__(
        self,
        config: Config | HTTPTransport,
        *,
        sleep: Callable[[float], None] = time.sleep,
        **options: Any,
    ) -> None:
        super().__init__(config, **options)
        self._sleep = sleep

    def open_transport(self, config: Config) -> HTTPTransport:
        return Transport(config)

    def new_request(self, method: str) -> Request:
        return Request(self, method)

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- running a request ----------------------------------------------------------------
    def send(self, req: Request) -> Response:
        """Send with retries; the answer of the last attempt.  A non-2xx answer raises its
        :class:`~kubeset.errors.ApiError` subclass (the body read and the response closed).

        The call's timeout (the request's, else the client's ``call_timeout``) is a deadline
        for everything: each attempt gets what is left of it (``Timeouts.total``), and a retry
        whose wait would pass it ends the call with :class:`~kubeset.errors.RequestTimeout`."""
        call = Call(self, req)
        while True:
            http = call.attempt()
            if self.rate_limiter is not None:
                self.rate_limiter.accept()
            try:
                resp = self.transport.send(http)
            except KubesetError as e:
                delay = call.failed(e)
            else:
                code, headers = resp.status_code, resp.headers
                verdict = call.answered(code, headers, resp.elapsed)
                if verdict is None and code < 400:
                    return resp
                if verdict is None:
                    raise call.status_error(code, headers, self._quiet_read(resp))
                resp.close()
                delay = verdict
            self._sleep(delay)

    @staticmethod
    def _quiet_read(resp: Response) -> bytes:
        try:
            return resp.read()
        except KubesetError:
            return b""

    def read(self, req: Request, resp: Response) -> bytes:
        """The whole body of ``resp``; a broken or stalled body raises naming the request."""
        try:
            return resp.read()
        except KubesetError as e:
            raise named_error(req, e) from None
