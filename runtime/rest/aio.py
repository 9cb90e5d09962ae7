"""AsyncRESTClient and AsyncRequest: Kubernetes API requests from asyncio (``kubeset[async]``).

    async with AsyncRESTClient(config) as rest:
        pod = await (rest.get().group_version("", "v1").namespace("default").resource("pods")
                     .name("web-0").into(Pod))

The asyncio face of :class:`~kubeset.rest.client.RESTClient`, from the same parts: the builder
(:class:`~kubeset.rest.request.RequestBuilder`), the call's decisions (:class:`~kubeset.rest.call.Call`:
deadline, retries after 429/5xx and lost connections, Retry-After, error names), the retry policy,
the error table and the decoding are shared; this module only awaits.  The transport is any
:class:`~kubeset.transport.base.AsyncHTTPTransport`: :class:`~kubeset.transport.aiosession.AsyncTransport`
for a Config, ``MockTransport`` or the fake cluster in tests.

The client-side rate limiter is the Config's, as for the sync client: a token bucket's wait is
slept with ``asyncio.sleep``; another limiter's blocking ``accept()`` runs in a worker thread.
Cancelling the task of a call closes its connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Self, TypeVar

from pydantic import BaseModel

from ..codec.chunked import decode_list, list_field
from ..config import Config
from ..errors import KubesetError
from ..flowcontrol import TokenBucketRateLimiter
from ..transport.base import AsyncHTTPTransport, AsyncResponse
from .astream import AsyncLogStream, AsyncWatch
from .call import Call, named_error
from .client import RESTClientBase
from .request import RequestBuilder
from .result import Result, decode_into

__all__ = ["AsyncRESTClient", "AsyncRequest"]

M = TypeVar("M", bound=BaseModel)
X = TypeVar("X")

LARGE_BODY = 4 * 1024 * 1024
"""Bytes above which an answer that is not a list is decoded in a worker thread."""

LARGE_LIST = 1024 * 1024
"""Bytes above which a list is decoded in batches (kubeset.codec.chunked): the event loop runs
other tasks between them (the compiled codec holds the GIL, so a worker thread would not do)."""


class AsyncRequest(RequestBuilder["AsyncRESTClient"]):
    """A request sent by an :class:`AsyncRESTClient`: ``await do()``, ``stream()``, ``watch()``."""

    __slots__ = ()

    async def do(self) -> Result:
        """Send; raise an ApiError subclass for a non-2xx answer; return the :class:`Result`."""
        resp = await self.client.send(self.streaming(False))
        content = await self.client.read(self, resp)
        return Result(resp.status_code, resp.headers, content, self.what)

    async def do_raw(self) -> bytes:
        return (await self.do()).content

    async def into(self, model: type[M]) -> M:
        """The answer decoded into ``model``; a large list in batches with the event loop running
        between them, another large answer in a worker thread."""
        result = await self.do()
        content = result.content
        if len(content) > LARGE_LIST and list_field(model) is not None:
            decoded = await decode_list(model, content)
            if decoded is not None:
                return decoded
            # a piece did not decode as the whole would: the whole decides (result or error)
            return await asyncio.to_thread(decode_into, model, content, what=self.what)
        if len(content) > LARGE_BODY:
            return await asyncio.to_thread(decode_into, model, content, what=self.what)
        return result.into(model)

    async def stream(self) -> AsyncResponse:
        """Send and return the open response (status checked); close it when done."""
        return await self.client.send(self.streaming(True))

    async def do_then(self, then: Callable[[Result], X]) -> X:
        """``then(await do())``: an answer's own reading (a delete's object or Status)."""
        return then(await self.do())

    def watch(self, model: type[M]) -> AsyncWatch[M]:
        """A watch (``watch=true`` is set) decoding each event's object into ``model``; sent on
        ``await``, ``async with`` or the first ``async for``."""
        self.watch_read_timeout(self.client.watch_idle_timeout)
        return AsyncWatch(self.stream, model, what=self.what)

    def log_stream(self) -> AsyncLogStream:
        """The answer as text lines (a followed log); sent as :meth:`watch` is."""
        return AsyncLogStream(self.stream, self.what)


class AsyncRESTClient(RESTClientBase[AsyncRequest, AsyncHTTPTransport]):
    """Sends Kubernetes API requests from asyncio; see :class:`AsyncRequest`.

    ``AsyncRESTClient(config)`` builds an :class:`~kubeset.transport.aiosession.AsyncTransport`
    and the Config's rate limiter; ``AsyncRESTClient(transport, host=...)`` uses any
    :class:`~kubeset.transport.base.AsyncHTTPTransport`.  The options are the RESTClient's.
    """

    def __init__(self, config: Config | AsyncHTTPTransport, **options: Any) -> None:
        super().__init__(config, **options)

    def open_transport(self, config: Config) -> AsyncHTTPTransport:
        from ..transport.aiosession import AsyncTransport

        return AsyncTransport(config)

    def new_request(self, method: str) -> AsyncRequest:
        return AsyncRequest(self, method)

    async def aclose(self) -> None:
        await self.transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _accept(self) -> None:
        limiter = self.rate_limiter
        if limiter is None:
            return
        if isinstance(limiter, TokenBucketRateLimiter):
            wait = limiter.reserve()
            if wait > 0:
                await asyncio.sleep(wait)
        else:
            await asyncio.to_thread(limiter.accept)

    async def send(self, req: AsyncRequest) -> AsyncResponse:
        """Send with retries; the answer of the last attempt (see ``RESTClient.send``: the same
        deadline, retries and errors)."""
        call = Call(self, req)
        while True:
            http = call.attempt()
            await self._accept()
            try:
                resp = await self.transport.send_async(http)
            except KubesetError as e:
                delay = call.failed(e)
            else:
                code, headers = resp.status_code, resp.headers
                verdict = call.answered(code, headers, resp.elapsed)
                if verdict is None:
                    if code < 400:
                        return resp
                    body = await self.read(req, resp, quiet=True)
                    raise call.status_error(code, headers, body)
                resp.close()
                delay = verdict
            await asyncio.sleep(delay)

    async def read(self, req: AsyncRequest, resp: AsyncResponse, *, quiet: bool = False) -> bytes:
        """The whole body of ``resp``; a broken or stalled body raises naming the request
        (``quiet``: an error answer's body, read as far as it goes)."""
        try:
            return await resp.read()
        except KubesetError as e:
            if quiet:
                return b""
            raise named_error(req, e) from None
        except asyncio.CancelledError:
            resp.abort()
            raise
