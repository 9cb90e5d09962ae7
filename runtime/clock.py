"""Clocks: the one time source of work-queue delays, rate limiters, backoff and leader election.

    clock = FakeClock()                        # tests: time moves only when told to
    queue = RateLimitingQueue[str](clock=clock)
    queue.add_rate_limited("ns/name")          # ready after 5 ms of *clock* time
    clock.step(0.005)                          # wakes every thread waiting on this clock

Every component that waits takes a :class:`Clock` and waits through :meth:`Clock.wait` on its own
``threading.Condition``; :class:`RealClock` is the default.  With :class:`FakeClock` no test
sleeps: advancing the clock notifies the waiting threads, which then see the new time.

:class:`StopEvent` is the cancellation signal of the threaded components (client-go's
``ctx.Done()``): ``stop.sleep(seconds)`` returns early, and True, once ``stop.set()`` is called.

An asyncio flavour would keep the ``now`` / ``wall`` half and add an awaitable ``wait``; the
components keep their decisions in non-blocking methods so only the waiting is swapped.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

from .errors import KubesetError

__all__ = ["Clock", "ClockError", "FakeClock", "RealClock", "StopEvent"]

# A FakeClock waiter also wakes up this often (real seconds) to re-check: a missed notify
# costs a little latency, never a hang.
_FAKE_POLL = 0.05


class ClockError(KubesetError, ValueError):
    """A FakeClock asked to go backwards."""


class Clock(Protocol):
    """Monotonic time, wall time and waiting on a condition until a time of this clock."""

    def now(self) -> float:
        """Monotonic seconds (only differences mean anything)."""
        ...

    def wall(self) -> datetime:
        """The current UTC wall-clock time (for timestamps written to the server)."""
        ...

    def wait(self, cond: threading.Condition, deadline: float | None) -> None:
        """Block on ``cond`` (held by the caller) until notified or until :meth:`now` reaches
        ``deadline`` (None: only a notify).  May return early: callers re-check in a loop."""
        ...


class RealClock:
    """The system's clocks: ``time.monotonic`` and ``datetime.now(UTC)``."""

    def now(self) -> float:
        return time.monotonic()

    def wall(self) -> datetime:
        return datetime.now(UTC)

    def wait(self, cond: threading.Condition, deadline: float | None) -> None:
        if deadline is None:
            cond.wait()
        else:
            remaining = deadline - time.monotonic()
            if remaining > 0:
                cond.wait(remaining)

    def __repr__(self) -> str:
        return "RealClock()"


class FakeClock:
    """A clock for tests: :meth:`step` / :meth:`set` move it and wake its waiters."""

    def __init__(
        self, start: float = 1000.0, *, wall_start: datetime = datetime(2026, 1, 1, tzinfo=UTC)
    ) -> None:
        self._lock = threading.Lock()
        self._now = start
        self._start = start
        self._wall_start = wall_start
        self._waiters: dict[threading.Condition, int] = {}

    def now(self) -> float:
        with self._lock:
            return self._now

    def wall(self) -> datetime:
        with self._lock:
            return self._wall_start + timedelta(seconds=self._now - self._start)

    def wait(self, cond: threading.Condition, deadline: float | None) -> None:
        with self._lock:
            if deadline is not None and self._now >= deadline:
                return
            if deadline is not None:
                self._waiters[cond] = self._waiters.get(cond, 0) + 1
        try:
            cond.wait(_FAKE_POLL)
        finally:
            if deadline is not None:
                with self._lock:
                    left = self._waiters[cond] - 1
                    if left:
                        self._waiters[cond] = left
                    else:
                        del self._waiters[cond]

    def waiters(self) -> int:
        """How many threads wait for a time of this clock (client-go's ``HasWaiters``)."""
        with self._lock:
            return sum(self._waiters.values())

    def step(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` and wake every waiter."""
        with self._lock:
            self._now += seconds
        self._wake()

    def set(self, now: float) -> None:
        """Set the monotonic time (must not go backwards) and wake every waiter."""
        with self._lock:
            if now < self._now:
                raise ClockError(f"FakeClock.set({now}): the clock is already at {self._now}")
            self._now = now
        self._wake()

    def _wake(self) -> None:
        with self._lock:
            conds = list(self._waiters)
        for cond in conds:
            with cond:
                cond.notify_all()

    def __repr__(self) -> str:
        return f"FakeClock(now={self.now()})"


class StopEvent:
    """A stop signal whose :meth:`sleep` follows a :class:`Clock` and ends early on :meth:`set`."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock: Clock = clock if clock is not None else RealClock()
        self._cond = threading.Condition()
        self._set = False

    def set(self) -> None:
        with self._cond:
            self._set = True
            self._cond.notify_all()

    def is_set(self) -> bool:
        return self._set

    def sleep(self, seconds: float) -> bool:
        """Wait ``seconds`` of clock time; True when stopped (at once, or during the wait)."""
        deadline = self.clock.now() + seconds
        with self._cond:
            while not self._set and self.clock.now() < deadline:
                self.clock.wait(self._cond, deadline)
            return self._set

    def wait(self, timeout: float | None = None) -> bool:
        """Wait (real seconds, None: forever) until set; True when set."""
        with self._cond:
            if timeout is None:
                while not self._set:
                    self._cond.wait()
            else:
                self._cond.wait_for(lambda: self._set, timeout)
            return self._set

    def __repr__(self) -> str:
        return f"<StopEvent {'set' if self._set else 'clear'}>"
