"""Leader election under a cut or slow network: leadership ends renew_deadline after the last
successful renewal was *sent*, whatever the calls do; two candidates never lead at once."""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime

import pytest
from kubeset.clock import FakeClock, StopEvent
from kubeset.errors import ApiConnectionError
from kubeset.leaderelection import (
    LeaderCallbacks,
    LeaderElectionConfig,
    LeaderElectionRecord,
    LeaderElector,
)
from kubeset.leaderelection.decision import LeaseState

from .test_elector import LIVENESS, MemLock, Store

LEASE, RENEW, RETRY = 15.0, 10.0, 2.0
WALL = datetime(2026, 1, 1, tzinfo=UTC)


def until(predicate: object, what: str) -> None:
    deadline = time.monotonic() + LIVENESS
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {LIVENESS}s: {what}")
        time.sleep(0.002)


# ------------------------------------------------------------------ the rules, without I/O


def test_leadership_runs_from_the_send_of_the_last_successful_write() -> None:
    state = LeaseState(identity="a", lease_duration=LEASE, renew_deadline=RENEW)
    assert not state.leading(100.0) and state.attempt_timeout(100.0) == RENEW
    state.won(state.first_record(WALL), sent_at=100.0)
    assert state.leading(109.99) and not state.leading(110.0)
    assert state.attempt_timeout(104.0) == pytest.approx(6.0)  # what is left, no more
    assert state.attempt_timeout(110.0) == RENEW  # no longer leading: a candidate's bound


def test_another_holders_lease_is_judged_by_when_we_saw_it_change() -> None:
    state = LeaseState(identity="b", lease_duration=LEASE, renew_deadline=RENEW)
    theirs = LeaderElectionRecord("a", 15, renew_time=datetime(1999, 1, 1, tzinfo=UTC))
    state.observe(theirs, 50.0)
    assert state.held_by_another(64.9) and not state.held_by_another(65.0)
    state.observe(theirs, 60.0)  # the same record again: its lease still runs from 50
    assert not state.held_by_another(65.0)


def test_transitions_count_holder_changes_only() -> None:
    state = LeaseState(identity="a", lease_duration=LEASE, renew_deadline=RENEW)
    assert state.first_record(WALL).leader_transitions == 0
    state.observe(LeaderElectionRecord("b", 15, leader_transitions=4), 0.0)
    assert state.next_record(WALL).leader_transitions == 5
    state.observe(LeaderElectionRecord("", 1, leader_transitions=5), 1.0)  # released
    taken = state.next_record(WALL)
    assert taken.leader_transitions == 6 and taken.holder_identity == "a"
    state.won(taken, 2.0)
    assert state.next_record(WALL).leader_transitions == 6  # a renewal


# ------------------------------------------------------------------ the elector, on a fake clock


def leader(store: Store, clock: FakeClock, identity: str = "a") -> tuple[LeaderElector, list[str]]:
    events: list[str] = []

    def started(stop: StopEvent) -> None:
        events.append("started")
        stop.wait(LIVENESS)
        events.append("work stopped")

    cfg = LeaderElectionConfig(
        lock=MemLock(store, identity),
        callbacks=LeaderCallbacks(
            on_started_leading=started, on_stopped_leading=lambda: events.append("stopped")
        ),
        lease_duration=LEASE,
        renew_deadline=RENEW,
        retry_period=RETRY,
        clock=clock,
    )
    return LeaderElector(cfg), events


def test_a_renewal_stuck_in_the_network_ends_leadership_at_the_deadline() -> None:
    store, clock = Store(), FakeClock()
    el, events = leader(store, clock)
    lock: MemLock = el.config.lock  # type: ignore[assignment]
    t = threading.Thread(target=el.run, daemon=True)
    t.start()
    until(lambda: "started" in events, "a leads")
    sent = clock.now()  # the create was sent at this time
    assert el.is_leader()
    lock.hang.set()  # every call from now on blocks, as in a TLS read to a black hole
    until(lambda: clock.waiters() >= 2, "the watchdog and the renew loop wait on the clock")
    clock.step(RETRY)  # the renewal is sent ... and hangs
    until(lambda: len(lock.timeouts) == 3, "the renewal is under way")  # get, create, renew
    assert lock.timeouts[2] == pytest.approx(RENEW - RETRY)  # bounded by what is left
    clock.step(RENEW - RETRY - 0.01)
    time.sleep(0.05)
    assert el.is_leader() and "stopped" not in events
    clock.step(0.01)  # sent + renew_deadline: over, though the call has not returned
    assert not el.is_leader()
    until(lambda: "stopped" in events and "work stopped" in events, "leadership ends")
    assert clock.now() == pytest.approx(sent + RENEW)
    assert t.is_alive()  # the stuck call still holds the loop ...
    lock.released.set()  # ... until the network answers
    t.join(LIVENESS)
    assert not t.is_alive() and not el.is_leader()
    assert events.count("stopped") == 1


def test_a_slow_renewal_extends_leadership_from_when_it_was_sent() -> None:
    store, clock = Store(), FakeClock()
    el, _ = leader(store, clock)
    lock: MemLock = el.config.lock  # type: ignore[assignment]
    assert el.try_acquire_or_renew()
    update = lock.update

    def slow_update(record: LeaderElectionRecord, *, timeout: float | None = None) -> None:
        clock.step(4.0)  # the answer takes 4 s
        update(record, timeout=timeout)

    lock.update = slow_update  # type: ignore[method-assign]
    clock.step(RETRY)
    sent = clock.now()
    assert el.try_acquire_or_renew()
    assert el.is_leader()
    clock.set(sent + RENEW - 0.01)
    assert el.is_leader()
    clock.step(0.01)
    assert not el.is_leader()  # from the send (not the answer, 4 s later)


def test_a_renewal_answered_after_the_deadline_does_not_bring_leadership_back() -> None:
    store, clock = Store(), FakeClock()
    el, events = leader(store, clock)
    lock: MemLock = el.config.lock  # type: ignore[assignment]
    t = threading.Thread(target=el.run, daemon=True)
    t.start()
    until(lambda: "started" in events, "a leads")
    lock.hang.set()
    until(lambda: clock.waiters() >= 2, "the watchdog and the renew loop wait on the clock")
    clock.step(RETRY)
    until(lambda: len(lock.timeouts) == 3, "the renewal is under way")  # get, create, renew
    clock.step(RENEW)
    until(lambda: "stopped" in events, "leadership ends")
    lock.released.set()  # the write lands now and succeeds
    t.join(LIVENESS)
    assert not el.is_leader() and events.count("stopped") == 1


def test_a_candidate_calls_within_the_renew_deadline() -> None:
    store, clock = Store(), FakeClock()
    store.record = LeaderElectionRecord("other", 15, renew_time=clock.wall())
    el, _ = leader(store, clock, "b")
    lock: MemLock = el.config.lock  # type: ignore[assignment]
    assert not el.try_acquire_or_renew()
    assert lock.timeouts == [RENEW]


# ------------------------------------------------------------------ randomized partitions


@pytest.mark.parametrize("seed", range(8))
def test_two_candidates_never_lead_at_once_under_random_partitions(seed: int) -> None:
    """Two candidates on one lock and one clock; at random moments each tries to acquire or
    renew through a network that may drop the request, drop the answer (the write took), or be
    slow; at every moment at most one leads, and a leader is the holder on the lock."""
    rand = random.Random(seed)
    store, clock = Store(), FakeClock()
    electors = [leader(store, clock, name)[0] for name in ("a", "b")]
    locks: list[MemLock] = [e.config.lock for e in electors]  # type: ignore[misc]
    modes = ["ok", "ok", "ok", "lost request", "lost answer", "slow"]

    def network(lock: MemLock, mode: str) -> None:
        real = MemLock.update

        def update(record: LeaderElectionRecord, *, timeout: float | None = None) -> None:
            if mode == "lost request":
                raise ApiConnectionError("cut")
            if mode == "slow":
                clock.step(rand.uniform(0, RENEW))
            real(lock, record, timeout=timeout)
            if mode == "lost answer":
                raise ApiConnectionError("cut after the write")

        lock.update = update  # type: ignore[method-assign]

    leaders_seen = 0
    for _ in range(600):
        i = rand.randrange(2)
        network(locks[i], rand.choice(modes))
        electors[i].try_acquire_or_renew()
        clock.step(rand.uniform(0, RETRY * 1.5))
        leading = [e.identity for e in electors if e.is_leader()]
        assert len(leading) <= 1, f"two leaders at {clock.now()}: {leading}"
        if leading:
            leaders_seen += 1
            assert store.record is not None and store.record.holder_identity == leading[0]
    assert leaders_seen > 100  # the schedule let someone lead most of the time
