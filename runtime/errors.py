"""Errors: every non-2xx answer of the API server becomes an :class:`ApiError` subclass.

The subclass is chosen from the server's ``Status`` like k8s.io/apimachinery/pkg/api/errors:
by ``reason`` first, then by HTTP status code.  A body that is not a ``Status`` (an HTML page
from a proxy, a plain-text 502, ...) still gives the subclass of its status code, with a short
excerpt of the body in the message.

Client-side failures (no answer in time, no connection) are :class:`RequestTimeout` and
:class:`ApiConnectionError` (:class:`ConnectionLost` when an established connection broke);
configuration problems are :class:`ConfigError` (:class:`ExecPluginError` for credential plugins);
:class:`SchemeError` is data the scheme cannot place; :class:`DecodeError` an answer that does not
decode, :class:`ResponseTooLarge` one beyond a size limit; :class:`NoMatchError` and
:class:`AmbiguousMatchError` are names the RESTMapper cannot resolve to one resource;
:class:`ManifestError` is a manifest document that cannot be applied, :class:`ApplySetError` an
ApplySet (its parent object) that cannot be used, :class:`WaitError` an object that did not
become ready (:class:`WaitTimeout` when time ran out); :class:`StreamError` an exec, attach,
port-forward or copy stream that cannot do what was asked (:class:`CommandFailed`: a command run
with ``check=True`` exited non-zero).  Every one derives from
:class:`KubesetError`, so ``except kubeset.KubesetError`` catches whatever kubeset raises.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AlreadyExists",
    "AmbiguousMatchError",
    "ApiConnectionError",
    "ApiError",
    "ApplySetError",
    "BadRequest",
    "CommandFailed",
    "ConfigError",
    "Conflict",
    "ConnectionLost",
    "DecodeError",
    "ExecPluginError",
    "Expired",
    "Forbidden",
    "Gone",
    "InternalError",
    "Invalid",
    "KubesetError",
    "ManifestError",
    "MethodNotAllowed",
    "NoMatchError",
    "NotAcceptable",
    "NotFound",
    "RequestEntityTooLarge",
    "RequestTimeout",
    "ResponseTooLarge",
    "SchemeError",
    "ServerTimeout",
    "ServiceUnavailable",
    "StatusCause",
    "StatusDetails",
    "StreamError",
    "Timeout",
    "TooManyRequests",
    "Unauthorized",
    "UnsupportedMediaType",
    "WaitError",
    "WaitTimeout",
    "api_error_from_response",
    "api_error_from_status",
]

_EXCERPT = 200  # characters of a non-Status body kept in the message


class KubesetError(Exception):
    """Base class of every error raised by the kubeset runtime."""


@dataclass(frozen=True, slots=True)
class StatusCause:
    """One cause of a failure (``Status.details.causes[]``): which field, why, what."""

    reason: str = ""  # e.g. "FieldValueRequired", "FieldValueInvalid"
    message: str = ""
    field: str = ""  # e.g. "spec.containers[0].image"

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{where}{self.message or self.reason}"


@dataclass(frozen=True, slots=True)
class StatusDetails:
    """``Status.details``: the object the failure is about and its causes."""

    name: str = ""
    group: str = ""
    kind: str = ""
    uid: str = ""
    causes: tuple[StatusCause, ...] = field(default_factory=tuple)
    retry_after_seconds: int | None = None


class ApiError(KubesetError):
    """The API server answered with a non-2xx status.

    Attributes: ``status_code`` (HTTP), ``reason`` (``Status.reason``, e.g. ``"NotFound"``),
    ``message`` (``Status.message``), ``details`` (:class:`StatusDetails`), ``status`` (the
    decoded ``Status`` dict, or ``None`` when the body was not a Status), ``method`` and ``path``
    of the request when known.
    """

    default_reason: str = ""

    def __init__(
        self,
        status_code: int,
        reason: str = "",
        message: str = "",
        *,
        details: StatusDetails | None = None,
        status: dict[str, Any] | None = None,
        method: str = "",
        path: str = "",
        body_excerpt: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.reason = reason or self.default_reason
        self.message = message
        self.details = details or StatusDetails()
        self.status = status
        self.method = method
        self.path = path
        self.body_excerpt = body_excerpt
        super().__init__(self._describe())

    # convenience accessors (client-go: errors.IsNotFound(err) / err.ErrStatus.Details.Name)
    @property
    def code(self) -> int:
        return self.status_code

    @property
    def name(self) -> str:
        return self.details.name

    @property
    def kind(self) -> str:
        return self.details.kind

    @property
    def group(self) -> str:
        return self.details.group

    @property
    def causes(self) -> tuple[StatusCause, ...]:
        return self.details.causes

    @property
    def retry_after_seconds(self) -> int | None:
        return self.details.retry_after_seconds

    def _describe(self) -> str:
        head = f"{self.status_code} {self.reason}" if self.reason else f"{self.status_code}"
        request = f" ({self.method} {self.path})" if self.method and self.path else ""
        if self.status is None:
            excerpt = self.body_excerpt if self.body_excerpt is not None else ""
            text = (
                f"{head}{request}: the server's answer is not a Kubernetes Status"
                f" (a proxy or load balancer in between?); body: {excerpt!r}"
            )
        else:
            text = f"{head}{request}: {self.message or '(no message)'}"
        if self.details.causes:
            text += "; causes: " + "; ".join(str(c) for c in self.details.causes)
        return text

    def __reduce__(self) -> tuple[Any, ...]:  # picklable despite keyword-only arguments
        return (_rebuild, (type(self), self.__dict__.copy()))


def _rebuild(cls: type[ApiError], state: dict[str, Any]) -> ApiError:
    err = cls.__new__(cls)
    err.__dict__.update(state)
    Exception.__init__(err, err._describe())
    return err


class BadRequest(ApiError):
    default_reason = "BadRequest"


class Unauthorized(ApiError):
    default_reason = "Unauthorized"


class Forbidden(ApiError):
    default_reason = "Forbidden"


class NotFound(ApiError):
    default_reason = "NotFound"


class MethodNotAllowed(ApiError):
    default_reason = "MethodNotAllowed"


class NotAcceptable(ApiError):
    default_reason = "NotAcceptable"


class Conflict(ApiError):
    """409: usually a stale ``resourceVersion`` on update (re-read and retry)."""

    default_reason = "Conflict"


class AlreadyExists(ApiError):
    """409 with reason AlreadyExists: create of a name that exists (not a :class:`Conflict`)."""

    default_reason = "AlreadyExists"


class Gone(ApiError):
    default_reason = "Gone"


class Expired(Gone):
    """410 Expired / "too old resource version": a watch or list continue must restart."""

    default_reason = "Expired"


class RequestEntityTooLarge(ApiError):
    default_reason = "RequestEntityTooLarge"


class UnsupportedMediaType(ApiError):
    default_reason = "UnsupportedMediaType"


class Invalid(ApiError):
    """422: the object failed validation; ``causes`` says which fields and why."""

    default_reason = "Invalid"


class TooManyRequests(ApiError):
    default_reason = "TooManyRequests"


class InternalError(ApiError):
    default_reason = "InternalError"


class ServerTimeout(InternalError):
    """reason ServerTimeout: the server could not finish in time (may be retried)."""

    default_reason = "ServerTimeout"


class ServiceUnavailable(ApiError):
    default_reason = "ServiceUnavailable"


class Timeout(ApiError):
    """504 / reason Timeout: the request did not complete in the server's time limit."""

    default_reason = "Timeout"


class DecodeError(KubesetError):
    """A 2xx answer (or watch event) that does not decode into the expected model."""

    @classmethod
    def from_validation(cls, what: str, error: Any) -> DecodeError:
        """``what``, then where the first of pydantic's validation errors is and what it says."""
        found = error.errors()
        first: Mapping[str, Any] = found[0] if found else {}
        loc = ".".join(str(p) for p in first.get("loc", ())) or "(top)"
        count = f"{len(found)} errors, the first " if len(found) > 1 else ""
        return cls(f"{what}: {count}at {loc}: {first.get('msg', '')}")


class RequestTimeout(KubesetError, TimeoutError):
    """No (complete) answer from the server within the client-side timeout."""


class ApiConnectionError(KubesetError, ConnectionError):
    """The server could not be reached (refused, DNS, TLS, reset before an answer)."""


class ConnectionLost(ApiConnectionError):
    """An established connection broke (reset, closed early, truncated body): a GET may be
    sent again; other verbs may have reached the server."""


class ResponseTooLarge(KubesetError):
    """An answer beyond a configured size limit: a body (after decompression), or one line of a
    stream (a watch event).  Not retried; raise the limit if the data is legitimate."""


class ConfigError(KubesetError):
    """The configuration cannot be loaded or used.

    ``errors`` holds every individual problem when several were found together
    (client-go's aggregated "invalid configuration" error); the message lists them all.
    Messages name files and fields, never secret values.
    """

    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.errors: list[str] = list(errors) if errors else [message]


class ExecPluginError(ConfigError):
    """An exec credential plugin could not be run or returned something unusable."""


class SchemeError(KubesetError, ValueError):
    """Data without apiVersion/kind, or an (apiVersion, kind) the scheme does not know."""


class NoMatchError(KubesetError, LookupError):
    """A kind or resource the server does not serve (RESTMapper); ``candidates`` are close names."""

    def __init__(self, message: str, candidates: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.candidates = candidates


class AmbiguousMatchError(KubesetError, LookupError):
    """A short or partial name matching several resources; ``candidates`` names each of them."""

    def __init__(self, message: str, candidates: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.candidates = candidates


class ManifestError(KubesetError, ValueError):
    """A manifest document that cannot be applied: ``source`` names the file and document index."""

    def __init__(self, message: str, source: str = "") -> None:
        super().__init__(f"{source}: {message}" if source else message)
        self.source = source


class ApplySetError(KubesetError, ValueError):
    """An ApplySet that cannot be used: a bad parent reference, a parent of another tool or
    with another id, a parent kind not allowed, a member already labelled for another set."""


class WaitError(KubesetError):
    """Objects that did not become ready: ``results`` holds every object's last judgement
    (``kubeset.dynamic.wait.WaitResult``); the message names each one not ready and why."""

    def __init__(self, message: str, results: tuple[Any, ...] = ()) -> None:
        super().__init__(message)
        self.results = results


class WaitTimeout(WaitError, TimeoutError):
    """The wait's time ran out before every object was ready."""


class StreamError(KubesetError):
    """An exec, attach, port-forward or copy stream that cannot do what was asked: a channel
    protocol that cannot close stdin (``v4.channel.k8s.io``), an error reported by the pod side
    of a forwarded port, a copy whose paths or archive are refused, ``websockets`` missing."""


class CommandFailed(StreamError):
    """A command run with ``check=True`` exited non-zero (``subprocess.CalledProcessError``):
    ``exit_code``, ``command``, ``stdout`` and ``stderr`` (bytes) of the run."""

    def __init__(
        self, command: tuple[str, ...], exit_code: int, stdout: bytes = b"", stderr: bytes = b""
    ) -> None:
        tail = stderr[-_EXCERPT:].decode("utf-8", errors="replace").strip()
        super().__init__(
            f"command {list(command)!r} exited with code {exit_code}"
            + (f": {tail}" if tail else "")
        )
        self.command = command
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr


_BY_REASON: dict[str, type[ApiError]] = {
    "BadRequest": BadRequest,
    "Unauthorized": Unauthorized,
    "Forbidden": Forbidden,
    "NotFound": NotFound,
    "MethodNotAllowed": MethodNotAllowed,
    "NotAcceptable": NotAcceptable,
    "AlreadyExists": AlreadyExists,
    "Conflict": Conflict,
    "Gone": Gone,
    "Expired": Expired,
    "RequestEntityTooLarge": RequestEntityTooLarge,
    "UnsupportedMediaType": UnsupportedMediaType,
    "Invalid": Invalid,
    "TooManyRequests": TooManyRequests,
    "InternalError": InternalError,
    "ServerTimeout": ServerTimeout,
    "ServiceUnavailable": ServiceUnavailable,
    "Timeout": Timeout,
}

_BY_CODE: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    406: NotAcceptable,
    409: Conflict,
    410: Gone,
    413: RequestEntityTooLarge,
    415: UnsupportedMediaType,
    422: Invalid,
    429: TooManyRequests,
    500: InternalError,
    503: ServiceUnavailable,
    504: Timeout,
}


def error_class(status_code: int, reason: str = "") -> type[ApiError]:
    """The ApiError subclass for a reason (first) and HTTP status code (then)."""
    cls = _BY_REASON.get(reason)
    if cls is not None:
        return cls
    cls = _BY_CODE.get(status_code)
    if cls is not None:
        return cls
    if 500 <= status_code < 600:
        return InternalError
    return ApiError


def _looks_expired(status_code: int, reason: str, message: str) -> bool:
    # apiserver: 410 with reason Expired, or reason Gone with "too old resource version".
    return status_code == 410 and (reason == "Expired" or "too old" in message.lower())


def _text(raw: Mapping[str, Any], key: str) -> str:
    """A string field of a Status; anything that is not a string (or a number) reads as empty."""
    value = raw.get(key)
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _details(raw: Any) -> StatusDetails:
    """``Status.details``, reading what has the expected shape and ignoring the rest (a hostile
    or broken server must still give the ApiError of its status code)."""
    if not isinstance(raw, dict):
        return StatusDetails()
    found = raw.get("causes")
    causes = tuple(
        StatusCause(reason=_text(c, "reason"), message=_text(c, "message"), field=_text(c, "field"))
        for c in (found if isinstance(found, list) else ())
        if isinstance(c, dict)
    )
    retry = raw.get("retryAfterSeconds")
    return StatusDetails(
        name=_text(raw, "name"),
        group=_text(raw, "group"),
        kind=_text(raw, "kind"),
        uid=_text(raw, "uid"),
        causes=causes,
        retry_after_seconds=retry if type(retry) is int and 0 <= retry else None,
    )


def api_error_from_status(
    status: dict[str, Any], status_code: int | None = None, *, method: str = "", path: str = ""
) -> ApiError:
    """Build the ApiError subclass for a decoded ``Status`` (HTTP answer or watch ERROR event)."""
    code_field = status.get("code")
    if status_code is not None:
        code = status_code
    elif type(code_field) is int and 100 <= code_field <= 999:
        code = code_field
    else:
        code = 500
    reason = _text(status, "reason")
    message = _text(status, "message")
    cls = error_class(code, reason)
    if cls is Gone and _looks_expired(code, reason, message):
        cls = Expired
    return cls(
        code,
        reason,
        message,
        details=_details(status.get("details")),
        status=status,
        method=method,
        path=path,
    )


def _excerpt(body: bytes) -> str:
    text = body[: _EXCERPT * 4].decode("utf-8", errors="replace")
    text = " ".join(text.split())  # collapse newlines/indentation of HTML pages
    return text[:_EXCERPT] + ("..." if len(text) > _EXCERPT else "")


def api_error_from_response(
    status_code: int, body: bytes, content_type: str = "", *, method: str = "", path: str = ""
) -> ApiError:
    """Build the ApiError subclass for a non-2xx HTTP answer.

    ``path`` should be the request path without query or credentials (it is shown in the message).
    """
    status: Any = None
    if body and ("json" in content_type or body[:1] in (b"{", b" ", b"\n")):
        try:
            status = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, or nested too deep to be a Status
            status = None
    if isinstance(status, dict) and status.get("kind") == "Status":
        return api_error_from_status(status, status_code, method=method, path=path)
    cls = error_class(status_code)
    return cls(
        status_code, "", "", status=None, method=method, path=path, body_excerpt=_excerpt(body)
    )
