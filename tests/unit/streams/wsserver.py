"""An in-process WebSocket server on 127.0.0.1 speaking the Kubernetes channel protocols.

A test helper, not a fake API: ``.../pods/{name}/exec`` runs the command as a local process
(its stdin, stdout and stderr on channels 0, 1, 2; the exit as a ``metav1.Status`` on channel 3;
v5's ``0xff 0x00`` closes its stdin; resize messages are recorded), ``.../attach`` attaches to a
process started with :meth:`StreamServer.start_attachable`, ``.../portforward?ports=`` connects
to local TCP ports (the channel form of the kubelet: port prefixes, errors on the odd channel).
Pods named in ``deny`` are answered before the upgrade with a Status and that code.
:class:`SilentServer` completes the upgrade and then goes quiet or cuts the connection.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import subprocess
import threading
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kubeset.streams.channels import V4, V5, exit_status, failure_status
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import ServerConnection, serve
from websockets.typing import Subprotocol


class StreamServer:
    def __init__(
        self,
        protocols: Sequence[str] = (V5, V4),
        deny: dict[str, int] | None = None,
        chunk: int = 65536,
        env: dict[str, str] | None = None,
    ) -> None:
        self.env = env
        self.deny = deny or {}
        self.chunk = chunk
        self.resizes: list[dict[str, int]] = []
        self.requests: list[tuple[str, dict[str, list[str]], Headers]] = []
        self.attachable: dict[str, subprocess.Popen[bytes]] = {}
        self._server = serve(
            self._handle,
            "127.0.0.1",
            0,
            subprotocols=[Subprotocol(p) for p in protocols],
            process_request=self._process_request,
            max_size=64 * 1024 * 1024,
            ping_interval=None,
        )
        self.port = self._server.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._thread.join(5)
        for proc in self.attachable.values():
            proc.kill()
            proc.wait(5)

    def start_attachable(self, pod: str, command: Sequence[str]) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.attachable[pod] = proc
        return proc

    # -- the upgrade --------------------------------------------------------------------------
    def _process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        parts = urlsplit(request.path)
        segments = parts.path.strip("/").split("/")
        pod = segments[-2] if len(segments) >= 2 else ""
        code = self.deny.get(pod)
        if code is None:
            return None
        reason = HTTPStatus(code).phrase.replace(" ", "")
        body = json.dumps(
            {
                "kind": "Status",
                "apiVersion": "v1",
                "status": "Failure",
                "message": f'pods "{pod}" is {reason.lower()}',
                "reason": reason,
                "code": code,
            }
        ).encode()
        headers = Headers()
        headers["Content-Type"] = "application/json"
        headers["Content-Length"] = str(len(body))
        return Response(code, HTTPStatus(code).phrase, headers, body)

    def _handle(self, conn: ServerConnection) -> None:
        parts = urlsplit(conn.request.path if conn.request else "")
        query = parse_qs(parts.query)
        self.requests.append(
            (parts.path, query, conn.request.headers if conn.request else Headers())
        )
        segments = parts.path.strip("/").split("/")
        sub, pod = segments[-1], segments[-2]
        if sub == "exec":
            try:
                proc = subprocess.Popen(
                    query["command"],
                    stdin=subprocess.PIPE if query.get("stdin") == ["true"] else subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env=self.env,
                )
            except FileNotFoundError:  # as the kubelet reports a command it cannot start
                missing = f'exec: "{query["command"][0]}": executable file not found in $PATH'
                conn.send(b"\x03" + failure_status(missing))
                conn.close()
                return
            self._run(conn, proc, own=True)
        elif sub == "attach":
            self._run(conn, self.attachable[pod], own=False)
        elif sub == "portforward":
            self._forward(conn, [int(p) for p in query["ports"][0].split(",")])

    def _pump(self, conn: ServerConnection, stream: Any, channel: int) -> None:
        try:
            while chunk := stream.read1(self.chunk):
                conn.send(bytes((channel,)) + chunk)
        except (ConnectionClosed, ValueError, OSError):
            pass

    def _receive(self, conn: ServerConnection, proc: subprocess.Popen[bytes], own: bool) -> None:
        try:
            for msg in conn:
                assert isinstance(msg, bytes)
                channel, payload = msg[0], msg[1:]
                if channel == 0 and proc.stdin is not None:
                    proc.stdin.write(payload)
                    proc.stdin.flush()
                elif channel == 255 and payload == b"\x00" and conn.subprotocol == V5:
                    if proc.stdin is not None:
                        proc.stdin.close()
                elif channel == 4:
                    self.resizes.append(json.loads(payload))
        except (ConnectionClosed, OSError, ValueError):
            pass
        if own and proc.poll() is None:  # the client went away: so does its command
            proc.kill()

    def _run(self, conn: ServerConnection, proc: subprocess.Popen[bytes], *, own: bool) -> None:
        pumps = [
            threading.Thread(target=self._pump, args=(conn, proc.stdout, 1), daemon=True),
            threading.Thread(target=self._pump, args=(conn, proc.stderr, 2), daemon=True),
        ]
        for t in pumps:
            t.start()
        threading.Thread(target=self._receive, args=(conn, proc, own), daemon=True).start()
        rc = proc.wait()
        for t in pumps:
            t.join(10)
        try:
            conn.send(b"\x03" + exit_status(rc))
            conn.close()
        except ConnectionClosed:
            pass

    def _forward(self, conn: ServerConnection, ports: list[int]) -> None:
        socks: dict[int, socket.socket] = {}
        for i, port in enumerate(ports):
            prefix = port.to_bytes(2, "little")
            conn.send(bytes((2 * i,)) + prefix)
            conn.send(bytes((2 * i + 1,)) + prefix)
            try:
                socks[2 * i] = socket.create_connection(("127.0.0.1", port), timeout=5)
                socks[2 * i].settimeout(None)
            except OSError as exc:
                conn.send(
                    bytes((2 * i + 1,))
                    + f"error forwarding port {port} to pod: {exc.strerror}".encode()
                )
        if len(socks) < len(ports):
            conn.close()
            return

        def down(channel: int, sock: socket.socket) -> None:
            try:
                while data := sock.recv(self.chunk):
                    conn.send(bytes((channel,)) + data)
            except (ConnectionClosed, OSError):
                pass
            conn.close()

        for channel, sock in socks.items():
            threading.Thread(target=down, args=(channel, sock), daemon=True).start()
        try:
            for msg in conn:
                assert isinstance(msg, bytes)
                sock = socks.get(msg[0])
                if sock is not None:
                    sock.sendall(msg[1:])
        except (ConnectionClosed, OSError):
            pass
        for sock in socks.values():
            sock.close()


_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class SilentServer:
    """Upgrades (``v5.channel.k8s.io``), sends ``first`` (raw frame bytes), then stays silent
    (``cut=False``: never answers a ping) or closes the TCP connection without a close."""

    def __init__(self, first: bytes = b"", *, cut: bool = False) -> None:
        self.first = first
        self.cut = cut
        self.received = bytearray()  # what the client sent after the upgrade
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self._conns.append(conn)
            head = b""
            while b"\r\n\r\n" not in head:
                head += conn.recv(4096)
            key = ""
            for line in head.decode().split("\r\n"):
                if line.lower().startswith("sec-websocket-key:"):
                    key = line.split(":", 1)[1].strip()
            accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
            conn.sendall(
                (
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n"
                    f"Sec-WebSocket-Protocol: {V5}\r\n\r\n"
                ).encode()
                + self.first
            )
            if self.cut:
                conn.close()
                continue
            conn.settimeout(10)
            try:
                while chunk := conn.recv(65536):
                    self.received += chunk
                    if self.received[:1] == b"\x88":  # the client answered a close: done
                        conn.close()
                        break
            except OSError:
                pass

    def close(self) -> None:
        self._listener.close()
        for conn in self._conns:
            conn.close()


def server_frame(payload: bytes, opcode: int = 0x2) -> bytes:
    """An unmasked frame (server to client, binary by default) carrying ``payload`` (< 126 bytes)."""
    assert len(payload) < 126
    return bytes((0x80 | opcode, len(payload))) + payload
