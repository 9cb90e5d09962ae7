"""Leader election on a real Lease: never two leaders, takeover after stop and after release,
transitions counted per holder change."""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import kubeset
import pytest
from kube_apiserver import ApiServer
from kubeset.clock import StopEvent
from kubeset.kubernetes import Clientset
from kubeset.leaderelection import LeaderCallbacks, LeaderElectionConfig, LeaderElector, LeaseLock

pytestmark = pytest.mark.e2e

LEASE, RENEW, RETRY = 3.0, 2.0, 0.4
LIVENESS = 60.0


@pytest.fixture(scope="module")
def config(apiserver: ApiServer) -> kubeset.Config:
    return dataclasses.replace(kubeset.load_kubeconfig(apiserver.kubeconfig), qps=-1)


class Referee:
    """Watches the callbacks: who leads, and whether two ever did at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.leading: set[str] = set()
        self.overlaps: list[tuple[str, set[str]]] = []
        self.starts: list[tuple[str, float]] = []

    def started(self, identity: str, stop: StopEvent) -> None:
        with self.lock:
            if self.leading:
                self.overlaps.append((identity, set(self.leading)))
            self.leading.add(identity)
            self.starts.append((identity, time.monotonic()))
        stop.wait()  # lead until told to stop
        with self.lock:
            self.leading.discard(identity)

    def leader(self) -> str | None:
        with self.lock:
            return next(iter(self.leading), None)


class Candidate:
    def __init__(
        self, config: kubeset.Config, lease: str, identity: str, referee: Referee, release: bool
    ) -> None:
        self.cs = Clientset(config)
        lock = LeaseLock(self.cs.coordination_v1.leases("default"), lease, identity=identity)
        self.elector = LeaderElector(
            LeaderElectionConfig(
                lock=lock,
                callbacks=LeaderCallbacks(
                    on_started_leading=lambda stop: referee.started(identity, stop),
                    on_stopped_leading=lambda: None,
                ),
                lease_duration=LEASE,
                renew_deadline=RENEW,
                retry_period=RETRY,
                release_on_cancel=release,
                name=identity,
            )
        )
        self.thread = threading.Thread(target=self.elector.run, name=identity, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.elector.stop()
        self.thread.join(LIVENESS)
        assert not self.thread.is_alive()
        self.cs.close()


def until(predicate: Any, what: str, timeout: float = LIVENESS) -> float:
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout}s: {what}")
        time.sleep(0.02)
    return time.monotonic() - start


@pytest.fixture
def lease_name() -> Iterator[str]:
    yield f"le-{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("release", [True, False], ids=["release", "stop"])
def test_one_leader_at_a_time_and_takeover(
    config: kubeset.Config, lease_name: str, release: bool
) -> None:
    referee = Referee()
    a = Candidate(config, lease_name, "a", referee, release)
    until(lambda: referee.leader() == "a", "a leads")
    b = Candidate(config, lease_name, "b", referee, release)
    with Clientset(config) as cs:
        leases = cs.coordination_v1.leases("default")
        renew_times = set()
        # many renewals by a while b keeps trying
        deadline = time.monotonic() + 8 * LEASE
        while time.monotonic() < deadline:
            spec = leases.get(lease_name).spec
            assert spec is not None and spec.holder_identity == "a"
            renew_times.add(spec.renew_time)
            time.sleep(RETRY / 2)
        assert len(renew_times) >= 15  # a renewed many times
        assert referee.leader() == "a" and b.elector.get_leader() == "a"
        stopped = time.monotonic()
        a.stop()
        waited = until(lambda: referee.leader() == "b", "b takes over")
        took = time.monotonic() - stopped
        if release:
            assert took < LEASE  # released: no need to wait for expiry
        else:
            # expiry judged from b's last observation (at most a retry period after a's last
            # renewal) plus b's jittered retry: within the lease duration plus those periods
            assert took < LEASE + 2 * (1 + 1.2) * RETRY + 1.0
        assert waited >= 0
        spec = leases.get(lease_name).spec
        assert spec is not None and spec.holder_identity == "b"
        assert spec.lease_transitions == 1  # one holder change (renewals and release don't count)
        b.stop()
    assert referee.overlaps == []
    assert [who for who, _ in referee.starts] == ["a", "b"]
