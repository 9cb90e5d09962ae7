"""A small fault-injecting TCP proxy for the dead-connection tests (issue 12's own; the shared
``faultproxy.py`` of issue 13 may replace it).

    with HostileProxy(("127.0.0.1", 6443)) as proxy:
        config = config.copy(host=f"https://127.0.0.1:{proxy.port}")   # TLS passes through
        ...
        proxy.blackhole()   # connections stay open, nothing is forwarded any more
        proxy.cut()         # every open connection is closed (reset) now
        proxy.forward()     # back to normal for new and open connections
"""

from __future__ import annotations

import select
import socket
import struct
import threading
from types import TracebackType
from typing import Self

__all__ = ["HostileProxy"]


class HostileProxy:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._passing = threading.Event()
        self._passing.set()
        self._closing = threading.Event()
        self._threads: list[threading.Thread] = []
        self.connections = 0  # accepted so far
        self._start(self._accept)

    def _start(self, target: object, *args: object) -> None:
        t = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        self._threads.append(t)
        t.start()

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, server))
                self.connections += 1
            self._start(self._pump, client, server)

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        peers = {a: b, b: a}
        try:
            while not self._closing.is_set():
                if not self._passing.is_set():  # blackhole: hold the bytes, send nothing
                    self._passing.wait(0.2)
                    continue
                ready, _, _ = select.select([a, b], [], [], 0.2)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if not self._passing.is_set():
                        break  # blackholed after the wait: drop what arrived
                    peers[sock].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for sock in (a, b):
                try:
                    sock.close()
                except OSError:
                    pass

    def blackhole(self) -> None:
        """Keep every connection open but forward nothing (a dead peer without a FIN)."""
        self._passing.clear()

    def forward(self) -> None:
        self._passing.set()

    def cut(self) -> None:
        """Reset every open connection now."""
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for sock in pair:
                try:  # RST instead of FIN: the client sees "connection reset"
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    sock.close()
                except OSError:
                    pass

    def close(self) -> None:
        self._closing.set()
        self._passing.set()
        self._listener.close()
        self.cut()
        for t in self._threads:
            t.join(5)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
