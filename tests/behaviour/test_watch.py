"""Watch from a resourceVersion, resumption, bookmarks and 410 Expired on both backends."""

from __future__ import annotations

import threading

import pytest
from backends import Backend
from kubeset import errors


def _events(watch: object, count: int) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    while len(seen) < count:
        event = next(watch)  # type: ignore[call-overload]
        if event.type != "BOOKMARK":
            seen.append((event.type, event.object.metadata.name))
    return seen


def test_watch_from_resource_version_and_resume(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    start = cms.list().metadata.resource_version
    cms.create({"metadata": {"name": "w1"}})
    cms.patch("w1", {"data": {"k": "v"}})
    with cms.watch(resource_version=start, timeout_seconds=30) as w:
        assert _events(w, 2) == [("ADDED", "w1"), ("MODIFIED", "w1")]
        resume = w.resource_version
    cms.delete("w1")
    cms.create({"metadata": {"name": "w2"}})
    with cms.watch(resource_version=resume, timeout_seconds=30) as w:
        assert _events(w, 2) == [("DELETED", "w1"), ("ADDED", "w2")]


def test_watch_without_version_lists_first(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    cms.create({"metadata": {"name": "old", "labels": {"w": "y"}}})
    with cms.watch(label_selector="w", timeout_seconds=30) as w:
        assert _events(w, 1) == [("ADDED", "old")]
        cms.create({"metadata": {"name": "new", "labels": {"w": "y"}}})
        cms.create({"metadata": {"name": "other"}})
        cms.patch("new", {"metadata": {"labels": {"w": None}}})
        # an object that stops matching the selector is DELETED for this watch
        assert _events(w, 2) == [("ADDED", "new"), ("DELETED", "new")]


def test_watch_stops_from_another_thread(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    start = cms.list().metadata.resource_version
    w = cms.watch(resource_version=start, timeout_seconds=60)
    threading.Timer(0.3, w.stop).start()
    assert list(w) == []


def test_watch_list_ends_initial_events_with_a_bookmark(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    cms.create({"metadata": {"name": "one", "labels": {"wl": "y"}}})
    with cms.watch(
        label_selector="wl",
        send_initial_events=True,
        resource_version_match="NotOlderThan",
        allow_watch_bookmarks=True,
        timeout_seconds=30,
    ) as w:
        first, second = next(w), next(w)
    assert (first.type, first.object.metadata.name) == ("ADDED", "one")
    assert second.type == "BOOKMARK"
    assert second.object.metadata.annotations == {"k8s.io/initial-events-end": "true"}


@pytest.mark.slow  # 1.5 to 5 minutes on the real server (see Backend.expire)
def test_watch_from_compacted_version_is_expired(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    old = cms.create({"metadata": {"name": "x"}}).metadata.resource_version
    backend.expire(ns, old)
    with (
        pytest.raises(errors.Expired) as e,
        cms.watch(resource_version=old, timeout_seconds=10) as w,
    ):
        list(w)
    assert e.value.status_code == 410
