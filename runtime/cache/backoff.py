"""Backoff between failed list/watch attempts: client-go's ``ExponentialBackoffManager``.

    backoff = ExponentialBackoff()      # 0.8 s, 1.6 s, ... capped at 30 s, each + up to 100 % jitter
    delay = backoff.next()              # after 2 minutes without a failure it starts at 0.8 s again
    stop.sleep(delay)

The reflector's settings are the defaults (800 ms initial, 30 s cap, factor 2, jitter 1.0, reset
after 2 minutes).  Time comes from an injected :class:`~kubeset.clock.Clock` and randomness from an
injected ``random.Random``: ``next`` computes, it never sleeps (threads and asyncio alike).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from ..clock import Clock, RealClock

__all__ = ["BackoffOptions", "ExponentialBackoff"]


@dataclass(frozen=True, slots=True)
class BackoffOptions:
    """The shape of the backoff (seconds)."""

    initial: float = 0.8
    cap: float = 30.0
    factor: float = 2.0
    jitter: float = 1.0
    reset_after: float = 120.0


class ExponentialBackoff:
    """Successive delays ``initial * factor**n`` capped at ``cap``, each plus ``jitter`` x itself
    at random; back to ``initial`` when the previous delay was asked for over ``reset_after``
    seconds ago."""

    def __init__(
        self,
        options: BackoffOptions | None = None,
        *,
        clock: Clock | None = None,
        rand: random.Random | None = None,
    ) -> None:
        self.options = options = options if options is not None else BackoffOptions()
        self._clock: Clock = clock if clock is not None else RealClock()
        self._rand = rand if rand is not None else random.Random()
        self._lock = threading.Lock()
        self._duration = options.initial
        self._last: float | None = None

    def next(self) -> float:
        """The next delay in seconds."""
        opts = self.options
        with self._lock:
            now = self._clock.now()
            if self._last is not None and now - self._last > opts.reset_after:
                self._duration = opts.initial
            self._last = now
            duration = self._duration
            self._duration = min(self._duration * opts.factor, opts.cap)
            if opts.jitter > 0:
                duration += self._rand.random() * opts.jitter * duration
            return duration

    def __repr__(self) -> str:
        return f"<ExponentialBackoff next base {self._duration:.3f}s>"
