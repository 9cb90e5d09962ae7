"""LineStream: a streamed answer read line by line (watch events, followed logs).

    with LineStream(response, "GET /api/v1/namespaces/default/pods/web/log") as lines:
        for line in lines.lines():      # bytes, without the newline
            ...

``stop()`` ends it from any thread (a read blocked in another thread wakes up); leaving the
iteration or the ``with`` block releases the connection.  Works over any transport's
:class:`~kubeset.transport.base.Response`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Self

from ..errors import ApiConnectionError, KubesetError, RequestTimeout, ResponseTooLarge
from ..transport.base import Response

__all__ = ["DEFAULT_MAX_LINE", "LineStream"]


DEFAULT_MAX_LINE = 64 * 1024 * 1024
"""Bytes one line (one watch event) may take: far above what the API server sends (etcd keeps
objects under 1.5 MiB; their JSON with managed fields stays within a few MiB)."""


class LineStream:
    """A streaming response read line by line.

    ``max_line`` caps one line (one watch event, one log line): a longer one raises
    :class:`~kubeset.errors.ResponseTooLarge` instead of growing without bound.  Splitting is
    linear in the size of the stream however the lines are cut into chunks.

    Subclasses set ``_stream`` (what broke) and ``_idle`` (what the read timeout missed) for
    their messages.
    """

    _stream = "stream"
    _idle = "data"

    def __init__(self, response: Response, what: str, *, max_line: int = DEFAULT_MAX_LINE) -> None:
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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def lines(self) -> Iterator[bytes]:
        """The raw lines (without their newline), the last one even when unterminated."""
        try:
            for line in self._split(self._response.iter_bytes()):
                yield line
                if self._stopped:
                    return
        except RequestTimeout:
            if self._stopped:
                return
            raise self._idle_error() from None
        except ApiConnectionError as e:
            if self._stopped:
                return
            raise type(e)(f"{self._what}: the {self._stream} broke: {e}") from None
        finally:
            self._stopped = True
            self._response.close()

    def _idle_error(self) -> KubesetError:
        """What a read timeout on this stream means (a Watch reads it as a dead connection)."""
        return RequestTimeout(f"{self._what}: no {self._idle} within the read timeout")

    def _split(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """Lines from chunks: each byte is looked at a bounded number of times (the pieces of a
        line spread over many chunks are kept in a list and joined once)."""
        limit = self.max_line
        parts: list[bytes] = []  # the unterminated line so far, in pieces
        pending = 0
        for chunk in chunks:
            if len(chunk) > limit and any(len(x) > limit for x in chunk.split(b"\n")):
                raise self._too_large()  # chunks are small; a body given whole may not be
            end = chunk.find(b"\n")
            if end < 0:
                parts.append(chunk)
                pending += len(chunk)
                if pending > limit:
                    raise self._too_large()
                continue
            if parts:
                if pending + end > limit:
                    raise self._too_large()
                parts.append(chunk[:end])
                yield b"".join(parts)
                parts, pending = [], 0
            else:
                yield chunk[:end]
            if self._stopped:
                return
            lines = chunk[end + 1 :].split(b"\n")
            tail = lines.pop()
            for line in lines:
                yield line
                if self._stopped:
                    return
            if tail:
                parts.append(tail)
                pending = len(tail)
                if pending > limit:
                    raise self._too_large()
        if parts:
            yield b"".join(parts)

    def _too_large(self) -> ResponseTooLarge:
        return ResponseTooLarge(
            f"{self._what}: one line of the {self._stream} exceeds {self.max_line} bytes"
            " (raise max_line to accept it)"
        )
