"""The fake cluster over real HTTP on 127.0.0.1, for tools that need a URL (kubectl, a subprocess).

    with FakeServer(FakeTransport()) as server:
        server.url                                  # "http://127.0.0.1:PORT"
        server.write_kubeconfig(tmp_path / "kubeconfig")
        subprocess.run(["kubectl", "--kubeconfig", ..., "get", "pods"])

Plain HTTP without authentication, bound to the loopback interface only. Each request is handed
to the :class:`~kubeset.testing.transport.FakeTransport` as an ``HTTPRequest``; watch answers
are streamed with chunked transfer encoding.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import parse_qsl, urlsplit

from ..transport.base import Headers, HTTPRequest
from .transport import FakeTransport

__all__ = ["FakeServer"]


class FakeServer:
    """Serve a FakeTransport on ``127.0.0.1:port`` (0: any free port) in a background thread."""

    def __init__(self, fake: FakeTransport | None = None, *, port: int = 0) -> None:
        self.fake = fake if fake is not None else FakeTransport()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self.fake))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, daemon=True, name="kubeset-fake"
        )
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def write_kubeconfig(self, path: Path) -> Path:
        """A kubeconfig pointing at this server (context "fake", namespace "default")."""
        path.write_text(
            "apiVersion: v1\nkind: Config\ncurrent-context: fake\n"
            f"clusters:\n- name: fake\n  cluster: {{server: '{self.url}'}}\n"
            "users:\n- name: fake\n  user: {}\n"
            "contexts:\n- name: fake\n  context: {cluster: fake, user: fake, namespace: default}\n"
        )
        return path

    def close(self) -> None:
        self.fake.drop_watches()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _handler(fake: FakeTransport) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            request = HTTPRequest(
                method=self.command,
                url=f"http://fake{parts.path}",
                params=tuple(parse_qsl(parts.query, keep_blank_values=True)),
                headers=Headers(dict(self.headers.items())),
                body=body,
                stream=True,
            )
            response = fake.send(request)
            self.send_response(response.status_code)
            for name, value in response.headers.items():
                self.send_header(name, value)
            if (request.param("watch") or "").lower() not in ("true", "1"):
                content = response.read()
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)
                return
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for chunk in response.iter_bytes():
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
            except OSError:  # the client went away
                response.abort()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
