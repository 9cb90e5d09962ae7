"""The fake cluster's event history and the watch streams read from it.

    log = EventLog()
    log.append(Event(rv=5, type="ADDED", store=("", "pods"), obj=pod))
    stream = WatchStream(log, since=4, accept=lambda e: True, bookmarks=True, timeout=30)
    for line in stream: ...                     # b'{"type":"ADDED","object":{...}}\\n'
    stream.abort()                              # from any thread: the iteration ends

Like etcd the history is one sequence ordered by resourceVersion; :meth:`EventLog.compact`
forgets everything up to a version, after which a watch or continue token from before it is
410 Expired.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["Event", "EventLog", "WatchStream"]


@dataclass(frozen=True, slots=True)
class Event:
    rv: int
    type: str  # ADDED MODIFIED DELETED
    store: tuple[str, str]  # (group, plural)
    obj: dict[str, Any]  # the object as of this event (never mutated afterwards)
    prev: dict[str, Any] | None = None  # the object before a MODIFIED event


class EventLog:
    """Every write, in resourceVersion order, since the last compaction."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.compacted = 0  # versions <= this are forgotten
        self.cond = threading.Condition(threading.RLock())
        self.dropped = 0  # watch streams to end on their next wake-up (fault injection)
        self.bookmarks = 0  # watch streams allowing bookmarks send one on their next wake-up

    def append(self, event: Event) -> None:
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()

    def compact(self, upto: int) -> None:
        with self.cond:
            self.compacted = max(self.compacted, upto)
            self.events = [e for e in self.events if e.rv > upto]

    def after(self, rv: int) -> list[Event]:
        with self.cond:
            return [e for e in self.events if e.rv > rv]

    def request_bookmarks(self) -> None:
        with self.cond:
            self.bookmarks += 1
            self.cond.notify_all()

    def drop_watches(self) -> None:
        with self.cond:
            self.dropped += 1
            self.cond.notify_all()


def _line(event_type: str, obj: dict[str, Any]) -> bytes:
    return json.dumps({"type": event_type, "object": obj}, separators=(",", ":")).encode() + b"\n"


class WatchStream:
    """An iterator of watch event lines from ``since`` on; ends on timeout, abort, drop or after
    ``max_events`` events (bookmarks not counted)."""

    def __init__(
        self,
        log: EventLog,
        *,
        since: int,
        initial: list[dict[str, Any]],
        accept: Callable[[Event], tuple[str, dict[str, Any]] | None],
        bookmark: Callable[[int], dict[str, Any]] | None,
        initial_events_end: bool = False,
        timeout: float | None = None,
        max_events: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.log = log
        self.since = since
        self.initial = initial
        self.accept = accept  # (type, object) to send for an event (after selectors), or None
        self.bookmark = bookmark
        self.initial_events_end = initial_events_end
        self.deadline = None if timeout is None else clock() + timeout
        self.clock = clock
        self.max_events = max_events
        self.aborted = False
        with log.cond:
            self.dropped_at = log.dropped
            self.bookmarks_at = log.bookmarks

    def abort(self) -> None:
        self.aborted = True
        with self.log.cond:
            self.log.cond.notify_all()

    def __iter__(self) -> Iterator[bytes]:
        left = self.max_events
        if left is not None and left <= 0:
            return
        for obj in self.initial:
            yield _line("ADDED", obj)
            if left is not None:
                left -= 1
                if left == 0:
                    return
        if self.initial_events_end and self.bookmark is not None:
            end = self.bookmark(self.since)
            end["metadata"]["annotations"] = {"k8s.io/initial-events-end": "true"}
            yield _line("BOOKMARK", end)
        last = self.since
        while not self.aborted:
            with self.log.cond:
                pending = [e for e in self.log.events if e.rv > last]
                mark = self.log.bookmarks != self.bookmarks_at and self.bookmark is not None
                self.bookmarks_at = self.log.bookmarks
                if not pending and not mark:
                    if self.log.dropped != self.dropped_at:
                        return
                    wait = None if self.deadline is None else self.deadline - self.clock()
                    if wait is not None and wait <= 0:
                        break
                    self.log.cond.wait(0.5 if wait is None else min(wait, 0.5))
                    continue
            for event in pending:
                last = event.rv
                sent = self.accept(event)
                if sent is not None:
                    yield _line(*sent)
                    if left is not None:
                        left -= 1
                        if left == 0:
                            return
            if mark and self.bookmark is not None:
                yield _line("BOOKMARK", self.bookmark(last))
