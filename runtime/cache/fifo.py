"""The in-order queue between a reflector and its informer (client-go's ``RealFIFO``).

    fifo = InOrderFIFO(known=indexer, transform=drop_managed_fields)
    fifo.replace(listed_pods)                   # Replaced deltas, tombstones for vanished keys
    fifo.add(pod)                               # one Delta per watch event, never merged
    fifo.pop(lambda delta, initial: ..., stop)  # the informer's processing loop

Every watch event becomes one :class:`Delta` in arrival order (client-go's default since v1.36:
events of one object are never compressed or reordered).  ``replace`` (after a list) first
queues ``Deleted`` deltas carrying :class:`DeletedFinalStateUnknown` for keys the cache (or the
queue) has but the new list lacks, then a ``Replaced`` delta per listed object.  ``resync`` queues
a ``Sync`` delta for each cached object that has nothing queued.  ``has_synced`` turns true once
the deltas of the first ``replace`` have all been processed.  The transform runs once per object,
before it is queued (tombstones and resyncs are not transformed again).

Bookkeeping is lock-only; only :meth:`pop` waits (on a condition), so an asyncio flavour wraps
the same methods.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import KubesetError
from .store import DeletedFinalStateUnknown, Indexer, deletion_handling_key

__all__ = ["Delta", "DeltaType", "FIFOClosed", "InOrderFIFO", "TransformFunc"]

DeltaType = Literal["Added", "Updated", "Deleted", "Replaced", "Sync"]
TransformFunc = Callable[[Any], Any]


class FIFOClosed(KubesetError):
    """``pop`` on a closed queue."""


@dataclass(frozen=True, slots=True)
class Delta:
    """One change: its type and the object (a :class:`DeletedFinalStateUnknown` for a delete
    detected by a relist)."""

    type: DeltaType
    object: Any


class InOrderFIFO:
    """A queue of :class:`Delta` s in arrival order, reconciled against the informer's cache."""

    def __init__(self, *, known: Indexer[Any], transform: TransformFunc | None = None) -> None:
        self._known = known
        self._transform = transform
        self._cond = threading.Condition()
        self._items: deque[Delta] = deque()
        self._populated = False
        self._initial = 0
        self._closed = False

    @property
    def transform(self) -> TransformFunc | None:
        return self._transform

    def _queue_locked(self, type_: DeltaType, obj: Any, *, transform: bool = True) -> None:
        deletion_handling_key(obj)  # an object without a name fails here, not in the informer
        if (
            transform
            and self.transform is not None
            and not isinstance(obj, DeletedFinalStateUnknown)
        ):
            obj = self.transform(obj)
        self._items.append(Delta(type_, obj))
        self._cond.notify_all()

    def add(self, obj: Any) -> None:
        with self._cond:
            self._queue_locked("Added", obj)

    def update(self, obj: Any) -> None:
        with self._cond:
            self._queue_locked("Updated", obj)

    def delete(self, obj: Any) -> None:
        with self._cond:
            self._queue_locked("Deleted", obj)

    def replace(self, objs: Iterable[Any], *, transformed: bool = False) -> None:
        """The result of a (re)list: tombstones for what vanished, then ``Replaced`` deltas
        (``transformed``: the transform was applied already, by a streaming list)."""
        objs = list(objs)
        with self._cond:
            new_keys = {deletion_handling_key(o) for o in objs}
            last_queued: dict[str, Delta] = {}
            for delta in self._items:
                last_queued[deletion_handling_key(delta.object)] = delta
            for key, delta in last_queued.items():
                if key not in new_keys and delta.type != "Deleted":
                    obj = delta.object
                    if isinstance(obj, DeletedFinalStateUnknown):
                        obj = obj.obj
                    self._queue_locked("Deleted", DeletedFinalStateUnknown(key, obj))
            for key in self._known.list_keys():
                if key in new_keys or key in last_queued:
                    continue
                self._queue_locked(
                    "Deleted", DeletedFinalStateUnknown(key, self._known.get_by_key(key))
                )
            for obj in objs:
                self._queue_locked("Replaced", obj, transform=not transformed)
            if not self._populated:
                self._populated = True
                self._initial = len(self._items)

    def resync(self) -> None:
        """A ``Sync`` delta for every cached object with nothing queued (served from the cache,
        not a relist)."""
        with self._cond:
            queued = {deletion_handling_key(d.object) for d in self._items}
            for key in self._known.list_keys():
                if key in queued:
                    continue
                obj = self._known.get_by_key(key)
                if obj is not None:
                    self._queue_locked("Sync", obj, transform=False)

    def has_synced(self) -> bool:
        with self._cond:
            return self._populated and self._initial == 0

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def pop(self, process: Callable[[Delta, bool], None], timeout: float | None = None) -> bool:
        """Wait for the next delta and run ``process(delta, is_in_initial_list)`` on it (outside
        the lock).  False when ``timeout`` (real seconds) passed with nothing queued; raises
        :class:`FIFOClosed` once closed."""
        with self._cond:
            while not self._items:
                if self._closed:
                    raise FIFOClosed("the informer's queue is closed")
                if not self._cond.wait(timeout) and not self._items:
                    return False
            initial = not (self._populated and self._initial == 0)
            delta = self._items.popleft()
        try:
            process(delta, initial)
        finally:
            with self._cond:
                if self._initial > 0:
                    self._initial -= 1
        return True
