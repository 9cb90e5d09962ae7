"""RetryWatcher against the in-memory FakeAPI: resumes across breaks, surfaces 410, paces restarts."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from kubeset.cache import RetryWatcher
from kubeset.clock import FakeClock
from kubeset.errors import ApiConnectionError, Expired, InternalError, KubesetError

from .fakeapi import FakeAPI, pod

LIVENESS = 10.0


def collect(
    rw: RetryWatcher[Any], into: list[tuple[str, str]], errors: list[BaseException]
) -> None:
    try:
        for event in rw:
            into.append((event.type, event.object["metadata"]["resourceVersion"]))
    except KubesetError as e:
        errors.append(e)


def until(predicate: Any, what: str) -> None:
    deadline = time.monotonic() + LIVENESS
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {LIVENESS}s: {what}")
        time.sleep(0.002)


def test_refuses_a_start_that_is_not_a_point_in_history() -> None:
    for rv in ("", "0"):
        with pytest.raises(KubesetError, match="does not name a point in history"):
            RetryWatcher(FakeAPI(), rv)  # type: ignore[arg-type]


def test_resumes_from_the_last_event_across_breaks_and_errors_without_loss() -> None:
    api = FakeAPI()
    start = api.create(pod("a"))["metadata"]["resourceVersion"]
    clock = FakeClock()
    rw: RetryWatcher[Any] = RetryWatcher(api, start, clock=clock)  # type: ignore[arg-type]
    got: list[tuple[str, str]] = []
    errors: list[BaseException] = []
    t = threading.Thread(target=collect, args=(rw, got, errors))
    t.start()
    api.update(pod("a"))
    until(lambda: len(got) == 1, "first event")
    api.break_watches()
    api.update(pod("a"))  # while the watch is down
    api.fail_next_watch = [ApiConnectionError("refused"), InternalError(500, "InternalError", "x")]
    watches = lambda: sum(c.verb == "watch" for c in api.calls)
    for n in (2, 3, 4):  # one restart per second of clock time, not faster
        until(lambda: clock.waiters() == 1, "waiting for the restart delay")
        assert watches() == n - 1
        clock.step(1.0)
        until(lambda n=n: watches() == n, f"restart {n}")
    api.bookmark()
    api.delete(pod("a"))
    until(lambda: len(got) == 4, "events after the breaks")
    assert got == [
        ("MODIFIED", "102"),
        ("MODIFIED", "103"),
        ("BOOKMARK", "104"),
        ("DELETED", "105"),
    ]
    opened = [c.params["resource_version"] for c in api.calls if c.verb == "watch"]
    assert opened == ["101", "102", "102", "102"]
    assert all(c.params["allow_watch_bookmarks"] for c in api.calls)
    assert rw.resource_version == "105"
    rw.stop()
    t.join(LIVENESS)
    assert not t.is_alive() and errors == []


def test_410_is_raised_not_hidden() -> None:
    api = FakeAPI()
    start = api.create(pod("a"))["metadata"]["resourceVersion"]
    api.update(pod("a"))
    api.compact()
    rw: RetryWatcher[Any] = RetryWatcher(api, start)  # type: ignore[arg-type]
    with pytest.raises(Expired):
        for _ in rw:
            pass
