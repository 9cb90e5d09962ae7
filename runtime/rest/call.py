"""Call: every decision of one API call across its attempts, without I/O.

    call = Call(client, req)                  # the request built once, the deadline fixed
    while True:
        http = call.attempt()                 # this attempt's HTTPRequest (what is left of the deadline)
        try:
            resp = transport.send(http)       # I/O: the sync or the asyncio transport
        except KubesetError as e:
            delay = call.failed(e)            # a lost connection may be retried; else raises
        else:
            if (delay := call.answered(resp.status_code, resp.headers)) is None:
                return resp                   # 2xx/3xx, or an error answer to raise (``status_error``)
        sleep(call.wait(delay))               # raises when the wait would pass the deadline

:class:`~kubeset.rest.client.RESTClient` and :class:`~kubeset.rest.aio.AsyncRESTClient` are
the two drivers of this one brain: they differ only in how they wait and send.  The retry
decisions themselves are :class:`~kubeset.rest.retry.RetryPolicy`'s; every failure is named
after the request (method, URL without credentials or query).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from ..config import resolve_timeout
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
from ..transport.base import HTTPRequest
from .request import RequestBuilder
from .retry import RetryPolicy, parse_retry_after

__all__ = ["Call", "CallSettings", "named_error", "public_url"]

log = logging.getLogger(
    "kubeset.rest"
)  # requests at DEBUG (no headers, no bodies), retries at INFO


def public_url(url: str) -> str:
    """The URL without user info or query, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def named_error(req: RequestBuilder[Any], error: KubesetError) -> KubesetError:
    """The same kind of error, its message naming the request (and a hint on timeouts).
    An ApiError (which names its request already) or ConfigError is returned as it is."""
    if not isinstance(error, (RequestTimeout, ApiConnectionError, DecodeError, ResponseTooLarge)):
        return error
    text = f"{req.method} {public_url(req.url())}: {error}"
    if isinstance(error, RequestTimeout):
        text += "; raise the timeout (Config.timeout or timeout=) or check the server"
    return type(error)(text)


class CallSettings(Protocol):
    """What a call needs of its client (both REST clients have these attributes)."""

    host: str
    timeout: float | None
    call_timeout: float | None
    retry: RetryPolicy


class Call:
    """One call: the request built once, its deadline, and what to do after each attempt."""

    __slots__ = ("attempts", "deadline", "first", "method", "policy", "req")

    def __init__(self, client: CallSettings, req: RequestBuilder[Any]) -> None:
        self.req = req
        self.first: HTTPRequest = req.build(client.host, client.timeout)
        self.method = self.first.method
        budget = resolve_timeout(req.own_timeout, client.call_timeout)
        self.deadline = time.monotonic() + budget if budget is not None else None
        retries = req.retries
        self.policy = (
            client.retry if retries is None else replace(client.retry, max_retries=retries)
        )
        self.attempts = 0

    def attempt(self) -> HTTPRequest:
        """The next attempt's request, bounded by what is left of the deadline
        (:class:`~kubeset.errors.RequestTimeout` when nothing is)."""
        first = self.first
        if self.deadline is None:
            return first
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise named_error(self.req, RequestTimeout("no answer within the call's timeout"))
        return replace(first, timeouts=replace(first.timeouts, total=remaining))

    def failed(self, error: KubesetError) -> float:
        """The transport raised ``error``: the wait before sending again (a lost connection
        the policy repeats); otherwise the error is raised, naming the request."""
        if isinstance(error, ConnectionLost):
            delay = self.policy.after_connection_lost(self.method, self.attempts)
            if delay is not None:
                log.info("%s %s: connection lost, sending again", self.method, self.req.path())
                return self._retry_in(delay, f"the connection was lost ({error})")
        raise named_error(self.req, error) from None

    def answered(self, code: int, headers: Mapping[str, str], elapsed: float = 0.0) -> float | None:
        """An answer arrived: None to take it (2xx/3xx, or an error not worth repeating:
        :meth:`status_error` makes it), else the wait before the next attempt."""
        if log.isEnabledFor(logging.DEBUG):  # client-go's -v=6: verb, URL path, status, time
            log.debug("%s %s %d in %.3fs", self.method, self.req.path(), code, elapsed)
        if code < 400:
            return None
        delay = self.policy.after_response(
            self.method, self.attempts, code, parse_retry_after(headers)
        )
        if delay is None:
            return None
        log.info(
            "%s %s: %d, retrying in %.2fs (attempt %d of %d)",
            self.method,
            self.req.path(),
            code,
            delay,
            self.attempts + 1,
            self.policy.max_retries,
        )
        return self._retry_in(delay, f"the server answered {code}")

    def _retry_in(self, delay: float, why: str) -> float:
        if self.deadline is not None and time.monotonic() + delay >= self.deadline:
            raise named_error(
                self.req,
                RequestTimeout(f"{why}; a retry in {delay:.3g} s would pass the call's timeout"),
            )
        self.attempts += 1
        return delay

    def status_error(self, code: int, headers: Mapping[str, str], body: bytes) -> ApiError:
        """The :class:`~kubeset.errors.ApiError` subclass of an error answer."""
        return api_error_from_response(
            code,
            body,
            headers.get("Content-Type", ""),
            method=self.req.method,
            path=self.req.path(),
        )
