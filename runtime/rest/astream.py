"""AsyncLineStream, AsyncLogStream and AsyncWatch: streamed answers read with ``async for``.

    async with pods.watch(resource_version=rv) as w:   # opened on entry (or: w = await pods.watch())
        async for event in w:                          # WatchEvent[Pod]
            print(event.type, event.object.metadata.name)
    rv = w.resource_version

The asyncio faces of :class:`~kubeset.rest.stream.LineStream`, :class:`~kubeset.rest.stream.LogStream`
and :class:`~kubeset.rest.watch.Watch`: the splitting (:class:`~kubeset.rest.stream.LineSplitter`),
what a broken or silent stream means (:class:`~kubeset.rest.stream.StreamBase`) and the decoding
of events (:class:`~kubeset.rest.watch.WatchDecoder`) are theirs; only the reading is awaited.

A stream is made with what opens it (the request is sent on ``await stream``, ``async with`` or
the first ``async for``), so ``async for event in pods.watch()`` needs no extra ``await``.
Cancelling the task that iterates, leaving the ``async with`` block or ``stop()`` releases the
connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import Any, Self, TypeVar

from pydantic import BaseModel

from ..errors import KubesetError
from ..transport.base import AsyncResponse
from .stream import DEFAULT_MAX_LINE, StreamBase
from .watch import WatchDecoder, WatchEvent, WatchState

__all__ = ["AsyncLineStream", "AsyncLogStream", "AsyncWatch", "Opener"]

T = TypeVar("T", bound=BaseModel)

Opener = Callable[[], Awaitable[AsyncResponse]]
"""What sends a stream's request: the open response (status checked)."""


class _Unopened:
    """The response of a stream not opened yet: stopping it just marks it stopped."""

    def abort(self) -> None:
        pass

    def close(self) -> None:
        pass


class AsyncLineStream(StreamBase):
    """A streaming answer read line by line with ``async for line in stream.lines()``."""

    def __init__(
        self, opener: Opener | AsyncResponse, what: str, *, max_line: int = DEFAULT_MAX_LINE
    ) -> None:
        if isinstance(opener, AsyncResponse):
            super().__init__(opener, what, max_line=max_line)
            self._opener: Opener | None = None
        else:
            super().__init__(_Unopened(), what, max_line=max_line)
            self._opener = opener

    async def open(self) -> Self:
        """Send the request (once); errors of the answer's status raise here."""
        opener, self._opener = self._opener, None
        if opener is not None and not self._stopped:
            self._response = await opener()
        return self

    def __await__(self) -> Generator[Any, None, Self]:
        return self.open().__await__()

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        self.stop()

    async def lines(self) -> AsyncIterator[bytes]:
        """The raw lines (without their newline), the last one even when unterminated."""
        await self.open()
        response = self._response
        if not isinstance(response, AsyncResponse):  # stopped before it was opened
            return
        splitter = self.splitter()
        try:
            async for chunk in response.iter_bytes():
                for line in splitter.feed(chunk):
                    yield line
                    if self._stopped:
                        return
            for line in splitter.end():
                yield line
        except KubesetError as e:
            self.end_with(e)
        finally:
            self._stopped = True
            response.close()


class AsyncLogStream(AsyncLineStream):
    """A followed pod log: ``async for line in stream`` gives text lines."""

    _stream = "log stream"
    _idle = "log output"

    async def __aiter__(self) -> AsyncIterator[str]:
        async for line in self.lines():
            yield line.decode("utf-8", errors="replace")


class AsyncWatch(WatchState[T], AsyncLineStream):
    """A watch; ``async for event in watch`` gives :class:`WatchEvent` s (the same events,
    bookmarks, ERROR handling and idle timeout as :class:`~kubeset.rest.watch.Watch`)."""

    def __init__(
        self,
        opener: Opener | AsyncResponse,
        model: type[T],
        *,
        what: str = "watch",
        max_line: int = DEFAULT_MAX_LINE,
    ) -> None:
        super().__init__(opener, what, max_line=max_line)
        self.decoder = WatchDecoder(model, what)

    async def __aiter__(self) -> AsyncIterator[WatchEvent[T]]:
        decode = self.decoder.decode
        async for line in self.lines():
            event = decode(line)
            if event is not None:
                yield event
