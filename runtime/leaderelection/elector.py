"""Leader election: one of several replicas runs the controller, the others stand by.

    lock = LeaseLock(cs.coordination_v1.leases("kube-system"), "my-controller", identity=pod_name)
    elector = LeaderElector(LeaderElectionConfig(
        lock=lock,
        lease_duration=15, renew_deadline=10, retry_period=2,
        callbacks=LeaderCallbacks(
            on_started_leading=lambda stop: run_controller(stop),   # stop: a StopEvent
            on_stopped_leading=lambda: log.info("lost the lease"),
            on_new_leader=lambda identity: log.info("leader is %s", identity),
        ),
        release_on_cancel=True,
    ))
    elector.run()          # blocks: acquire, lead while renewing, return when leadership ends
    elector.stop()         # (from another thread) stop, and release the lease if configured

client-go's leaderelection semantics: ``lease_duration > renew_deadline > 1.2 x retry_period``
(checked); candidates retry every ``retry_period`` (plus up to 1.2 x jitter) to acquire; the
leader renews every ``retry_period`` and gives up when it could not renew within
``renew_deadline``.  A lease held by another is judged valid from the *local* time at which its
record was last seen to change, plus its duration: the holder's clock (the times written in the
Lease) never matters, so clock skew between nodes does not.  ``leader_transitions`` grows only
when the holder changes.  Releasing writes an empty holder with a 1 s duration so a standby
takes over at once.

:meth:`LeaderElector.try_acquire_or_renew` is the whole decision, one lock read and at most one
write; the threaded loop around it only sleeps on the injected clock, which is what an asyncio
flavour would replace.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..clock import Clock, RealClock, StopEvent
from ..errors import KubesetError, NotFound
from .lock import LeaderElectionRecord, ResourceLock

__all__ = [
    "JITTER_FACTOR",
    "LeaderCallbacks",
    "LeaderElectionConfig",
    "LeaderElectionConfigError",
    "LeaderElector",
]

log = logging.getLogger("kubeset.leaderelection")

JITTER_FACTOR = 1.2
"""client-go's ``JitterFactor``: retries wait retry_period x (1 + up to 1.2)."""


class LeaderElectionConfigError(KubesetError, ValueError):
    """Durations that break the invariants, or no identity."""


@dataclass(frozen=True, slots=True)
class LeaderCallbacks:
    """What to run when leadership starts (given a stop signal), stops, or moves."""

    on_started_leading: Callable[[StopEvent], None]
    on_stopped_leading: Callable[[], None]
    on_new_leader: Callable[[str], None] | None = None


@dataclass(frozen=True, slots=True)
class LeaderElectionConfig:
    """Durations in seconds."""

    lock: ResourceLock
    callbacks: LeaderCallbacks
    lease_duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0
    release_on_cancel: bool = False
    name: str = ""
    clock: Clock = field(default_factory=RealClock)

    def __post_init__(self) -> None:
        if self.lease_duration <= self.renew_deadline:
            raise LeaderElectionConfigError(
                f"lease_duration ({self.lease_duration}) must be greater than renew_deadline "
                f"({self.renew_deadline})"
            )
        if self.renew_deadline <= JITTER_FACTOR * self.retry_period:
            raise LeaderElectionConfigError(
                f"renew_deadline ({self.renew_deadline}) must be greater than "
                f"{JITTER_FACTOR} x retry_period ({self.retry_period})"
            )
        if self.lease_duration < 1 or self.renew_deadline <= 0 or self.retry_period <= 0:
            raise LeaderElectionConfigError(
                "lease_duration must be at least 1 s (the Lease stores whole seconds); "
                "renew_deadline and retry_period must be positive"
            )
        if not self.lock.identity:
            raise LeaderElectionConfigError("the lock's identity must not be empty")


class LeaderElector:
    """Runs one candidate's election loop (:meth:`run`) over a :class:`ResourceLock`."""

    def __init__(self, config: LeaderElectionConfig, *, rand: random.Random | None = None) -> None:
        self.config = config
        self.clock = config.clock
        self._rand = rand if rand is not None else random.Random()
        self._lock = threading.Lock()
        self._observed = LeaderElectionRecord()
        self._observed_time = 0.0  # clock.now() when the observed record last changed
        self._reported_leader = ""
        self._stop = StopEvent(self.clock)
        self._leading_stop: StopEvent | None = None

    # -- state ----------------------------------------------------------------------------
    @property
    def identity(self) -> str:
        return self.config.lock.identity

    def observed_record(self) -> LeaderElectionRecord:
        with self._lock:
            return self._observed

    def get_leader(self) -> str:
        """The holder last observed ("" when none)."""
        return self.observed_record().holder_identity

    def is_leader(self) -> bool:
        return self.get_leader() == self.identity

    def _lease_valid(self, now: float) -> bool:
        with self._lock:
            return self._observed_time + self._observed.lease_duration_seconds > now

    def _set_observed(self, record: LeaderElectionRecord, now: float) -> None:
        with self._lock:
            self._observed = record
            self._observed_time = now

    # -- the decision ---------------------------------------------------------------------
    def try_acquire_or_renew(self) -> bool:
        """Acquire the lock or renew it; True when this candidate holds it afterwards."""
        lock = self.config.lock
        now = self.clock.now()
        wall = self.clock.wall()
        record = LeaderElectionRecord(
            holder_identity=self.identity,
            lease_duration_seconds=int(self.config.lease_duration),
            acquire_time=wall,
            renew_time=wall,
        )
        if self.is_leader() and self._lease_valid(now):  # fast path: renew what we hold
            old = self.observed_record()
            renewed = replace(
                record, acquire_time=old.acquire_time, leader_transitions=old.leader_transitions
            )
            try:
                lock.update(renewed)
            except KubesetError as e:
                log.info("%s: renewing %s failed (%s)", self.identity, lock.describe(), e)
            else:
                self._set_observed(renewed, now)
                return True
        try:
            old = lock.get()
        except NotFound:
            try:
                lock.create(record)
            except KubesetError as e:
                log.info("%s: creating %s failed (%s)", self.identity, lock.describe(), e)
                return False
            self._set_observed(record, now)
            return True
        except KubesetError as e:
            log.info("%s: reading %s failed (%s)", self.identity, lock.describe(), e)
            return False
        if old != self.observed_record():
            self._set_observed(old, now)  # it changed: its lease runs from now, our time
        if old.holder_identity and self._lease_valid(now) and not self.is_leader():
            return False  # held by another, and not expired
        if self.is_leader():
            record = replace(
                record, acquire_time=old.acquire_time, leader_transitions=old.leader_transitions
            )
        else:
            record = replace(record, leader_transitions=old.leader_transitions + 1)
        try:
            lock.update(record)
        except KubesetError as e:
            log.info("%s: updating %s failed (%s)", self.identity, lock.describe(), e)
            return False
        self._set_observed(record, now)
        return True

    def release(self) -> bool:
        """Give the lock up (when held): an empty holder with a 1 s lease."""
        if not self.is_leader():
            return True
        wall = self.clock.wall()
        record = LeaderElectionRecord(
            lease_duration_seconds=1,
            acquire_time=wall,
            renew_time=wall,
            leader_transitions=self.observed_record().leader_transitions,
        )
        try:
            self.config.lock.update(record)
        except KubesetError as e:
            log.warning(
                "%s: releasing %s failed (%s)", self.identity, self.config.lock.describe(), e
            )
            return False
        self._set_observed(record, self.clock.now())
        return True

    def _maybe_report_transition(self) -> None:
        leader = self.get_leader()
        if leader == self._reported_leader:
            return
        self._reported_leader = leader
        callback = self.config.callbacks.on_new_leader
        if callback is not None:
            threading.Thread(target=callback, args=(leader,), daemon=True).start()

    # -- the loop -------------------------------------------------------------------------
    def stop(self) -> None:
        """End :meth:`run` (from any thread)."""
        self._stop.set()

    def run(self) -> None:
        """Acquire, lead while renewing, then return; ``on_stopped_leading`` always runs."""
        try:
            if not self._acquire():
                return
            leading = StopEvent(self.clock)
            self._leading_stop = leading
            worker = threading.Thread(
                target=self.config.callbacks.on_started_leading,
                args=(leading,),
                name=f"{self.config.name or 'leader'}-leading",
                daemon=True,
            )
            worker.start()
            self._renew(leading)
        finally:
            if self._leading_stop is not None:
                self._leading_stop.set()
            self.config.callbacks.on_stopped_leading()

    def _acquire(self) -> bool:
        period = self.config.retry_period
        while not self._stop.is_set():
            acquired = self.try_acquire_or_renew()
            self._maybe_report_transition()
            if acquired:
                log.info("%s: acquired %s", self.identity, self.config.lock.describe())
                return True
            delay = period + self._rand.random() * JITTER_FACTOR * period
            if self._stop.sleep(delay):
                break
        return False

    def _renew(self, leading: StopEvent) -> None:
        cfg = self.config
        while not self._stop.is_set():
            deadline = self.clock.now() + cfg.renew_deadline
            renewed = False
            while not self._stop.is_set():
                if self.try_acquire_or_renew():
                    renewed = True
                    break
                if self.clock.now() + cfg.retry_period > deadline:
                    break
                if self._stop.sleep(cfg.retry_period):
                    break
            self._maybe_report_transition()
            if not renewed:
                if not self._stop.is_set():
                    log.warning("%s: failed to renew %s", self.identity, cfg.lock.describe())
                break
            if self._stop.sleep(cfg.retry_period):
                break
        leading.set()  # the leader's work is told to stop before the lease can move on
        if cfg.release_on_cancel:
            self.release()

    def __repr__(self) -> str:
        return f"<LeaderElector {self.identity!r} leader={self.get_leader()!r}>"
