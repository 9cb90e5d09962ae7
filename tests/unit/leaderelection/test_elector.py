"""Leader election decisions with an in-memory lock and FakeClocks (no sleeps)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kubeset.clock import FakeClock, StopEvent
from kubeset.errors import ApiConnectionError, Conflict, NotFound
from kubeset.leaderelection import (
    LeaderCallbacks,
    LeaderElectionConfig,
    LeaderElectionConfigError,
    LeaderElectionRecord,
    LeaderElector,
)

LIVENESS = 10.0


class Store:
    """The 'server': one record with a resourceVersion for optimistic concurrency."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.record: LeaderElectionRecord | None = None
        self.rv = 0
        self.writes: list[LeaderElectionRecord] = []


class MemLock:
    """An in-memory ResourceLock; ``hang`` (an Event, set: calls block until it clears) and
    ``fail`` make its calls stall or fail as a cut network would; ``timeouts`` records the
    timeout each call was given."""

    def __init__(self, store: Store, identity: str) -> None:
        self.store = store
        self._identity = identity
        self.read_rv = -1
        self.hang = threading.Event()
        self.released = threading.Event()  # set to let hung calls go on
        self.fail = False
        self.timeouts: list[float | None] = []

    @property
    def identity(self) -> str:
        return self._identity

    def describe(self) -> str:
        return "mem/lease"

    def _call(self, timeout: float | None) -> None:
        self.timeouts.append(timeout)
        if self.hang.is_set():
            self.released.wait(LIVENESS)
        if self.fail:
            raise ApiConnectionError("the network is cut")

    def get(self, *, timeout: float | None = None) -> LeaderElectionRecord:
        self._call(timeout)
        with self.store.lock:
            if self.store.record is None:
                raise NotFound(404, "NotFound", "no lease")
            self.read_rv = self.store.rv
            return self.store.record

    def create(self, record: LeaderElectionRecord, *, timeout: float | None = None) -> None:
        self._call(timeout)
        with self.store.lock:
            if self.store.record is not None:
                raise Conflict(409, "AlreadyExists", "exists")
            self._write(record)

    def update(self, record: LeaderElectionRecord, *, timeout: float | None = None) -> None:
        self._call(timeout)
        with self.store.lock:
            if self.read_rv != self.store.rv:
                raise Conflict(409, "Conflict", "the object has been modified")
            self._write(record)

    def _write(self, record: LeaderElectionRecord) -> None:
        self.store.rv += 1
        self.read_rv = self.store.rv
        self.store.record = record
        self.store.writes.append(record)


def noop(*_: Any) -> None:
    return None


def elector(
    store: Store, identity: str, clock: FakeClock, *, on_new_leader: Any = None, **kw: Any
) -> LeaderElector:
    cfg = LeaderElectionConfig(
        lock=MemLock(store, identity),
        callbacks=LeaderCallbacks(
            on_started_leading=noop, on_stopped_leading=noop, on_new_leader=on_new_leader
        ),
        lease_duration=15,
        renew_deadline=10,
        retry_period=2,
        clock=clock,
        **kw,
    )
    return LeaderElector(cfg)


@pytest.mark.parametrize(
    ("lease", "renew", "retry", "match"),
    [
        (10, 10, 2, "lease_duration .* greater than renew_deadline"),
        (15, 2.4, 2, r"renew_deadline .* greater than 1.2 x retry_period"),
        (15, 10, 0, "must be positive|greater than"),
    ],
)
def test_config_invariants(lease: float, renew: float, retry: float, match: str) -> None:
    with pytest.raises(LeaderElectionConfigError, match=match):
        LeaderElectionConfig(
            lock=MemLock(Store(), "a"),
            callbacks=LeaderCallbacks(on_started_leading=noop, on_stopped_leading=noop),
            lease_duration=lease,
            renew_deadline=renew,
            retry_period=retry,
        )


def test_empty_identity_is_refused() -> None:
    with pytest.raises(LeaderElectionConfigError, match="identity"):
        LeaderElectionConfig(
            lock=MemLock(Store(), ""),
            callbacks=LeaderCallbacks(on_started_leading=noop, on_stopped_leading=noop),
        )


def test_first_candidate_creates_the_lease_the_second_waits_for_its_expiry() -> None:
    store = Store()
    ca, cb = FakeClock(), FakeClock(start=5000.0)  # unrelated monotonic clocks
    a, b = elector(store, "a", ca), elector(store, "b", cb)
    assert a.try_acquire_or_renew() and a.is_leader()
    assert store.record is not None and store.record.leader_transitions == 0
    assert not b.try_acquire_or_renew()  # held and valid
    assert b.get_leader() == "a"
    cb.step(14.9)
    assert not b.try_acquire_or_renew()
    cb.step(0.2)  # 15.1 s after b first saw this record: expired from b's point of view
    assert b.try_acquire_or_renew() and b.is_leader()
    assert store.record.holder_identity == "b" and store.record.leader_transitions == 1


def test_renewals_keep_the_lease_and_never_count_transitions() -> None:
    store = Store()
    ca, cb = FakeClock(), FakeClock()
    a, b = elector(store, "a", ca), elector(store, "b", cb)
    assert a.try_acquire_or_renew()
    acquired = store.record.acquire_time  # type: ignore[union-attr]
    for _ in range(50):
        ca.step(2)
        cb.step(2)
        assert a.try_acquire_or_renew()
        assert not b.try_acquire_or_renew()  # each renewal is a change b observes anew
    rec = store.record
    assert rec is not None and rec.holder_identity == "a" and rec.leader_transitions == 0
    assert rec.acquire_time == acquired and rec.renew_time > acquired  # type: ignore[operator]


def test_validity_comes_from_local_observation_not_the_holders_timestamps() -> None:
    store = Store()
    # the holder's wall clock is a day behind: its renewTime looks ancient to b
    skewed = FakeClock(wall_start=datetime(2026, 1, 1, tzinfo=UTC) - timedelta(days=1))
    cb = FakeClock()
    a, b = elector(store, "a", skewed), elector(store, "b", cb)
    assert a.try_acquire_or_renew()
    assert not b.try_acquire_or_renew()  # not taken over despite the old renewTime
    cb.step(15.1)
    assert b.try_acquire_or_renew()


def test_release_hands_over_at_once_and_transitions_count_holder_changes() -> None:
    store = Store()
    ca, cb = FakeClock(), FakeClock()
    a, b = elector(store, "a", ca), elector(store, "b", cb)
    assert a.try_acquire_or_renew()
    assert not b.try_acquire_or_renew()
    assert a.release()
    rec = store.record
    assert rec is not None and rec.holder_identity == "" and rec.lease_duration_seconds == 1
    assert b.try_acquire_or_renew()  # an empty holder: no need to wait
    assert store.record.leader_transitions == 1  # type: ignore[union-attr]
    assert not a.is_leader()
    assert a.release()  # not leader: nothing to do
    assert store.record.holder_identity == "b"  # type: ignore[union-attr]


def test_losing_the_write_race_is_not_leadership() -> None:
    store = Store()
    ca, cb = FakeClock(), FakeClock()
    a, b = elector(store, "a", ca), elector(store, "b", cb)
    assert a.try_acquire_or_renew()
    assert not b.try_acquire_or_renew()
    cb.step(20)  # b believes the lease expired (a is only slow)
    lock_b: Any = b.config.lock
    read = lock_b.get

    def get_then_a_renews(*, timeout: float | None = None) -> LeaderElectionRecord:
        record = read(timeout=timeout)
        ca.step(2)
        assert a.try_acquire_or_renew()  # a renews between b's read and b's write
        return record

    lock_b.get = get_then_a_renews
    assert not b.try_acquire_or_renew()  # b's update conflicts
    assert not b.is_leader() and store.record.holder_identity == "a"  # type: ignore[union-attr]


def test_on_new_leader_reports_each_holder_change() -> None:
    store = Store()
    seen: list[str] = []
    done = threading.Event()

    def report(identity: str) -> None:
        seen.append(identity)
        if len(seen) == 2:
            done.set()

    ca, cb = FakeClock(), FakeClock()
    a = elector(store, "a", ca)
    b = elector(store, "b", cb, on_new_leader=report)
    assert a.try_acquire_or_renew()
    b.try_acquire_or_renew()
    b._maybe_report_transition()
    b.try_acquire_or_renew()
    b._maybe_report_transition()
    a.release()
    b.try_acquire_or_renew()
    b._maybe_report_transition()
    assert done.wait(LIVENESS)
    assert seen == ["a", "b"]


def test_run_leads_renews_and_stops_leading_when_renewal_fails() -> None:
    store = Store()
    clock = FakeClock()
    events: list[str] = []
    leading_stop: list[StopEvent] = []

    def started(stop: StopEvent) -> None:
        events.append("started")
        leading_stop.append(stop)

    cfg = LeaderElectionConfig(
        lock=MemLock(store, "a"),
        callbacks=LeaderCallbacks(
            on_started_leading=started, on_stopped_leading=lambda: events.append("stopped")
        ),
        lease_duration=15,
        renew_deadline=10,
        retry_period=2,
        clock=clock,
        release_on_cancel=True,
    )
    el = LeaderElector(cfg)
    t = threading.Thread(target=el.run)
    t.start()
    deadline = time.monotonic() + LIVENESS
    while events != ["started"] and time.monotonic() < deadline:
        time.sleep(0.005)
    assert events == ["started"]
    for _ in range(5):  # renewals
        writes = len(store.writes)
        while clock.waiters() == 0 and time.monotonic() < deadline:
            time.sleep(0.001)
        clock.step(2)
        while len(store.writes) == writes and time.monotonic() < deadline:
            time.sleep(0.001)
    assert store.record is not None and store.record.holder_identity == "a"
    store.record = LeaderElectionRecord("intruder", 15, renew_time=clock.wall())  # stolen
    store.rv += 1
    while t.is_alive() and time.monotonic() < deadline:
        clock.step(2)
        time.sleep(0.002)
    t.join(LIVENESS)
    assert events == ["started", "stopped"]
    assert leading_stop[0].is_set()  # the controller was told to stop
    assert store.record.holder_identity == "intruder"  # release did not overwrite another's


def test_stop_releases_the_lease_when_asked() -> None:
    store = Store()
    clock = FakeClock()
    started = threading.Event()
    cfg = LeaderElectionConfig(
        lock=MemLock(store, "a"),
        callbacks=LeaderCallbacks(
            on_started_leading=lambda s: started.set(), on_stopped_leading=noop
        ),
        clock=clock,
        release_on_cancel=True,
    )
    el = LeaderElector(cfg)
    t = threading.Thread(target=el.run)
    t.start()
    assert started.wait(LIVENESS)
    el.stop()
    t.join(LIVENESS)
    assert not t.is_alive()
    assert store.record is not None and store.record.holder_identity == ""
