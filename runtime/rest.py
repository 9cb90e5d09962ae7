"""RESTClient: client-go's request builder in Python form.

    rest = RESTClient(config)
    pod = (rest.get().group_version("", "v1").namespace("default").resource("pods").name("web-0")
           .do().into(Pod))

A :class:`Request` collects verb, namespace, resource, name, subresource, query parameters,
body and timeout; :meth:`Request.do` sends it (JSON in and out, gzip, retries) and returns a
:class:`Result`, or raises an :class:`~kubeset.errors.ApiError` subclass built from the server's
``Status``.  :meth:`Request.stream` gives the open response for logs; :meth:`Request.watch` a typed
:class:`~kubeset.watch.Watch`.

Retries (like client-go): a GET (list, get, watch establishment) is retried with exponential
backoff on 429, 502, 503 and 504, on any 5xx carrying ``Retry-After``, and on a connection reset
before any answer; other verbs are retried only on 429 with ``Retry-After`` (the server rejected
them before doing anything).  ``Retry-After`` is honoured (capped at ``max_retry_after``).
"""

from __future__ import annotations

import base64
import enum
import json
import logging
import random
import socket
import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable
from urllib.parse import quote, urlsplit, urlunsplit

import requests
from pydantic import BaseModel, ValidationError

from .errors import (
    ApiConnectionError,
    DecodeError,
    KubesetError,
    RequestTimeout,
    api_error_from_response,
)
from .serializers import decode_large, to_json

if TYPE_CHECKING:
    from typing import Self

    from .config import Config
    from .watch import Watch

__all__ = [
    "DecodeError",
    "HTTPTransport",
    "LineStream",
    "PatchType",
    "RESTClient",
    "Request",
    "Result",
    "SessionTransport",
]

M = TypeVar("M", bound=BaseModel)
log = logging.getLogger(__name__)  # requests at DEBUG (no headers, no bodies), retries at INFO

_LINE_CHUNK = 64 * 1024  # bytes read at a time from a stream
DEFAULT_TIMEOUT = 60.0  # seconds, when neither the request nor the Config sets one
_SAFE_METHODS = frozenset({"GET", "HEAD"})
_SAFE_RETRY_CODES = frozenset({429, 502, 503, 504})


class PatchType(str, enum.Enum):
    """The patch strategies of the API server (the Content-Type of a PATCH)."""

    JSON = "application/json-patch+json"
    MERGE = "application/merge-patch+json"
    STRATEGIC_MERGE = "application/strategic-merge-patch+json"
    APPLY = "application/apply-patch+yaml"


@runtime_checkable
class HTTPTransport(Protocol):
    """What RESTClient needs from a transport (kubeset.transport.Transport has this)."""

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | list[str]] | None = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
        timeout: float | tuple[float, float] | None = None,
    ) -> requests.Response: ...


class SessionTransport:
    """A bare transport over a ``requests.Session``: no auth, no rate limiter.

    For local servers, tests and benchmarks; real clusters go through
    ``kubeset.transport.Transport`` (built by ``RESTClient(config)``).
    """

    def __init__(self, session: requests.Session | None = None) -> None:
        self.session = session or requests.Session()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | list[str]] | None = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
        timeout: float | tuple[float, float] | None = None,
    ) -> requests.Response:
        return self.session.request(
            method, url, params=params, data=data, headers=headers, stream=stream, timeout=timeout
        )

    def close(self) -> None:
        self.session.close()


def abort_response(response: requests.Response) -> None:
    """Close a streaming response now, from any thread: a read blocked in another thread is
    woken (the socket is shut down first), and the connection is not returned to the pool."""
    sock = getattr(getattr(response.raw, "_connection", None), "sock", None)
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    response.close()


class LineStream:
    """A streaming response read line by line (watch events, followed logs).

    ``stop()`` ends it from any thread; leaving the iteration or the ``with`` block releases the
    connection.  Subclasses set ``_stream`` (what broke) and ``_idle`` (what the read timeout missed).
    """

    _stream = "stream"
    _idle = "data"

    def __init__(self, response: requests.Response, what: str) -> None:
        self._response = response
        self._what = what
        self._stopped = False

    @property
    def stopped(self) -> bool:
        return self._stopped

    def stop(self) -> None:
        """End the stream; safe from another thread (wakes a blocked read, closes the connection)."""
        if self._stopped:
            return
        self._stopped = True
        abort_response(self._response)

    close = stop

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _lines(self) -> Iterator[bytes]:
        """The raw lines (without their newline), the last one even when unterminated."""
        buf = b""
        try:
            for chunk in self._response.iter_content(chunk_size=_LINE_CHUNK):
                if buf:
                    chunk = buf + chunk
                lines = chunk.split(b"\n")
                buf = lines.pop()
                for line in lines:
                    yield line
                    if self._stopped:
                        return
            if buf and not self._stopped:
                yield buf
        except KubesetError:
            raise
        except (requests.RequestException, OSError, AttributeError, ValueError) as e:
            # AttributeError/ValueError: urllib3 reading from a response closed by stop()
            if self._stopped:
                return
            if isinstance(e, ValueError) and not isinstance(e, requests.RequestException):
                raise
            if "timed out" in str(e):
                raise RequestTimeout(f"{self._what}: no {self._idle} within the read timeout") from None
            raise ApiConnectionError(f"{self._what}: the {self._stream} broke: {type(e).__name__}") from None
        finally:
            self._stopped = True
            self._response.close()


def decode_into(model: type[M], content: bytes | str, *, what: str = "") -> M:
    """``model.model_validate_json`` with a clear error.  Large bodies go through
    :func:`kubeset.serializers.decode_large`: garbage collector paused, and the new objects
    promoted to the oldest generation afterwards, so the first collection after the decode
    does not walk the millions of objects the caller now holds."""
    try:
        return decode_large(model, content)
    except ValidationError as e:
        where = f" of {what}" if what else ""
        raise DecodeError.from_validation(f"the answer{where} does not decode into {model.__name__}", e) from None


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


def _retry_after(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None  # an HTTP date: treat as absent
    return max(seconds, 0.0)


def _public_url(url: str) -> str:
    """The URL without user info or query, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class Result:
    """The answer of :meth:`Request.do`: status code, headers and body, decoded on demand."""

    __slots__ = ("_what", "content", "headers", "status_code")

    def __init__(
        self, status_code: int, headers: Mapping[str, str], content: bytes, what: str = ""
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self._what = what

    @property
    def raw(self) -> bytes:
        """The body bytes (already gunzipped)."""
        return self.content

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as plain JSON data."""
        if not self.content:
            return None
        try:
            return json.loads(self.content)
        except ValueError:
            raise DecodeError(f"the answer of {self._what} is not JSON") from None

    def into(self, model: type[M]) -> M:
        """Decode the body into ``model`` (GC paused for large bodies)."""
        return decode_into(model, self.content, what=self._what)

    def is_status(self) -> bool:
        """True when the body is a ``Status`` object (e.g. the answer of a delete)."""
        head = self.content[:256]
        return b'"kind":"Status"' in head.replace(b" ", b"")

    def __repr__(self) -> str:
        return f"<Result {self.status_code} {len(self.content)} bytes>"


class RESTClient:
    """Sends Kubernetes API requests through a transport; see :class:`Request`.

    ``RESTClient(config)`` builds a :class:`kubeset.transport.Transport` from a ``Config``;
    ``RESTClient(transport, host=...)`` uses any object with the transport's ``request`` method.
    """

    def __init__(
        self,
        config: Config | HTTPTransport,
        *,
        host: str | None = None,
        timeout: float | None = None,
        max_retries: int = 5,
        backoff_base: float = 0.25,
        backoff_max: float = 8.0,
        max_retry_after: float = 60.0,
    ) -> None:
        if isinstance(config, HTTPTransport):
            self.transport: HTTPTransport = config
            inner = getattr(config, "config", None)
            base = host or getattr(inner, "host", None) or getattr(config, "host", None)
            default_timeout = timeout if timeout is not None else getattr(inner, "timeout", None)
        else:
            from .transport import Transport

            self.transport = Transport(config)
            base = host or config.host
            default_timeout = timeout if timeout is not None else config.timeout
        if not base:
            raise ValueError(
                "RESTClient needs the server URL: pass host='https://...' with a bare transport"
            )
        if "://" not in base:
            raise ValueError(
                f"server URL {_public_url(base)!r} has no scheme (expected https://host:port)"
            )
        self.host = base.rstrip("/")
        self.timeout: float = default_timeout if default_timeout is not None else DEFAULT_TIMEOUT
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after

    # -- builder entry points (client-go: Get(), Post(), Put(), Patch(pt), Delete()) -------
    def verb(self, method: str) -> Request:
        return Request(self, method.upper())

    def get(self) -> Request:
        return Request(self, "GET")

    def post(self) -> Request:
        return Request(self, "POST")

    def put(self) -> Request:
        return Request(self, "PUT")

    def patch(self, patch_type: PatchType | str) -> Request:
        pt = patch_type.value if isinstance(patch_type, PatchType) else str(patch_type)
        return Request(self, "PATCH").content_type(pt)

    def delete(self) -> Request:
        return Request(self, "DELETE")

    def close(self) -> None:
        close = getattr(self.transport, "close", None)
        if callable(close):
            close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<RESTClient {_public_url(self.host)}>"

    # -- sending ------------------------------------------------------------------------
    def _backoff(self, attempt: int) -> float:
        delay: float = min(self.backoff_max, self.backoff_base * (2**attempt))
        return delay * (0.5 + random.random() / 2)

    def send(self, req: Request, *, stream: bool = False) -> requests.Response:
        """Send with retries; returns the response of the last attempt (any status)."""
        method = req.method
        url = req.url()
        data = encode_body(req._body) if req._body is not None else None
        # gzip: requests asks for it by default (the transport turns it off for
        # Config.disable_compression), and decodes the answer transparently
        headers = {"Accept": req._accept}
        if data is not None:
            headers["Content-Type"] = req._content_type
        headers.update(req._headers)
        timeout = req._timeout if req._timeout is not None else self.timeout
        read_timeout: float | None = timeout
        if req._read_timeout is not _UNSET:
            read_timeout = req._read_timeout
        req_timeout: float | tuple[float, float] | None
        if read_timeout is None:
            req_timeout = (timeout, None)  # type: ignore[assignment]
        elif read_timeout == timeout:
            req_timeout = timeout
        else:
            req_timeout = (timeout, read_timeout)
        max_retries = req._max_retries if req._max_retries is not None else self.max_retries
        safe = method in _SAFE_METHODS
        attempt = 0
        while True:
            try:
                resp = self.transport.request(
                    method,
                    url,
                    params=req._params or None,
                    data=data,
                    headers=headers,
                    stream=stream,
                    timeout=req_timeout,
                )
            except requests.Timeout as e:
                kind = "connect" if isinstance(e, requests.ConnectTimeout) else "read"
                raise RequestTimeout(
                    f"{method} {_public_url(url)}: no answer within {timeout:g} s ({kind} timeout);"
                    " raise the timeout (Config.timeout or timeout=) or check the server"
                ) from None
            except requests.ConnectionError as e:
                if safe and attempt < max_retries and _is_reset(e):
                    log.info(
                        "%s %s: connection lost before an answer, retrying", method, req.path()
                    )
                    time.sleep(self._backoff(attempt))
                    attempt += 1
                    continue
                raise ApiConnectionError(
                    f"{method} {_public_url(url)}: cannot reach the server: {_short_reason(e)}"
                ) from None
            code = resp.status_code
            if log.isEnabledFor(logging.DEBUG):  # client-go's -v=6: verb, URL path, status, time
                log.debug(
                    "%s %s %d in %.3fs", method, req.path(), code, resp.elapsed.total_seconds()
                )
            if code < 400 or attempt >= max_retries:
                return resp
            retry_after = _retry_after(resp)
            if safe:
                retry = code in _SAFE_RETRY_CODES or (code >= 500 and retry_after is not None)
            else:
                retry = code == 429 and retry_after is not None
            if not retry:
                return resp
            resp.close()
            delay = (
                min(retry_after, self.max_retry_after)
                if retry_after is not None
                else self._backoff(attempt)
            )
            log.info(
                "%s %s: %d, retrying in %.2fs (attempt %d of %d)",
                method,
                req.path(),
                code,
                delay,
                attempt + 1,
                max_retries,
            )
            time.sleep(delay)
            attempt += 1

    def raise_for_status(self, req: Request, resp: requests.Response) -> None:
        if resp.status_code < 400:
            return
        try:
            body = resp.content
        except requests.RequestException:
            body = b""
        finally:
            resp.close()
        raise api_error_from_response(
            resp.status_code,
            body,
            resp.headers.get("Content-Type", ""),
            method=req.method,
            path=req.path(),
        )


def _is_reset(e: requests.ConnectionError) -> bool:
    text = repr(e).lower()
    return any(
        s in text
        for s in ("reset", "remotedisconnected", "connection aborted", "broken pipe", "eof")
    )


def _short_reason(e: BaseException) -> str:
    text = str(e)
    for marker in ("Failed to establish a new connection: ", "Caused by "):
        if marker in text:
            text = text.split(marker, 1)[1]
    text = text.strip("()'\" ")
    return text[:200]


class _Unset:
    pass


_UNSET: Any = _Unset()


class Request:
    """One API request under construction; every setter returns the request (chainable)."""

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
        "_subresource",
        "_suffix",
        "_timeout",
        "client",
        "method",
    )

    def __init__(self, client: RESTClient, method: str) -> None:
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
        """Client-side timeout of this request (connect and each read), in seconds."""
        self._timeout = seconds
        return self

    def read_timeout(self, seconds: float | None) -> Self:
        """Per-read timeout of a stream (None: wait forever, e.g. ``follow`` logs)."""
        self._read_timeout = seconds
        return self

    def max_retries(self, retries: int) -> Self:
        self._max_retries = retries
        return self

    # -- sending ------------------------------------------------------------------------
    def do(self) -> Result:
        """Send; raise an ApiError subclass for a non-2xx answer; return the :class:`Result`."""
        resp = self.client.send(self)
        self.client.raise_for_status(self, resp)
        try:
            content = resp.content
        except requests.RequestException as e:
            if isinstance(e, requests.Timeout) or "timed out" in str(e).lower():
                raise RequestTimeout(
                    f"{self.method} {_public_url(self.url())}: the answer did not complete in time"
                ) from None
            raise ApiConnectionError(
                f"{self.method} {_public_url(self.url())}: connection lost while reading the answer:"
                f" {_short_reason(e)}"
            ) from None
        return Result(resp.status_code, resp.headers, content, f"{self.method} {self.path()}")

    def do_raw(self) -> bytes:
        return self.do().content

    def into(self, model: type[M]) -> M:
        """``do().into(model)``."""
        return self.do().into(model)

    def stream(self) -> requests.Response:
        """Send and return the open response (status checked); close it when done."""
        resp = self.client.send(self, stream=True)
        self.client.raise_for_status(self, resp)
        return resp

    def watch(self, model: type[M]) -> Watch[M]:
        """Start a watch (``watch=true`` is set) decoding each event's object into ``model``."""
        from .watch import Watch

        self.param("watch", True)
        if self._read_timeout is _UNSET:
            seconds = self._params.get("timeoutSeconds")
            # the server ends the stream after timeoutSeconds; allow a margin before giving up
            self._read_timeout = float(seconds) + 30.0 if isinstance(seconds, str) else None
        return Watch(self.stream(), model, what=f"{self.method} {self.path()}")

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.path()}>"
