"""The Kubernetes channel protocols over WebSocket, without I/O (KEP-4006, ``channel.k8s.io``).

    frame(STDIN, b"hello")                 # b"\\x00hello": one binary message
    close_frame(STDIN)                     # b"\\xff\\x00": v5 closes stdin
    exit_code(b'{"kind":"Status","status":"Success"}')   # 0
    reader = ChannelReader(); reader.feed(b"\\x01out", first=True)   # (STDOUT, b"out")

Every binary message is one channel byte, then the payload (apimachinery's
``util/remotecommand/constants.go`` and ``httpstream/wsstream``): 0 stdin, 1 stdout, 2 stderr,
3 error (a ``metav1.Status``), 4 resize (``{"Width": w, "Height": h}``); ``v5.channel.k8s.io``
adds 255: ``0xff`` and a channel id closes that channel (stdin EOF).  Port-forward over the
kubelet's channel form uses channel ``2i`` for the data of the ``i``-th port and ``2i+1`` for
its errors; the first two bytes the server sends on each are the port, uint16 little-endian.
The same functions serve the blocking driver (:mod:`.websocket`) and an asyncio one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..errors import ApiError, StreamError, api_error_from_status

__all__ = [
    "CLOSE",
    "ERROR",
    "EXEC_PROTOCOLS",
    "PORT_FORWARD_PROTOCOLS",
    "RESIZE",
    "STDERR",
    "STDIN",
    "STDOUT",
    "V4",
    "V5",
    "ChannelReader",
    "PortPrefixes",
    "close_frame",
    "exit_code",
    "exit_status",
    "failure_status",
    "frame",
    "resize_frame",
    "stdin_closable",
    "stdin_close_refusal",
]

STDIN, STDOUT, STDERR, ERROR, RESIZE = 0, 1, 2, 3, 4
CLOSE = 255  # v5: the payload is the id of the channel to close

V5 = "v5.channel.k8s.io"
V4 = "v4.channel.k8s.io"
EXEC_PROTOCOLS = (V5, V4)
"""Asked for exec and attach, preferred first (client-go's WebSocket executor asks the same)."""
PORT_FORWARD_PROTOCOLS = (V4,)
"""The kubelet's port-forward channel form speaks binary ``v4.channel.k8s.io``."""

_NON_ZERO_EXIT = "NonZeroExitCode"
_EXIT_CODE_CAUSE = "ExitCode"


def frame(channel: int, payload: bytes = b"") -> bytes:
    """One binary message for ``channel``."""
    if not 0 <= channel <= 255:
        raise ValueError(f"channel {channel} is not a byte")
    return bytes((channel,)) + payload


def close_frame(channel: int) -> bytes:
    """The v5 message that closes ``channel`` (``close_frame(STDIN)``: stdin EOF)."""
    return bytes((CLOSE, channel))


def resize_frame(width: int, height: int) -> bytes:
    """The resize message of a terminal (``remotecommand.TerminalSize``)."""
    if width < 0 or height < 0 or width > 0xFFFF or height > 0xFFFF:
        raise ValueError(f"terminal size {width}x{height} must be two uint16 values")
    return frame(RESIZE, json.dumps({"Width": width, "Height": height}).encode())


def stdin_closable(protocol: str | None) -> bool:
    """Whether the negotiated ``protocol`` can signal stdin EOF (only v5 can)."""
    return protocol == V5


def stdin_close_refusal(protocol: str | None) -> StreamError:
    """The error of a stdin close the negotiated protocol cannot carry."""
    return StreamError(
        f"the server speaks {protocol or 'no channel protocol'}, which cannot close stdin "
        f"(only {V5}, Kubernetes 1.30 and later, can): the command never sees end of input; "
        "send input the command ends on by itself, or upgrade the API server"
    )


class ChannelReader:
    """Splits received message fragments into ``(channel, data)``.

    A message may arrive in several WebSocket frames: only the first carries the channel byte,
    the continuation frames belong to the same channel.  ``feed`` returns ``None`` for a first
    fragment without a channel byte (an empty message, which servers may send).
    """

    __slots__ = ("_channel",)

    def __init__(self) -> None:
        self._channel: int | None = None

    def feed(self, fragment: bytes, *, first: bool) -> tuple[int, bytes] | None:
        if first:
            if not fragment:
                self._channel = None
                return None
            self._channel = fragment[0]
            return self._channel, fragment[1:]
        if self._channel is None:
            return None
        return self._channel, fragment


def _status_of(payload: bytes) -> dict[str, Any]:
    try:
        status = json.loads(payload)
    except (ValueError, RecursionError):
        status = None
    if not isinstance(status, dict):
        text = payload[:200].decode("utf-8", errors="replace")
        raise StreamError(f"the error channel carried no metav1.Status: {text!r}")
    return status


def exit_code(payload: bytes, *, method: str = "", path: str = "") -> int:
    """The exit code in the error channel's ``metav1.Status`` (client-go's v4 error decoder).

    ``Success`` is 0; ``NonZeroExitCode`` carries the code in ``details.causes[reason=ExitCode]``;
    any other failure (the container could not run the command, ...) raises its
    :class:`~kubeset.errors.ApiError` subclass."""
    status = _status_of(payload)
    if status.get("status") == "Success":
        return 0
    if status.get("reason") == _NON_ZERO_EXIT:
        details = status.get("details")
        causes = details.get("causes") if isinstance(details, dict) else None
        for cause in causes if isinstance(causes, list) else ():
            if isinstance(cause, dict) and cause.get("reason") == _EXIT_CODE_CAUSE:
                try:
                    return int(str(cause.get("message")))
                except ValueError:
                    break
        raise StreamError(f"exit status without a valid exit code: {status.get('message')!r}")
    error: ApiError = api_error_from_status(status, method=method, path=path)
    raise error


def exit_status(code: int) -> bytes:
    """The error channel's ``metav1.Status`` for exit ``code`` (what a kubelet sends)."""
    if code == 0:
        return json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Success"}).encode()
    return json.dumps(
        {
            "kind": "Status",
            "apiVersion": "v1",
            "status": "Failure",
            "message": f"command terminated with non-zero exit code: {code}",
            "reason": _NON_ZERO_EXIT,
            "details": {"causes": [{"reason": _EXIT_CODE_CAUSE, "message": str(code)}]},
        }
    ).encode()


def failure_status(message: str) -> bytes:
    """The error channel's ``metav1.Status`` of a command that could not run."""
    status = {"kind": "Status", "apiVersion": "v1", "status": "Failure"}
    return json.dumps(
        {**status, "reason": "InternalError", "code": 500, "message": message}
    ).encode()


@dataclass(slots=True)
class _Prefix:
    seen: bytearray
    port: int | None = None


class PortPrefixes:
    """Strips the uint16 little-endian port the server sends first on each port-forward channel.

    ``ports`` are the forwarded ports in order: port ``i`` owns channels ``2i`` (data) and
    ``2i+1`` (error).  ``feed(channel, data)`` returns the data after the prefix (possibly
    empty); a prefix naming another port raises :class:`~kubeset.errors.StreamError`.
    """

    __slots__ = ("_ports", "_prefixes")

    def __init__(self, ports: tuple[int, ...]) -> None:
        self._ports = ports
        self._prefixes = {c: _Prefix(bytearray()) for c in range(2 * len(ports))}

    @staticmethod
    def data_channel(index: int) -> int:
        return 2 * index

    @staticmethod
    def error_channel(index: int) -> int:
        return 2 * index + 1

    def port_of(self, channel: int) -> int:
        if channel not in self._prefixes:
            raise StreamError(f"port-forward: data on unknown channel {channel}")
        return self._ports[channel // 2]

    def feed(self, channel: int, data: bytes) -> bytes:
        expected = self.port_of(channel)
        prefix = self._prefixes[channel]
        if prefix.port is not None:
            return data
        need = 2 - len(prefix.seen)
        prefix.seen += data[:need]
        if len(prefix.seen) < 2:
            return b""
        prefix.port = int.from_bytes(prefix.seen, "little")
        if prefix.port != expected:
            raise StreamError(
                f"port-forward: channel {channel} announced port {prefix.port}, expected {expected}"
            )
        return data[need:]
