"""Client-side flow control: the rate limiter every request of a RESTClient waits on.

    limiter = TokenBucketRateLimiter(qps=5, burst=10)   # client-go's defaults
    limiter.accept()                                    # blocks until a request may go

Like client-go's ``util/flowcontrol``: plain objects apart from any I/O; the RESTClient
calls ``accept()`` before each attempt.  Time is injected (``clock``, ``sleep``) so that tests
check the arithmetic without sleeping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

__all__ = ["RateLimiter", "TokenBucketRateLimiter"]


class RateLimiter(Protocol):
    """Anything with ``accept()``: blocks until the caller may send one request."""

    def accept(self) -> None: ...


class TokenBucketRateLimiter:
    """client-go's token bucket (``flowcontrol.NewTokenBucketRateLimiter``).

    The bucket holds up to ``burst`` tokens and refills at ``qps`` tokens a second; it
    starts full.  ``accept()`` takes one token, sleeping until it is available; callers
    queue fairly (each reservation is made under a lock, the sleep outside it), as with
    ``golang.org/x/time/rate``.  ``clock`` and ``sleep`` can be injected for tests.
    """

    def __init__(
        self,
        qps: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if qps <= 0:
            raise ValueError("qps must be positive")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.qps = float(qps)
        self.burst = int(burst)
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._last = clock()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TokenBucketRateLimiter(qps={self.qps}, burst={self.burst})"

    def _advance(self, now: float) -> None:
        elapsed = max(0.0, now - self._last)
        self._tokens = min(float(self.burst), self._tokens + elapsed * self.qps)
        self._last = max(self._last, now)

    def reserve(self) -> float:
        """Take one token; returns how long the caller must wait before using it."""
        with self._lock:
            self._advance(self._clock())
            self._tokens -= 1.0
            if self._tokens >= 0:
                return 0.0
            return -self._tokens / self.qps

    def try_accept(self) -> bool:
        """Take a token if one is available now, without waiting."""
        with self._lock:
            self._advance(self._clock())
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            return False

    def accept(self) -> None:
        wait = self.reserve()
        if wait > 0:
            self._sleep(wait)

    @property
    def tokens(self) -> float:
        """Tokens available now (negative while callers are queued)."""
        with self._lock:
            self._advance(self._clock())
            return self._tokens
