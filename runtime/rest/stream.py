"""LineStream: a streamed answer read line by line (watch events, followed logs).

    with LineStream(response, "GET /api/v1/namespaces/default/pods/web/log") as lines:
        for line in lines.lines():      # bytes, without the newline
            ...

``stop()`` ends it from any thread (a read blocked in another thread wakes up); leaving the
iteration or the ``with`` block releases the connection.  Works over any transport's
:class:`~kubeset.transport.base.Response`.

The splitting (:class:`LineSplitter`) and what a broken stream means (:class:`StreamBase`) hold
no I/O: the asyncio stream (:class:`~kubeset.rest.astream.AsyncLineStream`) shares them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol, Self

from ..errors import (
    ApiConnectionError,
    ConnectionLost,
    KubesetError,
    RequestTimeout,
    ResponseTooLarge,
)
from ..transport.base import Response

__all__ = ["DEFAULT_MAX_LINE", "LineSplitter", "LineStream", "LogStream", "StreamBase"]


DEFAULT_MAX_LINE = 64 * 1024 * 1024
"""Bytes one line (one watch event) may take: far above what the API server sends (etcd keeps
objects under 1.5 MiB; their JSON with managed fields stays within a few MiB)."""


class LineSplitter:
    """Lines from chunks as they arrive, each byte looked at a bounded number of times (the
    pieces of a line spread over many chunks are kept in a list and joined once)::

        splitter = LineSplitter(1024, too_large=lambda: ResponseTooLarge("a line over 1 KiB"))
        splitter.feed(b"a\nb")     # [b"a"]
        splitter.end()               # [b"b"]: the last line, even unterminated
    """

    __slots__ = ("_parts", "_pending", "_too_large", "limit")

    def __init__(self, limit: int, *, too_large: Callable[[], KubesetError]) -> None:
        self.limit = limit
        self._too_large = too_large
        self._parts: list[bytes] = []  # the unterminated line so far, in pieces
        self._pending = 0

    def feed(self, chunk: bytes) -> list[bytes]:
        """The lines ``chunk`` completes (without their newline)."""
        limit = self.limit
        if len(chunk) > limit and any(len(x) > limit for x in chunk.split(b"\n")):
            raise self._too_large()  # chunks are small; a body given whole may not be
        end = chunk.find(b"\n")
        if end < 0:
            self._parts.append(chunk)
            self._pending += len(chunk)
            if self._pending > limit:
                raise self._too_large()
            return []
        if self._parts:
            if self._pending + end > limit:
                raise self._too_large()
            self._parts.append(chunk[:end])
            lines = [b"".join(self._parts)]
            self._parts, self._pending = [], 0
        else:
            lines = [chunk[:end]]
        more = chunk[end + 1 :].split(b"\n")
        tail = more.pop()
        lines.extend(more)
        if tail:
            self._parts.append(tail)
            self._pending = len(tail)
            if self._pending > limit:
                raise self._too_large()
        return lines

    def end(self) -> list[bytes]:
        """The unterminated last line, if any."""
        parts, self._parts, self._pending = self._parts, [], 0
        return [b"".join(parts)] if parts else []


class Abortable(Protocol):
    """What a stream needs of its response to end it (both transports' responses have it)."""

    def abort(self) -> None: ...

    def close(self) -> None: ...


class StreamBase:
    """A streamed answer's state and meaning, shared by the sync and the asyncio stream.

    ``max_line`` caps one line (one watch event, one log line): a longer one raises
    :class:`~kubeset.errors.ResponseTooLarge` instead of growing without bound.  Subclasses
    set ``_stream`` (what broke) and ``_idle`` (what the read timeout missed) for messages.
    """

    _stream = "stream"
    _idle = "data"
    _silence_is_death = False  # a watch: silence means the connection died (resume from rv)

    def __init__(self, response: Abortable, what: str, *, max_line: int = DEFAULT_MAX_LINE) -> None:
        self._response = response
        self._what = what
        self._stopped = False
        self.max_line = max_line

    @property
    def stopped(self) -> bool:
        return self._stopped

    def stop(self) -> None:
        """End the stream; safe from another thread (wakes a blocked read, closes the connection)."""
        if self._stopped:
            return
        self._stopped = True
        self._response.abort()

    close = stop

    def splitter(self) -> LineSplitter:
        return LineSplitter(self.max_line, too_large=self._too_large)

    def end_with(self, error: KubesetError) -> None:
        """Raise what ``error`` (raised while reading) means, unless the stream was stopped:
        then the iteration just ends (see :meth:`broken`)."""
        meaning = self.broken(error)
        if meaning is None:
            return
        if meaning is error:
            raise error
        raise meaning from None

    def broken(self, error: KubesetError) -> KubesetError | None:
        """What ``error`` raised while reading means: None when the stream was stopped (the
        iteration just ends), a dead connection for a read timeout, else the error naming
        the stream.  Other kubeset errors (ResponseTooLarge, an event's ApiError) pass as they are."""
        if self._stopped:
            return None
        if isinstance(error, RequestTimeout):
            return self._idle_error()
        if isinstance(error, ApiConnectionError):
            return type(error)(f"{self._what}: the {self._stream} broke: {error}")
        return error

    def _idle_error(self) -> KubesetError:
        """What a read timeout on this stream means (a Watch reads it as a dead connection)."""
        if self._silence_is_death:
            return ConnectionLost(
                f"{self._what}: no {self._idle} within the read timeout: the connection is presumed"
                " dead (resume from resource_version)"
            )
        return RequestTimeout(f"{self._what}: no {self._idle} within the read timeout")

    def _too_large(self) -> ResponseTooLarge:
        return ResponseTooLarge(
            f"{self._what}: one line of the {self._stream} exceeds {self.max_line} bytes"
            " (raise max_line to accept it)"
        )


class LineStream(StreamBase):
    """A streaming response read line by line (see :class:`StreamBase` for ``max_line``).

    Splitting is linear in the size of the stream however the lines are cut into chunks.
    """

    def __init__(self, response: Response, what: str, *, max_line: int = DEFAULT_MAX_LINE) -> None:
        super().__init__(response, what, max_line=max_line)
        self._response: Response = response

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def lines(self) -> Iterator[bytes]:
        """The raw lines (without their newline), the last one even when unterminated."""
        splitter = self.splitter()
        try:
            for chunk in self._response.iter_bytes():
                for line in splitter.feed(chunk):
                    yield line
                    if self._stopped:
                        return
            yield from splitter.end()
        except KubesetError as e:
            self.end_with(e)
        finally:
            self._stopped = True
            self._response.close()


class LogStream(LineStream):
    """Lines of a streaming pod log; iterate for ``str`` lines; ``stop()`` from any thread."""

    _stream = "log stream"
    _idle = "log output"

    def __iter__(self) -> Iterator[str]:
        for line in self.lines():
            yield line.decode("utf-8", errors="replace")
