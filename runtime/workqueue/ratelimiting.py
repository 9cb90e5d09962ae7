"""The rate-limited work queue controllers use: retry a failed key later, back off per key.

    queue: RateLimitingQueue[str] = RateLimitingQueue()      # default controller rate limiter
    key = queue.get()
    try:
        reconcile(key)
        queue.forget(key)                    # success: reset the key's backoff
    except Exception:
        queue.add_rate_limited(key)          # failure: retry after the limiter's delay
    finally:
        queue.done(key)

client-go's ``TypedRateLimitingInterface``: ``add_rate_limited`` is ``add_after(key,
limiter.when(key))``; ``forget`` and ``num_requeues`` go to the limiter.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TypeVar

from ..clock import Clock, RealClock
from .delaying import DelayingQueue
from .ratelimiter import RateLimiter, default_controller_rate_limiter

__all__ = ["RateLimitingQueue"]

T = TypeVar("T", bound=Hashable)


class RateLimitingQueue(DelayingQueue[T]):
    """A :class:`DelayingQueue` whose re-adds are paced by a :class:`RateLimiter`."""

    def __init__(
        self,
        rate_limiter: RateLimiter | None = None,
        *,
        clock: Clock | None = None,
        name: str = "",
    ) -> None:
        clock = clock if clock is not None else RealClock()
        super().__init__(clock=clock, name=name)
        self.rate_limiter: RateLimiter = (
            rate_limiter
            if rate_limiter is not None
            else default_controller_rate_limiter(clock=clock)
        )

    def add_rate_limited(self, item: T) -> None:
        """Add ``item`` after the delay the rate limiter gives it."""
        self.add_after(item, self.rate_limiter.when(item))

    def forget(self, item: T) -> None:
        """Reset ``item``'s backoff (it does not remove it from the queue)."""
        self.rate_limiter.forget(item)

    def num_requeues(self, item: T) -> int:
        return self.rate_limiter.num_requeues(item)
