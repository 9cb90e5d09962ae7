"""The controller toolkit runs unchanged against the fake cluster: informers and listers over the
FakeTransport, leader election on its Leases, and examples/controller.py as a subprocess against
the fake served on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from kubeset.cache import DeletedFinalStateUnknown, EventHandlers, SharedInformerFactory
from kubeset.errors import NotFound
from kubeset.kubernetes.models.core.v1 import ConfigMap
from kubeset.leaderelection import LeaderCallbacks, LeaderElectionConfig, LeaderElector, LeaseLock
from kubeset.testing import FakeTransport
from kubeset.testing.server import FakeServer

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "controller.py"


def until(predicate: Any, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        time.sleep(0.02)


def test_an_informer_over_the_fake_sees_every_change_in_order(kube_fake: FakeTransport) -> None:
    cs = kube_fake.clientset()
    cms = cs.core_v1.config_maps("default")
    cms.create({"metadata": {"name": "before"}, "data": {"v": "0"}})
    events: list[tuple[str, str]] = []
    lock = threading.Lock()

    def record(kind: str, cm: ConfigMap | DeletedFinalStateUnknown[ConfigMap]) -> None:
        name = cm.key if isinstance(cm, DeletedFinalStateUnknown) else cm.metadata.name or ""
        with lock:
            events.append((kind, name))

    factory = SharedInformerFactory(namespace="default")
    informer = factory.informer_for(cs.core_v1.config_maps)
    informer.add_event_handler(
        EventHandlers[ConfigMap](
            on_add=lambda cm, _: record("add", cm),
            on_update=lambda _, cm: record("update", cm),
            on_delete=lambda cm: record("delete", cm),
        )
    )
    factory.start()
    try:
        assert factory.wait_for_cache_sync(timeout=30)
        cms.create({"metadata": {"name": "after"}, "data": {"v": "1"}})
        cms.patch("after", {"data": {"v": "2"}})
        cms.delete("before")
        until(lambda: ("delete", "before") in events, "the delete reaches the handler")
        until(lambda: ("update", "after") in events, "the update reaches the handler")
        names = [e for e in events if e[1] in ("before", "after")]
        assert names == [
            ("add", "before"),
            ("add", "after"),
            ("update", "after"),
            ("delete", "before"),
        ]
        lister = factory.lister_for(cs.core_v1.config_maps)
        assert lister.namespace("default").get("after").data == {"v": "2"}
        try:
            lister.namespace("default").get("before")
            raise AssertionError("a deleted object stayed in the cache")
        except NotFound:
            pass
    finally:
        factory.shutdown()


def test_two_candidates_on_the_fake_never_lead_at_once(kube_fake: FakeTransport) -> None:
    cs = kube_fake.clientset()
    leading: set[str] = set()
    overlaps: list[set[str]] = []
    lock = threading.Lock()

    def elector(identity: str) -> LeaderElector:
        def started(stop: Any) -> None:
            with lock:
                leading.add(identity)
                if len(leading) > 1:
                    overlaps.append(set(leading))
            stop.wait()

        def stopped() -> None:
            with lock:
                leading.discard(identity)

        return LeaderElector(
            LeaderElectionConfig(
                lock=LeaseLock(
                    cs.coordination_v1.leases("default"), "fake-lock", identity=identity
                ),
                callbacks=LeaderCallbacks(on_started_leading=started, on_stopped_leading=stopped),
                lease_duration=2.0,
                renew_deadline=1.5,
                retry_period=0.2,
                release_on_cancel=True,
            )
        )

    first, second = elector("a"), elector("b")
    threads = [threading.Thread(target=e.run, daemon=True) for e in (first, second)]
    for t in threads:
        t.start()
    until(lambda: len(leading) == 1, "one candidate leads")
    leader, waiting = (first, second) if "a" in leading else (second, first)
    time.sleep(1.5)  # several renewals by the leader, the other one retrying
    leader.stop()
    until(lambda: leading == {"b" if waiting is second else "a"}, "the other takes over")
    waiting.stop()
    for t in threads:
        t.join(10)
    assert overlaps == []


def test_the_example_controller_converges_against_the_fake_over_http(tmp_path: Path) -> None:
    with FakeServer() as server:
        cs = server.fake.clientset()
        cs.core_v1.namespaces().create({"metadata": {"name": "team-a"}})
        kubeconfig = server.write_kubeconfig(tmp_path / "kubeconfig")
        proc = subprocess.Popen(
            [sys.executable, str(EXAMPLE), "--kubeconfig", str(kubeconfig), "--workers", "1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:

            def present(ns: str) -> bool:
                try:
                    cm = cs.core_v1.config_maps(ns).get("kubeset-example")
                except NotFound:
                    return False
                return cm.data.get("namespace") == ns

            until(lambda: present("team-a") and present("default"), "a ConfigMap per Namespace", 60)
            cs.core_v1.config_maps("team-a").delete("kubeset-example")
            until(lambda: present("team-a"), "the deleted ConfigMap is put back", 60)
        finally:
            proc.terminate()
            out, _ = proc.communicate(timeout=30)
        assert "caches synced" in out and "leading as" in out, out
