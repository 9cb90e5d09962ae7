"""The fake cluster's fault injection, and kubeset's own clients reacting to each fault as they
must against a real server: retries honour Retry-After, watches resume after a drop, a silent
watch is a lost connection, an expired continue token raises."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from kubeset import errors
from kubeset.cache import EventHandlers, SharedIndexInformer
from kubeset.cache.retrywatcher import RetryWatcher
from kubeset.kubernetes.models.core.v1 import ConfigMap
from kubeset.testing import FakeTransport
from kubeset.testing.faults import Fault, FaultRules, WatchShape


def _paths(fake: FakeTransport, verb: str = "") -> list[str]:
    return [
        r.url.split("fake-cluster", 1)[1]
        for r in fake.requests
        if not verb or (verb == "watch") == (r.param("watch") == "true")
    ]


def _until(predicate: Any, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        time.sleep(0.01)


def test_throttle_with_retry_after_is_honoured_and_scoped_by_namespace() -> None:
    slept: list[float] = []
    fake = FakeTransport()
    cs = fake.clientset(sleep=slept.append)
    fake.cluster.load_yaml("apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n")
    fake.throttle_next(retry_after=3, verb="get", resource="configmaps", namespace="team", times=2)
    for ns in ("default", "team"):
        cs.core_v1.config_maps(ns).create({"metadata": {"name": "c"}})
    assert cs.core_v1.config_maps("default").get("c").metadata.name == "c"
    assert slept == []  # another namespace: untouched
    assert cs.core_v1.config_maps("team").get("c").metadata.name == "c"
    assert slept == [3.0, 3.0]  # RetryPolicy waited the server's Retry-After, twice
    assert _paths(fake)[-3:] == ["/api/v1/namespaces/team/configmaps/c"] * 3
    assert fake.faults == []  # used up


def test_throttled_create_is_retried_but_a_5xx_create_is_not() -> None:
    slept: list[float] = []
    fake = FakeTransport()
    cms = fake.clientset(sleep=slept.append).core_v1.config_maps("default")
    fake.throttle_next(retry_after=2, verb="create")
    assert cms.create({"metadata": {"name": "a"}}).metadata.name == "a"
    assert slept == [2.0]
    fake.fail_next(503, verb="create", retry_after=1)
    with pytest.raises(errors.ServiceUnavailable) as caught:
        cms.create({"metadata": {"name": "b"}})  # a POST that failed may have been applied
    assert caught.value.retry_after_seconds == 1
    fake.fail_next(503, verb="get", retry_after=4)
    assert cms.get("a").metadata.name == "a"
    assert slept == [2.0, 4.0]


def test_throttling_every_request_exhausts_the_retries() -> None:
    slept: list[float] = []
    fake = FakeTransport()
    cms = fake.clientset(sleep=slept.append, max_retries=2).core_v1.config_maps("default")
    rule = fake.throttle_next(retry_after=1, resource="configmaps", times=None)
    with pytest.raises(errors.TooManyRequests, match="Too many requests"):
        cms.list()
    assert slept == [1.0, 1.0] and len(fake.requests) == 3
    fake.remove_fault(rule)
    assert cms.list().items == []


def test_slow_answer_waits_and_a_shorter_client_timeout_gives_up() -> None:
    slept: list[float] = []
    fake = FakeTransport(sleep=slept.append)
    cms = fake.clientset(timeout=2, max_retries=0).core_v1.config_maps("default")
    fake.slow_next(0.5, verb="create")
    cms.create({"metadata": {"name": "a"}})
    assert slept == [0.5]
    fake.slow_next(5, verb="get")
    with pytest.raises(errors.RequestTimeout, match="slow answer"):
        cms.get("a")
    assert slept[0] == 0.5 and slept[1] == pytest.approx(2.0, abs=0.1)  # the 2 s deadline, not 5 s


def test_a_watch_dropped_after_n_events_is_resumed_by_the_retry_watcher() -> None:
    fake = FakeTransport()
    cms = fake.clientset().core_v1.config_maps("default")
    rv = cms.list().metadata.resource_version or ""
    fake.drop_next_watch(after_events=2, resource="configmaps")
    for i in range(5):
        cms.create({"metadata": {"name": f"c{i}"}})
    rw = RetryWatcher(cms, rv, min_restart_delay=0.0)
    seen: list[tuple[str, str, str]] = []
    for event in rw:
        seen.append(
            (
                event.type,
                event.object.metadata.name or "",
                event.object.metadata.resource_version or "",
            )
        )
        if len(seen) == 5:
            rw.stop()
    assert [(t, n) for t, n, _ in seen] == [("ADDED", f"c{i}") for i in range(5)]
    watches = [r for r in fake.requests if r.param("watch") == "true"]
    assert rw.restarts == 1 and len(watches) == 2
    assert watches[1].param("resourceVersion") == seen[1][2]  # resumed after the 2nd event


def test_a_watch_dropped_after_a_delay_ends() -> None:
    fake = FakeTransport()
    cms = fake.clientset().core_v1.config_maps("default")
    rv = cms.list().metadata.resource_version
    fake.drop_next_watch(after_seconds=0.2)
    started = time.monotonic()
    with cms.watch(resource_version=rv, timeout_seconds=60) as w:
        assert list(w) == []
    assert time.monotonic() - started < 10  # liveness bound only
    with pytest.raises(ValueError, match="after_events or after_seconds"):
        fake.drop_next_watch()


def test_an_informer_resumes_its_watch_after_drops_without_relisting() -> None:
    fake = FakeTransport()
    cms = fake.clientset().core_v1.config_maps("default")
    fake.drop_next_watch(after_events=1, resource="configmaps", times=3)
    informer = SharedIndexInformer(cms)
    added: list[str] = []
    informer.add_event_handler(
        EventHandlers[ConfigMap](on_add=lambda cm, _: added.append(cm.metadata.name or ""))
    )
    informer.start()
    try:
        assert informer.wait_for_cache_sync(timeout=10)
        for i in range(4):
            cms.create({"metadata": {"name": f"c{i}"}})
        _until(lambda: len(added) == 4, "every create reaches the handler")
        assert added == ["c0", "c1", "c2", "c3"]
        reads = [r for r in fake.requests if r.method == "GET"]
        # one initial sync (a list or a watch-list), then watches resumed from a resourceVersion
        syncs = [r for r in reads if r.param("watch") != "true" or r.param("sendInitialEvents")]
        resumed = [r for r in reads if r not in syncs]
        assert len(syncs) == 1 and len(resumed) >= 3
        assert all(r.param("resourceVersion") not in (None, "", "0") for r in resumed)
    finally:
        informer.stop()


def test_a_silent_watch_is_a_lost_connection_after_the_idle_timeout() -> None:
    fake = FakeTransport()
    cms = fake.clientset(watch_idle_timeout=0.2).core_v1.config_maps("default")
    rv = cms.list().metadata.resource_version or ""
    fake.silence_next_watch(resource="configmaps")
    cms.create({"metadata": {"name": "unseen"}})
    w = cms.watch(resource_version=rv)  # bookmarks asked for: silence means a dead connection
    started = time.monotonic()
    with pytest.raises(errors.ConnectionLost, match="presumed dead"):
        list(w)
    assert time.monotonic() - started < 10  # liveness bound only
    # the retry watcher treats it as a lost connection and resumes from where it was
    fake.silence_next_watch(resource="configmaps")
    rw = RetryWatcher(cms, rv, min_restart_delay=0.0)
    for event in rw:
        assert event.object.metadata.name == "unseen"
        rw.stop()
    assert rw.restarts == 1


def test_a_silent_watch_without_a_read_timeout_waits_until_stopped() -> None:
    fake = FakeTransport()
    cms = fake.clientset(watch_idle_timeout=None).core_v1.config_maps("default")
    fake.silence_next_watch()
    w = cms.watch(resource_version=cms.list().metadata.resource_version)
    threading.Timer(0.2, w.stop).start()
    assert list(w) == []


def test_expired_on_the_next_watch_is_an_error_event() -> None:
    fake = FakeTransport()
    cms = fake.clientset().core_v1.config_maps("default")
    rv = cms.list().metadata.resource_version or ""
    fake.expire_next("watch", resource="configmaps")
    request = fake.rest_client().get().abs_path("/api/v1/namespaces/default/configmaps")
    with request.param("watch", True).param("resourceVersion", rv).stream() as answer:
        assert answer.status_code == 200  # accepted, then the error, as kube-apiserver does
        event = json.loads(answer.read())
    assert event["type"] == "ERROR"
    assert (event["object"]["code"], event["object"]["reason"]) == (410, "Expired")
    fake.expire_next("watch", resource="configmaps")
    with pytest.raises(errors.Expired, match="too old resource version"):
        list(RetryWatcher(cms, rv))  # 410 is never retried: events may have been lost


def test_expired_on_the_next_watch_makes_an_informer_relist() -> None:
    fake = FakeTransport()
    cms = fake.clientset().core_v1.config_maps("default")
    fake.expire_next("watch", resource="configmaps")
    informer = SharedIndexInformer(cms)
    informer.start()
    try:
        assert informer.wait_for_cache_sync(timeout=10)
        cms.create({"metadata": {"name": "after"}})
        _until(lambda: informer.lister().list() != [], "the create reaches the cache")
        reads = [r for r in fake.requests if r.method == "GET"]
        syncs = [r for r in reads if r.param("watch") != "true" or r.param("sendInitialEvents")]
        assert len(syncs) == 2  # synced again after the 410
    finally:
        informer.stop()


def test_expired_on_the_next_continue_raises_from_list_all() -> None:
    fake = FakeTransport()
    cms = fake.clientset().core_v1.config_maps("default")
    for i in range(3):
        cms.create({"metadata": {"name": f"c{i}"}})
    fake.expire_next("list", resource="configmaps")
    assert len(cms.list().items) == 3  # no continue token: untouched
    with pytest.raises(errors.Expired, match="continue parameter is too old"):
        cms.list_all(page_size=1)
    pages = [r for r in fake.requests if r.param("limit") == "1"]
    assert [bool(r.param("continue")) for r in pages] == [False, True]
    assert len(cms.list_all(page_size=1).items) == 3  # used up
    with pytest.raises(ValueError, match="'watch' or 'list'"):
        fake.expire_next("get")


def test_fault_rules_count_on_their_own_and_validate() -> None:
    rules = FaultRules()
    slow = rules.add(Fault(times=None, delay=0.5))
    fail = rules.add(Fault(verb="get", status=500, times=1))
    drop = rules.add(Fault(verb="watch", watch=WatchShape(drop_after_events=3)))
    rules.add(Fault(verb="watch", watch=WatchShape(drop_after_events=1, drop_after_seconds=2.0)))
    first = rules.take(verb="get", resource="pods", namespace="a", continued=False)
    assert (first.delay, first.failure, first.watch) == (0.5, fail, None)
    watch = rules.take(verb="watch", resource="pods", namespace="a", continued=False)
    assert watch.watch == WatchShape(drop_after_events=1, drop_after_seconds=2.0)
    assert rules.pending == [slow]
    assert drop not in rules.pending
    assert rules.take(verb="list", resource="x", namespace="", continued=True).delay == 0.5
    rules.remove(slow)
    assert rules.take(verb="list", resource="x", namespace="", continued=True).none
    for bad in ({"times": 0}, {"delay": -1.0}, {"status": 200}, {"retry_after": -2.0}):
        with pytest.raises(ValueError):
            Fault(**bad)
