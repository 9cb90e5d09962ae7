"""The delaying work queue: ``add_after(key, seconds)`` queues a key once its time has come.

    queue: DelayingQueue[str] = DelayingQueue()
    queue.add_after("default/web", 2.0)      # a worker's get() returns it two seconds from now
    queue.add_after("default/web", 0.5)      # the earlier time wins; a later one is ignored

client-go's ``TypedDelayingInterface``: a key waiting with a delay is held apart (a heap by ready
time) until it is due, then added like :meth:`Queue.add` (so deduplication applies); a delay of
zero or less adds at once; adds after shutdown are ignored and waiting keys are dropped.

No thread of its own: ``get`` promotes due keys and waits on the clock until the next ready time
(the injected :class:`~kubeset.clock.Clock`, so tests move time instead of sleeping).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Hashable
from typing import TypeVar

from ..clock import Clock
from .queue import Queue

__all__ = ["DelayingQueue"]

T = TypeVar("T", bound=Hashable)


class DelayingQueue(Queue[T]):
    """A :class:`Queue` with :meth:`add_after`."""

    def __init__(self, *, clock: Clock | None = None, name: str = "") -> None:
        super().__init__(clock=clock, name=name)
        self._heap: list[tuple[float, int, T]] = []
        self._ready_at: dict[T, float] = {}
        self._seq = itertools.count()

    def add_after(self, item: T, seconds: float) -> None:
        """Add ``item`` once ``seconds`` of clock time have passed (now when <= 0)."""
        with self._cond:
            if self._shutting_down:
                return
            if seconds <= 0:
                self._push_locked(item)
                return
            ready = self._clock.now() + seconds
            known = self._ready_at.get(item)
            if known is not None and known <= ready:
                return  # already waiting, for an earlier time
            self._ready_at[item] = ready
            heapq.heappush(self._heap, (ready, next(self._seq), item))
            self._cond.notify_all()  # the next ready time may be earlier now

    def waiting(self) -> int:
        """How many keys wait for their time."""
        with self._cond:
            return len(self._ready_at)

    def _promote_locked(self) -> None:
        if not self._heap:
            return
        if self._shutting_down:
            self._heap.clear()
            self._ready_at.clear()
            return
        now = self._clock.now()
        while self._heap and self._heap[0][0] <= now:
            ready, _, item = heapq.heappop(self._heap)
            if self._ready_at.get(item) != ready:
                continue  # superseded by an earlier add_after
            del self._ready_at[item]
            self._push_locked(item)

    def _next_deadline_locked(self) -> float | None:
        return self._heap[0][0] if self._heap else None
