"""The work queue of controllers: deduplicated keys, never one key in two workers at once.

    queue: Queue[str] = Queue()
    queue.add("default/web")                 # a second add before a worker takes it is a no-op
    key = queue.get()                        # blocks; raises QueueShutDown once shut down and empty
    try:
        reconcile(key)
    finally:
        queue.done(key)                      # a key re-added while processing is queued again now

client-go's ``workqueue.Typed`` semantics: a key is *dirty* (needs processing) and/or
*processing* (a worker holds it).  ``add`` of a dirty key does nothing; ``add`` of a key being
processed only marks it dirty, and ``done`` puts it back in the queue.  After ``shut_down``,
``add`` is ignored and ``get`` still hands out the queued keys, then raises
:class:`QueueShutDown`; ``shut_down_with_drain`` also waits for the workers' ``done`` calls.

Waiting goes through a :class:`~kubeset.clock.Clock` on one condition; the bookkeeping methods
(``_push_locked``, ``_pop_locked``) do no I/O, so an asyncio flavour only replaces the waiting.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Hashable
from typing import Generic, TypeVar

from ..clock import Clock, RealClock
from ..errors import KubesetError

__all__ = ["Queue", "QueueShutDown"]

T = TypeVar("T", bound=Hashable)


class QueueShutDown(KubesetError):
    """``get`` on a queue that is shut down and has nothing left to hand out."""


class Queue(Generic[T]):
    """A FIFO of distinct keys with the dirty / processing sets of client-go's work queue."""

    def __init__(self, *, clock: Clock | None = None, name: str = "") -> None:
        self.name = name
        self._clock: Clock = clock if clock is not None else RealClock()
        self._cond = threading.Condition()
        self._queue: deque[T] = deque()
        self._dirty: set[T] = set()
        self._processing: set[T] = set()
        self._shutting_down = False
        self._drain = False

    # -- bookkeeping (caller holds self._cond) -------------------------------------------
    def _push_locked(self, item: T) -> None:
        if self._shutting_down or item in self._dirty:
            return
        self._dirty.add(item)
        if item in self._processing:
            return  # queued again by done()
        self._queue.append(item)
        self._cond.notify()

    def _pop_locked(self) -> T:
        item = self._queue.popleft()
        self._processing.add(item)
        self._dirty.discard(item)
        return item

    def _next_deadline_locked(self) -> float | None:
        """When ``get`` must look again although nobody notified (the delaying queue's next
        ready time); None: only on notify."""
        return None

    def _promote_locked(self) -> None:
        """Move items whose time has come into the queue (the delaying queue)."""

    # -- API -----------------------------------------------------------------------------
    def add(self, item: T) -> None:
        """Mark ``item`` as needing processing (no-op when already queued or shut down)."""
        with self._cond:
            self._push_locked(item)

    def __len__(self) -> int:
        """How many keys wait for a worker (not counting those being processed)."""
        with self._cond:
            self._promote_locked()
            return len(self._queue)

    def get(self, timeout: float | None = None) -> T:
        """The next key, blocking until there is one; the caller must call :meth:`done`.

        Raises :class:`QueueShutDown` once the queue is shut down and empty, and
        :class:`TimeoutError` when ``timeout`` (real seconds) passes first.
        """
        with self._cond:
            waited: threading.Event | None = None
            timer: threading.Timer | None = None
            if timeout is not None:
                waited = threading.Event()
                timer = threading.Timer(timeout, self._timeout_fired, (waited,))
                timer.daemon = True
                timer.start()
            try:
                while True:
                    self._promote_locked()
                    if self._queue:
                        return self._pop_locked()
                    if self._shutting_down:
                        raise QueueShutDown(f"work queue {self.name or ''} is shut down".strip())
                    if waited is not None and waited.is_set():
                        raise TimeoutError(f"no item within {timeout} s")
                    self._clock.wait(self._cond, self._next_deadline_locked())
            finally:
                if timer is not None:
                    timer.cancel()

    def _timeout_fired(self, flag: threading.Event) -> None:
        with self._cond:
            flag.set()
            self._cond.notify_all()

    def done(self, item: T) -> None:
        """The worker finished ``item``; re-queue it when it was added meanwhile."""
        with self._cond:
            self._processing.discard(item)
            if item in self._dirty:
                self._queue.append(item)
            self._cond.notify_all()

    def shut_down(self) -> None:
        """Ignore further adds; workers get the queued keys, then :class:`QueueShutDown`."""
        with self._cond:
            self._shutting_down = True
            self._cond.notify_all()

    def shut_down_with_drain(self, timeout: float | None = None) -> bool:
        """:meth:`shut_down`, then wait until every key handed out is ``done`` (client-go waits
        for the processing set only); False when ``timeout`` (real seconds) passed first."""
        with self._cond:
            self._drain = True
            self._shutting_down = True
            self._cond.notify_all()
            return self._cond.wait_for(lambda: not self._processing, timeout)

    def shutting_down(self) -> bool:
        with self._cond:
            return self._shutting_down

    def processing(self) -> int:
        """How many keys workers hold now."""
        with self._cond:
            return len(self._processing)

    def __repr__(self) -> str:
        with self._cond:
            return (
                f"<{type(self).__name__} {self.name!r} queued={len(self._queue)} "
                f"processing={len(self._processing)} shut_down={self._shutting_down}>"
            )
