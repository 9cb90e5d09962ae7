"""The pure decisions behind the failure model: Retry-After parsing, the retry policy's clamp,
and which read limit a watch gets (no sockets: a MockTransport records the request)."""

from __future__ import annotations

import math

import pytest
from kubeset.kubernetes.models.core.v1 import Pod
from kubeset.rest import RESTClient
from kubeset.rest.retry import RetryPolicy, parse_retry_after
from kubeset.rest.watch import WATCH_IDLE_TIMEOUT
from kubeset.transport.base import HTTPRequest, Response
from kubeset.transport.mock import MockTransport


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        (" 1.5 ", 1.5),
        ("0", 0.0),
        ("nan", None),
        ("-1", None),
        ("-inf", None),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", None),
        ("9" * 33, None),
        ("", None),
    ],
)
def test_parse_retry_after(value: str, expected: float | None) -> None:
    assert parse_retry_after({"Retry-After": value}) == expected


def test_infinite_retry_after_is_capped_by_the_policy() -> None:
    seconds = parse_retry_after({"Retry-After": "inf"})
    assert seconds is not None and math.isinf(seconds)
    assert RetryPolicy(max_retry_after=60).after_response("GET", 0, 503, seconds) == 60


def _watch_read_limit(rest: RESTClient, **params: object) -> float | None:
    seen: list[HTTPRequest] = []

    def answer(request: HTTPRequest) -> Response:
        seen.append(request)
        return Response(200, {}, b"")

    rest.transport = MockTransport(answer)
    list(rest.get().abs_path("api/v1/pods").params(params).watch(Pod))
    return seen[0].timeouts.read


def test_watch_read_limits() -> None:
    rest = RESTClient(MockTransport(lambda r: Response(200)), host="http://x")
    assert _watch_read_limit(rest, allowWatchBookmarks=True) == WATCH_IDLE_TIMEOUT == 120.0
    assert _watch_read_limit(rest) is None  # no bookmarks: silence is legitimate
    assert _watch_read_limit(rest, timeoutSeconds=10) == 40.0
    assert _watch_read_limit(rest, timeoutSeconds=600, allowWatchBookmarks=True) == 120.0
    rest.watch_idle_timeout = None
    assert _watch_read_limit(rest, allowWatchBookmarks=True) is None
