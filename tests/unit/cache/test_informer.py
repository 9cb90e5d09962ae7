"""Reflector + shared informer against the in-memory FakeAPI: list/watch protocol, relists,
tombstones, ordering, resync, late handlers, backoff."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from kubeset.cache import (
    BackoffOptions,
    DeletedFinalStateUnknown,
    EventHandlers,
    ExponentialBackoff,
    Indexer,
    InOrderFIFO,
    Reflector,
    ReflectorOptions,
    SharedIndexInformer,
    SharedInformerFactory,
)
from kubeset.clock import FakeClock
from kubeset.errors import (
    ApiConnectionError,
    NotFound,
    StatusCause,
    StatusDetails,
    Timeout,
)

from .fakeapi import FakeAPI, pod

LIVENESS = 10.0
FAST = BackoffOptions(initial=0.01, cap=0.05)


def until(predicate: Any, what: str) -> None:
    deadline = time.monotonic() + LIVENESS
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {LIVENESS}s: {what}")
        time.sleep(0.005)


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, str]] = []  # (kind, name, rv)
        self.tombstones: list[DeletedFinalStateUnknown[Any]] = []
        self.lock = threading.Lock()

    def handlers(self) -> EventHandlers[dict[str, Any]]:
        return EventHandlers(on_add=self.add, on_update=self.update, on_delete=self.delete)

    @staticmethod
    def _id(obj: dict[str, Any]) -> tuple[str, str]:
        return obj["metadata"]["name"], obj["metadata"].get("resourceVersion", "")

    def add(self, obj: dict[str, Any], initial: bool) -> None:
        with self.lock:
            self.events.append(("add-initial" if initial else "add", *self._id(obj)))

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        with self.lock:
            self.events.append(("update", *self._id(new)))

    def delete(self, obj: Any) -> None:
        with self.lock:
            if isinstance(obj, DeletedFinalStateUnknown):
                self.tombstones.append(obj)
                self.events.append(("tombstone", obj.key.split("/")[1], ""))
            else:
                self.events.append(("delete", *self._id(obj)))

    def kinds(self, name: str) -> list[str]:
        with self.lock:
            return [k for k, n, _ in self.events if n == name]


def make(api: FakeAPI, **kw: Any) -> SharedIndexInformer[dict[str, Any]]:
    opts = ReflectorOptions(name="pods", backoff=FAST, **kw)
    return SharedIndexInformer(api, reflector_options=opts)  # type: ignore[arg-type]


@pytest.fixture
def api() -> FakeAPI:
    a = FakeAPI()
    a.create(pod("a", app="web"))
    a.create(pod("b", app="db"))
    return a


@pytest.fixture
def running(api: FakeAPI) -> Iterator[tuple[SharedIndexInformer[dict[str, Any]], Recorder]]:
    inf = make(api)
    rec = Recorder()
    inf.add_event_handler(rec.handlers())
    inf.start()
    assert inf.wait_for_cache_sync(timeout=LIVENESS)
    yield inf, rec
    inf.stop()


def server_state(api: FakeAPI) -> dict[str, str]:
    return {k: o["metadata"]["resourceVersion"] for k, o in api.objects.items()}


def cache_state(inf: SharedIndexInformer[dict[str, Any]]) -> dict[str, str]:
    return {
        f"default/{o['metadata']['name']}": o["metadata"]["resourceVersion"]
        for o in inf.indexer.list()
    }


def test_streaming_list_then_events_in_order(running: Any, api: FakeAPI) -> None:
    inf, rec = running
    first = api.calls[0]
    assert first.verb == "watch" and first.params["send_initial_events"] is True
    assert first.params["resource_version_match"] == "NotOlderThan"
    assert first.params["allow_watch_bookmarks"] is True
    assert not any(c.verb == "list" for c in api.calls)  # no list needed
    # the cache is synced; the handlers hear of it on their listener's thread, a moment later
    until(
        lambda: sorted(rec.events) == [("add-initial", "a", "101"), ("add-initial", "b", "102")],
        "the initial objects reach the handler",
    )
    c = api.create(pod("c"))
    api.update(c)
    api.update(c)
    api.delete(c)
    until(lambda: rec.kinds("c") == ["add", "update", "update", "delete"], "c's events in order")
    until(lambda: cache_state(inf) == server_state(api), "cache equals server")
    assert inf.lister().namespace("default").get("a")["metadata"]["labels"] == {"app": "web"}
    assert [p["metadata"]["name"] for p in inf.lister().list("app=db")] == ["b"]
    with pytest.raises(NotFound, match="default/c not found in the cache"):
        inf.lister().namespace("default").get("c")


def test_fallback_to_list_then_watch_from_its_resource_version() -> None:
    api = FakeAPI(watch_list=False)
    api.create(pod("a"))
    inf = make(api)
    rec = Recorder()
    inf.add_event_handler(rec.handlers())
    with inf:
        assert inf.wait_for_cache_sync(timeout=LIVENESS)
        until(lambda: sum(c.verb == "watch" for c in api.calls) == 2, "the plain watch")
        verbs = [c.verb for c in api.calls]
        assert verbs == ["watch", "list", "watch"]
        listing, watch = api.calls[1].params, api.calls[2].params
        assert listing["resource_version"] == "0"  # served by the watch cache
        assert watch["resource_version"] == "101" and watch["allow_watch_bookmarks"] is True
        assert 300 <= watch["timeout_seconds"] <= 600
        assert "send_initial_events" not in watch


def test_paginated_list_when_the_server_paginates() -> None:
    api = FakeAPI(watch_list=False)
    for i in range(5):
        api.create(pod(f"p{i}"))
    inf = make(api, page_size=2)
    with inf:
        assert inf.wait_for_cache_sync(timeout=LIVENESS)
        assert len(inf.indexer) == 5
        lists = [c.params for c in api.calls if c.verb == "list"]
        assert [p.get("continue_") for p in lists] == [None, "2", "4"]
        assert all(p["limit"] == 2 for p in lists)


def test_broken_watch_resumes_from_last_resource_version_without_relist(
    running: Any, api: FakeAPI
) -> None:
    inf, rec = running
    api.create(pod("c"))
    until(lambda: rec.kinds("c") == ["add"], "c added")
    api.break_watches()
    api.update(pod("c"))
    until(lambda: rec.kinds("c") == ["add", "update"], "the update after the break")
    watches = [c.params for c in api.calls if c.verb == "watch"]
    assert watches[-1]["resource_version"] == "103"  # the last event seen before the break
    assert not any(c.verb == "list" for c in api.calls)
    assert cache_state(inf) == server_state(api)


def test_expired_watch_relists_and_a_delete_while_disconnected_is_a_tombstone(
    running: Any, api: FakeAPI
) -> None:
    inf, rec = running
    api.fail_next_watch = [ApiConnectionError("refused"), ApiConnectionError("refused")]
    api.break_watches()
    b = api.objects["default/b"]
    api.delete(b)
    api.create(pod("d"))
    api.compact()  # the deletion of b is gone from history
    until(lambda: cache_state(inf) == server_state(api), "converged after the relist")
    until(lambda: rec.kinds("d") == ["add"] and rec.kinds("b")[-1:] == ["tombstone"], "handled")
    assert rec.kinds("b")[-1] == "tombstone"
    tomb = rec.tombstones[-1]
    assert tomb.key == "default/b" and tomb.obj is not None
    assert tomb.obj["metadata"]["resourceVersion"] == b["metadata"]["resourceVersion"]
    assert rec.kinds("d") == ["add"]
    assert rec.kinds("a") == ["add-initial"]  # unchanged objects give no event to this handler


def test_relist_falls_back_to_a_consistent_list_when_the_version_is_gone() -> None:
    api = FakeAPI(watch_list=False)
    api.create(pod("a"))
    known: Indexer[dict[str, Any]] = Indexer()
    fifo = InOrderFIFO(known=known)
    reflector = Reflector(api, fifo, ReflectorOptions(use_watch_list=False))  # type: ignore[arg-type]
    reflector.list()
    assert reflector.last_sync_resource_version == "101"
    reflector.list()
    api.create(pod("b"))
    api.compact()  # 101 is gone now
    reflector.list()
    rvs = [c.params["resource_version"] for c in api.calls if c.verb == "list"]
    assert rvs == ["0", "101", "101", ""]  # first from the watch cache, then not older than
    assert reflector.last_sync_resource_version == "102"
    assert reflector.relist_resource_version() == "102"


def test_too_large_resource_version_on_list_relists_consistently() -> None:
    api = FakeAPI(watch_list=False)
    api.create(pod("a"))
    too_large = Timeout(
        504,
        "Timeout",
        "Too large resource version",
        details=StatusDetails(causes=(StatusCause(reason="ResourceVersionTooLarge"),)),
    )
    api.fail_next_list = [too_large]
    inf = make(api)
    with inf:
        assert inf.wait_for_cache_sync(timeout=LIVENESS)
        rvs = [c.params["resource_version"] for c in api.calls if c.verb == "list"]
        assert rvs == ["0", ""]


def test_resync_redelivers_from_the_cache_to_handlers_that_asked() -> None:
    api = FakeAPI()
    api.create(pod("a"))
    clock = FakeClock()
    inf: SharedIndexInformer[dict[str, Any]] = SharedIndexInformer(
        api,  # type: ignore[arg-type]
        reflector_options=ReflectorOptions(backoff=FAST),
        clock=clock,
    )
    with_resync, without = Recorder(), Recorder()
    inf.add_event_handler(with_resync.handlers(), resync_period=30)
    inf.add_event_handler(without.handlers(), resync_period=0)
    with inf:
        assert inf.wait_for_cache_sync(timeout=LIVENESS)
        until(lambda: with_resync.kinds("a") == ["add-initial"], "initial add")
        calls = len(api.calls)
        until(lambda: clock.waiters() >= 1, "the resync loop waits")
        clock.step(30)
        until(lambda: with_resync.kinds("a") == ["add-initial", "update"], "resync update")
        assert without.kinds("a") == ["add-initial"]
        assert len(api.calls) == calls  # no relist


def test_late_handler_gets_the_cache_and_its_registration_syncs(running: Any, api: FakeAPI) -> None:
    inf, _ = running
    late = Recorder()
    reg = inf.add_event_handler(late.handlers())
    until(reg.has_synced, "late registration synced")
    assert sorted(late.events) == [("add-initial", "a", "101"), ("add-initial", "b", "102")]


@pytest.mark.parametrize("watch_list", [True, False], ids=["streaming-list", "list"])
def test_transform_runs_once_per_object_before_storing(watch_list: bool) -> None:
    api = FakeAPI(watch_list=watch_list)
    api.create(pod("a", app="web"))
    api.create(pod("b", app="web"))
    calls: list[str] = []

    def drop_labels(obj: dict[str, Any]) -> dict[str, Any]:
        calls.append(obj["metadata"]["name"])
        meta = {k: v for k, v in obj["metadata"].items() if k != "labels"}
        return {**obj, "metadata": meta}

    inf: SharedIndexInformer[dict[str, Any]] = SharedIndexInformer(
        api,  # type: ignore[arg-type]
        transform=drop_labels,
        reflector_options=ReflectorOptions(backoff=FAST),
    )
    with inf:
        assert inf.wait_for_cache_sync(timeout=LIVENESS)
        assert all("labels" not in o["metadata"] for o in inf.indexer.list())
        assert sorted(calls) == ["a", "b"]  # once each, whichever way the list came
        api.update(pod("a", app="db"))
        until(lambda: calls.count("a") == 2, "the watched update is transformed too")
        until(
            lambda: inf.indexer.get_by_key("default/a")["metadata"]["resourceVersion"] == "103",
            "updated",
        )  # type: ignore[index]
        assert "labels" not in inf.indexer.get_by_key("default/a")["metadata"]  # type: ignore[index]


def test_factory_shares_one_informer_per_resource_and_namespace() -> None:
    api = FakeAPI()
    factory = SharedInformerFactory()
    assert factory.informer_for(api) is factory.informer_for(api)  # type: ignore[arg-type]
    assert factory.informer_for(lambda ns: api) is factory.informer_for(api)  # type: ignore[arg-type]
    factory.start()
    try:
        assert factory.wait_for_cache_sync(timeout=LIVENESS)
    finally:
        factory.shutdown()


def test_backoff_grows_caps_jitters_and_resets_after_two_healthy_minutes() -> None:
    clock = FakeClock()
    no_jitter = ExponentialBackoff(BackoffOptions(jitter=0), clock=clock)
    assert [no_jitter.next() for _ in range(8)] == [0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30.0, 30.0]
    clock.step(120)
    assert no_jitter.next() == 30.0  # not more than 2 minutes since the last one
    clock.step(120.001)
    assert no_jitter.next() == 0.8
    jittered = ExponentialBackoff(clock=clock, rand=random.Random(7))
    values = [jittered.next() for _ in range(7)]
    bases = [0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30.0]
    assert all(b <= v <= 2 * b for v, b in zip(values, bases, strict=True))
    assert values != bases


def test_event_handlers_can_be_parametrized_at_run_time() -> None:
    seen: list[str] = []
    handlers = EventHandlers[dict[str, Any]](on_add=lambda obj, initial: seen.append("add"))
    handlers.on_add(pod("a"), True)
    handlers.on_update(pod("a"), pod("a"))  # no function: nothing happens
    handlers.on_delete(pod("a"))
    assert seen == ["add"]


def test_selectors_scope_every_list_and_watch() -> None:
    api = FakeAPI(watch_list=False)
    api.create(pod("a"))
    inf = make(api, label_selector="app=web", field_selector="metadata.name!=b")
    with inf:
        assert inf.wait_for_cache_sync(timeout=LIVENESS)
        until(lambda: sum(c.verb == "watch" for c in api.calls) == 2, "watching")
    assert {c.verb for c in api.calls} == {"list", "watch"}
    for call in api.calls:
        assert call.params["label_selector"] == "app=web", call
        assert call.params["field_selector"] == "metadata.name!=b", call
