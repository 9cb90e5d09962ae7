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
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Self
from urllib.parse import urlsplit, urlunsplit

from ..config import DEFAULT_BURST, DEFAULT_QPS, Config, resolve_timeout
from ..errors import (
    ApiConnectionError,
    ApiError,
    ConnectionLost,
    DecodeError,
    KubesetError,
    RequestTimeout,
    ResponseTooLarge,
    api_error_from_response,
)
from ..flowcontrol import RateLimiter, TokenBucketRateLimiter
from ..transport.base import HTTPTransport, Response
from ..transport.session import Transport
from .request import PatchType, Request
from .retry import RetryPolicy, parse_retry_after
from .watch import WATCH_IDLE_TIMEOUT

__all__ = ["DEFAULT_TIMEOUT", "RESTClient", "public_url", "rate_limiter_for"]

log = logging.getLogger(
    "kubeset.rest"
)  # requests at DEBUG (no headers, no bodies), retries at INFO

DEFAULT_TIMEOUT = 60.0  # seconds, when neither the request nor the Config sets one (0: none)


def public_url(url: str) -> str:
    """The URL without user info or query, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def rate_limiter_for(config: Config) -> RateLimiter | None:
    """The Config's rate limiter: its own, else a token bucket (QPS 5 / burst 10 by default,
    none when ``qps`` is negative)."""
    if config.rate_limiter is not None:
        return config.rate_limiter
    qps = config.qps if config.qps != 0 else DEFAULT_QPS
    burst = config.burst if config.burst > 0 else DEFAULT_BURST
    return TokenBucketRateLimiter(qps, burst) if qps > 0 else None


class RESTClient:
    """Sends Kubernetes API requests through a transport; see :class:`Request`.

    ``RESTClient(config)`` builds a :class:`kubeset.transport.Transport` and the Config's rate
    limiter; ``RESTClient(transport, host=...)`` uses any :class:`HTTPTransport` (no rate
    limiter unless ``rate_limiter=`` is given).
    """

    def __init__(
        self,
        config: Config | HTTPTransport,
        *,
        host: str | None = None,
        timeout: float | None = None,
        max_retries: int = 5,
        backoff_base: float = 0.25,
        backoff_max: float = 8.0,
        max_retry_after: float = 60.0,
        watch_idle_timeout: float | None = WATCH_IDLE_TIMEOUT,
        rate_limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        base: str | None
        if isinstance(config, Config):
            self.transport: HTTPTransport = Transport(config)
            base = host or config.base_url
            configured = config.timeout
            default_timeout = resolve_timeout(timeout, resolve_timeout(configured, DEFAULT_TIMEOUT))
            self.rate_limiter = rate_limiter or rate_limiter_for(config)
        else:
            self.transport = config
            inner = getattr(config, "config", None)
            base = host or getattr(inner, "host", None) or getattr(config, "host", None)
            configured = getattr(inner, "timeout", None)
            default_timeout = resolve_timeout(timeout, resolve_timeout(configured, DEFAULT_TIMEOUT))
            self.rate_limiter = rate_limiter
        if not base:
            raise ValueError(
                "RESTClient needs the server URL: pass host='https://...' with a bare transport"
            )
        if "://" not in base:
            raise ValueError(
                f"server URL {public_url(base)!r} has no scheme (expected https://host:port)"
            )
        self.host = base.rstrip("/")
        self.timeout: float | None = default_timeout  # None: no client-side timeout
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
        self._sleep = sleep

    # -- builder entry points (client-go: Get(), Post(), Put(), Patch(pt), Delete()) -------
    def verb(self, method: str) -> Request:
        return Request(self, method.upper())

    def get(self) -> Request:
        return Request(self, "GET")

    def post(self) -> Request:
        return Request(self, "POST")

    def put(self) -> Request:
        return Request(self, "PUT")

    def patch(self, patch_type: PatchType | str) -> Request:
        pt = patch_type.value if isinstance(patch_type, PatchType) else str(patch_type)
        return Request(self, "PATCH").content_type(pt)

    def delete(self) -> Request:
        return Request(self, "DELETE")

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<RESTClient {public_url(self.host)}>"

    # -- running a request ----------------------------------------------------------------
    def send(self, req: Request) -> Response:
        """Send with retries; the answer of the last attempt.  A non-2xx answer raises its
        :class:`~kubeset.errors.ApiError` subclass (the body read and the response closed).

        The call's timeout (the request's, else the client's ``call_timeout``) is a deadline
        for everything: each attempt gets what is left of it (``Timeouts.total``), and a retry
        whose wait would pass it ends the call with :class:`~kubeset.errors.RequestTimeout`."""
        first = req.build(self.host, self.timeout)
        budget = resolve_timeout(req.own_timeout, self.call_timeout)
        deadline = time.monotonic() + budget if budget is not None else None
        method = first.method
        retries = req.retries
        policy = self.retry if retries is None else replace(self.retry, max_retries=retries)
        attempt = 0
        while True:
            http = first
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise self._named(req, RequestTimeout("no answer within the call's timeout"))
                http = replace(first, timeouts=replace(first.timeouts, total=remaining))
            if self.rate_limiter is not None:
                self.rate_limiter.accept()
            try:
                resp = self.transport.send(http)
            except ConnectionLost as e:
                delay = policy.after_connection_lost(method, attempt)
                if delay is None:
                    raise self._named(req, e) from None
                self._wait(req, delay, deadline, f"the connection was lost ({e})")
                log.info("%s %s: connection lost, sending again", method, req.path())
                attempt += 1
                continue
            except KubesetError as e:
                raise self._named(req, e) from None
            code = resp.status_code
            if log.isEnabledFor(logging.DEBUG):  # client-go's -v=6: verb, URL path, status, time
                log.debug("%s %s %d in %.3fs", method, req.path(), code, resp.elapsed)
            if code < 400:
                return resp
            delay = policy.after_response(method, attempt, code, parse_retry_after(resp.headers))
            if delay is None:
                raise self._status_error(req, resp)
            resp.close()
            log.info(
                "%s %s: %d, retrying in %.2fs (attempt %d of %d)",
                method,
                req.path(),
                code,
                delay,
                attempt + 1,
                policy.max_retries,
            )
            self._wait(req, delay, deadline, f"the server answered {code}")
            attempt += 1

    def _wait(self, req: Request, delay: float, deadline: float | None, why: str) -> None:
        """Sleep ``delay`` before a retry, unless that passes the call's deadline."""
        if deadline is not None and time.monotonic() + delay >= deadline:
            raise self._named(
                req,
                RequestTimeout(f"{why}; a retry in {delay:.3g} s would pass the call's timeout"),
            )
        self._sleep(delay)

    def read(self, req: Request, resp: Response) -> bytes:
        """The whole body of ``resp``; a broken or stalled body raises naming the request."""
        try:
            return resp.read()
        except KubesetError as e:
            raise self._named(req, e) from None

    def _status_error(self, req: Request, resp: Response) -> ApiError:
        try:
            body = resp.read()
        except KubesetError:
            body = b""
        return api_error_from_response(
            resp.status_code,
            body,
            resp.headers.get("Content-Type", ""),
            method=req.method,
            path=req.path(),
        )

    def _named(self, req: Request, error: KubesetError) -> KubesetError:
        """The same kind of error, its message naming the request (and a hint on timeouts).
        An ApiError (which names its request already) or ConfigError is returned as it is."""
        if not isinstance(
            error, (RequestTimeout, ApiConnectionError, DecodeError, ResponseTooLarge)
        ):
            return error
        text = f"{req.method} {public_url(req.url())}: {error}"
        if isinstance(error, RequestTimeout):
            text += "; raise the timeout (Config.timeout or timeout=) or check the server"
        return type(error)(text)
