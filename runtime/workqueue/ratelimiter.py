"""Rate limiters: how long a key waits before it is retried (client-go's default_rate_limiters).

    limiter = default_controller_rate_limiter()
    limiter.when("default/web")      # 0.005, then 0.01, 0.02, ... per key, capped at 1000 s;
                                     # and never faster than 10 per second overall (burst 100)
    limiter.forget("default/web")    # success: the key's backoff starts again at 5 ms

``when`` records a failure and returns the delay in seconds; ``num_requeues`` counts failures
since the last ``forget``.  The bucket limiter reads time from an injected
:class:`~kubeset.clock.Clock`; none of them blocks, which suits threads and asyncio alike.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Protocol

from ..clock import Clock, RealClock
from ..errors import KubesetError

__all__ = [
    "BucketRateLimiter",
    "ItemExponentialFailureRateLimiter",
    "ItemFastSlowRateLimiter",
    "MaxOfRateLimiter",
    "RateLimiter",
    "RateLimiterError",
    "default_controller_rate_limiter",
]


class RateLimiterError(KubesetError, ValueError):
    """A rate limiter built with impossible settings."""


class RateLimiter(Protocol):
    """client-go's ``TypedRateLimiter``."""

    def when(self, item: Hashable) -> float:
        """Record a failure of ``item``; the seconds to wait before retrying it."""
        ...

    def forget(self, item: Hashable) -> None:
        """Stop tracking ``item`` (it succeeded or was given up)."""
        ...

    def num_requeues(self, item: Hashable) -> int:
        """Failures of ``item`` since it was last forgotten."""
        ...


class ItemExponentialFailureRateLimiter:
    """``base * 2**failures`` per item, capped at ``max_delay``."""

    def __init__(self, base_delay: float = 0.005, max_delay: float = 1000.0) -> None:
        if base_delay < 0 or max_delay < 0:
            raise RateLimiterError("ItemExponentialFailureRateLimiter: delays must not be negative")
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._lock = threading.Lock()
        self._failures: dict[Hashable, int] = {}

    def when(self, item: Hashable) -> float:
        with self._lock:
            exp = self._failures.get(item, 0)
            self._failures[item] = exp + 1
        if exp >= 1024:  # 2.0**exp would overflow a float; long past any cap
            return self.max_delay
        return min(self.base_delay * 2.0**exp, self.max_delay)

    def forget(self, item: Hashable) -> None:
        with self._lock:
            self._failures.pop(item, None)

    def num_requeues(self, item: Hashable) -> int:
        with self._lock:
            return self._failures.get(item, 0)


class ItemFastSlowRateLimiter:
    """``fast_delay`` for the first ``max_fast_attempts`` failures of an item, then ``slow_delay``."""

    def __init__(self, fast_delay: float, slow_delay: float, max_fast_attempts: int) -> None:
        self.fast_delay = fast_delay
        self.slow_delay = slow_delay
        self.max_fast_attempts = max_fast_attempts
        self._lock = threading.Lock()
        self._failures: dict[Hashable, int] = {}

    def when(self, item: Hashable) -> float:
        with self._lock:
            n = self._failures.get(item, 0) + 1
            self._failures[item] = n
        return self.fast_delay if n <= self.max_fast_attempts else self.slow_delay

    def forget(self, item: Hashable) -> None:
        with self._lock:
            self._failures.pop(item, None)

    def num_requeues(self, item: Hashable) -> int:
        with self._lock:
            return self._failures.get(item, 0)


class BucketRateLimiter:
    """An overall token bucket (``qps`` refill, ``burst`` size) shared by all items.

    Like ``rate.Limiter.Reserve``: each ``when`` takes a token, going into debt when the bucket
    is empty; the delay is the time until that debt is paid.  Items are not tracked.
    """

    def __init__(self, qps: float = 10.0, burst: int = 100, *, clock: Clock | None = None) -> None:
        if qps <= 0 or burst < 1:
            raise RateLimiterError(
                f"BucketRateLimiter: qps must be > 0 and burst >= 1 (got {qps}, {burst})"
            )
        self.qps = qps
        self.burst = burst
        self._clock: Clock = clock if clock is not None else RealClock()
        self._lock = threading.Lock()
        self._tokens = float(burst)
        self._last = self._clock.now()

    def when(self, item: Hashable) -> float:
        with self._lock:
            now = self._clock.now()
            if now > self._last:
                self._tokens = min(float(self.burst), self._tokens + (now - self._last) * self.qps)
                self._last = now
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self.qps

    def forget(self, item: Hashable) -> None:
        return None

    def num_requeues(self, item: Hashable) -> int:
        return 0


class MaxOfRateLimiter:
    """The longest delay of several limiters (each records the failure)."""

    def __init__(self, *limiters: RateLimiter) -> None:
        if not limiters:
            raise RateLimiterError("MaxOfRateLimiter needs at least one limiter")
        self.limiters = limiters

    def when(self, item: Hashable) -> float:
        return max(limiter.when(item) for limiter in self.limiters)

    def forget(self, item: Hashable) -> None:
        for limiter in self.limiters:
            limiter.forget(item)

    def num_requeues(self, item: Hashable) -> int:
        return max(limiter.num_requeues(item) for limiter in self.limiters)


def default_controller_rate_limiter(*, clock: Clock | None = None) -> MaxOfRateLimiter:
    """client-go's ``DefaultTypedControllerRateLimiter``: the max of per-item exponential backoff
    (5 ms .. 1000 s) and an overall bucket of 10 qps with a burst of 100."""
    return MaxOfRateLimiter(
        ItemExponentialFailureRateLimiter(0.005, 1000.0),
        BucketRateLimiter(10.0, 100, clock=clock),
    )
