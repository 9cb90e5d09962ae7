"""Informers against the real kube-apiserver: order of events, broken connections, 410 after an
etcd compaction, tombstones, typed listers and the factory.

Fault tests go through :class:`faultproxy.FaultProxy`.  The 410 test uses a second server of
its own with the watch cache off and etcd compacted every second
(``--watch-cache=false --etcd-compaction-interval=1s``), so a watch resumed from an old
resourceVersion really gets 410 Expired.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubeset
import pytest
from faultproxy import FaultProxy
from kube_apiserver import ApiServer, another_server
from kubeset.cache import (
    BackoffOptions,
    DeletedFinalStateUnknown,
    EventHandlers,
    ReflectorOptions,
    RetryWatcher,
    SharedIndexInformer,
    SharedInformerFactory,
)
from kubeset.errors import Expired, NotFound
from kubeset.kubernetes import Clientset
from kubeset.kubernetes.models.core.v1 import ConfigMap

pytestmark = pytest.mark.e2e
LIVENESS = 60.0
QUICK = BackoffOptions(initial=0.2, cap=1.0)


def until(predicate: Any, what: str, timeout: float = LIVENESS) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        time.sleep(0.05)


def config_for(apiserver: ApiServer, host: str | None = None) -> kubeset.Config:
    config = kubeset.load_kubeconfig(apiserver.kubeconfig)
    config = dataclasses.replace(config, qps=-1)
    return dataclasses.replace(config, host=host) if host else config


@pytest.fixture(scope="module")
def cs(apiserver: ApiServer) -> Iterator[Clientset]:
    with Clientset(config_for(apiserver)) as clientset:
        yield clientset


def new_namespace(cs: Clientset) -> str:
    name = f"cache-{uuid.uuid4().hex[:8]}"
    cs.core_v1.namespaces().create({"metadata": {"name": name}})
    return name


class Recorder:
    """Records (kind, name, resourceVersion) per event; tombstones apart."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list[tuple[str, str, str]] = []
        self.tombstones: list[DeletedFinalStateUnknown[ConfigMap]] = []
        self.types: set[type] = set()

    def handlers(self) -> EventHandlers[ConfigMap]:
        return EventHandlers(on_add=self.on_add, on_update=self.on_update, on_delete=self.on_delete)

    def _rec(self, kind: str, obj: ConfigMap) -> None:
        with self.lock:
            self.types.add(type(obj))
            self.events.append((kind, obj.metadata.name or "", obj.metadata.resource_version or ""))

    def on_add(self, obj: ConfigMap, initial: bool) -> None:
        self._rec("add", obj)

    def on_update(self, old: ConfigMap, new: ConfigMap) -> None:
        if old.metadata.resource_version != new.metadata.resource_version:
            self._rec("update", new)

    def on_delete(self, obj: ConfigMap | DeletedFinalStateUnknown[ConfigMap]) -> None:
        if isinstance(obj, DeletedFinalStateUnknown):
            with self.lock:
                self.tombstones.append(obj)
                self.events.append(("tombstone", obj.key.split("/", 1)[1], ""))
        else:
            self._rec("delete", obj)

    def kinds(self, name: str) -> list[str]:
        with self.lock:
            return [k for k, n, _ in self.events if n == name]


def server_state(cs: Clientset, ns: str) -> dict[str, str]:
    items = cs.core_v1.config_maps(ns).list().items
    return {
        f"{ns}/{o.metadata.name}": o.metadata.resource_version or ""
        for o in items
        if o.metadata.name != "kube-root-ca.crt"
    }


def cache_state(informer: SharedIndexInformer[ConfigMap]) -> dict[str, str]:
    return {
        f"{o.metadata.namespace}/{o.metadata.name}": o.metadata.resource_version or ""
        for o in informer.indexer.list()
        if o.metadata.name != "kube-root-ca.crt"
    }


# -----------------------------------------------------------------------------------------------
def test_informer_sees_creates_updates_deletes_in_order(cs: Clientset) -> None:
    ns = new_namespace(cs)
    cms = cs.core_v1.config_maps(ns)
    cms.create({"metadata": {"name": "before", "labels": {"app": "x"}}, "data": {"v": "0"}})
    factory = SharedInformerFactory(namespace=ns)
    informer = factory.informer_for(cs.core_v1.config_maps)
    assert factory.informer_for(cs.core_v1.config_maps) is informer
    rec = Recorder()
    informer.add_event_handler(rec.handlers())
    factory.start()
    try:
        assert factory.wait_for_cache_sync(timeout=LIVENESS)
        assert rec.kinds("before") == ["add"]
        names = [f"cm-{i}" for i in range(5)]
        for name in names:
            cms.create({"metadata": {"name": name, "labels": {"app": "web"}}, "data": {"v": "0"}})
        for round_ in (1, 2):
            for name in names:
                cms.patch(name, {"data": {"v": str(round_)}})
        for name in names:
            cms.delete(name)
        until(
            lambda: all(rec.kinds(n) == ["add", "update", "update", "delete"] for n in names),
            "every object's add, two updates and delete, in order",
        )
        for name in names:  # resourceVersions strictly increase per object
            rvs = [int(rv) for k, n, rv in rec.events if n == name]
            assert rvs == sorted(rvs) and len(set(rvs)) == 4
        assert rec.types == {ConfigMap}  # typed objects
        lister = factory.lister_for(cs.core_v1.config_maps)
        assert lister.namespace(ns).get("before").data == {"v": "0"}
        assert [c.metadata.name for c in lister.namespace(ns).list({"app": "x"})] == ["before"]
        with pytest.raises(NotFound):
            lister.namespace(ns).get("cm-0")
        until(lambda: cache_state(informer) == server_state(cs, ns), "cache equals server")
    finally:
        factory.shutdown()


def test_reconnects_after_the_connection_is_cut_mid_stream(
    apiserver: ApiServer, cs: Clientset
) -> None:
    ns = new_namespace(cs)
    cms = cs.core_v1.config_maps(ns)
    with (
        FaultProxy.to(apiserver.server) as proxy,
        Clientset(config_for(apiserver, proxy.url)) as via_proxy,
    ):
        informer: SharedIndexInformer[ConfigMap] = SharedIndexInformer(
            via_proxy.core_v1.config_maps(ns),
            reflector_options=ReflectorOptions(name="configmaps", backoff=QUICK),
        )
        rec = Recorder()
        informer.add_event_handler(rec.handlers())
        with informer:
            assert informer.wait_for_cache_sync(timeout=LIVENESS)
            cuts = 0
            for i in range(30):
                cms.create({"metadata": {"name": f"cm-{i}"}, "data": {"v": "0"}})
                if i % 3 == 0:
                    cms.patch(f"cm-{i - 1 if i else 0}", {"data": {"v": "1"}})
                if i % 5 == 4:
                    cms.delete(f"cm-{i - 2}")
                if i % 7 == 3:
                    until(lambda: proxy.open >= 1, "the informer is connected")
                    cuts += proxy.cut()
            assert cuts >= 4  # connections were open and got cut
            until(lambda: cache_state(informer) == server_state(cs, ns), "cache equals server")
            # the handler's view (adds minus deletes) is the server's; nothing twice.  (An object
            # created and deleted while a relist was pending is never seen: that is correct.)
            adds = Counter(n for k, n, _ in rec.events if k == "add")
            deletes = Counter(n for k, n, _ in rec.events if k in ("delete", "tombstone"))
            assert max(adds.values()) == 1 and max(deletes.values()) == 1
            alive = {f"{ns}/{n}" for n in set(adds) - set(deletes)}
            assert alive == set(server_state(cs, ns))
            assert set(deletes) <= set(adds)
            assert proxy.connections > 1  # it did reconnect


# -- 410 after compaction -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def compacting_apiserver(
    apiserver_binary: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    work = tmp_path_factory.mktemp("e2e-compacting")
    flags = "--watch-cache=false --etcd-compaction-interval=1s"
    with another_server(apiserver_binary, work, extra_args=flags) as server:
        yield server


class ExpiryRecorder:
    """A ListerWatcher in front of a typed client that records the 410s the reflector met."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.expired: list[str] = []
        self.lists = 0

    def list(self, **kw: Any) -> Any:
        self.lists += 1
        return self.client.list(**kw)

    def watch(self, **kw: Any) -> Any:
        try:
            w = self.client.watch(**kw)
        except Expired:
            self.expired.append(f"watch open rv={kw.get('resource_version')}")
            raise
        return _Recording(w, self.expired)


class _Recording:
    def __init__(self, w: Any, expired: list[str]) -> None:
        self.w = w
        self.expired = expired

    def stop(self) -> None:
        self.w.stop()

    def __iter__(self) -> Iterator[Any]:
        try:
            yield from self.w
        except Expired:
            self.expired.append("watch stream")
            raise


@pytest.mark.parametrize("watch_list", [False, True], ids=["list-watch", "streaming-list"])
def test_410_after_compaction_relists_and_a_missed_delete_is_a_tombstone(
    compacting_apiserver: ApiServer, watch_list: bool
) -> None:
    """list+watch: the resumed watch gets 410 and the reflector relists.  Streaming list: the
    resumed ``sendInitialEvents`` watch (NotOlderThan) is served from the current state, no 410
    needed; the outcome must be the same."""
    server = compacting_apiserver
    with (
        Clientset(config_for(server)) as direct,
        FaultProxy.to(server.server) as proxy,
        Clientset(config_for(server, proxy.url)) as via_proxy,
    ):
        ns = new_namespace(direct)
        cms = direct.core_v1.config_maps(ns)
        for name in ("keep", "change", "doomed"):
            cms.create({"metadata": {"name": name}, "data": {"v": "0"}})
        lw = ExpiryRecorder(via_proxy.core_v1.config_maps(ns))
        informer: SharedIndexInformer[ConfigMap] = SharedIndexInformer(
            lw,  # type: ignore[arg-type]
            reflector_options=ReflectorOptions(
                name="configmaps", backoff=QUICK, use_watch_list=watch_list
            ),
        )
        rec = Recorder()
        informer.add_event_handler(rec.handlers())
        with informer:
            assert informer.wait_for_cache_sync(timeout=LIVENESS)
            cms.patch("keep", {"data": {"v": "1"}})  # an event on the open watch: it is healthy
            until(lambda: rec.kinds("keep") == ["add", "update"], "the watch delivers")
            old_rv = informer.last_sync_resource_version
            proxy.block()  # disconnected from here on
            doomed = cms.get("doomed")
            cms.delete("doomed")
            cms.patch("change", {"data": {"v": "1"}})
            cms.create({"metadata": {"name": "born"}, "data": {"v": "0"}})

            def compacted() -> bool:  # etcd compacted past what the informer saw
                try:
                    with cms.watch(resource_version=old_rv, timeout_seconds=1) as w:
                        for _ in w:
                            pass
                except Expired:
                    return True
                return False

            until(compacted, "etcd compaction past the informer's resourceVersion")
            proxy.unblock()
            until(lambda: cache_state(informer) == server_state(direct, ns), "converged")
            if not watch_list:
                assert lw.expired, "the reflector never met a 410"
                assert lw.lists >= 2  # it relisted
            assert rec.kinds("doomed") == ["add", "tombstone"]
            tomb = rec.tombstones[0]
            assert tomb.key == f"{ns}/doomed"
            assert isinstance(tomb.obj, ConfigMap)
            assert tomb.obj.metadata.uid == doomed.metadata.uid
            assert rec.kinds("change") == ["add", "update"]
            assert rec.kinds("born") == ["add"]
            assert rec.kinds("keep") == ["add", "update"]


# -- RetryWatcher ---------------------------------------------------------------------------------
def test_retry_watcher_resumes_across_cuts_without_loss(
    apiserver: ApiServer, cs: Clientset
) -> None:
    ns = new_namespace(cs)
    cms = cs.core_v1.config_maps(ns)
    start = cms.create({"metadata": {"name": "w"}, "data": {"v": "0"}}).metadata.resource_version
    assert start
    with (
        FaultProxy.to(apiserver.server) as proxy,
        Clientset(config_for(apiserver, proxy.url)) as via_proxy,
    ):
        rw: RetryWatcher[ConfigMap] = RetryWatcher(via_proxy.core_v1.config_maps(ns), start)
        got: list[str] = []

        def consume() -> None:
            for event in rw:
                if event.type == "MODIFIED":
                    got.append(event.object.metadata.resource_version or "")

        t = threading.Thread(target=consume, daemon=True)
        t.start()
        written: list[str] = []
        for i in range(12):
            written.append(
                cms.patch("w", {"data": {"v": str(i + 1)}}).metadata.resource_version or ""
            )
            if i % 4 == 1:
                until(lambda: proxy.open >= 1, "the watch is connected")
                proxy.cut()
        until(lambda: len(got) >= len(written), "every update delivered")
        rw.stop()
        t.join(LIVENESS)
        assert got == written  # in order, none lost, none twice
        assert rw.restarts >= 2 and proxy.connections >= 3  # it really reconnected


def test_retry_watcher_raises_410_after_compaction(compacting_apiserver: ApiServer) -> None:
    with Clientset(config_for(compacting_apiserver)) as direct:
        ns = new_namespace(direct)
        cms = direct.core_v1.config_maps(ns)
        old = cms.create({"metadata": {"name": "w"}, "data": {"v": "0"}}).metadata.resource_version
        assert old
        cms.patch("w", {"data": {"v": "1"}})

        def expired() -> bool:
            rw: RetryWatcher[ConfigMap] = RetryWatcher(cms, old)
            try:
                for _ in rw:
                    rw.stop()  # an event arrived: not compacted yet
                return False
            except Expired:
                return True

        until(expired, "the RetryWatcher surfaces 410")
