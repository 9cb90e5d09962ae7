"""RetryWatcher: one watch that survives dropped connections, and says so when events are lost.

    rw = RetryWatcher(cs.core_v1.config_maps("default"), pods_list.metadata.resource_version)
    try:
        for event in rw:                     # ADDED / MODIFIED / DELETED / BOOKMARK, typed
            handle(event.type, event.object)
    except Expired:                          # 410: history is gone, events may have been missed
        relist_and_start_again()
    rw.stop()                                # from any thread

client-go's ``tools/watch.RetryWatcher``: it starts from a specific resourceVersion ("" and "0"
are refused: they do not name a point in history) and re-opens the watch from the last
resourceVersion it delivered (bookmarks included) whenever the stream closes or breaks, or the
server answers with a retriable error (500 / 504 / 429 / anything but 410, after the server's
Retry-After).  Restarts are at least ``min_restart_delay`` (1 s) apart, measured from the previous
start, so a healthy watch that ends is resumed at once and a failing one does not spin.  410
Gone / Expired is raised to the caller instead of being hidden.

The resume decisions are in :meth:`RetryWatcher.retry_delay`; waiting is on the injected clock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Generator, Iterator
from typing import Generic, TypeVar

from ..clock import Clock, RealClock, StopEvent
from ..errors import ApiConnectionError, ApiError, Gone, KubesetError, RequestTimeout
from .listwatch import Event, Watcher, WatchStream
from .store import object_meta

__all__ = ["RetryWatcher"]

log = logging.getLogger("kubeset.cache")

T = TypeVar("T")


class RetryWatcher(Generic[T]):
    """Iterate for events from ``initial_resource_version`` on, across reconnects."""

    def __init__(
        self,
        watcher: Watcher[T],
        initial_resource_version: str,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        min_restart_delay: float = 1.0,
        clock: Clock | None = None,
    ) -> None:
        if initial_resource_version in ("", "0"):
            raise KubesetError(
                f"RetryWatcher: initial resourceVersion {initial_resource_version!r} does not "
                "name a point in history; start from a list's resourceVersion"
            )
        self.watcher = watcher
        self.resource_version = initial_resource_version
        """The resourceVersion of the last event delivered (where a restart resumes)."""
        self.label_selector = label_selector
        self.field_selector = field_selector
        self.min_restart_delay = min_restart_delay
        self.clock: Clock = clock if clock is not None else RealClock()
        self._stop = StopEvent(self.clock)
        self._lock = threading.Lock()
        self._current: WatchStream[T] | None = None
        self.restarts = 0

    def stop(self) -> None:
        """End the iteration (from any thread)."""
        self._stop.set()
        with self._lock:
            w = self._current
        if w is not None:
            w.stop()

    @staticmethod
    def retry_delay(err: KubesetError) -> float | None:
        """Seconds to wait before resuming after ``err``; None: give up (raise it)."""
        if isinstance(err, Gone):
            return None  # never retry "too old resource version": events were lost
        if isinstance(err, ApiError):
            return float(err.retry_after_seconds or 0)
        if isinstance(err, (ApiConnectionError, RequestTimeout)):
            return 0.0
        return None

    def __iter__(self) -> Iterator[Event[T]]:
        last_start: float | None = None
        while not self._stop.is_set():
            if last_start is not None:
                wait = last_start + self.min_restart_delay - self.clock.now()
                if wait > 0 and self._stop.sleep(wait):
                    return
                self.restarts += 1
            last_start = self.clock.now()
            delay = yield from self._receive()
            if delay is None:
                return
            if delay > 0 and self._stop.sleep(delay):
                return

    def _receive(self) -> Generator[Event[T], None, float | None]:
        """One watch: yields its events; returns the delay before the next (None: stopped)."""
        try:
            w = self.watcher.watch(
                resource_version=self.resource_version,
                allow_watch_bookmarks=True,
                label_selector=self.label_selector,
                field_selector=self.field_selector,
            )
        except KubesetError as e:
            delay = self.retry_delay(e)
            if delay is None:
                raise
            log.info("retry watcher: opening the watch failed (%s), retrying", e)
            return delay
        with self._lock:
            self._current = w
        if self._stop.is_set():
            w.stop()
            return None
        try:
            for event in w:
                rv = object_meta(event.object)[2]
                if not rv:
                    raise KubesetError(
                        f"RetryWatcher: a {event.type} event without a resourceVersion; "
                        "cannot resume after it"
                    )
                self.resource_version = rv
                yield event
                if self._stop.is_set():
                    return None
        except KubesetError as e:
            delay = self.retry_delay(e)
            if delay is None or self._stop.is_set():
                if self._stop.is_set():
                    return None
                raise
            log.info(
                "retry watcher: the watch ended (%s), resuming from %s", e, self.resource_version
            )
            return delay
        finally:
            w.stop()
            with self._lock:
                self._current = None
        return 0.0

    def __repr__(self) -> str:
        return f"<RetryWatcher rv={self.resource_version!r} restarts={self.restarts}>"
