"""Work queues for controllers, with client-go's semantics (k8s.io/client-go/util/workqueue).

    from kubeset.workqueue import RateLimitingQueue

    queue: RateLimitingQueue[str] = RateLimitingQueue(name="configmaps")
    queue.add("default/web")
    key = queue.get()                 # never handed to two workers at once
    ...
    queue.done(key)

:class:`Queue` (dedup, processing set, shutdown with drain), :class:`DelayingQueue`
(``add_after``), :class:`RateLimitingQueue` (``add_rate_limited`` / ``forget`` /
``num_requeues``) and the rate limiters of ``default_rate_limiters.go``.
"""

from __future__ import annotations

from .delaying import DelayingQueue
from .queue import Queue, QueueShutDown
from .ratelimiter import (
    BucketRateLimiter,
    ItemExponentialFailureRateLimiter,
    ItemFastSlowRateLimiter,
    MaxOfRateLimiter,
    RateLimiter,
    RateLimiterError,
    default_controller_rate_limiter,
)
from .ratelimiting import RateLimitingQueue

__all__ = [
    "BucketRateLimiter",
    "DelayingQueue",
    "ItemExponentialFailureRateLimiter",
    "ItemFastSlowRateLimiter",
    "MaxOfRateLimiter",
    "Queue",
    "QueueShutDown",
    "RateLimiter",
    "RateLimiterError",
    "RateLimitingQueue",
    "default_controller_rate_limiter",
]
