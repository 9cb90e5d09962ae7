"""Port-forward: a socket-like stream to a pod's port, and local listeners like ``kubectl port-forward``.

    with pods.port_forward("web", ["8080:80", ":9090"]) as pf:   # 127.0.0.1:8080 -> pod:80
        pf.local_port(9090)                                     # the free port chosen for 9090
        with pf.connect(80) as s:                               # in-process, no listener
            s.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n"); s.recv(4096)

Each stream is its own WebSocket ``GET .../pods/{name}/portforward?ports=P`` in the kubelet's
channel form (``v4.channel.k8s.io``: channel 0 data, channel 1 errors, each opened by the port as
uint16 little-endian), which kube-apiserver proxies to the kubelet unchanged (only requests
asking for ``SPDY/3.1+portforward.k8s.io`` are tunnelled), so every accepted connection gets its
own stream as kubectl's do.  What the pod side reports (nothing listening, ...) arrives on the
error channel and is raised by :meth:`PortForwardSocket.recv` as
:class:`~kubeset.errors.StreamError`; the listener logs it and keeps it in
:attr:`PortForward.errors`.  The channel form has no half-close: when the local peer ends its
side, the stream is closed.
"""

from __future__ import annotations

import logging
import selectors
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Self

from ..errors import ConnectionLost, KubesetError, StreamError
from ..transport.base import HTTPRequest
from .channels import PORT_FORWARD_PROTOCOLS, ChannelReader, PortPrefixes, frame
from .dial import StreamDialer
from .pipes import Pipe
from .websocket import Connection

__all__ = ["PortForward", "PortForwardSocket", "PortMapping", "open_port", "parse_ports"]

log = logging.getLogger(__name__)

_CHUNK = 32 * 1024
_DATA = PortPrefixes.data_channel(0)
_ERROR = PortPrefixes.error_channel(0)
_ACCEPT_POLL = 0.2  # seconds between looks at the stop flag of a listener


@dataclass(frozen=True, slots=True)
class PortMapping:
    """A local port (0 before binding: any free port) forwarded to a port of the pod."""

    local: int
    remote: int


def _port(text: str, what: str, spec: str, *, zero: bool) -> int:
    try:
        port = int(text)
    except ValueError:
        raise ValueError(f"port-forward {spec!r}: {what} port {text!r} is not a number") from None
    if not (0 if zero else 1) <= port <= 65535:
        raise ValueError(f"port-forward {spec!r}: {what} port {port} is out of range")
    return port


def parse_ports(ports: Sequence[int | str]) -> list[PortMapping]:
    """kubectl's port specs: ``8080`` (local 8080 to 8080), ``"8080:80"``, ``":80"`` or
    ``"0:80"`` (a free local port to 80)."""
    if isinstance(ports, (str, int)):
        raise TypeError('ports must be a list, e.g. ["8080:80"] or [80]')
    if not ports:
        raise ValueError("port-forward needs at least one port")
    out: list[PortMapping] = []
    for spec in ports:
        if isinstance(spec, int):
            spec = str(spec)
        local, sep, remote = spec.partition(":")
        if not sep:
            port = _port(local, "remote", spec, zero=False)
            out.append(PortMapping(port, port))
        else:
            lp = _port(local, "local", spec, zero=True) if local else 0
            out.append(PortMapping(lp, _port(remote, "remote", spec, zero=False)))
    return out


class PortForwardSocket:
    """One byte stream to a port of the pod, used like a connected socket.

    ``recv`` returns ``b""`` at the end and raises :class:`~kubeset.errors.StreamError` with
    the pod side's message when it reported an error; ``settimeout`` bounds each ``recv``."""

    def __init__(self, ws: Connection, port: int) -> None:
        self.port = port
        self._ws = ws
        self._reader = ChannelReader()
        self._prefixes = PortPrefixes((port,))
        self._data = Pipe(ws.pause, ws.resume)
        self._error = bytearray()
        ws.start(self)

    def __repr__(self) -> str:
        return f"<PortForwardSocket port={self.port} {'closed' if self._ws.done else 'open'}>"

    # -- MessageSink ------------------------------------------------------------------------
    def fragment(self, data: bytes, *, first: bool) -> None:
        got = self._reader.feed(data, first=first)
        if got is None:
            return
        channel, payload = got
        payload = self._prefixes.feed(channel, payload)
        if channel == _DATA:
            self._data.feed(payload)
        elif channel == _ERROR:
            self._error += payload

    def closed(self, error: KubesetError | None) -> None:
        if self._error:
            text = self._error.decode("utf-8", errors="replace")
            error = StreamError(f"port-forward to port {self.port}: {text}")
        self._data.end(error)

    # -- socket-like ------------------------------------------------------------------------
    def settimeout(self, timeout: float | None) -> None:
        self._data.timeout = timeout

    def sendall(self, data: bytes | bytearray | memoryview) -> None:
        view = memoryview(data).cast("B")
        for start in range(0, len(view), _CHUNK):
            self._ws.send(frame(_DATA, bytes(view[start : start + _CHUNK])))

    def send(self, data: bytes | bytearray | memoryview) -> int:
        self.sendall(data)
        return len(memoryview(data).cast("B"))

    def recv(self, bufsize: int) -> bytes:
        return self._data.read(bufsize)

    def close(self) -> None:
        self._ws.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class PortForward:
    """Local listeners forwarding every accepted connection to the pod, each on its own stream.

    ``connect(remote_port)`` opens a stream (the listeners use it per connection).  Listening
    starts at construction; :meth:`close` (or leaving ``with``) stops it and ends the streams.
    """

    def __init__(
        self,
        connect: Callable[[int], PortForwardSocket],
        ports: Sequence[int | str],
        *,
        address: str = "127.0.0.1",
    ) -> None:
        self._connect = connect
        self.address = address
        self.errors: list[KubesetError] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._listeners: list[tuple[socket.socket, int]] = []
        mappings: list[PortMapping] = []
        try:
            for m in parse_ports(ports):
                listener = socket.create_server((address, m.local))
                listener.setblocking(False)
                self._listeners.append((listener, m.remote))
                mappings.append(PortMapping(listener.getsockname()[1], m.remote))
        except OSError as exc:
            self.close()
            raise StreamError(f"port-forward: cannot listen on {address}: {exc.strerror}") from None
        self.mappings: tuple[PortMapping, ...] = tuple(mappings)
        self._threads = [
            threading.Thread(
                target=self._accept, args=(lst, remote), name=f"kubeset-pf {remote}", daemon=True
            )
            for lst, remote in self._listeners
        ]
        for t in self._threads:
            t.start()

    def __repr__(self) -> str:
        pairs = ", ".join(f"{m.local}->{m.remote}" for m in self.mappings)
        return f"<PortForward {self.address} {pairs}>"

    def local_port(self, remote: int) -> int:
        """The local port forwarded to ``remote`` (the first, when several are)."""
        for m in self.mappings:
            if m.remote == remote:
                return m.local
        raise KeyError(f"port {remote} is not forwarded")

    def connect(self, remote: int) -> PortForwardSocket:
        """A stream to ``remote`` of the pod, in process (no local listener involved)."""
        return self._connect(remote)

    def _accept(self, listener: socket.socket, remote: int) -> None:
        with selectors.DefaultSelector() as sel:
            sel.register(listener, selectors.EVENT_READ)
            while not self._stop.is_set():
                if not sel.select(_ACCEPT_POLL):
                    continue
                try:
                    conn, _ = listener.accept()
                except OSError:
                    continue
                conn.setblocking(True)
                threading.Thread(
                    target=self._bridge, args=(conn, remote), name="kubeset-pf conn", daemon=True
                ).start()

    def _failed(self, error: KubesetError) -> None:
        log.warning("%s", error)
        with self._lock:
            self.errors.append(error)

    def _bridge(self, conn: socket.socket, remote: int) -> None:
        with self._lock:
            if self._stop.is_set():
                conn.close()
                return
            self._open.add(conn)
        try:
            stream = self._connect(remote)
        except KubesetError as exc:
            self._failed(exc)
            self._forget(conn)
            return
        up = threading.Thread(target=self._upstream, args=(conn, stream), daemon=True)
        up.start()
        try:
            while True:
                data = stream.recv(_CHUNK)
                if not data:
                    break
                conn.sendall(data)
        except KubesetError as exc:
            if not isinstance(exc, ConnectionLost) or not self._stop.is_set():
                self._failed(exc)
        except OSError:
            pass
        finally:
            stream.close()
            self._forget(conn)
            up.join(5.0)

    def _upstream(self, conn: socket.socket, stream: PortForwardSocket) -> None:
        try:
            while True:
                data = conn.recv(_CHUNK)
                if not data:
                    break
                stream.sendall(data)
        except (OSError, KubesetError):
            pass
        finally:
            stream.close()

    def _forget(self, conn: socket.socket) -> None:
        with self._lock:
            self._open.discard(conn)
        try:
            conn.shutdown(socket.SHUT_RDWR)  # wakes the thread reading it
        except OSError:
            pass
        conn.close()

    def close(self) -> None:
        """Stop listening and end every forwarded connection."""
        self._stop.set()
        for listener, _ in self._listeners:
            listener.close()
        with self._lock:
            conns = list(self._open)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in getattr(self, "_threads", ()):
            t.join(_ACCEPT_POLL * 5)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_port(dialer: StreamDialer, request: HTTPRequest, port: int) -> PortForwardSocket:
    """Dial the built ``GET .../portforward?ports=<port>`` request: one stream to ``port``."""
    return PortForwardSocket(dialer.open(request, PORT_FORWARD_PROTOCOLS), port)
