"""A WebSocket over a blocking socket: the ``websockets`` Sans-I/O protocol driven by one I/O thread.

    ws = handshake(sock, "wss://host:6443/api/v1/...", headers, ("v5.channel.k8s.io",), timeout=60)
    ws.start(sink)                 # sink.fragment(data, first=...) / sink.closed(error) from the thread
    ws.send(b"\\x00input")          # any thread; blocks while more than a few MiB wait to be sent
    ws.close()

The WebSocket itself (framing, masking, the close handshake, answering pings) is
``websockets.client.ClientProtocol``: bytes in, frames and bytes out, no I/O, so an asyncio
driver can use the same object later.  This module owns the socket: one thread reads and writes
it (a TLS socket is never used by two threads at once), other threads hand it messages through a
buffer and a wake-up pipe.  Keep-alive follows client-go's ``tools/remotecommand/websocket.go``:
a ping every :attr:`KeepAlive.period` (5 s) and a connection from which nothing (a pong or any
other frame) arrived for :attr:`KeepAlive.timeout` (61 s: twelve missed pings and a second) is
dead: :class:`~kubeset.errors.ConnectionLost`, never a hang.  A send that cannot make progress
for :data:`WRITE_TIMEOUT` (client-go's ``writeDeadline``, 60 s) fails the same way.

``websockets`` is the optional extra ``kubeset[streams]``; :func:`require_websockets` says so.
"""

from __future__ import annotations

import importlib.util
import logging
import selectors
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import (
    ApiConnectionError,
    ConnectionLost,
    KubesetError,
    RequestTimeout,
    StreamError,
    api_error_from_response,
)

HAVE_WEBSOCKETS = importlib.util.find_spec("websockets") is not None

if HAVE_WEBSOCKETS or TYPE_CHECKING:
    from websockets.client import ClientProtocol
    from websockets.exceptions import WebSocketException
    from websockets.frames import Frame, Opcode
    from websockets.http11 import Response as UpgradeResponse
    from websockets.protocol import State
    from websockets.typing import Subprotocol
    from websockets.uri import parse_uri

__all__ = [
    "HAVE_WEBSOCKETS",
    "WRITE_TIMEOUT",
    "Connection",
    "Heartbeat",
    "KeepAlive",
    "MessageSink",
    "WebSocket",
    "handshake",
    "require_websockets",
]

log = logging.getLogger(__name__)

WRITE_TIMEOUT = 60.0  # client-go's writeDeadline
MAX_MESSAGE = 32 * 1024 * 1024  # the largest message accepted from the server
_SEND_HIGH = 4 * 1024 * 1024  # bytes waiting to be sent before send() blocks
_READ_SIZE = 256 * 1024
_CLOSE_LINGER = 5.0  # seconds to wait for the server to end the TCP connection after a close


def require_websockets() -> None:
    """Raise :class:`~kubeset.errors.StreamError` naming the extra when ``websockets`` is missing."""
    if not HAVE_WEBSOCKETS:
        raise StreamError(
            "exec, attach, port-forward and cp need the websockets library: "
            "pip install 'kubeset[streams]'"
        )


@dataclass(frozen=True, slots=True)
class KeepAlive:
    """Ping every ``period`` seconds; dead after ``timeout`` seconds with nothing received."""

    period: float = 5.0  # client-go's pingPeriod
    timeout: float = 61.0  # client-go's pingReadDeadline: 12 periods and a second

    def __post_init__(self) -> None:
        if not 0 < self.period < self.timeout:
            raise ValueError(
                f"keep-alive period {self.period} must be positive and below its timeout {self.timeout}"
            )


class Heartbeat:
    """The keep-alive decisions of one connection, without I/O (times from ``time.monotonic``)."""

    __slots__ = ("_last_ping", "_last_received", "keepalive")

    def __init__(self, keepalive: KeepAlive, now: float) -> None:
        self.keepalive = keepalive
        self._last_received = now
        self._last_ping = now

    def received(self, now: float) -> None:
        """Something arrived (a pong or any other frame): the connection is alive."""
        self._last_received = now

    def ping_due(self, now: float) -> bool:
        return now - self._last_ping >= self.keepalive.period

    def pinged(self, now: float) -> None:
        self._last_ping = now

    def expired(self, now: float) -> bool:
        return now - self._last_received >= self.keepalive.timeout

    def wait(self, now: float) -> float:
        """Seconds until the next ping or the deadline, whichever comes first."""
        next_ping = self._last_ping + self.keepalive.period
        deadline = self._last_received + self.keepalive.timeout
        return max(0.0, min(next_ping, deadline) - now)


class MessageSink(Protocol):
    """Where a :class:`WebSocket` delivers what it receives (called from its I/O thread)."""

    def fragment(self, data: bytes, *, first: bool) -> None:
        """A binary message, or a part of one: ``first`` for its first frame."""

    def closed(self, error: KubesetError | None) -> None:
        """The connection ended: ``None`` after a normal WebSocket close."""


class Connection(Protocol):
    """What the stream sessions use of an open WebSocket (:class:`WebSocket`, or a fake's).

    ``start`` delivers what arrives to a :class:`MessageSink`; ``send`` queues one binary
    message; ``pause``/``resume`` stop and restart reading for a slow receiver."""

    @property
    def subprotocol(self) -> str | None: ...

    @property
    def done(self) -> bool: ...

    def start(self, sink: MessageSink) -> None: ...

    def send(self, message: bytes) -> None: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def close(self, timeout: float = ...) -> None: ...


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError):
        return str(exc.reason or exc.__class__.__name__)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or exc.__class__.__name__


class WebSocket:
    """An open WebSocket: one I/O thread after :meth:`start`; :meth:`send` from any thread."""

    def __init__(
        self,
        sock: socket.socket,
        protocol: ClientProtocol,
        *,
        name: str,
        pending: Sequence[Any] = (),
        keepalive: KeepAlive | None = None,
        write_timeout: float = WRITE_TIMEOUT,
    ) -> None:
        self.name = name
        self.subprotocol: str | None = protocol.subprotocol
        self._sock = sock
        self._protocol = protocol
        self._pending = list(pending)
        self._keepalive = keepalive or KeepAlive()
        self._write_timeout = write_timeout
        self._cond = threading.Condition()
        self._out = bytearray()
        self._eof_after_flush = False
        self._paused = False
        self._close_requested = False
        self._closing_since: float | None = None
        self._done = threading.Event()
        self.error: KubesetError | None = None
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._thread: threading.Thread | None = None
        self._sink: MessageSink | None = None
        self._queue_output()  # what the protocol answered to frames read with the handshake

    def __repr__(self) -> str:
        return f"<WebSocket {self.name} {self.subprotocol or '-'}>"

    # -- any thread ------------------------------------------------------------------------
    def start(self, sink: MessageSink) -> None:
        """Start the I/O thread delivering to ``sink``."""
        self._sink = sink
        self._sock.setblocking(False)
        self._thread = threading.Thread(
            target=self._run, name=f"kubeset-ws {self.name}", daemon=True
        )
        self._thread.start()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def send(self, message: bytes) -> None:
        """Queue one binary message; blocks while the buffer is full (bounded: ConnectionLost)."""
        deadline = time.monotonic() + self._write_timeout
        with self._cond:
            while len(self._out) > _SEND_HIGH and not self._done.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ConnectionLost(
                        f"{self.name}: nothing could be sent for {self._write_timeout:g} s"
                    )
                self._cond.wait(remaining)
            if (
                self._done.is_set()
                or self._close_requested
                or self._protocol.state is not State.OPEN
            ):
                raise self.error or ConnectionLost(f"{self.name}: the connection is closed")
            self._protocol.send_binary(message)
            self._queue_output()
        self._wake()

    def pause(self) -> None:
        """Stop reading from the socket (the receiver's buffers are full)."""
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        with self._cond:
            if not self._paused:
                return
            self._paused = False
        self._wake()

    def close(self, timeout: float = _CLOSE_LINGER) -> None:
        """Send a normal close and wait (at most ``timeout``) for the connection to end."""
        with self._cond:
            self._close_requested = True
        self._wake()
        if self._thread is None:
            self._finish(None)
            return
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)
            if self._thread.is_alive():
                self.abort()
                self._thread.join(timeout)

    def abort(self) -> None:
        """End the connection now, without a close handshake."""
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._wake()

    def wait_closed(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    # -- the I/O thread --------------------------------------------------------------------
    def _wake(self) -> None:
        try:
            self._wake_w.send(b"\0")
        except OSError:  # full (a wake-up is pending anyway) or closed
            pass

    def _queue_output(self) -> None:
        """Move the protocol's output to the send buffer (holding the lock)."""
        for chunk in self._protocol.data_to_send():
            if chunk:
                self._out += chunk
            else:
                self._eof_after_flush = True

    def _run(self) -> None:
        error: KubesetError | None = None
        sel = selectors.DefaultSelector()
        try:
            beat = Heartbeat(self._keepalive, time.monotonic())
            sel.register(self._sock, selectors.EVENT_READ)
            sel.register(self._wake_r, selectors.EVENT_READ)
            self._deliver(self._pending, beat)
            self._pending = []
            while not self._step(sel, beat):
                pass
            code = self._protocol.close_code
            if self._protocol.close_rcvd is None and not self._close_requested:
                error = ConnectionLost(f"{self.name}: the connection ended without a close")
            elif code not in (None, 1000, 1001, 1005) and not self._close_requested:
                reason = self._protocol.close_reason or ""
                error = ConnectionLost(f"{self.name}: closed by the server ({code} {reason})")
        except KubesetError as exc:
            error = exc
        except (OSError, EOFError) as exc:
            error = ConnectionLost(f"{self.name}: {_reason(exc)}")
        except WebSocketException as exc:  # a protocol violation websockets found
            error = ConnectionLost(f"{self.name}: {exc.__class__.__name__}: {exc}")
        finally:
            sel.close()
            self._finish(error)

    def _finish(self, error: KubesetError | None) -> None:
        for sock in (self._sock, self._wake_r, self._wake_w):
            try:
                sock.close()
            except OSError:
                pass
        with self._cond:
            self.error = error
            self._done.set()
            self._cond.notify_all()
        if self._sink is not None:
            self._sink.closed(error)

    def _step(self, sel: selectors.BaseSelector, beat: Heartbeat) -> bool:
        """One round of the loop; True when the connection is over."""
        now = time.monotonic()
        with self._cond:
            if self._close_requested and self._protocol.state is State.OPEN:
                self._protocol.send_close(1000)
                self._queue_output()
            if self._protocol.state is not State.OPEN and self._closing_since is None:
                self._closing_since = now
            paused = self._paused
            want_write = bool(self._out)
        if self._closing_since is not None and now - self._closing_since > _CLOSE_LINGER:
            return True
        if paused:
            beat.received(now)  # the receiver is slow, not the connection
        elif beat.expired(now):
            raise ConnectionLost(
                f"{self.name}: nothing received for {beat.keepalive.timeout:g} s "
                "(keep-alive pings unanswered)"
            )
        if beat.ping_due(now) and self._protocol.state is State.OPEN:
            with self._cond:
                self._protocol.send_ping(b"")
                self._queue_output()
                want_write = True
            beat.pinged(now)
        events = 0 if paused else selectors.EVENT_READ
        if want_write:
            events |= selectors.EVENT_WRITE
        if events:
            sel.modify(self._sock, events)
        else:
            sel.unregister(self._sock)
        try:
            pending_tls = (
                not paused and isinstance(self._sock, ssl.SSLSocket) and self._sock.pending()
            )
            timeout = 0.0 if pending_tls else min(beat.wait(now), 1.0)
            ready = sel.select(timeout)
        finally:
            if not events:
                sel.register(self._sock, selectors.EVENT_READ)
        readable = pending_tls
        for key, mask in ready:
            if key.fileobj is self._wake_r:
                self._drain_wake()
            else:
                readable = readable or bool(mask & selectors.EVENT_READ)
                if mask & selectors.EVENT_WRITE:
                    self._write()
        if readable and self._read(beat):
            return True
        return self._protocol.state is State.CLOSED and not self._out

    def _drain_wake(self) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except OSError:
            pass

    def _write(self) -> None:
        with self._cond:
            chunk = bytes(self._out[:_READ_SIZE])
        if not chunk:
            return
        try:
            sent = self._sock.send(chunk)
        except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError, InterruptedError):
            return
        with self._cond:
            del self._out[:sent]
            flushed = not self._out
            self._cond.notify_all()
        if flushed and self._eof_after_flush and not isinstance(self._sock, ssl.SSLSocket):
            try:
                self._sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def _read(self, beat: Heartbeat) -> bool:
        """Read what is there; True when the server ended the connection."""
        try:
            data = self._sock.recv(_READ_SIZE)
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError, InterruptedError):
            return False
        with self._cond:
            if data:
                self._protocol.receive_data(data)
            else:
                self._protocol.receive_eof()
            self._queue_output()
            events = self._protocol.events_received()
        if data:
            beat.received(time.monotonic())
        self._deliver(events, beat)
        if not data:
            return True
        exc = self._protocol.parser_exc
        if exc is not None and self._protocol.state is not State.OPEN:
            raise ConnectionLost(f"{self.name}: {exc}")
        return False

    def _deliver(self, events: Sequence[Any], beat: Heartbeat) -> None:
        sink = self._sink
        assert sink is not None
        for event in events:
            if not isinstance(event, Frame):
                continue
            if event.opcode is Opcode.BINARY:
                sink.fragment(bytes(event.data), first=True)
            elif event.opcode is Opcode.CONT:
                sink.fragment(bytes(event.data), first=False)
            elif event.opcode is Opcode.TEXT:
                raise StreamError(f"{self.name}: a text message on a binary channel protocol")


def handshake(
    sock: socket.socket,
    url: str,
    headers: Sequence[tuple[str, str]],
    subprotocols: Sequence[str],
    *,
    timeout: float | None,
    path: str,
    keepalive: KeepAlive | None = None,
) -> WebSocket:
    """Upgrade the connected ``sock`` to a WebSocket at ``url`` (``ws://`` or ``wss://``).

    ``timeout`` bounds the wait for the server's answer; an answer other than ``101`` becomes
    the :class:`~kubeset.errors.ApiError` subclass of its status (``path`` names the request)."""
    require_websockets()
    protocol = ClientProtocol(
        parse_uri(url),
        subprotocols=[Subprotocol(p) for p in subprotocols],
        max_size=MAX_MESSAGE,
    )
    request = protocol.connect()
    for key, value in headers:
        request.headers[key] = value
    protocol.send_request(request)
    deadline = time.monotonic() + timeout if timeout is not None else None
    try:
        sock.sendall(b"".join(protocol.data_to_send()))
        while True:
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError()
                sock.settimeout(remaining)
            else:
                sock.settimeout(None)
            data = sock.recv(65536)
            if data:
                protocol.receive_data(data)
            else:
                protocol.receive_eof()
            events = protocol.events_received()
            if events or protocol.handshake_exc is not None or not data:
                break
    except TimeoutError:
        sock.close()
        raise RequestTimeout(
            f"GET {path}: no answer to the WebSocket upgrade within {timeout:g} s"
        ) from None
    except OSError as exc:
        sock.close()
        raise ConnectionLost(f"GET {path}: the WebSocket upgrade failed: {_reason(exc)}") from None
    response = events[0] if events else None
    if protocol.handshake_exc is not None or not isinstance(response, UpgradeResponse):
        sock.close()
        if isinstance(response, UpgradeResponse) and response.status_code != 101:
            raise api_error_from_response(
                response.status_code,
                bytes(response.body),
                response.headers.get("Content-Type", ""),
                method="GET",
                path=path,
            )
        why = protocol.handshake_exc or "the connection closed"
        raise ApiConnectionError(f"GET {path}: the WebSocket upgrade failed: {why}")
    return WebSocket(sock, protocol, name=f"GET {path}", pending=events[1:], keepalive=keepalive)
