"""The HTTP seam: kubeset's own request and response types and the transport protocol.

Everything above this module (RESTClient, typed and dynamic clients, watches, log streams,
informers) talks HTTP only through :class:`HTTPTransport`; no library type crosses it.  A
transport is any object with ``send`` and ``close``::

    class Canned:
        def send(self, request: HTTPRequest) -> Response:
            return Response(200, {"Content-Type": "application/json"}, b'{"major": "1"}')

        def close(self) -> None: ...

    rest = RESTClient(Canned(), host="http://canned")

kubeset ships three: :class:`~kubeset.transport.session.Transport` (a ``Config``'s TLS,
credentials and proxy over ``requests``), :class:`~kubeset.transport.session.SessionTransport`
(bare ``requests``) and :class:`~kubeset.transport.mock.MockTransport` (a function, no sockets).

asyncio has the same seam: :class:`AsyncHTTPTransport` (``send_async``, ``aclose``) answers
with an :class:`AsyncResponse`, whose body is read with ``await``.  The same ``HTTPRequest``
goes in; :class:`~kubeset.transport.aiosession.AsyncTransport` (a Config over aiohttp) is the
asyncio ``Transport``, and in-process transports (MockTransport, the fake cluster) serve both
protocols, handing their ``Response`` over with :meth:`AsyncResponse.of`.

Failures are kubeset errors, raised by ``send`` or while the body is read:
:class:`~kubeset.errors.RequestTimeout`, :class:`~kubeset.errors.ConnectionLost` (an established
connection broke: a GET may be sent again) and :class:`~kubeset.errors.ApiConnectionError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Generic, Protocol, Self, TypeVar, runtime_checkable
from urllib.parse import urlencode

__all__ = [
    "CONNECT_TIMEOUT",
    "AsyncHTTPTransport",
    "AsyncResponse",
    "HTTPRequest",
    "HTTPTransport",
    "Headers",
    "Response",
    "Timeouts",
]

#: The longest wait for a connection, TCP and TLS handshake included, whatever a call's own
#: timeout (client-go's transport: a 10 s TLSHandshakeTimeout).  A connection dialled into a
#: network that swallows packets fails after this, so a watch re-opened during a partition is
#: back soon after the network is.
CONNECT_TIMEOUT = 10.0


class Headers(Mapping[str, str]):
    """Case-insensitive, read-only HTTP headers (one value per name, as the API server sends)."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        pairs = items.items() if items is not None else ()
        self._items: dict[str, tuple[str, str]] = {k.lower(): (k, v) for k, v in pairs}

    def __getitem__(self, key: str) -> str:
        return self._items[key.lower()][1]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Client-side time limits in seconds (None: wait without limit).

    ``connect`` bounds establishing the connection; ``read`` bounds each wait for data (the
    answer's head, then every chunk of the body); ``total`` bounds the whole exchange, from
    sending to the last byte of a body that is read whole (to the answer's head for a stream).
    The RESTClient sets ``total`` on each attempt to what is left of the call's deadline.
    """

    connect: float | None = None
    read: float | None = None
    total: float | None = None

    @classmethod
    def of_call(
        cls, timeout: float | None, *, read: float | None, total: float | None = None
    ) -> Self:
        """The limits of a call with ``timeout`` (None: none): connecting within ``timeout`` and
        at most :data:`CONNECT_TIMEOUT`; ``read`` and ``total`` as given."""
        connect = CONNECT_TIMEOUT if timeout is None else min(timeout, CONNECT_TIMEOUT)
        return cls(connect=connect, read=read, total=total)


@dataclass(frozen=True, slots=True)
class HTTPRequest:
    """One request as a transport receives it: everything decided, nothing sent yet."""

    method: str
    url: str  # absolute, without query: https://host:6443/api/v1/namespaces/default/pods
    params: tuple[tuple[str, str], ...] = ()  # query parameters in order; a key may repeat
    headers: Headers = field(default_factory=Headers)
    body: bytes | None = None
    stream: bool = False  # the caller reads the body incrementally (watch, followed logs)
    timeouts: Timeouts = Timeouts()

    @property
    def query(self) -> str:
        """The url-encoded query string (without ``?``)."""
        return urlencode(self.params)

    def param(self, key: str) -> str | None:
        """The first value of query parameter ``key``."""
        for k, v in self.params:
            if k == key:
                return v
        return None


B = TypeVar("B")  # a streamed body's source: chunks to iterate, or to iterate asynchronously


class _Answer(Generic[B]):
    """What both kinds of response hold: status, headers, the body source, how to end it.

    ``close`` releases the connection; ``abort`` ends the response (a pending read wakes, the
    connection is dropped); both are idempotent and safe from another thread."""

    __slots__ = (
        "_abort",
        "_aborted",
        "_body",
        "_close",
        "_lock",
        "elapsed",
        "headers",
        "status_code",
    )

    def __init__(
        self,
        status_code: int,
        headers: Mapping[str, str] | None = None,
        body: bytes | B = b"",
        *,
        close: Callable[[], None] | None = None,
        abort: Callable[[], None] | None = None,
        elapsed: float = 0.0,
    ) -> None:
        self.status_code = status_code
        self.headers = headers if isinstance(headers, Headers) else Headers(headers or {})
        self._body: bytes | B = body
        self._close = close
        self._abort = abort
        self._aborted = False
        self._lock = threading.Lock()
        self.elapsed = elapsed  # seconds until the head of the answer arrived

    @property
    def aborted(self) -> bool:
        return self._aborted

    @property
    def whole_body(self) -> bytes | None:
        """The body when it is held whole (None: a stream, read chunk by chunk)."""
        body = self._body
        return body if isinstance(body, bytes) else None

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """Around reading the body: closed at the end; once aborted, what the source raises
        ends the reading quietly."""
        try:
            yield
        except Exception:
            if not self._aborted:
                raise
        finally:
            self.close()

    def close(self) -> None:
        """Release the connection (idempotent)."""
        with self._lock:
            close, self._close = self._close, None
        if close is not None:
            close()

    def abort(self) -> None:
        """End the response now, from any thread: a blocked read wakes, the connection is dropped."""
        self._aborted = True
        with self._lock:
            abort, self._abort = self._abort, None
        if abort is not None:
            abort()
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.status_code}>"


class Response(_Answer[Iterable[bytes]]):
    """An HTTP answer: status, headers and a body that is read once, whole or chunk by chunk.

    ``body`` is the whole body as bytes, or an iterable of chunks read on demand (a stream).
    ``close`` releases the connection; ``abort`` ends the response from any thread, waking a
    read blocked in another thread (transports pass what that takes for their connection).
    Once aborted, whatever the body source raises ends the iteration quietly.
    """

    __slots__ = ()

    def read(self) -> bytes:
        """The whole (remaining) body; the response is closed afterwards."""
        body = self._body
        if isinstance(body, bytes):
            self.close()
            return body
        content = b"".join(self.iter_bytes())
        self._body = content
        return content

    def iter_bytes(self) -> Iterator[bytes]:
        """The body in chunks as they arrive; closes the response at the end."""
        body = self._body
        with self._reading():
            if isinstance(body, bytes):
                if body:
                    yield body
                return
            for chunk in body:
                if chunk:
                    yield chunk

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@runtime_checkable
class HTTPTransport(Protocol):
    """The one seam between kubeset and HTTP: send a request, get kubeset's :class:`Response`."""

    def send(self, request: HTTPRequest) -> Response: ...

    def close(self) -> None: ...


class AsyncResponse(_Answer[AsyncIterable[bytes]]):
    """An HTTP answer read with ``await``: the asyncio twin of :class:`Response`.

    ``body`` is the whole body as bytes, or an async iterable of chunks read on demand.
    ``close`` and ``abort`` are plain calls (from any task of the loop): the connection is
    released, a pending read ends.  Once aborted, whatever the body source raises ends the
    iteration quietly.
    """

    __slots__ = ()

    @classmethod
    def of(cls, response: Response) -> Self:
        """An in-process transport's :class:`Response` as an AsyncResponse: a whole body as it
        is; a streamed one read chunk by chunk in a worker thread (so that a blocking source,
        such as the fake cluster's watch, never holds the event loop)."""
        body = response.whole_body
        if body is not None:
            return cls(response.status_code, response.headers, body, elapsed=response.elapsed)
        return cls(
            response.status_code,
            response.headers,
            _chunks_in_thread(response),
            close=response.close,
            abort=response.abort,
            elapsed=response.elapsed,
        )

    async def read(self) -> bytes:
        """The whole (remaining) body; the response is closed afterwards."""
        body = self.whole_body
        if body is not None:
            self.close()
            return body
        content = b"".join([chunk async for chunk in self.iter_bytes()])
        self._body = content
        return content

    async def iter_bytes(self) -> AsyncIterator[bytes]:
        """The body in chunks as they arrive; closes the response at the end."""
        body = self._body
        with self._reading():
            if not isinstance(body, bytes):
                async for chunk in body:
                    if chunk:
                        yield chunk
            elif body:
                yield body

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


async def _chunks_in_thread(response: Response) -> AsyncIterator[bytes]:
    chunks = response.iter_bytes()
    end = object()
    try:
        while True:
            chunk = await asyncio.to_thread(next, chunks, end)
            if chunk is end:
                return
            yield chunk  # type: ignore[misc]
    finally:
        response.abort()  # wakes a thread still blocked in the source


@runtime_checkable
class AsyncHTTPTransport(Protocol):
    """The seam for asyncio: send a request, get kubeset's :class:`AsyncResponse`."""

    async def send_async(self, request: HTTPRequest) -> AsyncResponse: ...

    async def aclose(self) -> None: ...
