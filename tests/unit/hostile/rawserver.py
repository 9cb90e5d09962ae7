"""A raw-socket HTTP server that answers exactly the bytes a test scripts, for what no real
API server does: short bodies, broken gzip, trickling or stalled bodies, malformed Status.

    with RawServer() as srv:
        srv.script = lambda conn, request: send(conn, 200, {"Content-Length": "10"}, b"short")
        RESTClient(SessionTransport(), host=srv.url).get().abs_path("x").do()

A script gets the connected socket and the :class:`RawRequest` read from it; the server closes
the connection when the script returns (a stalled script waits on ``srv.closing``, which is set
when the server stops, so no thread outlives the test).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

__all__ = ["RawRequest", "RawServer", "Script", "head", "send", "trickle"]


@dataclass(frozen=True)
class RawRequest:
    method: str
    target: str  # path and query as sent
    headers: dict[str, str] = field(default_factory=dict)  # names lower-cased
    body: bytes = b""


Script = Callable[[socket.socket, RawRequest], None]


def head(status: int, headers: Mapping[str, str] | None = None, reason: str = "X") -> bytes:
    """The status line and headers (``Connection: close`` unless given)."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    given = {k.lower() for k in (headers or {})}
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if "connection" not in given:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def send(
    conn: socket.socket, status: int, headers: Mapping[str, str] | None = None, body: bytes = b""
) -> None:
    """A whole answer; ``Content-Length`` is the body's unless the headers give one (or say
    ``Transfer-Encoding``)."""
    all_headers = dict(headers or {})
    names = {k.lower() for k in all_headers}
    if "content-length" not in names and "transfer-encoding" not in names:
        all_headers["Content-Length"] = str(len(body))
    conn.sendall(head(status, all_headers) + body)


def trickle(conn: socket.socket, data: bytes, every: float, stop: threading.Event) -> None:
    """Send ``data`` one byte at a time, ``every`` seconds apart, until done or ``stop``."""
    for i in range(len(data)):
        if stop.wait(every):
            return
        try:
            conn.sendall(data[i : i + 1])
        except OSError:
            return


class RawServer:
    """Accepts connections on 127.0.0.1 and runs ``script`` for each request (one per
    connection).  ``requests`` records what arrived; ``closing`` is set on :meth:`stop`."""

    def __init__(self, script: Script | None = None) -> None:
        self.script: Script = script or (lambda conn, req: send(conn, 200, {}, b"{}"))
        self.requests: list[RawRequest] = []
        self.closing = threading.Event()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, name="rawserver", daemon=True)
        self._accepter.start()

    def _accept(self) -> None:
        while not self.closing.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(t)
            t.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            try:
                request = _read_request(conn)
            except (OSError, ValueError):
                return
            if request is None:
                return
            self.requests.append(request)
            try:
                self.script(conn, request)
            except OSError:
                pass  # the client went away: that is what many tests provoke

    @property
    def count(self) -> int:
        return len(self.requests)

    def stop(self) -> None:
        self.closing.set()
        self._sock.close()
        self._accepter.join(5)
        for t in self._threads:
            t.join(5)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _read_request(conn: socket.socket) -> RawRequest | None:
    data = b""
    deadline = time.monotonic() + 10
    while b"\r\n\r\n" not in data:
        if time.monotonic() > deadline:
            return None
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head_bytes, rest = data.split(b"\r\n\r\n", 1)
    lines = head_bytes.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        rest += chunk
    return RawRequest(method, target, headers, rest[:length])
