"""The fake cluster's pod streams: exec answered by functions the test registers.

    fake.on_exec("web", lambda command, stdin: (b"hello\\n", b"", 0))   # FakeTransport.on_exec
    r = fake.clientset().core_v1.pods("default").exec_run("web", ["echo", "hello"])
    assert (r.stdout, r.exit_code) == (b"hello\\n", 0)

:class:`FakeStreams` is the :class:`~kubeset.testing.FakeTransport`'s ``stream_dialer`` (the
seam :func:`kubeset.streams.dialer_for` looks for): a pod that does not exist is the server's
``NotFound``; a pod without a handler, attach and port-forward raise
:class:`~kubeset.errors.StreamError` saying so.  The handler gets the command and all of stdin
(after the caller closed it) and returns stdout, stderr and the exit code; what it raises
reaches the caller as the ``InternalError`` of a command that could not run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from ..errors import StreamError
from ..streams.channels import (
    ERROR,
    STDERR,
    STDIN,
    STDOUT,
    V5,
    close_frame,
    exit_status,
    failure_status,
    frame,
)
from ..streams.websocket import MessageSink
from ..transport.base import HTTPRequest
from .cluster import FakeCluster

__all__ = ["ExecHandler", "FakeStreams"]

ExecHandler = Callable[[tuple[str, ...], bytes], tuple[bytes, bytes, int]]
"""``handler(command, stdin) -> (stdout, stderr, exit_code)``."""

_CLOSE_STDIN = close_frame(STDIN)


class _ExecConnection:
    """A Connection that runs the handler once stdin ended (at once without stdin)."""

    def __init__(self, handler: ExecHandler, command: tuple[str, ...], stdin: bool) -> None:
        self._handler = handler
        self._command = command
        self._stdin = bytearray()
        self._wants_stdin = stdin
        self._sink: MessageSink | None = None
        self._done = False
        self._lock = threading.Lock()

    @property
    def subprotocol(self) -> str | None:
        return V5

    @property
    def done(self) -> bool:
        return self._done

    def start(self, sink: MessageSink) -> None:
        self._sink = sink
        if not self._wants_stdin:
            self._run()

    def send(self, message: bytes) -> None:
        if message == _CLOSE_STDIN:
            self._run()
        elif message[:1] == bytes((STDIN,)):
            with self._lock:
                self._stdin += message[1:]

    def _run(self) -> None:
        with self._lock:
            if self._done:
                return
            self._done = True
            stdin = bytes(self._stdin)
        sink = self._sink
        assert sink is not None
        try:
            out, err, code = self._handler(self._command, stdin)
        except Exception as exc:  # noqa: BLE001 - the handler's failure is the command's
            sink.fragment(
                frame(ERROR, failure_status(f"the exec handler raised: {exc!r}")), first=True
            )
        else:
            for channel, data in ((STDOUT, out), (STDERR, err)):
                if data:
                    sink.fragment(frame(channel, data), first=True)
            sink.fragment(frame(ERROR, exit_status(code)), first=True)
        sink.closed(None)

    def pause(self) -> None:
        pass

    def resume(self) -> None:
        pass

    def close(self, timeout: float = 0.0) -> None:
        with self._lock:
            if self._done:
                return
            self._done = True
        if self._sink is not None:
            self._sink.closed(None)


class FakeStreams:
    """Exec handlers per pod; opens the fake connections of ``exec`` requests."""

    def __init__(self, cluster: FakeCluster) -> None:
        self.cluster = cluster
        self._lock = threading.Lock()
        self._exec: dict[tuple[str, str], ExecHandler] = {}

    def on_exec(self, pod: str, handler: ExecHandler, *, namespace: str = "") -> None:
        """Answer exec into ``pod`` (of ``namespace``, else of any) with ``handler``."""
        with self._lock:
            self._exec[(namespace, pod)] = handler

    def open(self, request: HTTPRequest, subprotocols: Sequence[str]) -> _ExecConnection:
        parts = urlsplit(request.url).path.strip("/").split("/")
        if len(parts) != 7 or parts[:3] != ["api", "v1", "namespaces"] or parts[4] != "pods":
            raise StreamError(f"the fake cluster has no stream at {urlsplit(request.url).path}")
        namespace, name, sub = parts[3], parts[5], parts[6]
        self.cluster.get(self.cluster.kind("", "v1", "pods"), namespace, name)  # NotFound
        if sub != "exec":
            raise StreamError(
                f"the fake cluster serves exec only, not {sub} (pod {namespace}/{name})"
            )
        with self._lock:
            handler = self._exec.get((namespace, name)) or self._exec.get(("", name))
        if handler is None:
            raise StreamError(
                f"no exec handler for pod {namespace}/{name}: register one with "
                f"fake.on_exec({name!r}, handler)"
            )
        command = tuple(v for k, v in request.params if k == "command")
        return _ExecConnection(handler, command, stdin=request.param("stdin") == "true")
