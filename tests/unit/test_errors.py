"""ApiError subclasses chosen from the server's Status: reason first, then code."""

from __future__ import annotations

import json
import pickle

import pytest
from kubeset import errors
from kubeset.errors import api_error_from_response, api_error_from_status


def _status(code: int, reason: str, message: str = "m", **details: object) -> dict[str, object]:
    out: dict[str, object] = {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "code": code,
        "reason": reason,
        "message": message,
    }
    if details:
        out["details"] = details
    return out


@pytest.mark.parametrize(
    ("code", "reason", "cls"),
    [
        (404, "NotFound", errors.NotFound),
        (409, "AlreadyExists", errors.AlreadyExists),
        (409, "Conflict", errors.Conflict),
        (422, "Invalid", errors.Invalid),
        (403, "Forbidden", errors.Forbidden),
        (401, "Unauthorized", errors.Unauthorized),
        (410, "Gone", errors.Gone),
        (410, "Expired", errors.Expired),
        (429, "TooManyRequests", errors.TooManyRequests),
        (400, "BadRequest", errors.BadRequest),
        (405, "MethodNotAllowed", errors.MethodNotAllowed),
        (500, "InternalError", errors.InternalError),
        (500, "ServerTimeout", errors.ServerTimeout),
        (503, "ServiceUnavailable", errors.ServiceUnavailable),
        (504, "Timeout", errors.Timeout),
        (415, "UnsupportedMediaType", errors.UnsupportedMediaType),
        (413, "RequestEntityTooLarge", errors.RequestEntityTooLarge),
    ],
)
def test_reason_picks_the_class(code: int, reason: str, cls: type[errors.ApiError]) -> None:
    err = api_error_from_status(_status(code, reason))
    assert type(err) is cls
    assert err.status_code == code and err.reason == reason


def test_reason_wins_over_code() -> None:
    # a 500 whose reason says NotFound is a NotFound (apimachinery reads reason first)
    assert type(api_error_from_status(_status(500, "NotFound"))) is errors.NotFound


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (404, errors.NotFound),
        (409, errors.Conflict),
        (422, errors.Invalid),
        (502, errors.InternalError),
        (503, errors.ServiceUnavailable),
        (418, errors.ApiError),
        (410, errors.Gone),
    ],
)
def test_code_is_the_fallback(code: int, cls: type[errors.ApiError]) -> None:
    err = api_error_from_status(_status(code, ""))
    assert type(err) is cls


def test_gone_with_too_old_resource_version_is_expired() -> None:
    err = api_error_from_status(_status(410, "Gone", "too old resource version: 5 (10)"))
    assert isinstance(err, errors.Expired) and isinstance(err, errors.Gone)


def test_already_exists_is_not_a_conflict() -> None:
    # a retry-on-Conflict loop for updates must not swallow a create's AlreadyExists
    assert not issubclass(errors.AlreadyExists, errors.Conflict)


def test_invalid_carries_causes_and_names_them() -> None:
    st = _status(
        422,
        "Invalid",
        'Pod "x" is invalid',
        name="x",
        kind="Pod",
        causes=[
            {
                "reason": "FieldValueRequired",
                "message": "Required value",
                "field": "spec.containers",
            },
            {"reason": "FieldValueInvalid", "message": "bad", "field": "metadata.name"},
        ],
    )
    err = api_error_from_response(
        422,
        json.dumps(st).encode(),
        "application/json",
        method="POST",
        path="/api/v1/namespaces/d/pods",
    )
    assert isinstance(err, errors.Invalid)
    assert [c.field for c in err.causes] == ["spec.containers", "metadata.name"]
    assert err.name == "x" and err.kind == "Pod"
    text = str(err)
    assert "422 Invalid" in text and "POST /api/v1/namespaces/d/pods" in text
    assert "spec.containers: Required value" in text


def test_html_body_from_a_proxy_gives_a_clear_error() -> None:
    html = (
        b"<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>"
        + b" " * 2000
        + b"tail"
    )
    err = api_error_from_response(502, html, "text/html", method="GET", path="/api/v1/pods")
    assert isinstance(err, errors.InternalError)
    assert err.status is None
    text = str(err)
    assert "502" in text and "not a Kubernetes Status" in text and "502 Bad Gateway" in text
    assert "tail" not in text and len(text) < 500  # an excerpt, not the whole page


def test_json_that_is_not_a_status() -> None:
    err = api_error_from_response(404, b'{"error": "nope"}', "application/json")
    assert isinstance(err, errors.NotFound) and err.status is None and "nope" in str(err)


def test_errors_pickle_and_keep_fields() -> None:
    err = api_error_from_status(
        _status(404, "NotFound", 'pods "a" not found', name="a", kind="pods")
    )
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is errors.NotFound and again.name == "a" and str(again) == str(err)
