"""What one leader-election candidate knows and decides, without I/O and without waiting.

    state = LeaseState(identity="pod-a", lease_duration=15, renew_deadline=10)
    state.observe(record_read, now)          # a record read from the lock, at local time now
    if not state.held_by_another(now):
        record = state.next_record(wall)     # what to write to acquire or renew
        ...                                  # the write, started at local time sent_at, succeeded:
        state.won(record, sent_at)
    state.leading(now)                       # True until sent_at + renew_deadline
    state.attempt_timeout(now)               # how long the next acquire/renew call may take

The threaded :class:`~kubeset.leaderelection.LeaderElector` (and an asyncio one) only wait and do
the calls; every rule lives here:

- **Another's lease** is judged from local observation: valid until the local time at which its
  record was last seen to change plus its duration.  The holder's clock (the times written in the
  Lease) never matters, so clock skew between nodes does not.
- **Our leadership** ends at ``sent_at + renew_deadline``, where ``sent_at`` is the local time at
  which the last successful acquire or renew *was sent*.  The server commits a write after it was
  sent, and every other candidate sees the change no earlier, so each of them judges our lease
  valid until at least ``sent_at + lease_duration`` on its own clock: we stop before anyone may
  take over, by ``lease_duration - renew_deadline``.  That margin absorbs clock *rate* differences
  (drift) between the nodes; the guarantee assumes drift over one lease is below it (client-go's
  assumption too).  client-go measures its renew deadline from the start of a renew cycle, which
  after a retry-period sleep may add up to more than the lease; this rule is stricter.
- **Every call is bounded**: an attempt may take at most the time left of our leadership while we
  lead, and at most ``renew_deadline`` while we try to acquire, whatever the client's own
  timeouts are.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from .lock import LeaderElectionRecord

__all__ = ["LeaseState"]


@dataclass(slots=True)
class LeaseState:
    """One candidate's view of the lease: the record last observed and since when, and until when
    this candidate leads (callers hold their own lock around it)."""

    identity: str
    lease_duration: float
    renew_deadline: float
    observed: LeaderElectionRecord = field(default_factory=LeaderElectionRecord)
    observed_at: float = 0.0  # local monotonic time the observed record last changed
    lead_until: float = 0.0  # local monotonic time our leadership ends (0: not leading)

    # -- observing ------------------------------------------------------------------------
    def observe(self, record: LeaderElectionRecord, now: float) -> None:
        """A record read from the lock at ``now``: a changed record's lease runs from now."""
        if record != self.observed:
            self.observed = record
            self.observed_at = now

    def holder(self) -> str:
        """The holder last observed ("" when none)."""
        return self.observed.holder_identity

    def held_by_another(self, now: float) -> bool:
        """Another candidate holds a lease that has not expired by our clock."""
        holder = self.observed.holder_identity
        if not holder or holder == self.identity:
            return False
        return self.observed_at + self.observed.lease_duration_seconds > now

    # -- deciding -------------------------------------------------------------------------
    def leading(self, now: float) -> bool:
        """We hold the lease and may act on it: before ``lead_until``."""
        return now < self.lead_until and self.observed.holder_identity == self.identity

    def may_renew_directly(self, now: float) -> bool:
        """Renew without reading first (client-go's fast path): we lead and nothing changed."""
        return self.leading(now)

    def first_record(self, wall: datetime) -> LeaderElectionRecord:
        """The record that creates the lock (no transitions yet)."""
        return LeaderElectionRecord(
            holder_identity=self.identity,
            lease_duration_seconds=int(self.lease_duration),
            acquire_time=wall,
            renew_time=wall,
        )

    def next_record(self, wall: datetime) -> LeaderElectionRecord:
        """The record to write over the observed one: a renewal keeps the acquire time and the
        transitions; taking the lease from anyone else (an empty holder too) counts one more."""
        old = self.observed
        record = self.first_record(wall)
        if old.holder_identity == self.identity:
            return replace(
                record,
                acquire_time=old.acquire_time or wall,
                leader_transitions=old.leader_transitions,
            )
        return replace(record, leader_transitions=old.leader_transitions + 1)

    def won(self, record: LeaderElectionRecord, sent_at: float) -> None:
        """``record`` was written by a call sent at ``sent_at``: we lead until sent_at +
        renew_deadline."""
        self.observed = record
        self.observed_at = sent_at
        self.lead_until = sent_at + self.renew_deadline

    def released(self, record: LeaderElectionRecord, now: float) -> None:
        """We wrote ``record`` giving the lease up: we no longer lead."""
        self.observe(record, now)
        self.lead_until = 0.0

    def lost(self) -> None:
        """We stopped leading (the deadline passed, or we were told to stop)."""
        self.lead_until = 0.0

    def attempt_timeout(self, now: float) -> float:
        """How long the next acquire or renew call may take: what is left of our leadership while
        we lead, ``renew_deadline`` otherwise (never more: a call that outlives it is useless)."""
        if self.leading(now):
            return max(self.lead_until - now, 0.0)
        return self.renew_deadline
