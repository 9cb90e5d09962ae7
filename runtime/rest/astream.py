"""AsyncLineStream and AsyncWatch: streamed answers read with ``async for`` (logs, watches).

    async with await pods.watch(resource_version=rv) as w:
        async for event in w:                  # WatchEvent[Pod]
            print(event.type, event.object.metadata.name)
    rv = w.resource_version

The asyncio faces of :class:`~kubeset.rest.stream.LineStream` and
:class:`~kubeset.rest.watch.Watch`: the splitting (:class:`~kubeset.rest.stream.LineSplitter`),
what a broken or silent stream means (:class:`~kubeset.rest.stream.StreamBase`) and the decoding
of events (:class:`~kubeset.rest.watch.WatchDecoder`) are theirs; only the reading is awaited.
Cancelling the task that iterates, leaving the ``async with`` block or ``stop()`` releases the
connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Generic, Self, TypeVar

from pydantic import BaseModel

from ..errors import KubesetError
from ..transport.base import AsyncResponse
from .stream import DEFAULT_MAX_LINE, StreamBase
from .watch import WatchDecoder, WatchEvent

__all__ = ["AsyncLineStream", "AsyncLogStream", "AsyncWatch"]

T = TypeVar("T", bound=BaseModel)


class AsyncLineStream(StreamBase):
    """A streaming answer read line by line with ``async for line in stream.lines()``."""

    def __init__(
        self, response: AsyncResponse, what: str, *, max_line: int = DEFAULT_MAX_LINE
    ) -> None:
        super().__init__(response, what, max_line=max_line)
        self._async_response = response

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop()

    async def lines(self) -> AsyncIterator[bytes]:
        """The raw lines (without their newline), the last one even when unterminated."""
        splitter = self.splitter()
        try:
            async for chunk in self._async_response.iter_bytes():
                for line in splitter.feed(chunk):
                    yield line
                    if self._stopped:
                        return
            for line in splitter.end():
                yield line
        except KubesetError as e:
            error = self.broken(e)
            if error is None:
                return
            if error is e:
                raise
            raise error from None
        finally:
            self._stopped = True
            self._async_response.close()


class AsyncLogStream(AsyncLineStream):
    """A followed log: ``async for line in stream`` gives text lines."""

    _stream = "log stream"
    _idle = "log output"

    async def __aiter__(self) -> AsyncIterator[str]:
        async for line in self.lines():
            yield line.decode("utf-8", errors="replace")


class AsyncWatch(AsyncLineStream, Generic[T]):
    """An open watch; ``async for event in watch`` gives :class:`WatchEvent` s (the same events,
    bookmarks, ERROR handling and idle timeout as :class:`~kubeset.rest.watch.Watch`)."""

    _stream = "watch stream"
    _idle = "event or bookmark"
    _silence_is_death = True

    def __init__(
        self,
        response: AsyncResponse,
        model: type[T],
        *,
        what: str = "watch",
        max_line: int = DEFAULT_MAX_LINE,
    ) -> None:
        super().__init__(response, what, max_line=max_line)
        self.decoder = WatchDecoder(model, what)

    @property
    def resource_version(self) -> str | None:
        """The resourceVersion of the last event or bookmark seen (resume a watch from here)."""
        return self.decoder.resource_version

    async def __aiter__(self) -> AsyncIterator[WatchEvent[T]]:
        decode = self.decoder.decode
        async for line in self.lines():
            event = decode(line)
            if event is not None:
                yield event

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else "open"
        return f"<AsyncWatch {self._what} {state} rv={self.resource_version}>"
