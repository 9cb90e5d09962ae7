"""A TCP proxy in front of the e2e kube-apiserver that tests can cut, to break connections.

    with FaultProxy.to(apiserver.server) as proxy:
        config = dataclasses.replace(kubeset.load_kubeconfig(apiserver.kubeconfig), host=proxy.url)
        ...                      # clients built from `config` go through the proxy
        proxy.cut()              # every open connection is reset mid-stream (watches break)
        proxy.block()            # ... and the port refuses connections until proxy.unblock()
        proxy.unblock()
        proxy.blackhole()        # connections stay open, nothing is forwarded (a silent peer)
        proxy.forward()          # forward again

It forwards raw bytes (TLS passes through: the serving certificate is for 127.0.0.1, so it
verifies as before).  ``connections`` counts the connections accepted so far, ``open`` those
still open.  Reusable by any e2e test that needs a flaky network.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

__all__ = ["FaultProxy"]

_CHUNK = 65536


class FaultProxy:
    """Forwards 127.0.0.1:<port> to ``target`` until closed; :meth:`cut` / :meth:`block` break it."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._blocked = False
        self._closed = False
        self._passing = threading.Event()
        self._passing.set()
        self.connections = 0
        self._start_accepting()

    def _start_accepting(self) -> None:
        listener = self._listener
        threading.Thread(
            target=self._accept, args=(listener,), name="faultproxy", daemon=True
        ).start()

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
            return len(self._pairs)

    # -- faults -------------------------------------------------------------------------------
    def cut(self) -> int:
        """Reset every open connection (both sides); returns how many were cut."""
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for a, b in pairs:
            for s in (a, b):
                _kill(s)
        return len(pairs)

    def blackhole(self) -> None:
        """Keep every connection open but forward nothing (a dead peer that sent no FIN): bytes
        arriving meanwhile are dropped, so a connection blackholed mid-stream stays broken."""
        self._passing.clear()

    def forward(self) -> None:
        """Forward again after :meth:`blackhole` (new connections work; broken ones stay broken)."""
        self._passing.set()

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

    # -- plumbing -----------------------------------------------------------------------------
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
                self._pairs.append((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(_CHUNK)
                if not data:
                    break
                if self._passing.is_set():
                    dst.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._pairs = [p for p in self._pairs if src not in p]
            for s in (src, dst):
                _kill(s)

    def close(self) -> None:
        with self._lock:
            self._closed = True
        _close_listener(self._listener)
        self.cut()

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
