"""LineStream: a streamed answer read line by line (watch events, followed logs).

    with LineStream(response, "GET /api/v1/namespaces/default/pods/web/log") as lines:
        for line in lines.lines():      # bytes, without the newline
            ...

``stop()`` ends it from any thread (a read blocked in another thread wakes up); leaving the
iteration or the ``with`` block releases the connection.  Works over any transport's
:class:`~kubeset.transport.base.Response`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Self

from ..errors import ApiConnectionError, RequestTimeout
from ..transport.base import Response

__all__ = ["LineStream"]


class LineStream:
    """A streaming response read line by line.

    Subclasses set ``_stream`` (what broke) and ``_idle`` (what the read timeout missed) for
    their messages.
    """

    _stream = "stream"
    _idle = "data"

    def __init__(self, response: Response, what: str) -> None:
        self._response = response
        self._what = what
        self._stopped = False

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
        buf = b""
        try:
            for chunk in self._response.iter_bytes():
                if buf:
                    chunk = buf + chunk
                lines = chunk.split(b"\n")
                buf = lines.pop()
                for line in lines:
                    yield line
                    if self._stopped:
                        return
            if buf and not self._stopped:
                yield buf
        except RequestTimeout:
            if self._stopped:
                return
            raise RequestTimeout(f"{self._what}: no {self._idle} within the read timeout") from None
        except ApiConnectionError as e:
            if self._stopped:
                return
            raise type(e)(f"{self._what}: the {self._stream} broke: {e}") from None
        finally:
            self._stopped = True
            self._response.close()
