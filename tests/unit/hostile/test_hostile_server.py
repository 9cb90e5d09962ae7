"""What a hostile or broken server does to a call: every failure a KubesetError, in bounded time.

Each test runs kubeset (the sync client and the asyncio one) against :class:`RawServer` (raw sockets: short bodies, broken gzip,
trickling and stalled bodies, malformed Status, absurd Retry-After, deep JSON) and asserts the
exception type, that it is a ``KubesetError`` and a bound on the time the call took.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from kubeset import errors
from kubeset.kubernetes.models.core.v1 import Pod
from kubeset.rest import RESTClient
from kubeset.transport.session import SessionTransport
from stacks import STACKS, Stack

from .rawserver import RawRequest, RawServer, head, send, trickle

DEEP = b"[" * 10_000 + b"]" * 10_000


_stack: list[Stack] = []


@pytest.fixture(params=STACKS, autouse=True)
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    """Every test runs on the sync client and on the asyncio one (same assertions)."""
    with Stack(request.param) as s:
        _stack.append(s)
        try:
            yield s
        finally:
            _stack.pop()


@pytest.fixture
def srv() -> Iterator[RawServer]:
    with RawServer() as server:
        yield server


def client(srv: RawServer, **kwargs: Any) -> RESTClient:
    kwargs.setdefault("backoff_base", 0.01)
    rest: RESTClient = _stack[-1].rest_client(host=srv.url, **kwargs)
    return rest


def failing(
    call: Callable[[], object], kind: type[errors.KubesetError], within: float
) -> errors.KubesetError:
    """Run ``call``; it must raise ``kind`` (a KubesetError) within ``within`` seconds."""
    started = time.monotonic()
    with pytest.raises(kind) as info:
        call()
    took = time.monotonic() - started
    assert isinstance(info.value, errors.KubesetError)
    assert took < within, f"took {took:.1f} s"
    return info.value


def status_body(code: int, **fields: Any) -> bytes:
    return json.dumps({"kind": "Status", "apiVersion": "v1", "code": code, **fields}).encode()


# -- bodies that break -----------------------------------------------------------------------


def test_short_body_is_connection_lost_and_a_get_is_retried(srv: RawServer) -> None:
    srv.script = lambda c, r: c.sendall(head(200, {"Content-Length": "100"}) + b'{"a"')
    rest = client(srv, max_retries=2)
    err = failing(lambda: rest.get().abs_path("api").do(), errors.ConnectionLost, 10)
    assert "GET" in str(err)
    assert srv.count == 3  # the GET was sent again twice


def test_short_body_of_a_post_is_not_retried(srv: RawServer) -> None:
    srv.script = lambda c, r: c.sendall(head(201, {"Content-Length": "100"}) + b'{"a"')
    rest = client(srv, max_retries=2)
    failing(lambda: rest.post().abs_path("api").body({}).do(), errors.ConnectionLost, 10)
    assert srv.count == 1


def test_broken_chunked_encoding_is_connection_lost(srv: RawServer) -> None:
    srv.script = lambda c, r: c.sendall(
        head(200, {"Transfer-Encoding": "chunked"}) + b"5\r\n{}{}{\r\nzz\r\n"
    )
    failing(lambda: client(srv, max_retries=0).get().abs_path("x").do(), errors.ConnectionLost, 10)


def test_body_that_claims_gzip_but_is_not(srv: RawServer) -> None:
    srv.script = lambda c, r: send(c, 200, {"Content-Encoding": "gzip"}, b"this is not gzip" * 10)
    err = failing(lambda: client(srv).get().abs_path("x").do(), errors.DecodeError, 10)
    assert "Content-Encoding" in str(err)


def test_decompression_is_capped_by_the_size_limit(srv: RawServer) -> None:
    bomb = gzip.compress(b" " * (64 << 20), 9)  # 64 MiB of spaces in about 64 KB
    srv.script = lambda c, r: send(c, 200, {"Content-Encoding": "gzip"}, bomb)
    rest = client(srv, max_body_size=4 << 20)
    err = failing(lambda: rest.get().abs_path("x").do(), errors.ResponseTooLarge, 10)
    assert "max_body_size" in str(err)


def test_decompression_bomb_stopped_by_the_inflation_ratio(srv: RawServer) -> None:
    bomb = gzip.compress(b" " * (200 << 20), 9)  # 200 MiB in about 200 KB (the bomb)
    srv.script = lambda c, r: send(c, 200, {"Content-Encoding": "gzip"}, bomb)
    err = failing(lambda: client(srv).get().abs_path("x").do(), errors.ResponseTooLarge, 20)
    assert "inflates" in str(err)


def test_announced_body_beyond_the_limit_fails_before_reading(srv: RawServer) -> None:
    srv.script = lambda c, r: c.sendall(head(200, {"Content-Length": str(10 << 30)}))
    rest = client(srv, max_body_size=1 << 20)
    failing(lambda: rest.get().abs_path("x").do(), errors.ResponseTooLarge, 5)


# -- time: stalls, trickles and Retry-After against the call's deadline ----------------------


def test_body_stalling_after_the_headers_is_a_request_timeout(srv: RawServer) -> None:
    def stall(c: socket.socket, r: RawRequest) -> None:
        c.sendall(head(200, {"Content-Length": "100"}) + b'{"kind":')
        srv.closing.wait(30)

    srv.script = stall
    rest = client(srv, timeout=1, max_retries=0)
    err = failing(lambda: rest.get().abs_path("x").do(), errors.RequestTimeout, 5)
    assert "cannot reach" not in str(err)


def test_trickling_body_ends_at_the_call_deadline(srv: RawServer) -> None:
    def slow(c: socket.socket, r: RawRequest) -> None:
        c.sendall(head(200, {"Content-Length": "200"}))
        trickle(c, b" " * 200, 0.1, srv.closing)

    srv.script = slow
    rest = client(srv, timeout=2)  # each byte arrives well within the per-read limit
    started = time.monotonic()
    failing(lambda: rest.get().abs_path("x").do(), errors.RequestTimeout, 4)
    assert time.monotonic() - started >= 1.5  # it waited for the data while the deadline allowed


def test_retry_after_beyond_the_deadline_ends_the_call(srv: RawServer) -> None:
    srv.script = lambda c, r: send(c, 503, {"Retry-After": "4"}, status_body(503))
    rest = client(srv, timeout=3)
    err = failing(lambda: rest.get().abs_path("x").do(), errors.RequestTimeout, 3.5)
    assert "503" in str(err)


def test_retries_stop_at_the_deadline(srv: RawServer) -> None:
    srv.script = lambda c, r: send(c, 503, {"Retry-After": "1"}, status_body(503))
    rest = client(srv, timeout=2.5, max_retries=10)
    failing(lambda: rest.get().abs_path("x").do(), errors.RequestTimeout, 3.5)
    assert 2 <= srv.count <= 3


def test_request_timeout_overrides_the_clients(srv: RawServer) -> None:
    srv.script = lambda c, r: send(c, 503, {"Retry-After": "3"}, status_body(503))
    rest = client(srv)  # no deadline of its own
    failing(lambda: rest.get().abs_path("x").timeout(1).do(), errors.RequestTimeout, 2)


@pytest.mark.parametrize("value", ["nan", "NaN", "-5", "soon", "1e400", "inf", "9" * 40, ""])
def test_absurd_retry_after_is_read_defensively(srv: RawServer, value: str) -> None:
    srv.script = lambda c, r: send(c, 503, {"Retry-After": value}, status_body(503))
    rest = client(srv, timeout=5, max_retries=2, max_retry_after=0.2)
    failing(lambda: rest.get().abs_path("x").do(), errors.ServiceUnavailable, 5)
    assert srv.count == 3


def test_infinite_retry_after_without_a_cap_ends_at_the_deadline(srv: RawServer) -> None:
    srv.script = lambda c, r: send(c, 429, {"Retry-After": "inf"}, status_body(429))
    rest = client(srv, timeout=2, max_retry_after=float("inf"))
    failing(lambda: rest.get().abs_path("x").do(), errors.RequestTimeout, 3)


# -- malformed Status and deep JSON ----------------------------------------------------------

MALFORMED_STATUSES = [
    {"details": {"causes": "not a list"}},
    {"details": {"causes": {"reason": "x"}}},
    {"details": {"causes": [1, None, ["x"], {"reason": 5, "message": {}, "field": []}]}},
    {"details": {"name": ["x"], "kind": {}, "retryAfterSeconds": "soon", "uid": 1.5}},
    {"details": "text"},
    {"reason": ["Invalid"], "message": {"text": 1}},
    {"code": "four hundred", "reason": None, "message": None},
    {"code": 10**30, "details": None},
]


@pytest.mark.parametrize("extra", MALFORMED_STATUSES)
def test_malformed_status_still_gives_the_error_of_the_code(
    srv: RawServer, extra: dict[str, Any]
) -> None:
    body = json.dumps({"kind": "Status", "apiVersion": "v1", **extra}).encode()
    srv.script = lambda c, r: send(c, 422, {"Content-Type": "application/json"}, body)
    err = failing(lambda: client(srv).get().abs_path("x").do(), errors.Invalid, 5)
    assert isinstance(err, errors.ApiError) and err.status_code == 422


@pytest.mark.parametrize("extra", MALFORMED_STATUSES)
def test_malformed_status_in_a_watch_error_event(srv: RawServer, extra: dict[str, Any]) -> None:
    status = {"kind": "Status", "apiVersion": "v1", "code": 500, **extra}
    line = json.dumps({"type": "ERROR", "object": status}).encode() + b"\n"
    srv.script = lambda c, r: send(c, 200, {"Content-Type": "application/json"}, line)
    rest = client(srv)
    err = failing(lambda: list(rest.get().abs_path("api/v1/pods").watch(Pod)), errors.ApiError, 5)
    assert 100 <= err.status_code <= 999  # type: ignore[attr-defined]


def test_deep_json_in_an_error_body(srv: RawServer) -> None:
    srv.script = lambda c, r: send(c, 500, {"Content-Type": "application/json"}, DEEP)
    err = failing(lambda: client(srv, max_retries=0).get().abs_path("x").do(), errors.ApiError, 5)
    assert err.status_code == 500  # type: ignore[attr-defined]


def test_deep_json_in_result_json_and_into(srv: RawServer) -> None:
    srv.script = lambda c, r: send(c, 200, {"Content-Type": "application/json"}, DEEP)
    result = client(srv).get().abs_path("x").do()
    failing(result.json, errors.DecodeError, 5)
    failing(lambda: result.into(Pod), errors.DecodeError, 5)


def test_deep_json_in_a_watch_line(srv: RawServer) -> None:
    srv.script = lambda c, r: send(c, 200, {}, DEEP + b"\n")
    watch = client(srv).get().abs_path("api/v1/pods").watch(Pod)
    failing(lambda: list(watch), errors.DecodeError, 5)


def test_deep_json_inside_a_watch_event(srv: RawServer) -> None:
    line = b'{"type":"ADDED","object":{"metadata":{"labels":' + DEEP + b"}}}\n"
    srv.script = lambda c, r: send(c, 200, {}, line)
    watch = client(srv).get().abs_path("api/v1/pods").watch(Pod)
    failing(lambda: list(watch), errors.DecodeError, 5)


# -- watches: dead connections and huge events -----------------------------------------------

ADDED = b'{"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"a","resourceVersion":"7"}}}\n'


def test_silent_watch_with_bookmarks_is_detected_as_dead(srv: RawServer) -> None:
    def silent(c: socket.socket, r: RawRequest) -> None:
        c.sendall(head(200, {"Transfer-Encoding": "chunked"}))
        c.sendall(b"%x\r\n%s\r\n" % (len(ADDED), ADDED))
        srv.closing.wait(60)  # then nothing: a proxy that stopped forwarding

    srv.script = silent
    rest = client(srv, watch_idle_timeout=1.0)
    req = rest.get().abs_path("api/v1/pods").param("allowWatchBookmarks", True)
    watch = req.watch(Pod)
    seen: list[str] = []

    def consume() -> None:
        for event in watch:
            seen.append(event.type)

    err = failing(consume, errors.ConnectionLost, 5)
    assert isinstance(err, errors.ApiConnectionError)
    assert seen == ["ADDED"] and watch.resource_version == "7"
    assert "presumed dead" in str(err)


def test_watch_without_bookmarks_has_no_idle_limit(srv: RawServer) -> None:
    rest = client(srv, watch_idle_timeout=1.0)
    req = rest.get().abs_path("api/v1/pods")
    assert req.build(rest.host, rest.timeout).timeouts.read == rest.timeout  # before watch()
    srv.script = lambda c, r: send(c, 200, {}, ADDED)
    with req.watch(Pod) as w:
        assert [e.type for e in w] == ["ADDED"]
    assert req.build(rest.host, rest.timeout).timeouts.read is None


def test_huge_watch_event_hits_the_line_cap(srv: RawServer) -> None:
    line = b'{"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"' + b"a" * (3 << 20)
    srv.script = lambda c, r: send(c, 200, {}, line + b'"}}}\n')
    watch = client(srv).get().abs_path("api/v1/pods").watch(Pod)
    watch.max_line = 1 << 20
    err = failing(lambda: list(watch), errors.ResponseTooLarge, 5)
    assert "max_line" in str(err)


def test_watch_stalled_mid_event_is_detected(srv: RawServer) -> None:
    def stall(c: socket.socket, r: RawRequest) -> None:
        c.sendall(head(200, {}) + ADDED[:20])
        srv.closing.wait(30)

    srv.script = stall
    watch = client(srv).get().abs_path("api/v1/pods").read_timeout(1).watch(Pod)
    failing(lambda: list(watch), errors.ConnectionLost, 5)


def test_server_closing_mid_watch_is_connection_lost(srv: RawServer) -> None:
    srv.script = lambda c, r: c.sendall(
        head(200, {"Transfer-Encoding": "chunked"}) + b"%x\r\n%s\r\n" % (len(ADDED), ADDED)
    )
    watch = client(srv).get().abs_path("api/v1/pods").watch(Pod)
    failing(lambda: list(watch), errors.ConnectionLost, 5)


def test_abort_from_another_thread_still_works(srv: RawServer) -> None:
    def silent(c: socket.socket, r: RawRequest) -> None:
        c.sendall(head(200, {}) + ADDED)
        srv.closing.wait(30)

    srv.script = silent
    watch = client(srv).get().abs_path("api/v1/pods").watch(Pod)
    threading.Timer(0.5, watch.stop).start()
    started = time.monotonic()
    assert [e.type for e in watch] == ["ADDED"]
    assert time.monotonic() - started < 5


def test_hand_written_transport_request_has_a_deadline_too(srv: RawServer) -> None:
    def slow(c: socket.socket, r: RawRequest) -> None:
        c.sendall(head(200, {"Content-Length": "100"}))
        trickle(c, b" " * 100, 0.1, srv.closing)

    srv.script = slow
    with SessionTransport() as transport:
        failing(lambda: transport.request("GET", srv.url, timeout=1), errors.RequestTimeout, 3)
