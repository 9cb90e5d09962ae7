"""Network partitions between clients and the real kube-apiserver, made by
:class:`faultproxy.FaultProxy`: an informer, a plain watch and a ``RetryWatcher`` through cuts,
black holes and resets, while a writer that goes straight to the server changes ConfigMaps.

Each scenario checks what a controller relies on: the informer's store converges to the server's
list (names and resourceVersions), every object's events arrive in resourceVersion order with
none twice, a silent (black-holed) watch is noticed within the client's ``watch_idle_timeout``,
a broken plain watch ends with ``ConnectionLost`` at once, and a ``RetryWatcher`` delivers
exactly what was written.  The clients through the proxy use a 3 s idle limit (the server's
bookmarks come about once a minute, so a quiet watch also reconnects every 3 s: harmless).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any, cast

import kubeset
import pytest
from faultproxy import FaultProxy
from kube_apiserver import ApiServer
from kubeset.cache import (
    BackoffOptions,
    DeletedFinalStateUnknown,
    EventHandlers,
    ListerWatcher,
    ReflectorOptions,
    RetryWatcher,
    SharedIndexInformer,
)
from kubeset.errors import ConnectionLost
from kubeset.kubernetes import Clientset
from kubeset.kubernetes.models.core.v1 import ConfigMap
from kubeset.rest import RESTClient

pytestmark = pytest.mark.e2e
log = logging.getLogger(__name__)

IDLE = 3.0  # watch_idle_timeout of the clients through the proxy
MARGIN = 3.0  # allowed past IDLE for noticing a silent watch and dialling again
LIVENESS = 60.0
CONNECT = 5.0  # timeout of the clients through the proxy
HANDSHAKE = 10.0  # client-go's TLSHandshakeTimeout
QUICK = BackoffOptions(initial=0.2, cap=1.0)


def until(predicate: Any, what: str, timeout: float = LIVENESS) -> float:
    """Waits for ``predicate``; returns the seconds it took."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout}s: {what}")
        time.sleep(0.02)
    return time.monotonic() - started


def config_for(apiserver: ApiServer, host: str | None = None) -> kubeset.Config:
    config = dataclasses.replace(kubeset.load_kubeconfig(apiserver.kubeconfig), qps=-1)
    return dataclasses.replace(config, host=host) if host else config


@pytest.fixture(scope="module")
def direct(apiserver: ApiServer) -> Iterator[Clientset]:
    with Clientset(config_for(apiserver)) as cs:
        yield cs


@pytest.fixture
def ns(direct: Clientset) -> Iterator[str]:
    name = f"part-{uuid.uuid4().hex[:8]}"
    direct.core_v1.namespaces().create({"metadata": {"name": name}})
    yield name
    direct.core_v1.namespaces().delete(name)


@pytest.fixture
def proxy(apiserver: ApiServer) -> Iterator[FaultProxy]:
    with FaultProxy.to(apiserver.server) as p:
        yield p


@pytest.fixture
def via_proxy(apiserver: ApiServer, proxy: FaultProxy) -> Iterator[Clientset]:
    # timeout= bounds connecting (the TLS handshake included) below CONNECT_TIMEOUT's 10 s
    rest = RESTClient(config_for(apiserver, proxy.url), timeout=CONNECT, watch_idle_timeout=IDLE)
    with Clientset(rest) as cs:
        yield cs


class Writer:
    """Creates, patches and deletes ConfigMaps straight on the server (a fixed mix: 2 creates,
    2 patches, 1 delete in 5); remembers each object's resourceVersions as written."""

    def __init__(self, direct: Clientset, ns: str) -> None:
        self.cms = direct.core_v1.config_maps(ns)
        self.written: dict[str, list[str]] = {}  # name -> resourceVersions of create + patches
        self.deleted: set[str] = set()
        self.log: list[tuple[str, str]] = []  # (name, resourceVersion) of each create and patch
        self.ops = 0

    @property
    def last_rv(self) -> int:
        return int(self.log[-1][1]) if self.log else 0

    def alive(self) -> list[str]:
        return [n for n in self.written if n not in self.deleted]

    def step(self) -> None:
        i, self.ops = self.ops, self.ops + 1
        alive = self.alive()
        if i % 5 < 2 or len(alive) < 3:
            name = f"cm-{i}"
            made = self.cms.create({"metadata": {"name": name}, "data": {"v": "0"}})
            self.written[name] = [made.metadata.resource_version or ""]
            self.log.append((name, self.written[name][-1]))
        elif i % 5 < 4:
            name = alive[(i * 7) % len(alive)]
            patched = self.cms.patch(name, {"data": {"v": str(i)}})
            self.written[name].append(patched.metadata.resource_version or "")
            self.log.append((name, self.written[name][-1]))
        else:
            name = alive[0]
            self.cms.delete(name)
            self.deleted.add(name)

    def run(self, n: int, pause: float = 0.0) -> None:
        for _ in range(n):
            self.step()
            if pause:
                time.sleep(pause)


class Recorder:
    """Every handler call as (kind, name, resourceVersion), updates with an unchanged
    resourceVersion included (a relist delivers those; a re-delivered watch event would too)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list[tuple[str, str, str]] = []

    def handlers(self) -> EventHandlers[ConfigMap]:
        return EventHandlers(on_add=self.on_add, on_update=self.on_update, on_delete=self.on_delete)

    def _rec(self, kind: str, obj: ConfigMap) -> None:
        if obj.metadata.name == "kube-root-ca.crt":
            return
        with self.lock:
            self.events.append((kind, obj.metadata.name or "", obj.metadata.resource_version or ""))

    def on_add(self, obj: ConfigMap, initial: bool) -> None:
        self._rec("add", obj)

    def on_update(self, old: ConfigMap, new: ConfigMap) -> None:
        same = old.metadata.resource_version == new.metadata.resource_version
        self._rec("same" if same else "update", new)

    def on_delete(self, obj: ConfigMap | DeletedFinalStateUnknown[ConfigMap]) -> None:
        if isinstance(obj, DeletedFinalStateUnknown):
            with self.lock:
                self.events.append(("tombstone", obj.key.split("/", 1)[1], ""))
        else:
            self._rec("delete", obj)

    def changes_between(self, low: int, high: int) -> Counter[tuple[str, str]]:
        """(name, resourceVersion) of each add and update (unchanged ones too) with low <
        resourceVersion <= high."""
        with self.lock:
            return Counter(
                (n, rv)
                for k, n, rv in self.events
                if k in ("add", "update", "same") and low < int(rv) <= high
            )

    def per_object(self) -> dict[str, list[tuple[str, str]]]:
        with self.lock:
            events = list(self.events)
        out: dict[str, list[tuple[str, str]]] = {}
        for kind, name, rv in events:
            out.setdefault(name, []).append((kind, rv))
        return out


class CountingLists:
    """A typed client whose initial lists (plain or streaming) are counted: each is a relist,
    after which events in between may rightly be skipped and unchanged objects re-delivered."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.lists = 0

    def list(self, **params: Any) -> Any:
        if not params.get("continue_"):
            self.lists += 1
        return self.inner.list(**params)

    def watch(self, **params: Any) -> Any:
        if params.get("send_initial_events"):
            self.lists += 1
        return self.inner.watch(**params)


def server_state(direct: Clientset, ns: str) -> dict[str, str]:
    return {
        o.metadata.name or "": o.metadata.resource_version or ""
        for o in direct.core_v1.config_maps(ns).list().items
        if o.metadata.name != "kube-root-ca.crt"
    }


def cache_state(informer: SharedIndexInformer[ConfigMap]) -> dict[str, str]:
    return {
        o.metadata.name or "": o.metadata.resource_version or ""
        for o in informer.indexer.list()
        if o.metadata.name != "kube-root-ca.crt"
    }


# -----------------------------------------------------------------------------------------------
@pytest.mark.timeout(150)
def test_informer_converges_through_cut_blackhole_and_resets(
    direct: Clientset, ns: str, proxy: FaultProxy, via_proxy: Clientset
) -> None:
    writer = Writer(direct, ns)
    writer.run(20)  # in the initial list: those objects are first seen as they are now
    listed = {n: writer.written[n][-1] for n in writer.alive()}

    def written_between(low: int, high: int) -> Counter[tuple[str, str]]:
        return Counter((n, rv) for n, rv in writer.log if low < int(rv) <= high)

    exact: list[str] = []  # the phases checked event for event
    client = CountingLists(via_proxy.core_v1.config_maps(ns))
    informer: SharedIndexInformer[ConfigMap] = SharedIndexInformer(
        cast(ListerWatcher[ConfigMap], client),
        reflector_options=ReflectorOptions(name="configmaps", backoff=QUICK),
    )
    rec = Recorder()
    informer.add_event_handler(rec.handlers())

    def converged() -> bool:
        return cache_state(informer) == server_state(direct, ns)

    with informer:
        assert informer.wait_for_cache_sync(timeout=LIVENESS)
        # 1. the watch connection is cut mid-stream
        low, lists = writer.last_rv, client.lists
        writer.run(30)
        until(lambda: proxy.open >= 1, "the informer is connected")
        assert proxy.cut() >= 1
        writer.run(30)
        until(converged, "the cache caught up after the cut")
        # a cut watch is resumed from its resourceVersion (no relist): every write is delivered
        # once, nothing else
        assert client.lists == lists == 1
        assert rec.changes_between(low, writer.last_rv) == written_between(low, writer.last_rv)
        exact.append("cut")
        # 2. the connection goes silent for longer than the idle limit
        until(lambda: proxy.open >= 1, "the informer is connected")
        connections = proxy.connections
        proxy.blackhole(IDLE + 3.0)
        started = time.monotonic()
        writer.run(30)  # unheard by the watch
        noticed = until(lambda: proxy.connections > connections, "a new connection", 3 * IDLE)
        log.warning("silent watch noticed, new connection %.1f s after the black hole", noticed)
        assert noticed <= IDLE + MARGIN, f"the silent watch took {noticed:.1f} s to notice"
        recovered = until(converged, "the cache caught up after the black hole")
        log.warning("cache converged %.1f s after the black hole", time.monotonic() - started)
        assert recovered < LIVENESS
        # 3. every connection is reset after 20 kB (about 30 events) until normal()
        connections = proxy.connections
        low, lists = writer.last_rv, client.lists
        proxy.reset_after(20_000, open_connections=True)
        writer.run(60, pause=0.02)
        until(lambda: proxy.connections >= connections + 2, "reconnects after resets")
        proxy.normal()
        writer.run(30)
        until(converged, "the cache caught up after the resets")
        resets = proxy.connections - connections
        if client.lists == lists:  # (a reset within a second of dialling relists: a short watch)
            assert rec.changes_between(low, writer.last_rv) == written_between(low, writer.last_rv)
            exact.append("resets")
    assert writer.ops == 200

    # the store is the server's list; each object's events come in resourceVersion order, none
    # twice, and each object's final state was delivered
    final = server_state(direct, ns)
    seen = rec.per_object()
    for name, events in seen.items():
        order = [int(rv) for kind, rv in events if kind in ("add", "update", "delete")]
        assert order == sorted(order) and len(set(order)) == len(order), (name, events)
        kinds = [kind for kind, _ in events]
        assert kinds[0] == "add" and kinds.count("add") == 1, (name, events)  # names not reused
        if name in final:
            changed = [rv for kind, rv in events if kind in ("add", "update", "same")]
            assert changed[-1] == final[name], (name, events)
        else:
            assert events[-1][0] in ("delete", "tombstone"), (name, events)
    assert set(final) <= set(seen)
    assert not [n for n in writer.alive() if n not in seen]  # no object missed
    log.warning(
        "informer: %d lists, %d connections in the reset phase, checked event for event: %s",
        client.lists,
        resets,
        exact,
    )
    for name, rvs in writer.written.items():
        if name in seen:  # only written states are delivered (a relist may skip some)
            expected = rvs[rvs.index(listed[name]) :] if name in listed else rvs
            got = [rv for kind, rv in seen[name] if kind in ("add", "update")]
            assert set(got) <= set(expected), (name, seen[name], expected)


@pytest.mark.timeout(60)
def test_watch_opened_into_a_blackhole_gives_up_within_a_handshake_timeout(
    apiserver: ApiServer, proxy: FaultProxy, ns: str
) -> None:
    """A connection whose TLS handshake gets no answer fails within about 10 s (CONNECT_TIMEOUT,
    as client-go's TLSHandshakeTimeout) although the call's own timeout is 60 s, so that a
    reflector re-watching during a partition is back soon after the network is."""
    proxy.blackhole()
    via_proxy = Clientset(RESTClient(config_for(apiserver, proxy.url), watch_idle_timeout=IDLE))
    outcome: list[BaseException] = []

    def open_watch() -> None:
        try:
            via_proxy.core_v1.config_maps(ns).watch(resource_version="0").stop()
        except BaseException as e:  # noqa: BLE001 - reported below
            outcome.append(e)

    opener = threading.Thread(target=open_watch, daemon=True)
    started = time.monotonic()
    opener.start()
    opener.join(HANDSHAKE + MARGIN)
    took = time.monotonic() - started
    proxy.cut()  # ends a handshake still waiting
    opener.join(LIVENESS)
    via_proxy.close()
    log.warning("watch opened into a black hole: %s after %.1f s", outcome, took)
    assert outcome and took <= HANDSHAKE + MARGIN, f"still in the handshake after {took:.1f} s"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("fault", ["cut", "reset"])
def test_broken_watch_ends_with_connection_lost(
    direct: Clientset, ns: str, proxy: FaultProxy, via_proxy: Clientset, fault: str
) -> None:
    cms = direct.core_v1.config_maps(ns)
    start = cms.create({"metadata": {"name": "a"}}).metadata.resource_version
    with via_proxy.core_v1.config_maps(ns).watch(resource_version=start) as watch:
        cms.create({"metadata": {"name": "b"}})
        first = next(watch)
        assert (first.type, first.object.metadata.name) == ("ADDED", "b")
        if fault == "cut":
            assert proxy.cut() == 1
        else:
            proxy.reset_after(0, open_connections=True)  # the next byte either way resets
            cms.create({"metadata": {"name": "c"}})
        started = time.monotonic()
        with pytest.raises(ConnectionLost):
            for event in watch:
                raise AssertionError(f"an event through a broken connection: {event.type}")
        took = time.monotonic() - started
        assert took < 5, f"the broken watch took {took:.1f} s to end"


@pytest.mark.timeout(90)
def test_retry_watcher_delivers_every_event_across_cut_and_blackhole(
    direct: Clientset, ns: str, proxy: FaultProxy, via_proxy: Clientset
) -> None:
    cms = direct.core_v1.config_maps(ns)
    start = cms.create({"metadata": {"name": "start"}}).metadata.resource_version
    assert start
    rw: RetryWatcher[ConfigMap] = RetryWatcher(via_proxy.core_v1.config_maps(ns), start)
    got: list[tuple[str, str, str]] = []
    lock = threading.Lock()

    def consume() -> None:
        for event in rw:
            if event.type != "BOOKMARK":
                meta = event.object.metadata
                with lock:
                    got.append((event.type, meta.name or "", meta.resource_version or ""))

    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    written: list[tuple[str, str, str]] = []

    def write(n: int) -> None:
        for _ in range(n):
            i = len(written)
            name = f"w-{i // 4}"
            if i % 4 == 0:
                made = cms.create({"metadata": {"name": name}, "data": {"v": "0"}})
                written.append(("ADDED", name, made.metadata.resource_version or ""))
            else:
                patched = cms.patch(name, {"data": {"v": str(i)}})
                written.append(("MODIFIED", name, patched.metadata.resource_version or ""))

    def caught_up() -> bool:
        with lock:
            return len(got) >= len(written)

    try:
        write(20)
        until(lambda: proxy.open >= 1, "the watch is connected")
        proxy.cut()
        write(20)
        until(caught_up, "every event before the black hole")
        proxy.blackhole(IDLE + 2.0)
        started = time.monotonic()
        write(20)
        until(caught_up, "every event after the black hole")
        log.warning(
            "RetryWatcher caught up %.1f s after the black hole", time.monotonic() - started
        )
    finally:
        rw.stop()
        consumer.join(LIVENESS)
    assert not consumer.is_alive()
    with lock:
        assert got == written  # in order, none lost, none twice
    assert rw.restarts >= 2 and proxy.connections >= 3
