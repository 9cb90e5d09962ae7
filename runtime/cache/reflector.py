"""The reflector: keeps a store in step with the server by listing, then watching.

    fifo = InOrderFIFO(known=indexer)
    reflector = Reflector(cs.core_v1.pods(""), fifo, ReflectorOptions(name="pods"))
    threading.Thread(target=reflector.run).start()      # until reflector.stop()

client-go's Reflector semantics:

* **Streaming list first** (``use_watch_list``, client-go's default since v1.35): a watch with
  ``sendInitialEvents=true``, ``resourceVersionMatch=NotOlderThan`` and bookmarks; the objects
  collected until the bookmark annotated ``k8s.io/initial-events-end`` replace the store, and
  the same watch goes on.  Any error there falls back to a plain list.
* **List**: from resourceVersion ``"0"`` the first time (served by the watch cache), from the
  last seen resourceVersion afterwards, and from ``""`` (a consistent read) when that one is
  gone (410 / Expired) or too large for the server.  Paginated (500 per page) when the server
  paginates; a continue token that expires falls back to a full list.
* **Watch** from the list's resourceVersion with bookmarks on and a random timeout between
  ``min_watch_timeout`` and twice that (5-10 minutes); a closed or broken stream is re-watched
  from the last resourceVersion seen; 410 on the watch relists; connection failures and 429 back
  off and re-watch; a watch that ends within a second without any event counts as a failure.
* **Backoff** between failed rounds: :class:`~kubeset.cache.backoff.ExponentialBackoff` (800 ms,
  x2, 30 s cap, jitter, reset after 2 minutes healthy).

Objects go to the store as ``add`` / ``update`` / ``delete`` (watch events) and ``replace``
(a list); the store (the informer's :class:`~kubeset.cache.fifo.InOrderFIFO`) turns them into
handler events.  The decisions (which resourceVersion, which error means what) are plain
methods; the blocking part is the client's list/watch and :class:`~kubeset.clock.StopEvent`
sleeps, which an asyncio flavour would swap for awaitables.
"""

from __future__ import annotations

import builtins
import logging
import random
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..clock import Clock, RealClock, StopEvent
from ..codec import gc_paused, promote_young_objects
from ..errors import (
    ApiConnectionError,
    ApiError,
    Expired,
    Gone,
    InternalError,
    KubesetError,
    RequestTimeout,
    TooManyRequests,
)
from ..rest.meta import meta_value
from .backoff import BackoffOptions, ExponentialBackoff
from .listwatch import Event, ListerWatcher, WatchStream, list_meta
from .store import deletion_handling_key, object_meta

__all__ = [
    "INITIAL_EVENTS_END_ANNOTATION",
    "Reflector",
    "ReflectorOptions",
    "ReflectorStore",
    "is_expired",
    "is_too_large_resource_version",
]

log = logging.getLogger("kubeset.cache")

INITIAL_EVENTS_END_ANNOTATION = "k8s.io/initial-events-end"
_SHORT_WATCH = 1.0  # seconds: a watch closing this fast without events is a failure


class ReflectorStore(Protocol):
    """Where a reflector puts what it sees (an :class:`~kubeset.cache.fifo.InOrderFIFO`)."""

    def add(self, obj: Any) -> None: ...

    def update(self, obj: Any) -> None: ...

    def delete(self, obj: Any) -> None: ...

    def replace(self, objs: Iterable[Any], *, transformed: bool = False) -> None:
        """The result of a list; ``transformed``: :attr:`transform` was applied already."""
        ...

    @property
    def transform(self) -> Callable[[Any], Any] | None:
        """Run on every object before it is stored (the streaming list applies it as the
        objects arrive, so the untransformed ones are never all held at once)."""
        ...


@dataclass(frozen=True, slots=True)
class ReflectorOptions:
    """How a reflector lists and watches."""

    name: str = ""
    label_selector: str | None = None
    field_selector: str | None = None
    page_size: int = 500
    min_watch_timeout: float = 300.0  # a watch asks for a timeout in [min, 2 x min]
    use_watch_list: bool = True
    backoff: BackoffOptions = field(default_factory=BackoffOptions)


def is_expired(err: BaseException) -> bool:
    """410 Gone / Expired: the resourceVersion is no longer available."""
    return isinstance(err, (Gone, Expired))


def is_too_large_resource_version(err: BaseException) -> bool:
    """The server has not reached the resourceVersion yet (its Status cause says so)."""
    return isinstance(err, ApiError) and any(
        c.reason == "ResourceVersionTooLarge" for c in err.causes
    )


def _is_retriable_watch_error(err: BaseException) -> bool:
    return isinstance(err, (ApiConnectionError, TooManyRequests))


class _OpenWatch:
    """An open watch and its one event iterator, kept together: the streaming list reads up to
    the initial-events-end bookmark and the watch phase goes on with the same iterator."""

    __slots__ = ("events", "watch")

    def __init__(self, watch: WatchStream[Any]) -> None:
        self.watch = watch
        self.events: Iterator[Event[Any]] = iter(watch)

    def stop(self) -> None:
        self.watch.stop()


class Reflector:
    """Lists and watches one resource into a :class:`ReflectorStore` until stopped."""

    def __init__(
        self,
        lister_watcher: ListerWatcher[Any],
        store: ReflectorStore,
        options: ReflectorOptions | None = None,
        *,
        clock: Clock | None = None,
        rand: random.Random | None = None,
    ) -> None:
        self.lister_watcher = lister_watcher
        self.store = store
        self.options = options = options if options is not None else ReflectorOptions()
        self.clock: Clock = clock if clock is not None else RealClock()
        self._rand = rand if rand is not None else random.Random()
        self.backoff = ExponentialBackoff(options.backoff, clock=self.clock, rand=self._rand)
        self._stop = StopEvent(self.clock)
        self._lock = threading.Lock()
        self._watch: WatchStream[Any] | None = None
        self._last_sync_rv = ""
        self._rv_unavailable = False
        self._paginated = False
        self._events = 0  # watch events seen (a watch that ends at once without any is suspect)
        self.use_watch_list = options.use_watch_list
        self.on_error: Callable[[BaseException], None] | None = None
        """Called with each error that ends a round (client-go's WatchErrorHandler)."""

    # -- state ----------------------------------------------------------------------------
    @property
    def last_sync_resource_version(self) -> str:
        return self._last_sync_rv

    def relist_resource_version(self) -> str:
        """resourceVersion for the next list: "" when the last is gone, "0" the first time."""
        if self._rv_unavailable:
            return ""
        return self._last_sync_rv or "0"

    def rewatch_resource_version(self) -> str:
        """resourceVersion for a streaming list: "" (consistent) when unknown or gone."""
        return "" if self._rv_unavailable else self._last_sync_rv

    def watch_timeout_seconds(self) -> int:
        low = self.options.min_watch_timeout
        return int(low + self._rand.random() * low)

    def _selectors(self) -> dict[str, Any]:
        return {
            "label_selector": self.options.label_selector,
            "field_selector": self.options.field_selector,
        }

    # -- running --------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop :meth:`run` (from any thread): the open watch is closed at once."""
        self._stop.set()
        with self._lock:
            w = self._watch
        if w is not None:
            w.stop()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        """List and watch until :meth:`stop`, backing off between failed rounds."""
        while not self._stop.is_set():
            try:
                self.list_and_watch()
            except Exception as e:  # noqa: BLE001 - a round's failure never ends the reflector
                if self._stop.is_set():
                    return
                log.warning("reflector %s: %s", self.options.name, e)
                if self.on_error is not None:
                    self.on_error(e)
            if self._stop.sleep(self.backoff.next()):
                return

    def list_and_watch(self) -> None:
        """One round: (streaming) list, then watch until the watch must be re-listed."""
        w: _OpenWatch | None = None
        if self.use_watch_list:
            try:
                w = self._watch_list()
            except KubesetError as e:
                log.info("reflector %s: streaming list failed (%s), listing", self.options.name, e)
                w = None
            if w is None and self._stop.is_set():
                return
        if w is None:
            self.list()
        self._watch_loop(w)

    # -- list -----------------------------------------------------------------------------
    def list(self) -> None:
        """List (paginated when the server paginates) and replace the store's content."""
        rv = self.relist_resource_version()
        try:
            items, list_rv = self._list_at(rv)
        except ApiError as e:
            if not (is_expired(e) or is_too_large_resource_version(e)):
                raise
            self._rv_unavailable = True  # list again, consistently
            items, list_rv = self._list_at("")
        self.store.replace(items)
        self._last_sync_rv = list_rv
        self._rv_unavailable = False

    def _list_at(self, rv: str) -> tuple[builtins.list[Any], str]:
        lw = self.lister_watcher
        page_size: int | None = self.options.page_size or None
        if not self._paginated and rv not in ("", "0"):
            page_size = None  # let the watch cache serve it whole (client-go does the same)
        items: builtins.list[Any] = []
        token = ""
        while True:
            try:
                page = lw.list(
                    limit=page_size,
                    continue_=token or None,
                    resource_version=None if token else rv,
                    **self._selectors(),
                )
            except Expired:
                if not token:
                    raise
                # the continue token expired: one full list instead (client-go's pager)
                page = lw.list(resource_version=rv, **self._selectors())
                got, list_rv, _ = list_meta(page)
                return got, list_rv
            got, list_rv, next_token = list_meta(page)
            if rv == "0" and not token and next_token:
                self._paginated = True  # the server paginates this resource: keep asking so
            token = next_token
            items.extend(got)
            if not token:
                return items, list_rv

    # -- streaming list -------------------------------------------------------------------
    def _watch_list(self) -> _OpenWatch | None:
        """The initial state from a ``sendInitialEvents`` watch; the open watch, or None when
        stopped.  Raises what should make the caller fall back to a list."""
        while not self._stop.is_set():
            temp: dict[str, Any] = {}
            w = self._open_watch(
                resource_version=self.rewatch_resource_version(),
                send_initial_events=True,
                resource_version_match="NotOlderThan",
            )
            if w is None:
                return None
            try:
                # thousands of objects decoded one event at a time and all kept: without the
                # pause the collector walks the growing heap again and again (4x the decode)
                with gc_paused():
                    end_rv = self._consume(w, temp)
                    # promoted before the collector resumes: else its first pass walks them all
                    promote_young_objects()
            except ApiError as e:
                w.stop()
                if is_expired(e) or is_too_large_resource_version(e):
                    self._rv_unavailable = True
                    continue
                raise
            except (ApiConnectionError, RequestTimeout):
                w.stop()
                if self._stop.sleep(self.backoff.next()):
                    return None
                continue
            if end_rv is None:  # stream ended before the initial events did
                w.stop()
                if self._stop.is_set():
                    return None
                continue
            self.store.replace(temp.values(), transformed=True)
            self._last_sync_rv = end_rv
            self._rv_unavailable = False
            return w
        return None

    # -- watch ----------------------------------------------------------------------------
    def _open_watch(self, **params: Any) -> _OpenWatch | None:
        """Open a watch, backing off on retriable failures; None when stopped."""
        while not self._stop.is_set():
            try:
                w = self.lister_watcher.watch(
                    allow_watch_bookmarks=True,
                    timeout_seconds=self.watch_timeout_seconds(),
                    **params,
                    **self._selectors(),
                )
            except KubesetError as e:
                if not _is_retriable_watch_error(e):
                    raise
                log.info("reflector %s: watch failed (%s), backing off", self.options.name, e)
                if self._stop.sleep(self.backoff.next()):
                    return None
                continue
            with self._lock:
                self._watch = w
            if self._stop.is_set():
                w.stop()
                return None
            return _OpenWatch(w)
        return None

    def _watch_loop(self, w: _OpenWatch | None) -> None:
        while not self._stop.is_set():
            if w is None:
                w = self._open_watch(resource_version=self._last_sync_rv)
                if w is None:
                    return
            started = self.clock.now()
            events_before = self._events
            broken = False
            try:
                self._consume(w, None)
            except ApiError as e:
                if is_expired(e):
                    log.info("reflector %s: watch expired (%s), relisting", self.options.name, e)
                    return  # relist from the last resourceVersion (no backoff: client-go)
                if isinstance(e, TooManyRequests):
                    if self._stop.sleep(self.backoff.next()):
                        return
                    continue
                if isinstance(e, InternalError):
                    continue
                raise
            except (ApiConnectionError, RequestTimeout) as e:
                log.info("reflector %s: watch broke (%s), re-watching", self.options.name, e)
                broken = True
            finally:
                w.stop()
                with self._lock:
                    self._watch = None
                w = None
            if self._stop.is_set():
                return
            if self._events == events_before and self.clock.now() - started < _SHORT_WATCH:
                how = "broke" if broken else "closed"
                raise _ShortWatch(f"the watch {how} within a second without any event")

    def _consume(self, w: _OpenWatch, temp: dict[str, Any] | None) -> str | None:
        """Apply the events of ``w``: to the store, or collect them into ``temp`` (streaming
        list).  Returns the resourceVersion of the initial-events-end bookmark (streaming
        list) / of the last event ("" when none) or None when the stream ended without one."""
        last: str | None = None
        transform = self.store.transform if temp is not None else None
        for event in w.events:
            self._events += 1
            if self._stop.is_set():
                return last
            obj = event.object
            _, _, rv = object_meta(obj)
            etype = event.type
            if etype == "BOOKMARK":
                if temp is not None:
                    if _initial_events_end(obj):
                        return rv
                    continue
                if rv:
                    self._last_sync_rv = rv
                last = rv or last or ""
                continue
            if temp is not None:
                key = deletion_handling_key(obj)
                if etype == "DELETED":
                    temp.pop(key, None)
                else:
                    temp[key] = obj if transform is None else transform(obj)
                continue
            if etype == "ADDED":
                self.store.add(obj)
            elif etype == "MODIFIED":
                self.store.update(obj)
            elif etype == "DELETED":
                self.store.delete(obj)
            else:
                log.warning("reflector %s: unknown event type %r", self.options.name, etype)
                continue
            if rv:
                self._last_sync_rv = rv
            last = rv or last or ""
        return None if temp is not None else last

    def __repr__(self) -> str:
        return f"<Reflector {self.options.name!r} rv={self._last_sync_rv!r}>"


class _ShortWatch(KubesetError):
    """A watch that closed at once without events: treated as a failed round (backoff)."""


def _initial_events_end(obj: Any) -> bool:
    annotations = meta_value(obj, "annotations") or {}
    return annotations.get(INITIAL_EVENTS_END_ANNOTATION) == "true"
