"""Request: one API request under construction (client-go's ``rest.Request``), and PatchType.

    pod = (rest.get().group_version("", "v1").namespace("default").resource("pods").name("web-0")
           .do().into(Pod))

Setters collect verb, path segments, query parameters, body, headers and timeouts; ``build``
turns them into the transport's :class:`~kubeset.transport.base.HTTPRequest` without any I/O.
``do``/``stream``/``watch`` hand the request to the client that made it (a :class:`Sender`,
i.e. the RESTClient), which runs the retries, the rate limiter and the transport.  The setters
and ``build`` live in :class:`RequestBuilder`, which the asyncio face
(:class:`~kubeset.rest.aio.AsyncRequest`) shares: only sending differs.
"""

from __future__ import annotations

import base64
import enum
import json
from collections.abc import Callable, Mapping
from typing import Any, Generic, Protocol, Self, TypeVar
from urllib.parse import quote

from pydantic import BaseModel

from ..codec import to_json
from ..transport.base import Headers, HTTPRequest, Response, Timeouts
from .result import Result
from .stream import LogStream
from .watch import Watch

__all__ = ["PatchType", "Request", "RequestBuilder", "Sender", "encode_body"]

M = TypeVar("M", bound=BaseModel)
X = TypeVar("X")


class HasHost(Protocol):
    """What every request's client has: the server's URL."""

    host: str


C = TypeVar("C", bound=HasHost)  # the client that sends a request: a Sender, or the asyncio client


class PatchType(str, enum.Enum):
    """The patch strategies of the API server (the Content-Type of a PATCH)."""

    JSON = "application/json-patch+json"
    MERGE = "application/merge-patch+json"
    STRATEGIC_MERGE = "application/strategic-merge-patch+json"
    APPLY = "application/apply-patch+yaml"


class Sender(Protocol):
    """What a Request needs from the client that made it (the RESTClient)."""

    host: str
    watch_idle_timeout: float | None  # a watch with bookmarks and no events this long is dead

    def send(self, req: Request) -> Response:
        """Send with retries; the answer of the last attempt, status checked (non-2xx raises)."""
        ...

    def read(self, req: Request, resp: Response) -> bytes:
        """The whole body of ``resp`` (a broken or stalled body raises a kubeset error)."""
        ...


def encode_body(body: Any) -> bytes:
    """JSON bytes of a request body: a model (JSON names, only set fields), a dict/list, or bytes."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, BaseModel):
        return to_json(body)
    return json.dumps(body, separators=(",", ":"), default=_json_default).encode()


def _json_default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")  # []byte fields are base64 on the wire
    raise TypeError(f"cannot encode {type(value).__name__} as JSON in a request body")


def _param_value(value: Any) -> str | list[str]:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, (list, tuple)):
        return [str(_param_value(v)) for v in value]
    return str(value)


def _check_segment(kind: str, value: str) -> str:
    if not value:
        raise ValueError(f"{kind} must not be empty")
    if value in (".", "..") or "/" in value or "%" in value:
        raise ValueError(f"{kind} {value!r} may not contain '/' or '%' and may not be '.' or '..'")
    return quote(value, safe="")


class _Unset:
    pass


_UNSET: Any = _Unset()


class RequestBuilder(Generic[C]):
    """One API request under construction; every setter returns the request (chainable).

    ``client`` is what sends it; the subclasses add the sending (:class:`Request`, and
    :class:`~kubeset.rest.aio.AsyncRequest` for asyncio)."""

    __slots__ = (
        "_accept",
        "_body",
        "_content_type",
        "_headers",
        "_max_retries",
        "_name",
        "_namespace",
        "_params",
        "_prefix",
        "_read_timeout",
        "_resource",
        "_stream",
        "_subresource",
        "_suffix",
        "_timeout",
        "client",
        "method",
    )

    def __init__(self, client: C, method: str) -> None:
        self.client = client
        self.method = method
        self._prefix = ""
        self._namespace = ""
        self._resource = ""
        self._name = ""
        self._subresource = ""
        self._suffix = ""
        self._params: dict[str, str | list[str]] = {}
        self._body: Any = None
        self._content_type = "application/json"
        self._accept = "application/json"
        self._headers: dict[str, str] = {}
        self._timeout: float | None = None
        self._read_timeout: Any = _UNSET
        self._max_retries: int | None = None
        self._stream = False

    # -- path -------------------------------------------------------------------------
    def abs_path(self, *segments: str) -> Self:
        """Set the path prefix, e.g. ``abs_path("/api/v1")`` or ``abs_path("/version")``."""
        self._prefix = "/" + "/".join(s.strip("/") for s in segments if s.strip("/"))
        return self

    def group_version(self, group: str, version: str) -> Self:
        """``/api/<version>`` for the core group, ``/apis/<group>/<version>`` otherwise."""
        return self.abs_path("apis", group, version) if group else self.abs_path("api", version)

    def namespace(self, namespace: str | None) -> Self:
        if namespace:
            self._namespace = _check_segment("namespace", namespace)
        return self

    def resource(self, resource: str) -> Self:
        self._resource = _check_segment("resource", resource)
        return self

    def name(self, name: str) -> Self:
        self._name = _check_segment("name", name)
        return self

    def subresource(self, *subresource: str) -> Self:
        self._subresource = "/".join(_check_segment("subresource", s) for s in subresource)
        return self

    def suffix(self, *segments: str) -> Self:
        self._suffix = "/".join(quote(s, safe="") for s in segments)
        return self

    def path(self) -> str:
        parts = [self._prefix.rstrip("/")]
        if self._namespace and self._resource:
            parts += ["namespaces", self._namespace]
        if self._resource:
            parts.append(self._resource)
        if self._name:
            parts.append(self._name)
        if self._subresource:
            parts.append(self._subresource)
        if self._suffix:
            parts.append(self._suffix)
        return "/".join(parts) or "/"

    def url(self) -> str:
        return self.client.host + self.path()

    # -- query, body, headers -----------------------------------------------------------
    def param(self, key: str, value: Any) -> Self:
        """Set a query parameter (None is skipped; bools become true/false; lists repeat)."""
        if value is not None:
            self._params[key] = _param_value(value)
        return self

    def params(self, values: Mapping[str, Any] | None = None, /, **kwargs: Any) -> Self:
        for source in (values or {}, kwargs):
            for key, value in source.items():
                self.param(key, value)
        return self

    def body(self, body: Any) -> Self:
        """A model, dict/list (sent as JSON) or bytes."""
        self._body = body
        return self

    def content_type(self, content_type: str) -> Self:
        self._content_type = content_type
        return self

    def accept(self, accept: str) -> Self:
        self._accept = accept
        return self

    def header(self, key: str, value: str) -> Self:
        self._headers[key] = value
        return self

    def timeout(self, seconds: float | None) -> Self:
        """Client-side timeout of this request in seconds: the deadline of the whole call
        (retries and their waits included; a stream's body is not included) and the limit of
        each connect and read."""
        self._timeout = seconds
        return self

    def read_timeout(self, seconds: float | None) -> Self:
        """Per-read timeout of a stream (None: wait forever, e.g. ``follow`` logs)."""
        self._read_timeout = seconds
        return self

    def max_retries(self, retries: int) -> Self:
        self._max_retries = retries
        return self

    # -- the request as a transport sees it ------------------------------------------
    def build(self, host: str, default_timeout: float | None) -> HTTPRequest:
        """The :class:`~kubeset.transport.base.HTTPRequest` for ``host`` (no I/O)."""
        data = encode_body(self._body) if self._body is not None else None
        headers = {"Accept": self._accept}
        if data is not None:
            headers["Content-Type"] = self._content_type
        headers.update(self._headers)
        timeout = self._timeout if self._timeout is not None else default_timeout
        read = timeout if self._read_timeout is _UNSET else self._read_timeout
        params = tuple(
            (key, item)
            for key, value in self._params.items()
            for item in (value if isinstance(value, list) else (value,))
        )
        return HTTPRequest(
            method=self.method,
            url=host + self.path(),
            params=params,
            headers=Headers(headers),
            body=data,
            stream=self._stream,
            timeouts=Timeouts.of_call(timeout, read=read),
        )

    @property
    def own_timeout(self) -> float | None:
        """This request's own timeout (None: the client's)."""
        return self._timeout

    @property
    def retries(self) -> int | None:
        """This request's own retry limit (None: the client's)."""
        return self._max_retries

    def watch_read_timeout(self, idle: float | None) -> None:
        """Make this a watch (``watch=true``) and set its read timeout, unless one was set:
        ``timeoutSeconds`` plus a margin (the server ends the stream then), and with bookmarks
        at most ``idle`` (the client's ``watch_idle_timeout``: silence means a dead connection)."""
        self.param("watch", True)
        if self._read_timeout is not _UNSET:
            return
        seconds = self._params.get("timeoutSeconds")
        bookmarks = self._params.get("allowWatchBookmarks") == "true"
        if isinstance(seconds, str):
            # the server ends the stream after timeoutSeconds; allow a margin before giving up
            self._read_timeout = float(seconds) + 30.0
            if idle is not None and bookmarks:
                self._read_timeout = min(self._read_timeout, idle)
        elif bookmarks:
            # the server sends a bookmark about every minute: silence means a dead connection
            self._read_timeout = idle
        else:
            self._read_timeout = None

    def streaming(self, stream: bool) -> Self:
        """Whether the answer is read incrementally (set by ``stream``/``watch``, cleared by ``do``)."""
        self._stream = stream
        return self

    @property
    def what(self) -> str:
        """The request in messages: method and path."""
        return f"{self.method} {self.path()}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.method} {self.path()}>"


class Request(RequestBuilder["Sender"]):
    """A request sent by a :class:`Sender` (the RESTClient): ``do``, ``stream``, ``watch``."""

    __slots__ = ()

    # -- sending ------------------------------------------------------------------------
    def do(self) -> Result:
        """Send; raise an ApiError subclass for a non-2xx answer; return the :class:`Result`."""
        resp = self.client.send(self.streaming(False))
        content = self.client.read(self, resp)
        return Result(resp.status_code, resp.headers, content, self.what)

    def do_raw(self) -> bytes:
        return self.do().content

    def into(self, model: type[M]) -> M:
        """``do().into(model)``."""
        return self.do().into(model)

    def do_then(self, then: Callable[[Result], X]) -> X:
        """``then(do())``: an answer's own reading (a delete's object or Status)."""
        return then(self.do())

    def stream(self) -> Response:
        """Send and return the open response (status checked); close it when done."""
        return self.client.send(self.streaming(True))

    def log_stream(self) -> LogStream:
        """Send; the answer as text lines as they arrive (a followed log)."""
        return LogStream(self.stream(), self.what)

    def watch(self, model: type[M]) -> Watch[M]:
        """Start a watch (``watch=true`` is set) decoding each event's object into ``model``."""
        self.watch_read_timeout(self.client.watch_idle_timeout)
        return Watch(self.stream(), model, what=self.what)
