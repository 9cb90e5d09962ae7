"""Typed watch events: decoding, bookmarks and resumption, 410, stopping and releasing."""

from __future__ import annotations

import gc
import threading
import time

import pytest
from fakeapi.clients import Clientset
from fakeapi.fakeserver import FakeApiServer
from fakeapi.models import ConfigMap, Pod, Widget
from kubeset import errors
from kubeset.watch import Watch, WatchEvent

NS = "w"


def _open_watches(server: FakeApiServer) -> int:
    return sum(1 for t in threading.enumerate() if t.name.startswith("Thread") and t.is_alive())


def test_typed_events_in_order(cs: Clientset, server: FakeApiServer) -> None:
    pods = cs.core_v1.pods(NS)
    pods.create({"metadata": {"name": "before"}})
    seen: list[tuple[str, str]] = []
    with pods.watch(timeout_seconds=5) as w:
        assert isinstance(w, Watch)
        q = server.requests[-1].query
        assert (
            q["watch"] == ["true"]
            and q["allowWatchBookmarks"] == ["true"]
            and q["timeoutSeconds"] == ["5"]
        )
        for event in w:
            assert isinstance(event, WatchEvent) and isinstance(event.object, Pod)
            seen.append((event.type, event.object.metadata.name))  # type: ignore[union-attr]
            if event.object.metadata.name == "before":  # type: ignore[union-attr]
                pods.create({"metadata": {"name": "a"}})
                pods.patch("a", {"metadata": {"labels": {"x": "y"}}})
                pods.delete("a")
            if event.type == "DELETED":
                break
    assert seen == [("ADDED", "before"), ("ADDED", "a"), ("MODIFIED", "a"), ("DELETED", "a")]
    assert w.stopped


def test_watch_resumes_from_a_bookmark(cs: Clientset, server: FakeApiServer) -> None:
    cms = cs.core_v1.config_maps(NS)
    first = cms.create({"metadata": {"name": "c1"}})
    w = cms.watch(resource_version=first.metadata.resource_version, timeout_seconds=5)  # type: ignore[union-attr]
    cms.create({"metadata": {"name": "c2"}})
    it = iter(w)
    ev = next(it)
    assert (ev.type, ev.object.metadata.name) == ("ADDED", "c2")  # type: ignore[union-attr]
    server.bookmark()
    ev = next(it)
    assert ev.type == "BOOKMARK" and isinstance(ev.object, ConfigMap)
    assert w.resource_version == str(server.rv) == ev.object.metadata.resource_version  # type: ignore[union-attr]
    w.stop()
    # changes while nobody watches
    cms.create({"metadata": {"name": "c3"}})
    cms.delete("c2")
    with cms.watch(resource_version=w.resource_version, timeout_seconds=1) as again:
        got = [(e.type, e.object.metadata.name) for e in again]  # type: ignore[union-attr]
    # exactly what happened after the bookmark, and the stream ended at timeoutSeconds
    assert got == [("ADDED", "c3"), ("DELETED", "c2")]
    assert again.resource_version == str(server.rv)


def test_bookmarks_only_when_asked(cs: Clientset, server: FakeApiServer) -> None:
    cms = cs.core_v1.config_maps(NS)
    with cms.watch(allow_watch_bookmarks=False, timeout_seconds=1) as w:
        assert "allowWatchBookmarks" not in server.requests[-1].query
        server.bookmark()
        assert list(w) == []


def test_error_410_raises_expired(cs: Clientset, server: FakeApiServer) -> None:
    cms = cs.core_v1.config_maps(NS)
    old = cms.create({"metadata": {"name": "c"}}).metadata.resource_version  # type: ignore[union-attr]
    cms.create({"metadata": {"name": "d"}})
    server.compact()
    w = cms.watch(resource_version=old)
    with pytest.raises(errors.Expired) as info:
        list(w)
    assert info.value.status_code == 410 and isinstance(info.value, errors.Gone)
    assert "too old resource version" in str(info.value)
    assert w.stopped


def test_stop_from_another_thread(cs: Clientset, server: FakeApiServer) -> None:
    w = cs.core_v1.pods(NS).watch()  # no timeout: would block forever
    threading.Timer(0.3, w.stop).start()
    started = time.monotonic()
    assert list(w) == []
    assert time.monotonic() - started < 5
    assert w.stopped


def test_breaking_out_releases_the_connection(cs: Clientset, server: FakeApiServer) -> None:
    pods = cs.core_v1.pods(NS)
    for i in range(3):
        pods.create({"metadata": {"name": f"p{i}"}})
    w = pods.watch()
    for _ in w:
        break
    del _
    gc.collect()
    assert w.stopped  # the generator was closed: its finally released the response
    # the connection can be reused: a plain request still works immediately
    assert pods.get("p0").metadata.name == "p0"  # type: ignore[union-attr]


def test_watch_of_one_object_and_selectors(cs: Clientset, server: FakeApiServer) -> None:
    widgets = cs.example_v1.widgets(NS)
    widgets.create({"metadata": {"name": "a", "labels": {"t": "1"}}})
    widgets.create({"metadata": {"name": "b", "labels": {"t": "1"}}})
    with widgets.watch(name="b", label_selector="t=1", timeout_seconds=1) as w:
        events = list(w)
    assert server.requests[-1].query["fieldSelector"] == ["metadata.name=b"]
    assert [(e.type, type(e.object), e.object.metadata.name) for e in events] == [
        ("ADDED", Widget, "b")
    ]  # type: ignore[union-attr]


def test_watch_establish_errors_raise_at_once(cs: Clientset, server: FakeApiServer) -> None:
    server.fail_next(
        403, {"kind": "Status", "code": 403, "reason": "Forbidden", "message": "no watching"}
    )
    with pytest.raises(errors.Forbidden, match="no watching"):
        cs.core_v1.pods(NS).watch()


def test_410_when_establishing_raises_expired(cs: Clientset, server: FakeApiServer) -> None:
    from fakeapi.fakeserver import status

    server.fail_next(410, status(410, "Expired", "too old resource version: 1 (500)"))
    with pytest.raises(errors.Expired):
        cs.core_v1.pods(NS).watch(resource_version="1")


def test_a_line_that_is_not_json_is_reported(cs: Clientset, server: FakeApiServer) -> None:
    server.fail_next(200, b"<html>proxy error</html>\n", headers={"Content-Type": "text/html"})
    w = cs.core_v1.pods(NS).watch()
    with pytest.raises(errors.ApiConnectionError, match="not JSON.*proxy error"):
        next(w)
    assert w.stopped
