"""Helpers of the stream tests, unit and e2e: a TCP echo server, a concurrent exchange, file trees.

with EchoServer() as echo: got = exchange(echo.port, payload)   # sends and reads concurrently
tree(root); files(root)      # a folder with a symlink and a name with spaces; its contents
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path
from typing import Self

__all__ = ["EchoServer", "exchange", "files", "tree"]


class EchoServer:
    """A TCP echo server on 127.0.0.1 (a pod's port: the stand-in's pod network is loopback)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.sock.settimeout(0.5)
        self.port: int = self.sock.getsockname()[1]
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._echo, args=(conn,), daemon=True).start()

    @staticmethod
    def _echo(conn: socket.socket) -> None:
        conn.settimeout(120)
        with conn:
            try:
                while data := conn.recv(65536):
                    conn.sendall(data)
            except OSError:
                pass

    def close(self) -> None:
        """Stop; the port is free (refuses) when this returns."""
        self.closed.set()
        self.thread.join(5)  # accept() no longer waits on the socket
        self.sock.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def exchange(port: int, payload: bytes) -> bytes:
    """Send ``payload`` to 127.0.0.1:``port`` while reading as many bytes back."""
    with socket.create_connection(("127.0.0.1", port), timeout=120) as conn:
        sender = threading.Thread(target=conn.sendall, args=(payload,), daemon=True)
        sender.start()
        got = bytearray()
        while len(got) < len(payload):
            chunk = conn.recv(65536)
            if not chunk:
                break
            got += chunk
        sender.join(120)
        return bytes(got)


def tree(root: Path, blob: int = 300_000) -> None:
    """A folder, a file name with spaces, a binary file of ``blob`` bytes, a symlink to it."""
    (root / "sub dir").mkdir(parents=True)
    (root / "sub dir" / "file with spaces.txt").write_bytes(b"spaced\n")
    (root / "data.bin").write_bytes(os.urandom(blob))
    (root / "empty").mkdir()
    os.symlink("data.bin", root / "link")


def files(root: Path) -> dict[str, bytes | str]:
    """Every path under ``root``: a file's bytes, "-> target" of a symlink, "dir"."""
    out: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            out[rel] = path.read_bytes()
        else:
            out[rel] = "dir"
    return out
