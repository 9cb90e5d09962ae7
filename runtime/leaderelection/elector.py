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
leader renews every ``retry_period``.  ``leader_transitions`` grows only when the holder changes.
Releasing writes an empty holder with a 1 s duration so a standby takes over at once.

**Never two leaders** (the rules are :class:`~kubeset.leaderelection.decision.LeaseState`'s):
a leader leads until ``renew_deadline`` after it *sent* its last successful renewal, and no
longer, whatever the network does: every acquire or renew call is bounded by what is left of that
time (``renew_deadline`` for a candidate), independent of the Config's timeouts, and a watchdog on
the injected clock ends leadership at that moment even if a call is still stuck in a read: the
work's :class:`~kubeset.clock.StopEvent` is set, :meth:`LeaderElector.is_leader` turns false and
``on_stopped_leading`` runs.  Other candidates judge the lease from their own observation of it,
valid until at least ``lease_duration`` after that send, so leadership ends
``lease_duration - renew_deadline`` before anyone may take over.  The assumption: the candidates'
clocks run at nearly the same *rate* (drift over one lease below that margin); their wall
clocks may disagree by any amount.

The work loop stops acting when leadership ends by checking the StopEvent it was given
(``stop.is_set()`` between items, or ``stop.wait(t)`` instead of sleeping), or the elector's
:attr:`LeaderElector.leading`.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from ..clock import Clock, RealClock, StopEvent
from ..errors import KubesetError, NotFound
from .decision import LeaseState
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
        self._mutex = threading.Lock()  # guards _state and _ended
        self._state = LeaseState(
            identity=config.lock.identity,
            lease_duration=config.lease_duration,
            renew_deadline=config.renew_deadline,
        )
        self._ended = False  # leadership ended (on_stopped_leading ran or is running)
        self._reported_leader = ""
        self._stop = StopEvent(self.clock)
        self._leading_stop: StopEvent | None = None
        self._watchdog = threading.Condition()  # wakes the watchdog to end

    # -- state ----------------------------------------------------------------------------
    @property
    def identity(self) -> str:
        return self.config.lock.identity

    def observed_record(self) -> LeaderElectionRecord:
        with self._mutex:
            return self._state.observed

    def get_leader(self) -> str:
        """The holder last observed ("" when none)."""
        with self._mutex:
            return self._state.holder()

    def is_leader(self) -> bool:
        """This candidate leads now: it renewed within the renew deadline (false from the moment
        that deadline passes, whatever the network is doing)."""
        now = self.clock.now()
        with self._mutex:
            return not self._ended and self._state.leading(now)

    @property
    def leading(self) -> bool:
        """:meth:`is_leader`, for a work loop's ``while elector.leading:``."""
        return self.is_leader()

    # -- the decision ---------------------------------------------------------------------
    def try_acquire_or_renew(self) -> bool:
        """Acquire the lock or renew it; True when this candidate holds it afterwards.  The whole
        attempt (one read and at most one write, or a direct renewal) is bounded by
        :meth:`LeaseState.attempt_timeout`."""
        lock = self.config.lock
        now = self.clock.now()
        with self._mutex:
            if self._ended:
                return False
            deadline = now + self._state.attempt_timeout(now)
            direct = self._state.may_renew_directly(now)
            record = self._state.next_record(self.clock.wall())
        if direct and self._write(lock.update, record, deadline, "renewing"):
            return True
        left = deadline - self.clock.now()
        if left <= 0:
            return False
        try:
            old = lock.get(timeout=left)
        except NotFound:
            with self._mutex:
                record = self._state.first_record(self.clock.wall())
            return self._write(lock.create, record, deadline, "creating")
        except KubesetError as e:
            log.info("%s: reading %s failed (%s)", self.identity, lock.describe(), e)
            return False
        now = self.clock.now()
        with self._mutex:
            self._state.observe(old, now)
            if self._state.held_by_another(now):
                return False
            record = self._state.next_record(self.clock.wall())
        return self._write(lock.update, record, deadline, "updating")

    def _write(
        self,
        call: Callable[..., None],
        record: LeaderElectionRecord,
        deadline: float,
        what: str,
    ) -> bool:
        """Write ``record`` with ``call`` within ``deadline``; True when it took (and we did not
        stop leading meanwhile): leading from the moment it was sent."""
        sent = self.clock.now()
        if deadline - sent <= 0:
            return False
        try:
            call(record, timeout=deadline - sent)
        except KubesetError as e:
            log.info("%s: %s %s failed (%s)", self.identity, what, self.config.lock.describe(), e)
            return False
        with self._mutex:
            if self._ended:  # the deadline passed while the call was under way: too late
                self._state.observe(record, self.clock.now())
                return False
            self._state.won(record, sent)
        return True

    def release(self) -> bool:
        """Give the lock up (when held): an empty holder with a 1 s lease, within what is left
        of our leadership."""
        now = self.clock.now()
        with self._mutex:
            if not self._state.leading(now):
                return True
            timeout = self._state.attempt_timeout(now)
            record = LeaderElectionRecord(
                lease_duration_seconds=1,
                acquire_time=self.clock.wall(),
                renew_time=self.clock.wall(),
                leader_transitions=self._state.observed.leader_transitions,
            )
        try:
            self.config.lock.update(record, timeout=timeout)
        except KubesetError as e:
            log.warning(
                "%s: releasing %s failed (%s)", self.identity, self.config.lock.describe(), e
            )
            return False
        with self._mutex:
            self._state.released(record, self.clock.now())
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
        """Acquire, lead while renewing, then return; ``on_stopped_leading`` always runs, once."""
        try:
            if not self._acquire():
                return
            leading = StopEvent(self.clock)
            self._leading_stop = leading
            name = self.config.name or "leader"
            threading.Thread(
                target=self._watch_deadline, name=f"{name}-deadline", daemon=True
            ).start()
            threading.Thread(
                target=self.config.callbacks.on_started_leading,
                args=(leading,),
                name=f"{name}-leading",
                daemon=True,
            ).start()
            self._renew()
            self._end_leading(release=self._stop.is_set() and self.config.release_on_cancel)
        finally:
            self._end_leading(release=False)

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

    def _renew(self) -> None:
        """Renew every retry period (and retry as often after a failure) while leading."""
        while not self._stop.sleep(self.config.retry_period) and self.is_leader():
            self.try_acquire_or_renew()
            self._maybe_report_transition()
            if not self.is_leader():  # the deadline passed during the attempt: return at once
                break

    def _watch_deadline(self) -> None:
        """End leadership at ``lead_until`` unless a renewal moved it: on the clock alone, so a
        call stuck in the network cannot keep this candidate leading."""
        with self._watchdog:
            while True:
                with self._mutex:
                    if self._ended:
                        return
                    until = self._state.lead_until
                if self.clock.now() >= until:
                    break
                self.clock.wait(self._watchdog, until)
        log.warning(
            "%s: no renewal of %s within the renew deadline (%ss): stopped leading",
            self.identity,
            self.config.lock.describe(),
            self.config.renew_deadline,
        )
        self._end_leading(release=False)

    def _end_leading(self, *, release: bool) -> None:
        """Once: the work told to stop, the lease released if asked (while still ours), then
        ``on_stopped_leading``."""
        with self._mutex:
            if self._ended:
                return
        if self._leading_stop is not None:
            self._leading_stop.set()
        if release:
            self.release()
        with self._mutex:
            if self._ended:
                return
            self._ended = True
            self._state.lost()
        with self._watchdog:
            self._watchdog.notify_all()
        self.config.callbacks.on_stopped_leading()

    def __repr__(self) -> str:
        return f"<LeaderElector {self.identity!r} leader={self.get_leader()!r}>"
