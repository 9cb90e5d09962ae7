"""MockTransport: answer requests with a function, in process, without sockets.

    def handler(request: HTTPRequest) -> Response:
        if request.url.endswith("/version"):
            return Response(200, {"Content-Type": "application/json"}, b'{"major": "1"}')
        return Response(404)

    rest = RESTClient(MockTransport(handler), host="http://mock")

For unit tests of code that uses kubeset's clients; the fake cluster of ``kubeset.testing`` is a
richer transport of the same kind.  ``requests`` lists every request sent, in order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from .base import HTTPRequest, Response

__all__ = ["MockTransport"]


class MockTransport:
    """An :class:`~kubeset.transport.base.HTTPTransport` that calls ``handler`` for each request."""

    def __init__(self, handler: Callable[[HTTPRequest], Response]) -> None:
        self.handler = handler
        self.requests: list[HTTPRequest] = []
        self._lock = threading.Lock()

    def send(self, request: HTTPRequest) -> Response:
        with self._lock:
            self.requests.append(request)
        return self.handler(request)

    def close(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"<MockTransport {len(self.requests)} requests>"
