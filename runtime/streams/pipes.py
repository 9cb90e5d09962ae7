"""Byte pipes between a WebSocket's I/O thread and the caller: bounded readers and collectors.

    pipe = Pipe(ws.pause, ws.resume)     # the I/O thread calls pipe.feed(data) / pipe.end(error)
    data = pipe.read(65536)              # b"" at the end; raises the error the stream ended with

A :class:`Pipe` holds at most ``high`` bytes before it asks its connection to stop reading
(``pause``), and lets it read again (``resume``) once the reader took it below ``low``: a slow
reader slows the sender down instead of filling memory, and the I/O thread never blocks.
:class:`Collector` keeps everything (``exec_run`` wants the whole output).
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from typing import Protocol

from ..errors import KubesetError, RequestTimeout

__all__ = ["Collector", "Pipe", "Sink"]

_HIGH = 4 * 1024 * 1024
_LOW = 1024 * 1024


class Sink(Protocol):
    """Where received bytes of one channel go (called from the I/O thread)."""

    def feed(self, data: bytes) -> None: ...

    def end(self, error: KubesetError | None = None) -> None: ...


class Collector:
    """Keeps every byte; ``data`` when the stream is over."""

    __slots__ = ("_buf", "error")

    def __init__(self) -> None:
        self._buf = bytearray()
        self.error: KubesetError | None = None

    def feed(self, data: bytes) -> None:
        self._buf += data

    def end(self, error: KubesetError | None = None) -> None:
        if error is not None and self.error is None:
            self.error = error

    @property
    def data(self) -> bytes:
        return bytes(self._buf)


class Pipe(io.RawIOBase):
    """A readable byte stream fed by another thread (file-like: ``read``, ``readinto``,
    ``readline``, iteration); ``timeout`` bounds each wait for data (None: until the stream
    ends, which the connection's keep-alive bounds)."""

    def __init__(
        self,
        pause: Callable[[], None] = lambda: None,
        resume: Callable[[], None] = lambda: None,
        *,
        high: int = _HIGH,
        low: int = _LOW,
        timeout: float | None = None,
    ) -> None:
        super().__init__()
        self._cond = threading.Condition()
        self._buf = bytearray()
        self._ended = False
        self._error: KubesetError | None = None
        self._pause = pause
        self._resume = resume
        self._high = high
        self._low = low
        self._paused = False
        self.timeout = timeout

    # -- the I/O thread's side --------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        if not data:
            return
        with self._cond:
            self._buf += data
            self._cond.notify_all()
            full = len(self._buf) >= self._high and not self._paused
            if full:
                self._paused = True
        if full:
            self._pause()

    def end(self, error: KubesetError | None = None) -> None:
        with self._cond:
            self._ended = True
            if error is not None and self._error is None:
                self._error = error
            self._cond.notify_all()

    # -- the reader's side ------------------------------------------------------------------
    def readable(self) -> bool:
        return True

    @property
    def ended(self) -> bool:
        with self._cond:
            return self._ended and not self._buf

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        if not len(view):
            return 0
        deadline = time.monotonic() + self.timeout if self.timeout is not None else None
        with self._cond:
            while not self._buf and not self._ended:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise RequestTimeout(f"no data within {self.timeout:g} s")
                self._cond.wait(remaining)
            if not self._buf:
                if self._error is not None:
                    raise self._error
                return 0
            n = min(len(view), len(self._buf))
            view[:n] = self._buf[:n]
            del self._buf[:n]
            resume = self._paused and len(self._buf) <= self._low
            if resume:
                self._paused = False
        if resume:
            self._resume()
        return n

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        buf = bytearray(size)
        n = self.readinto(buf)
        return bytes(buf[:n])

    def readall(self) -> bytes:
        out = bytearray()
        chunk = bytearray(1024 * 1024)
        while True:
            n = self.readinto(chunk)
            if not n:
                return bytes(out)
            out += chunk[:n]
