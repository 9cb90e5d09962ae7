"""A TCP proxy in front of the e2e kube-apiserver that tests control, to break connections.

    with FaultProxy.to(apiserver.server) as proxy:
        config = dataclasses.replace(kubeset.load_kubeconfig(apiserver.kubeconfig), host=proxy.url)
        ...                      # clients built from `config` go through the proxy
        proxy.cut()              # every open connection is closed mid-stream (watches break)
        proxy.block()            # ... and the port refuses connections until proxy.unblock()
        proxy.unblock()
        proxy.blackhole()        # connections stay open, nothing is forwarded (a silent peer)
        proxy.forward()          # forward again
        proxy.blackhole(3.0)     # ... for 3 s, then forwarding resumes by itself
        proxy.latency(0.2)       # every chunk is delayed 0.2 s, both directions, order kept
        proxy.bandwidth(50_000)  # each direction of each connection carries at most 50 kB/s
        proxy.reset_after(4096)  # connections are reset (RST) once 4096 bytes have passed
        proxy.normal()           # plain forwarding again (no fault, not blocked)

It forwards raw bytes (TLS passes through: the serving certificate is for 127.0.0.1, so it
verifies as before).  ``connections`` counts the connections accepted so far, ``open`` those
still open.  Faults apply to open connections as well as new ones (:meth:`reset_after` to open
ones only when asked); each fault stays until changed or :meth:`normal`.  Every method is
thread-safe; :meth:`close` ends every thread the proxy started.  Reusable by any test that needs
a flaky network.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import queue
import socket
import struct
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Final, Self
from urllib.parse import urlsplit

__all__ = ["FaultProxy"]

_CHUNK = 65536
_POLL = 0.1  # seconds between checks of a link's end while a thread waits on its queue
_QUEUED_CHUNKS = 64  # chunks held per direction (latency, bandwidth) before reading pauses
_PACING_SLICES = 50  # a bandwidth limit sends about 1/50 s worth of bytes at a time
_JOIN_TIMEOUT = 5.0


@dataclasses.dataclass(frozen=True)
class _Faults:
    """The faults in force; replaced as a whole, read per chunk by every connection."""

    blackhole_until: float | None = None  # time.monotonic() deadline; math.inf: until forward()
    latency: float = 0.0
    bandwidth: float | None = None  # bytes per second per direction, None: unlimited
    reset_after: int | None = None  # byte budget of each new connection

    def blackholed(self, now: float) -> bool:
        return self.blackhole_until is not None and now < self.blackhole_until


_EOF: Final = "eof"  # the source closed: close the link once the queued data is sent
_RESET: Final = "reset"  # the byte budget is spent: reset the link once the queued data is sent
_Item = tuple[float, bytes] | str


class _Link:
    """One proxied connection: its two sockets, its byte budget, and its end."""

    def __init__(self, client: socket.socket, upstream: socket.socket, budget: int | None) -> None:
        self.client = client
        self.upstream = upstream
        self.dead = threading.Event()
        self._lock = threading.Lock()
        self._budget = budget

    def arm(self, budget: int | None) -> None:
        with self._lock:
            self._budget = budget

    def spend(self, data: bytes) -> tuple[bytes, bool]:
        """The part of ``data`` the budget lets through, and whether the budget is now spent."""
        with self._lock:
            if self._budget is None:
                return data, False
            passed = data[: self._budget]
            self._budget -= len(passed)
            return passed, self._budget == 0

    def close(self) -> None:
        """Close both sides (the peers see an orderly end of stream)."""
        self.dead.set()
        for s in (self.client, self.upstream):
            _kill(s)

    def reset(self) -> None:
        """Abort both sides: the peers see "connection reset" (RST), not an end of stream."""
        self.dead.set()
        for s in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.shutdown(socket.SHUT_RD)  # wakes a reader blocked in recv() without a FIN
            with contextlib.suppress(OSError):
                s.close()


class FaultProxy:
    """Forwards 127.0.0.1:<port> to ``target`` until closed; its methods inject faults."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._links: list[_Link] = []
        self._threads: list[threading.Thread] = []
        self._faults = _Faults()
        self._blocked = False
        self._closed = False
        self.connections = 0
        self._start_accepting()

    @classmethod
    def to(cls, server_url: str) -> FaultProxy:
        """A proxy to ``https://host:port`` (the e2e server's URL)."""
        parts = urlsplit(server_url)
        assert parts.hostname is not None and parts.port is not None, server_url
        return cls(parts.hostname, parts.port)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def open(self) -> int:
        with self._lock:
            return len(self._links)

    # -- faults -------------------------------------------------------------------------------
    def cut(self) -> int:
        """Close every open connection (both sides); returns how many were cut."""
        with self._lock:
            links, self._links = self._links, []
        for link in links:
            link.close()
        return len(links)

    def blackhole(self, duration: float | None = None) -> None:
        """Keep every connection open but forward nothing (a dead peer that sent no FIN), until
        :meth:`forward` or, given ``duration`` (seconds), until that much time has passed.  Bytes
        arriving meanwhile are dropped, so a connection blackholed mid-stream stays broken; new
        connections made afterwards work."""
        if duration is not None and not duration > 0:
            raise ValueError(f"blackhole duration must be a positive number of seconds: {duration}")
        until = math.inf if duration is None else time.monotonic() + duration
        self._change(blackhole_until=until)

    def forward(self) -> None:
        """Forward again after :meth:`blackhole` (new connections work; broken ones stay broken)."""
        self._change(blackhole_until=None)

    def latency(self, seconds: float) -> None:
        """Delay every chunk by ``seconds`` in both directions (order kept; 0: no delay)."""
        if not seconds >= 0:
            raise ValueError(f"latency must be zero or more seconds: {seconds}")
        self._change(latency=float(seconds))

    def bandwidth(self, bytes_per_second: float | None) -> None:
        """Carry at most ``bytes_per_second`` in each direction of each connection (None: no
        limit)."""
        if bytes_per_second is not None and not bytes_per_second > 0:
            raise ValueError(f"bandwidth must be a positive bytes per second: {bytes_per_second}")
        self._change(bandwidth=None if bytes_per_second is None else float(bytes_per_second))

    def reset_after(self, n_bytes: int, *, open_connections: bool = False) -> None:
        """Reset (RST) each new connection once ``n_bytes`` have passed through it, counting both
        directions; with ``open_connections`` the open ones too, counting from now.  Bytes past
        the count are not forwarded.  Stays until :meth:`normal`."""
        if isinstance(n_bytes, bool) or not isinstance(n_bytes, int) or n_bytes < 0:
            raise ValueError(f"reset_after needs a byte count of zero or more: {n_bytes!r}")
        with self._lock:
            self._faults = dataclasses.replace(self._faults, reset_after=n_bytes)
            links = list(self._links) if open_connections else []
        for link in links:
            link.arm(n_bytes)

    def normal(self) -> None:
        """Plain forwarding for open and new connections: no blackhole, latency, bandwidth limit
        or reset; not blocked."""
        with self._lock:
            self._faults = _Faults()
            links = list(self._links)
        for link in links:
            link.arm(None)
        self.unblock()

    def block(self) -> None:
        """Cut every connection and stop listening: connecting gets "connection refused" (as
        from a server that is down) until :meth:`unblock`."""
        with self._lock:
            if self._blocked:
                return
            self._blocked = True
        _close_listener(self._listener)
        self.cut()

    def unblock(self) -> None:
        """Listen again on the same port."""
        with self._lock:
            if not self._blocked or self._closed:
                return
            self._blocked = False
            self._listener = socket.create_server(("127.0.0.1", self.port))
        self._start_accepting()

    def _change(self, **changes: object) -> None:
        with self._lock:
            self._faults = dataclasses.replace(self._faults, **changes)  # type: ignore[arg-type]

    def _current(self) -> _Faults:
        with self._lock:
            return self._faults

    # -- plumbing -----------------------------------------------------------------------------
    def _spawn(self, target: Callable[..., None], *args: object, name: str) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    def _start_accepting(self) -> None:
        self._spawn(self._accept, self._listener, name=f"faultproxy-{self.port}-accept")

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed
            with self._lock:
                blocked, closed = self._blocked, self._closed
            if blocked or closed:
                _kill(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=10)
                upstream.settimeout(None)
            except OSError:
                _kill(client)
                continue
            with self._lock:
                self.connections += 1
                n = self.connections
                link = _Link(client, upstream, self._faults.reset_after)
                self._links.append(link)
            for way, src, dst in (("up", client, upstream), ("down", upstream, client)):
                chunks: queue.Queue[_Item] = queue.Queue(_QUEUED_CHUNKS)
                self._spawn(self._read, link, src, chunks, name=f"faultproxy-{n}-{way}-read")
                self._spawn(self._write, link, dst, chunks, name=f"faultproxy-{n}-{way}-write")

    def _read(self, link: _Link, src: socket.socket, chunks: queue.Queue[_Item]) -> None:
        """Reads ``src`` and queues what passes the faults, each chunk with the time it is due."""
        end: str = _EOF
        try:
            while not link.dead.is_set():
                data = src.recv(_CHUNK)
                if not data:
                    break
                now = time.monotonic()
                faults = self._current()
                if faults.blackholed(now):
                    continue
                data, spent = link.spend(data)
                if data and not _put(chunks, (now + faults.latency, data), link):
                    return
                if spent:
                    end = _RESET
                    break
        except OSError:
            pass
        _put(chunks, end, link)

    def _write(self, link: _Link, dst: socket.socket, chunks: queue.Queue[_Item]) -> None:
        """Sends the queued chunks to ``dst`` when due, paced by the bandwidth limit."""
        ready_at = 0.0  # when the bandwidth limit lets the next byte go
        end: str = _EOF
        try:
            while True:
                item = _get(chunks, link)
                if item is None:
                    return  # the link died meanwhile
                if isinstance(item, str):
                    end = item
                    break
                due, data = item
                if link.dead.wait(max(0.0, due - time.monotonic())):
                    return
                for piece in self._paced(data):
                    rate = self._current().bandwidth
                    dst.sendall(piece)
                    if rate is not None:
                        ready_at = max(ready_at, time.monotonic()) + len(piece) / rate
                        if link.dead.wait(max(0.0, ready_at - time.monotonic())):
                            return
        except OSError:
            pass
        self._end(link, reset=end == _RESET)

    def _paced(self, data: bytes) -> list[bytes]:
        rate = self._current().bandwidth
        if rate is None:
            return [data]
        size = max(1, int(rate / _PACING_SLICES))
        return [data[i : i + size] for i in range(0, len(data), size)]

    def _end(self, link: _Link, *, reset: bool) -> None:
        with self._lock:
            self._links = [x for x in self._links if x is not link]
        if reset:
            link.reset()
        else:
            link.close()

    def close(self) -> None:
        """Stop listening, cut every connection and wait (bounded) for every thread to end."""
        with self._lock:
            self._closed = True
        _close_listener(self._listener)
        self.cut()
        deadline = time.monotonic() + _JOIN_TIMEOUT
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<FaultProxy 127.0.0.1:{self.port} -> {self.target[0]}:{self.target[1]}>"


def _put(chunks: queue.Queue[_Item], item: _Item, link: _Link) -> bool:
    """Queue ``item`` unless the link dies first (False)."""
    while not link.dead.is_set():
        try:
            chunks.put(item, timeout=_POLL)
        except queue.Full:
            continue
        return True
    return False


def _get(chunks: queue.Queue[_Item], link: _Link) -> _Item | None:
    """The next queued item; None once the link is dead and nothing is left."""
    while True:
        try:
            return chunks.get(timeout=_POLL)
        except queue.Empty:
            if link.dead.is_set():
                return None


def _close_listener(listener: socket.socket) -> None:
    with contextlib.suppress(OSError):
        listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() (Linux)
    with contextlib.suppress(OSError):
        listener.close()


def _kill(s: socket.socket) -> None:
    with contextlib.suppress(OSError):
        s.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        s.close()
