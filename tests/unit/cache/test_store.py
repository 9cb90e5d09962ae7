"""Indexer (thread-safe store + indexes), keys, label selectors and the in-order FIFO."""

from __future__ import annotations

import threading

import pytest
from kubeset.cache import (
    NAMESPACE_INDEX,
    DeletedFinalStateUnknown,
    Delta,
    Indexer,
    IndexerError,
    InOrderFIFO,
    LabelSelector,
    SelectorError,
    deletion_handling_key,
    meta_namespace_key,
    split_key,
)
from kubeset.kubernetes.models.core.v1 import Pod

from .fakeapi import pod


def by_app(obj: dict) -> list[str]:  # type: ignore[type-arg]
    return [obj["metadata"]["labels"].get("app", "")]


def test_keys() -> None:
    typed = Pod.model_validate({"metadata": {"name": "web", "namespace": "prod"}})
    assert meta_namespace_key(typed) == "prod/web"
    assert meta_namespace_key({"metadata": {"name": "node-1"}}) == "node-1"
    tomb = DeletedFinalStateUnknown("prod/web", typed)
    assert deletion_handling_key(tomb) == "prod/web"
    assert split_key("prod/web") == ("prod", "web") and split_key("node-1") == ("", "node-1")
    with pytest.raises(IndexerError, match="no metadata.name"):
        meta_namespace_key({"metadata": {}})


def test_namespace_and_custom_indexes_follow_add_update_delete() -> None:
    idx: Indexer[dict] = Indexer(indexers={"app": by_app})  # type: ignore[type-arg]
    a = pod("a", "ns1", app="web")
    b = pod("b", "ns1", app="db")
    c = pod("c", "ns2", app="web")
    for o in (a, b, c):
        idx.add(o)
    assert sorted(o["metadata"]["name"] for o in idx.by_index(NAMESPACE_INDEX, "ns1")) == ["a", "b"]
    assert idx.index_keys("app", "web") == ["ns1/a", "ns2/c"]
    assert sorted(o["metadata"]["name"] for o in idx.index("app", a)) == ["a", "c"]
    idx.update(pod("a", "ns1", app="db"))  # moves between index values
    assert idx.index_keys("app", "web") == ["ns2/c"]
    assert idx.index_keys("app", "db") == ["ns1/a", "ns1/b"]
    idx.delete(DeletedFinalStateUnknown("ns1/b", b))  # a tombstone deletes by its key
    assert idx.index_keys("app", "db") == ["ns1/a"]
    assert idx.list_index_values("app") == ["db", "web"]
    assert idx.get_by_key("ns1/b") is None and len(idx) == 2
    with pytest.raises(IndexerError, match="'nope' does not exist"):
        idx.by_index("nope", "x")


def test_indexers_added_later_index_existing_objects_and_names_must_be_new() -> None:
    idx: Indexer[dict] = Indexer()  # type: ignore[type-arg]
    idx.add(pod("a", app="web"))
    idx.add_indexers({"app": by_app})
    assert idx.index_keys("app", "web") == ["default/a"]
    with pytest.raises(IndexerError, match="already exist"):
        idx.add_indexers({"app": by_app})


def test_replace_rebuilds_indexes() -> None:
    idx: Indexer[dict] = Indexer(indexers={"app": by_app})  # type: ignore[type-arg]
    idx.add(pod("old", app="web"))
    idx.replace([pod("new", app="db")])
    assert idx.list_keys() == ["default/new"]
    assert idx.index_keys("app", "web") == [] and idx.index_keys("app", "db") == ["default/new"]


def test_store_is_thread_safe_under_concurrent_writers() -> None:
    idx: Indexer[dict] = Indexer(indexers={"app": by_app})  # type: ignore[type-arg]

    def writer(n: int) -> None:
        for i in range(300):
            idx.add(pod(f"p{n}-{i}", f"ns{n}", app="web" if i % 2 else "db"))
            if i % 3 == 0:
                idx.delete(pod(f"p{n}-{i}", f"ns{n}"))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(idx) == 4 * 200
    assert len(idx.index_keys("app", "web")) + len(idx.index_keys("app", "db")) == 800
    assert all(len(idx.by_index(NAMESPACE_INDEX, f"ns{n}")) == 200 for n in range(4))


def test_label_selectors() -> None:
    sel = LabelSelector.parse("app=web, tier in (front,edge),!canary,env!=prod, zone")
    assert sel.matches({"app": "web", "tier": "edge", "zone": "a"})
    assert not sel.matches({"app": "web", "tier": "edge", "zone": "a", "canary": "1"})
    assert not sel.matches({"app": "web", "tier": "back", "zone": "a"})
    assert not sel.matches({"app": "web", "tier": "edge", "zone": "a", "env": "prod"})
    assert LabelSelector.parse("k notin (a)").matches({})
    assert LabelSelector.parse("").matches(None)
    assert LabelSelector.from_labels({"a": "1"}).matches({"a": "1", "b": "2"})
    with pytest.raises(SelectorError, match="cannot parse 'a b c'"):
        LabelSelector.parse("x=1,a b c")


# -- InOrderFIFO ----------------------------------------------------------------------------------
def drain(fifo: InOrderFIFO, known: Indexer) -> list[tuple[str, str, bool]]:  # type: ignore[type-arg]
    out: list[tuple[str, str, bool]] = []

    def process(d: Delta, initial: bool) -> None:
        out.append((d.type, deletion_handling_key(d.object), initial))
        if d.type == "Deleted":
            known.delete(d.object)
        else:
            known.add(d.object)

    while fifo.pop(process, timeout=0):
        pass
    return out


def test_fifo_keeps_every_event_in_order_and_syncs_after_the_first_list() -> None:
    known: Indexer[dict] = Indexer()  # type: ignore[type-arg]
    fifo = InOrderFIFO(known=known)
    assert not fifo.has_synced()
    fifo.replace([pod("a"), pod("b")])
    fifo.update(pod("a"))
    fifo.update(pod("a"))  # not merged with the previous one
    fifo.delete(pod("b"))
    got = drain(fifo, known)
    assert got == [
        ("Replaced", "default/a", True),
        ("Replaced", "default/b", True),
        ("Updated", "default/a", False),
        ("Updated", "default/a", False),
        ("Deleted", "default/b", False),
    ]
    assert fifo.has_synced()


def test_fifo_replace_queues_tombstones_for_vanished_objects_first() -> None:
    known: Indexer[dict] = Indexer()  # type: ignore[type-arg]
    fifo = InOrderFIFO(known=known)
    fifo.replace([pod("a"), pod("b")])
    drain(fifo, known)
    fifo.add(pod("c"))  # queued, not yet processed
    fifo.replace([pod("a")])  # b (cached) and c (queued) vanished
    deltas: list[Delta] = []
    while fifo.pop(lambda d, _: deltas.append(d), timeout=0):
        pass
    assert [(d.type, deletion_handling_key(d.object)) for d in deltas] == [
        ("Added", "default/c"),
        ("Deleted", "default/c"),
        ("Deleted", "default/b"),
        ("Replaced", "default/a"),
    ]
    tomb = deltas[2].object
    assert isinstance(tomb, DeletedFinalStateUnknown)
    assert tomb.key == "default/b" and tomb.obj == known.get_by_key("default/b")


def test_fifo_transform_runs_once_before_queueing_and_resync_comes_from_the_cache() -> None:
    seen: list[str] = []

    def strip(obj: dict) -> dict:  # type: ignore[type-arg]
        seen.append(obj["metadata"]["name"])
        return {**obj, "metadata": {k: v for k, v in obj["metadata"].items() if k != "labels"}}

    known: Indexer[dict] = Indexer()  # type: ignore[type-arg]
    fifo = InOrderFIFO(known=known, transform=strip)
    fifo.replace([pod("a", app="x")])
    drain(fifo, known)
    assert known.get_by_key("default/a") == {"metadata": {"name": "a", "namespace": "default"}}
    fifo.resync()
    assert [d[0] for d in drain(fifo, known)] == ["Sync"]
    assert seen == ["a"]  # the resync did not transform again
    fifo.update(pod("a"))
    fifo.resync()  # a has a queued delta: no Sync for it
    assert [d[0] for d in drain(fifo, known)] == ["Updated"]
