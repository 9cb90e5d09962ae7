"""Exec and attach sessions over the channel protocol (client-go's ``tools/remotecommand``).

    result = run(dialer, request, command, stdin=b"hello", timeout=30)   # ExecResult
    with Session.open(dialer, request, stdin=True) as s:                  # interactive
        s.stdin.write(b"ls\\n"); s.close_stdin(); print(s.stdout.read(), s.wait(10))

``request`` is the built ``GET .../pods/{name}/exec`` (or ``attach``) with its query
(:func:`exec_params`); the resource layer's ``HasExec``/``HasAttach`` build it.  The exit code
comes from the error channel's ``metav1.Status`` (:func:`~.channels.exit_code`); a stream that
ends without one raises :class:`~kubeset.errors.ConnectionLost`.  On ``v4.channel.k8s.io``
(servers before 1.30) stdin cannot be closed: :meth:`Session.close_stdin` and ``run`` with
``stdin`` raise :class:`~kubeset.errors.StreamError` instead of hanging.
"""

from __future__ import annotations

import io
import threading
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from ..errors import CommandFailed, ConnectionLost, KubesetError, RequestTimeout
from ..transport.base import HTTPRequest
from .channels import (
    ERROR,
    EXEC_PROTOCOLS,
    STDERR,
    STDIN,
    STDOUT,
    ChannelReader,
    close_frame,
    exit_code,
    frame,
    resize_frame,
    stdin_closable,
    stdin_close_refusal,
)
from .dial import StreamDialer
from .pipes import Collector, Pipe, Sink
from .websocket import Connection

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = ["ExecResult", "Session", "StdinWriter", "exec_params", "run"]

_STDIN_CHUNK = 32 * 1024  # client-go's stream copy buffer


def exec_params(
    command: Sequence[str] | None,
    *,
    container: str | None,
    stdin: bool,
    stdout: bool,
    stderr: bool,
    tty: bool,
) -> dict[str, object]:
    """The query of an exec (``command``) or attach (``None``) request."""
    params: dict[str, object] = {
        "container": container or None,
        "stdin": stdin,
        "stdout": stdout,
        "stderr": stderr and not tty,  # a terminal merges stderr into stdout
        "tty": tty,
    }
    if command is not None:
        if isinstance(command, str) or not command:
            raise ValueError(
                'command must be a non-empty list of arguments, e.g. ["sh", "-c", "echo hi"]'
            )
        params["command"] = list(command)
    return params


@dataclass(frozen=True, slots=True)
class ExecResult:
    """A finished command: like ``subprocess.CompletedProcess``, a non-zero exit is a result."""

    command: tuple[str, ...]
    exit_code: int
    stdout: bytes
    stderr: bytes

    def check(self) -> Self:
        """Raise :class:`~kubeset.errors.CommandFailed` when the exit code is not 0."""
        if self.exit_code:
            raise CommandFailed(self.command, self.exit_code, self.stdout, self.stderr)
        return self


class StdinWriter(io.RawIOBase):
    """The remote process's stdin: ``write`` sends, ``close`` sends end of input (v5 only)."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self._session = session

    def writable(self) -> bool:
        return True

    def write(self, b: ReadableBuffer, /) -> int:
        view = memoryview(b).cast("B")
        for start in range(0, len(view), _STDIN_CHUNK):
            self._session.send(STDIN, bytes(view[start : start + _STDIN_CHUNK]))
        return len(view)

    def close(self) -> None:
        if not self.closed:
            super().close()
            self._session.close_stdin()


class Session:
    """One exec or attach stream: file-like ``stdin`` / ``stdout`` / ``stderr``, ``wait()``.

    ``stdout``/``stderr`` are ``None`` when not asked for (``stderr`` with a tty).  Reading one
    raises the error the stream ended with (:class:`~kubeset.errors.ConnectionLost` for a cut
    connection).  Each holds up to 4 MiB unread, then reading from the server pauses until the
    caller reads: read both (or use ``exec_run``), as with ``subprocess`` pipes.  A context
    manager: leaving it closes the connection.
    """

    def __init__(
        self,
        ws: Connection,
        *,
        path: str,
        stdin: bool,
        stdout: Sink | None,
        stderr: Sink | None,
    ) -> None:
        self._ws = ws
        self._path = path
        self.protocol = ws.subprotocol
        self._reader = ChannelReader()
        self._outputs: dict[int, Sink] = {}
        if stdout is not None:
            self._outputs[STDOUT] = stdout
        if stderr is not None:
            self._outputs[STDERR] = stderr
        self._status = bytearray()
        self._done = threading.Event()
        self._exit: int | None = None
        self._failure: KubesetError | None = None
        self._stdin_closed = not stdin
        self.stdin: StdinWriter | None = StdinWriter(self) if stdin else None
        self.stdout = stdout if isinstance(stdout, Pipe) else None
        self.stderr = stderr if isinstance(stderr, Pipe) else None
        ws.start(self)

    @classmethod
    def open(
        cls,
        dialer: StreamDialer,
        request: HTTPRequest,
        *,
        stdin: bool = False,
        stdout: bool = True,
        stderr: bool = True,
        read_timeout: float | None = None,
    ) -> Session:
        """Dial ``request`` and start the session with readable pipes for the outputs asked."""
        ws = dialer.open(request, EXEC_PROTOCOLS)
        out = Pipe(ws.pause, ws.resume, timeout=read_timeout) if stdout else None
        err = Pipe(ws.pause, ws.resume, timeout=read_timeout) if stderr else None
        return cls(ws, path=_path(request), stdin=stdin, stdout=out, stderr=err)

    def __repr__(self) -> str:
        state = "running" if not self._done.is_set() else f"exit={self._exit}"
        return f"<Session {self._path} {self.protocol} {state}>"

    # -- MessageSink (the I/O thread) -------------------------------------------------------
    def fragment(self, data: bytes, *, first: bool) -> None:
        got = self._reader.feed(data, first=first)
        if got is None:
            return
        channel, payload = got
        if channel == ERROR:
            self._status += payload
            return
        sink = self._outputs.get(channel)
        if sink is not None:
            sink.feed(payload)

    def closed(self, error: KubesetError | None) -> None:
        failure: KubesetError | None = None
        if self._status:
            try:
                self._exit = exit_code(bytes(self._status), method="GET", path=self._path)
            except KubesetError as exc:
                failure = exc
        else:
            failure = error or ConnectionLost(
                f"GET {self._path}: the stream ended without an exit status"
            )
        self._failure = failure
        broken = failure if isinstance(failure, ConnectionLost) else None
        for sink in self._outputs.values():
            sink.end(broken)
        self._done.set()

    # -- the caller's side ------------------------------------------------------------------
    def send(self, channel: int, data: bytes) -> None:
        if channel == STDIN and self._stdin_closed:
            raise ValueError("stdin is closed" if self.stdin is not None else "stdin not asked for")
        self._ws.send(frame(channel, data))

    def close_stdin(self) -> None:
        """Send end of input (the command sees EOF); v4 servers cannot: StreamError."""
        if self._stdin_closed:
            return
        if not stdin_closable(self.protocol):
            raise stdin_close_refusal(self.protocol)
        self._stdin_closed = True
        self._ws.send(close_frame(STDIN))

    def resize(self, width: int, height: int) -> None:
        """Tell the terminal (``tty=True``) its new size in columns and rows."""
        self._ws.send(resize_frame(width, height))

    @property
    def ended(self) -> bool:
        """Whether the stream is over (``wait()`` answers at once)."""
        return self._done.is_set()

    @property
    def exit_code(self) -> int | None:
        """The exit code once the command ended (None while it runs)."""
        return self._exit

    def wait(self, timeout: float | None = None) -> int:
        """The exit code, once the command ended; raises what ended the stream otherwise
        (:class:`~kubeset.errors.RequestTimeout` when ``timeout`` seconds pass first)."""
        if not self._done.wait(timeout):
            raise RequestTimeout(f"GET {self._path}: the command did not end within {timeout:g} s")
        if self._failure is not None:
            raise self._failure
        assert self._exit is not None
        return self._exit

    def close(self) -> None:
        """End the stream (the remote process may go on running for attach)."""
        self._ws.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _path(request: HTTPRequest) -> str:
    return urllib.parse.urlsplit(request.url).path


def run(
    dialer: StreamDialer,
    request: HTTPRequest,
    command: Sequence[str],
    *,
    stdin: bytes | None = None,
    timeout: float | None = None,
    check: bool = False,
) -> ExecResult:
    """Run a command to its end: its stdout, stderr and exit code (``check``: non-zero raises).

    ``timeout`` bounds the whole run (connecting included): RequestTimeout, the stream closed."""
    deadline = time.monotonic() + timeout if timeout is not None else None
    ws = dialer.open(request, EXEC_PROTOCOLS)
    out, err = Collector(), Collector()
    session = Session(ws, path=_path(request), stdin=stdin is not None, stdout=out, stderr=err)
    try:
        if stdin is not None:
            if not stdin_closable(session.protocol):
                raise stdin_close_refusal(session.protocol)
            assert session.stdin is not None
            session.stdin.write(stdin)
            session.close_stdin()
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        code = session.wait(remaining)
    except BaseException:
        session.close()
        raise
    result = ExecResult(tuple(command), code, out.data, err.data)
    return result.check() if check else result
