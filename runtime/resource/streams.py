"""Pod streams: the ``exec``, ``attach`` and ``portforward`` subresources (and ``cp`` over exec).

    r = pods.exec_run("web", ["sh", "-c", "cat; exit 3"], stdin=b"hi")   # r.stdout, r.exit_code
    with pods.exec("web", ["sh"], stdin=True, tty=True) as s:            # interactive
        s.stdin.write(b"exit 2\\n"); s.wait(10)
    with pods.attach("web", stdin=True) as s: ...
    with pods.port_forward("web", [":80"]) as pf: pf.local_port(80)
    pods.cp_to("web", "./site", "/srv/site"); pods.cp_from("web", "/var/log", "./logs")

The mixins only build the request (``GET`` upgraded to a WebSocket) and hand it to
:mod:`kubeset.streams`, where every protocol decision lives.  ``timeout`` bounds waiting for the
upgrade (and, for ``exec_run`` and ``cp``, the whole run); a broken connection is found by the
keep-alive.  Needs ``pip install 'kubeset[streams]'``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..rest.request import Request
from ..streams import (
    ExecResult,
    PortForward,
    PortForwardSocket,
    Session,
    dialer_for,
    exec_params,
    open_port,
    run,
)
from ..streams.cp import copy_from_pod, copy_to_pod
from ..transport.base import HTTPRequest
from .client import R, ResourceClient

__all__ = ["HasAttach", "HasExec", "HasPortForward"]


class _Streams(ResourceClient[R]):
    __slots__ = ()

    def _stream_request(
        self, name: str, subresource: str, params: dict[str, object], timeout: float | None
    ) -> HTTPRequest:
        info = self.descriptor.info
        if self.is_async:
            raise TypeError(
                f"{info.plural}: {subresource} is not on asyncio yet: use the sync Clientset's client"
            )
        if info.subresources and subresource not in info.subresources:
            raise ValueError(f"{info.plural} have no {subresource} subresource")
        req = self.request("GET", name, subresource).params(params).timeout(timeout)
        return req.build(self.rest.host, self.rest.timeout)


class HasExec(_Streams[R]):
    """The ``exec`` subresource of pods: run commands, copy files (tar over exec)."""

    __slots__ = ()

    def _exec_request(
        self,
        name: str,
        command: Sequence[str],
        *,
        container: str | None,
        stdin: bool,
        tty: bool = False,
        timeout: float | None = None,
    ) -> HTTPRequest:
        params = exec_params(
            command, container=container, stdin=stdin, stdout=True, stderr=True, tty=tty
        )
        return self._stream_request(name, "exec", params, timeout)

    def exec_run(
        self: HasExec[Request],
        name: str,
        command: Sequence[str],
        *,
        container: str | None = None,
        stdin: bytes | None = None,
        timeout: float | None = None,
        check: bool = False,
    ) -> ExecResult:
        """Run ``command`` to its end (``subprocess.run``): stdout, stderr, exit code.

        ``stdin`` is sent whole, then end of input.  A non-zero exit is a result unless
        ``check`` (then :class:`~kubeset.errors.CommandFailed`)."""
        req = self._exec_request(
            name, command, container=container, stdin=stdin is not None, timeout=timeout
        )
        return run(dialer_for(self.rest), req, command, stdin=stdin, timeout=timeout, check=check)

    def exec(
        self: HasExec[Request],
        name: str,
        command: Sequence[str],
        *,
        container: str | None = None,
        stdin: bool = False,
        tty: bool = False,
        timeout: float | None = None,
    ) -> Session:
        """An interactive exec session: file-like ``stdin``/``stdout``/``stderr``, ``wait()``."""
        req = self._exec_request(
            name, command, container=container, stdin=stdin, tty=tty, timeout=timeout
        )
        return Session.open(dialer_for(self.rest), req, stdin=stdin, stderr=not tty)

    def cp_to(
        self: HasExec[Request],
        name: str,
        source: str | Path,
        destination: str,
        *,
        container: str | None = None,
        timeout: float | None = None,
    ) -> None:
        """Copy a local file or folder into the container (``kubectl cp src pod:dest``)."""
        copy_to_pod(self._cp_runner(name, container, timeout), Path(source), destination)

    def cp_from(
        self: HasExec[Request],
        name: str,
        source: str,
        destination: str | Path,
        *,
        container: str | None = None,
        keep_symlinks: bool = False,
        timeout: float | None = None,
    ) -> list[str]:
        """Copy a file or folder of the container here (``kubectl cp pod:src dest``); the
        warnings about members skipped (outside the destination, symlinks unless
        ``keep_symlinks``) are returned."""
        runner = self._cp_runner(name, container, timeout)
        return copy_from_pod(runner, source, Path(destination), keep_symlinks=keep_symlinks)

    def _cp_runner(
        self: HasExec[Request], name: str, container: str | None, timeout: float | None
    ) -> _CpRunner:
        return _CpRunner(self, name, container, timeout)


class _CpRunner:
    """Runs the tar commands of a copy in one pod's container."""

    __slots__ = ("_client", "_container", "_name", "_timeout")

    def __init__(
        self, client: HasExec, name: str, container: str | None, timeout: float | None
    ) -> None:
        self._client = client
        self._name = name
        self._container = container
        self._timeout = timeout

    def open(self, command: Sequence[str], stdin: bool) -> Session:
        return self._client.exec(
            self._name, command, container=self._container, stdin=stdin, timeout=self._timeout
        )


class HasAttach(_Streams[R]):
    """The ``attach`` subresource of pods: the streams of the container's running process."""

    __slots__ = ()

    def attach(
        self: HasAttach[Request],
        name: str,
        *,
        container: str | None = None,
        stdin: bool = False,
        tty: bool = False,
        timeout: float | None = None,
    ) -> Session:
        """Attach to the container's main process (its stdin needs ``stdin: true`` in the spec)."""
        params = exec_params(
            None, container=container, stdin=stdin, stdout=True, stderr=True, tty=tty
        )
        req = self._stream_request(name, "attach", params, timeout)
        return Session.open(dialer_for(self.rest), req, stdin=stdin, stderr=not tty)


class HasPortForward(_Streams[R]):
    """The ``portforward`` subresource of pods: streams to the pod's ports."""

    __slots__ = ()

    def port_stream(
        self: HasPortForward[Request], name: str, port: int, *, timeout: float | None = None
    ) -> PortForwardSocket:
        """One stream to ``port`` of the pod, used like a connected socket."""
        req = self._stream_request(name, "portforward", {"ports": port}, timeout)
        return open_port(dialer_for(self.rest), req, port)

    def port_forward(
        self: HasPortForward[Request],
        name: str,
        ports: Sequence[int | str],
        *,
        address: str = "127.0.0.1",
        timeout: float | None = None,
    ) -> PortForward:
        """Listen on ``address`` and forward each connection to the pod (``kubectl
        port-forward`` specs: ``8080``, ``"8080:80"``, ``":80"`` for a free local port)."""
        return PortForward(
            lambda port: self.port_stream(name, port, timeout=timeout), ports, address=address
        )
