"""Kubernetes ``Status`` failures raised inside the fake cluster and answered as HTTP errors.

    raise not_found(resource, "web-0")          # -> 404 Status, reason NotFound
    raise invalid(resource, "x", [("metadata.name", "FieldValueRequired", "name is required")])

Each helper returns the :class:`kubeset.errors.ApiError` subclass the client would raise for the
same answer (one table: :func:`kubeset.errors.error_class`), carrying the ``Status`` dict the
fake's transport sends back as the body.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import ApiError, Expired, api_error_from_status

__all__ = [
    "already_exists",
    "bad_request",
    "conflict",
    "expired",
    "failure",
    "invalid",
    "method_not_allowed",
    "not_found",
    "status_body",
]


def failure(
    code: int,
    reason: str,
    message: str,
    *,
    name: str = "",
    group: str = "",
    kind: str = "",
    causes: Sequence[tuple[str, str, str]] = (),
    retry_after_seconds: int = 0,
) -> ApiError:
    """The ApiError for a Status with ``code``, ``reason`` and details; causes are (field, reason, message)."""
    status: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    details: dict[str, Any] = {}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    if kind:
        details["kind"] = kind
    if retry_after_seconds:
        details["retryAfterSeconds"] = retry_after_seconds
    if causes:
        details["causes"] = [{"reason": r, "message": m, "field": f} for f, r, m in causes]
    if details:
        status["details"] = details
    return api_error_from_status(status, code)


def status_body(error: ApiError) -> dict[str, Any]:
    """The Status dict an error carries (built from its fields when it has none)."""
    if error.status is not None:
        return error.status
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": error.message,
        "reason": error.reason,
        "code": error.status_code,
    }


def _qualified(plural: str, group: str) -> str:
    return f"{plural}.{group}" if group else plural


def not_found(plural: str, group: str, name: str) -> ApiError:
    return failure(
        404,
        "NotFound",
        f'{_qualified(plural, group)} "{name}" not found',
        name=name,
        group=group,
        kind=plural,
    )


def already_exists(plural: str, group: str, name: str) -> ApiError:
    return failure(
        409,
        "AlreadyExists",
        f'{_qualified(plural, group)} "{name}" already exists',
        name=name,
        group=group,
        kind=plural,
    )


def conflict(plural: str, group: str, name: str, why: str) -> ApiError:
    return failure(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {_qualified(plural, group)} "{name}": {why}',
        name=name,
        group=group,
        kind=plural,
    )


def invalid(kind: str, group: str, name: str, causes: Sequence[tuple[str, str, str]]) -> ApiError:
    """422 Invalid; causes are (field, reason, message) like the apiserver's field errors."""
    summary = ", ".join(f"{f}: {m}" for f, _, m in causes)
    return failure(
        422,
        "Invalid",
        f'{_qualified(kind, group)} "{name}" is invalid: {summary}',
        name=name,
        group=group,
        kind=kind,
        causes=causes,
    )


def bad_request(message: str) -> ApiError:
    return failure(400, "BadRequest", message)


def method_not_allowed(message: str) -> ApiError:
    return failure(405, "MethodNotAllowed", message)


def expired(message: str) -> Expired:
    error = failure(410, "Expired", message)
    assert isinstance(error, Expired)
    return error
