"""Leader election on the real server through a broken network: never two leaders.

Two candidates (lease 2 s, renew deadline 1.5 s, retry 0.5 s: the numbers of the issue that
found a cut-off leader leading on for 17 s), each behind its own FaultProxy.  For 30 s the
current leader's connection is broken again and again (cut and refused, black-holed, or slowed
by latency beyond the renew deadline); the Config keeps its default timeouts
(nothing tells the elector to hurry but its own renew deadline).  Every 20 ms an observer reads
each candidate's own state (``is_leader()`` and whether its work is running) and the Lease on the
server: at no observation do two candidates lead, and a candidate that leads before and after a
read of the Lease is its holder.  ``make soak`` runs each scenario for SOAK_SECONDS (600).
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import kubeset
import pytest
from faultproxy import FaultProxy
from kube_apiserver import ApiServer
from kubeset.clock import StopEvent
from kubeset.errors import NotFound
from kubeset.kubernetes import Clientset
from kubeset.leaderelection import LeaderCallbacks, LeaderElectionConfig, LeaderElector, LeaseLock

pytestmark = pytest.mark.e2e

LEASE, RENEW, RETRY = 2.0, 1.5, 0.5
SCENARIO = float(os.environ.get("KUBESET_PARTITION_SECONDS", "30"))
FAULT, HEALED = 4.0, 2.5  # each break lasts 4 s (beyond the lease), then 2.5 s of calm


class Candidate:
    """One replica: runs an elector again whenever the last one's leadership ended (as a
    controller process would restart), behind its own proxy."""

    def __init__(self, config: kubeset.Config, server: str, lease: str, identity: str) -> None:
        self.identity = identity
        self.proxy = FaultProxy.to(server)
        self.cs = Clientset(dataclasses.replace(config, host=self.proxy.url))
        self.lock = LeaseLock(self.cs.coordination_v1.leases("default"), lease, identity=identity)
        self.working = threading.Event()  # its controller work is running
        self.terms = 0
        self.elector: LeaderElector | None = None
        self._done = threading.Event()
        self.thread = threading.Thread(target=self._loop, name=identity, daemon=True)
        self.thread.start()

    def _work(self, stop: StopEvent) -> None:
        self.terms += 1
        self.working.set()
        stop.wait()  # what a controller's work loop does: act until told to stop
        self.working.clear()

    def _loop(self) -> None:
        while not self._done.is_set():
            self.elector = LeaderElector(
                LeaderElectionConfig(
                    lock=self.lock,
                    callbacks=LeaderCallbacks(
                        on_started_leading=self._work, on_stopped_leading=lambda: None
                    ),
                    lease_duration=LEASE,
                    renew_deadline=RENEW,
                    retry_period=RETRY,
                    name=self.identity,
                )
            )
            self.elector.run()

    def leading(self) -> bool:
        el = self.elector
        return self.working.is_set() or (el is not None and el.is_leader())

    def close(self) -> None:
        self._done.set()
        if self.elector is not None:
            self.elector.stop()
        self.proxy.normal()
        self.thread.join(30)
        self.proxy.close()
        self.cs.close()
        assert not self.thread.is_alive(), f"{self.identity}'s elector did not stop"


@pytest.fixture
def pair(apiserver: ApiServer) -> Iterator[tuple[Candidate, Candidate]]:
    config = dataclasses.replace(kubeset.load_kubeconfig(apiserver.kubeconfig), qps=-1)
    lease = f"split-{uuid.uuid4().hex[:8]}"
    a = Candidate(config, apiserver.server, lease, "a")
    b = Candidate(config, apiserver.server, lease, "b")
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def observe(
    apiserver: ApiServer, pair: tuple[Candidate, Candidate], fault: Callable[[FaultProxy], None]
) -> dict[str, int]:
    """Break the leader's network with ``fault`` again and again for SCENARIO seconds while
    checking every 20 ms that at most one candidate leads; returns counts for the report."""
    config = kubeset.load_kubeconfig(apiserver.kubeconfig)
    candidates = {c.identity: c for c in pair}
    stats = {"observations": 0, "faults": 0, "holder_changes": 0}
    problems: list[str] = []
    stop = threading.Event()

    def breaker() -> None:
        while not stop.wait(HEALED):
            leader = next((c for c in pair if c.leading()), None)
            if leader is None:
                continue
            fault(leader.proxy)
            stats["faults"] += 1
            stop.wait(FAULT)
            leader.proxy.normal()

    thread = threading.Thread(target=breaker, daemon=True)
    thread.start()
    last_holder = ""
    with Clientset(config) as cs:
        leases = cs.coordination_v1.leases("default")
        name = pair[0].lock.name
        end = time.monotonic() + SCENARIO
        while time.monotonic() < end:
            before = {i for i, c in candidates.items() if c.leading()}
            try:
                spec = leases.get(name, timeout=2).spec
            except NotFound:
                spec = None
            after = {i for i, c in candidates.items() if c.leading()}
            stats["observations"] += 1
            for seen in (before, after):
                if len(seen) > 1:
                    problems.append(f"two leaders at {time.monotonic():.2f}: {sorted(seen)}")
            holder = (spec.holder_identity if spec else "") or ""
            for who in before & after:
                if holder != who:
                    problems.append(f"{who} leads but the Lease says {holder!r}")
            if holder != last_holder:
                stats["holder_changes"] += 1
                last_holder = holder
            time.sleep(0.02)
    stop.set()
    thread.join(FAULT + HEALED + 5)
    assert not problems, problems[:10]
    return stats


@pytest.mark.timeout(SCENARIO + 90)
@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(lambda p: (p.block(), p.cut()), id="cut"),
        pytest.param(lambda p: p.blackhole(), id="blackhole"),
        # every chunk 2 s late both ways: a renew cannot finish within the 1.5 s renew deadline
        pytest.param(lambda p: p.latency(RENEW + 0.5), id="latency"),
    ],
)
def test_never_two_leaders_when_the_leaders_network_breaks(
    apiserver: ApiServer, pair: tuple[Candidate, Candidate], fault: Callable[[FaultProxy], None]
) -> None:
    a, b = pair
    deadline = time.monotonic() + 30
    while not (a.leading() or b.leading()):
        assert time.monotonic() < deadline, "nobody leads"
        time.sleep(0.05)
    stats = observe(apiserver, pair, fault)
    # the breaks moved leadership (a cut-off leader that kept leading would block the other)
    assert stats["faults"] >= 3 and stats["holder_changes"] >= 2, stats
    assert a.terms + b.terms >= 3, (a.terms, b.terms)
