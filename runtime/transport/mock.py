"""MockTransport: answer requests with a function, in process, without sockets.

    def handler(request: HTTPRequest) -> Response:
        if request.url.endswith("/version"):
            return Response(200, {"Content-Type": "application/json"}, b'{"major": "1"}')
        return Response(404)

    rest = RESTClient(MockTransport(handler), host="http://mock")

For unit tests of code that uses kubeset's clients; the fake cluster of ``kubeset.testing`` is a
richer transport of the same kind.  ``requests`` lists every request sent, in order.  The same
object serves asyncio clients (``AsyncRESTClient(MockTransport(handler), host=...)``): the
handler stays a plain function.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from .base import AsyncResponse, HTTPRequest, Response

__all__ = ["MockTransport"]


class MockTransport:
    """An :class:`~kubeset.transport.base.HTTPTransport` (and ``AsyncHTTPTransport``) that calls
    ``handler`` for each request."""

    def __init__(self, handler: Callable[[HTTPRequest], Response]) -> None:
        self.handler = handler
        self.requests: list[HTTPRequest] = []
        self._lock = threading.Lock()

    def send(self, request: HTTPRequest) -> Response:
        with self._lock:
            self.requests.append(request)
        return self.handler(request)

    async def send_async(self, request: HTTPRequest) -> AsyncResponse:
        return AsyncResponse.of(self.send(request))

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"<MockTransport {len(self.requests)} requests>"
