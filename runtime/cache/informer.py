"""Shared informers: one list/watch per resource, a cache with indexes, and event handlers.

    informer = SharedIndexInformer(cs.core_v1.pods(""), resync_period=600)
    informer.add_event_handler(EventHandlers(
        on_add=lambda pod, initial: print("add", pod.metadata.name),
        on_update=lambda old, new: ...,
        on_delete=lambda pod: ...,          # a Pod, or DeletedFinalStateUnknown[Pod]
    ))
    informer.start()
    informer.wait_for_cache_sync(timeout=30)
    informer.lister().namespace("default").get("web")   # from the cache

client-go's ``sharedIndexInformer``: a :class:`~kubeset.cache.reflector.Reflector` feeds an
:class:`~kubeset.cache.fifo.InOrderFIFO`; one processing thread pops its deltas in order, applies
them to the :class:`~kubeset.cache.store.Indexer` and hands a notification to every handler.
Each handler has its own thread and unbounded buffer, so a slow handler delays no other and
every handler sees the events of one object in order.  An update whose resourceVersion did
not change (a resync, or a relist that found the object as it was) goes only to handlers whose
resync period is due; resync re-delivers the cached objects (it never relists).  A handler
added after start first gets an add for every cached object.  ``has_synced`` turns true once
the first list has been delivered; a registration's ``has_synced`` also waits for its handler
to have processed that list.

A handler that raises is counted and logged with a rate limit (:mod:`~kubeset.cache.handlererrors`:
``registration.errors``, ``informer.handler_errors()``); its informer goes on.  Objects handed to
handlers and read from listers are shared: read them from any thread, and copy one
(``model_copy(deep=True)``) before changing it, as client-go asks.

The threads only move notifications between queues; the deciding code (processing a delta,
choosing the listeners) does no I/O, so an asyncio flavour could drive the same pieces.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from ..clock import Clock, RealClock, StopEvent
from ..errors import KubesetError
from .fifo import Delta, FIFOClosed, InOrderFIFO, TransformFunc
from .handlererrors import HandlerErrors
from .lister import Lister
from .listwatch import ListerWatcher
from .reflector import Reflector, ReflectorOptions
from .store import DeletedFinalStateUnknown, Indexer, IndexFunc, object_meta

__all__ = [
    "EventHandlers",
    "HandlerRegistration",
    "InformerError",
    "ResourceEventHandler",
    "SharedIndexInformer",
    "wait_for_cache_sync",
]

log = logging.getLogger("kubeset.cache")

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)

_SYNC_POLL = 0.1  # seconds between has_synced checks (client-go polls every 100 ms)


class InformerError(KubesetError):
    """An informer used in a way it cannot serve (restarted after stop, not a client, ...)."""


class ResourceEventHandler(Protocol[T_contra]):
    """Receives an informer's events (client-go's ``ResourceEventHandler``)."""

    def on_add(self, obj: T_contra, is_in_initial_list: bool) -> None: ...

    def on_update(self, old: T_contra, new: T_contra) -> None: ...

    def on_delete(self, obj: T_contra | DeletedFinalStateUnknown[T_contra]) -> None: ...


class EventHandlers(Generic[T]):
    """A :class:`ResourceEventHandler` from optional functions (``EventHandlers[Pod](...)``)."""

    __slots__ = ("on_add_func", "on_delete_func", "on_update_func")

    def __init__(
        self,
        *,
        on_add: Callable[[T, bool], None] | None = None,
        on_update: Callable[[T, T], None] | None = None,
        on_delete: Callable[[T | DeletedFinalStateUnknown[T]], None] | None = None,
    ) -> None:
        self.on_add_func = on_add
        self.on_update_func = on_update
        self.on_delete_func = on_delete

    def on_add(self, obj: T, is_in_initial_list: bool) -> None:
        if self.on_add_func is not None:
            self.on_add_func(obj, is_in_initial_list)

    def on_update(self, old: T, new: T) -> None:
        if self.on_update_func is not None:
            self.on_update_func(old, new)

    def on_delete(self, obj: T | DeletedFinalStateUnknown[T]) -> None:
        if self.on_delete_func is not None:
            self.on_delete_func(obj)


@dataclass(frozen=True, slots=True)
class _Notification:
    kind: str  # "add" | "update" | "delete"
    obj: Any
    old: Any = None
    initial: bool = False


class _Listener:
    """One handler: its buffer, its thread, its resync schedule."""

    def __init__(
        self, handler: ResourceEventHandler[Any], resync_period: float, clock: Clock
    ) -> None:
        self.handler = handler
        self.errors = HandlerErrors(handler, clock=clock)
        self.resync_period = resync_period
        self.next_resync = clock.now() + resync_period
        self.syncing = False
        self._cond = threading.Condition()
        self._buffer: deque[_Notification] = deque()
        self._pending_initial = 0
        self._stopped = False
        self._thread: threading.Thread | None = None

    def add(self, n: _Notification) -> None:
        with self._cond:
            if n.initial:
                self._pending_initial += 1
            self._buffer.append(n)
            self._cond.notify()

    def initial_done(self) -> bool:
        with self._cond:
            return self._pending_initial == 0

    def start(self, name: str) -> None:
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def join(self, timeout: float | None) -> None:
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._buffer and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                n = self._buffer.popleft()
            try:
                if n.kind == "add":
                    self.handler.on_add(n.obj, n.initial)
                elif n.kind == "update":
                    self.handler.on_update(n.old, n.obj)
                else:
                    self.handler.on_delete(n.obj)
            except Exception as e:  # noqa: BLE001 - a handler's bug must not kill its thread (HandleCrash)
                self.errors.record(e, n.kind)
            finally:
                if n.initial:
                    with self._cond:
                        self._pending_initial -= 1


class HandlerRegistration:
    """Returned by :meth:`SharedIndexInformer.add_event_handler`."""

    def __init__(self, informer: SharedIndexInformer[Any], listener: _Listener) -> None:
        self._informer = informer
        self._listener = listener

    def has_synced(self) -> bool:
        """The informer synced and this handler has processed the initial list."""
        return self._informer.has_synced() and self._listener.initial_done()

    @property
    def errors(self) -> HandlerErrors:
        """This handler's failures: ``total``, ``by_type`` (logged with a rate limit)."""
        return self._listener.errors


class SharedIndexInformer(Generic[T]):
    """An informer over one :class:`ListerWatcher` (typed by its objects)."""

    def __init__(
        self,
        lister_watcher: ListerWatcher[T],
        *,
        resync_period: float = 0.0,
        indexers: Mapping[str, IndexFunc] | None = None,
        transform: TransformFunc | None = None,
        reflector_options: ReflectorOptions | None = None,
        clock: Clock | None = None,
    ) -> None:
        name = type(lister_watcher).__name__
        info = getattr(lister_watcher, "info", None)
        name = getattr(info, "plural", None) or name
        reflector_options = reflector_options or ReflectorOptions()
        if not reflector_options.name:
            reflector_options = dataclasses.replace(reflector_options, name=name)
        self.clock: Clock = clock if clock is not None else RealClock()
        self.indexer: Indexer[T] = Indexer(indexers=indexers)
        self.fifo = InOrderFIFO(known=self.indexer, transform=transform)
        self.reflector = Reflector(lister_watcher, self.fifo, reflector_options, clock=self.clock)
        self.resync_period = resync_period
        self._resync_check = resync_period
        self._name = reflector_options.name
        self._lock = threading.Lock()  # client-go's blockDeltas: handlers vs. delta processing
        self._listeners: list[_Listener] = []
        self._started = False
        self._stopped = False
        self._stop = StopEvent(self.clock)
        self._threads: list[threading.Thread] = []

    # -- handlers -------------------------------------------------------------------------
    def add_event_handler(
        self, handler: ResourceEventHandler[T], *, resync_period: float | None = None
    ) -> HandlerRegistration:
        """Register ``handler``; after start it first gets an add for every cached object."""
        period = self.resync_period if resync_period is None else resync_period
        if period and period < 1.0:
            period = 1.0  # client-go's minimumResyncPeriod
        if period and self.resync_period and period < self.resync_period and self._started:
            period = self.resync_period  # cannot speed up the resync check of a running informer
        with self._lock:
            listener = _Listener(handler, period, self.clock)
            if period and (not self._resync_check or period < self._resync_check):
                self._resync_check = period
            self._listeners.append(listener)
            if self._started:
                listener.start(f"{self._name}-handler")
                for obj in self.indexer.list():
                    listener.add(_Notification("add", obj, initial=True))
        return HandlerRegistration(self, listener)

    def remove_event_handler(self, registration: HandlerRegistration) -> None:
        with self._lock:
            listener = registration._listener
            if listener in self._listeners:
                self._listeners.remove(listener)
        listener.stop()

    # -- state ----------------------------------------------------------------------------
    def has_synced(self) -> bool:
        """The first list has been applied to the cache and handed to the handlers."""
        return self.fifo.has_synced()

    def wait_for_cache_sync(self, timeout: float | None = None) -> bool:
        return wait_for_cache_sync(self, timeout=timeout)

    def handler_errors(self) -> int:
        """How many times its event handlers raised, all added up (per handler:
        ``registration.errors``)."""
        with self._lock:
            listeners = list(self._listeners)
        return sum(listener.errors.total for listener in listeners)

    @property
    def last_sync_resource_version(self) -> str:
        return self.reflector.last_sync_resource_version

    def lister(self) -> Lister[T]:
        return Lister(self.indexer)

    # -- running --------------------------------------------------------------------------
    def start(self) -> None:
        """Start listing, watching and delivering (threads); returns at once."""
        with self._lock:
            if self._started:
                return
            if self._stopped:
                raise InformerError(f"informer {self._name} was stopped; make a new one")
            self._started = True
            for listener in self._listeners:
                listener.start(f"{self._name}-handler")
        for target, what in (
            (self.reflector.run, "reflector"),
            (self._process_loop, "process"),
            (self._resync_loop, "resync"),
        ):
            t = threading.Thread(target=target, name=f"{self._name}-{what}", daemon=True)
            t.start()
            self._threads.append(t)

    run = start

    def stop(self, timeout: float | None = 10.0) -> None:
        """Stop every thread (the open watch is closed); the cache keeps its content."""
        self._stopped = True
        self._stop.set()
        self.reflector.stop()
        self.fifo.close()
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener.stop()
        for t in self._threads:
            if t is not threading.current_thread():
                t.join(timeout)
        for listener in listeners:
            listener.join(timeout)

    shutdown = stop

    def __enter__(self) -> SharedIndexInformer[T]:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _process_loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.fifo.pop(self._process)
            except FIFOClosed:
                return
            except Exception:
                log.exception("informer %s: processing a delta failed", self._name)

    def _process(self, delta: Delta, initial: bool) -> None:
        with self._lock:
            obj = delta.object
            if delta.type == "Deleted":
                self.indexer.delete(obj)
                self._distribute(_Notification("delete", obj), sync=False)
                return
            old = self.indexer.get(obj)
            if old is not None:
                self.indexer.update(obj)
                sync = object_meta(old)[2] == object_meta(obj)[2]
                self._distribute(_Notification("update", obj, old=old), sync=sync)
            else:
                self.indexer.add(obj)
                self._distribute(_Notification("add", obj, initial=initial), sync=False)

    def _distribute(self, n: _Notification, *, sync: bool) -> None:
        for listener in self._listeners:
            if not sync or listener.syncing:
                listener.add(n)

    def should_resync(self) -> bool:
        """Mark the listeners whose resync is due; True when any is (client-go's
        ``sharedProcessor.shouldResync``)."""
        now = self.clock.now()
        with self._lock:
            any_due = False
            for listener in self._listeners:
                listener.syncing = False
                if listener.resync_period and now >= listener.next_resync:
                    listener.syncing = True
                    listener.next_resync = now + listener.resync_period
                    any_due = True
            return any_due

    def _resync_loop(self) -> None:
        while not self._stop.is_set():
            period = self._resync_check
            if not period:
                if self._stop.sleep(1.0):
                    return
                continue
            if self._stop.sleep(period):
                return
            if self.should_resync():
                self.fifo.resync()

    def __repr__(self) -> str:
        return (
            f"<SharedIndexInformer {self._name} objects={len(self.indexer)} "
            f"synced={self.has_synced()}>"
        )


class _Synced(Protocol):
    def has_synced(self) -> bool: ...


def wait_for_cache_sync(
    *informers: _Synced | Callable[[], bool], timeout: float | None = None
) -> bool:
    """Wait until every informer (or registration, or function) has synced; False on timeout."""
    checks: list[Callable[[], bool]] = []
    for i in informers:
        synced = getattr(i, "has_synced", None)
        checks.append(synced if callable(synced) else i)  # type: ignore[arg-type]
    deadline = None if timeout is None else time.monotonic() + timeout
    while not all(check() for check in checks):
        if deadline is not None and time.monotonic() >= deadline:
            return False
        time.sleep(_SYNC_POLL)
    return True
