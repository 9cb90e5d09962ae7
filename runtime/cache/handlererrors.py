"""Failures of an informer's event handler: counted, and logged without flooding the log.

    registration = informer.add_event_handler(handlers)
    ...
    registration.errors.total                  # 1,000 failures ...
    registration.errors.by_type                # {"KeyError": 1000}
    informer.handler_errors()                  # every handler's failures added up

A handler that raises does not stop its informer (client-go's ``HandleCrash``).  The first
failure of each exception type is logged with its traceback; after that the same handler's same
exception type is logged at most once per ``interval`` (30 s by default) as one line saying how
many failures it stood for, so one faulty handler writes a few lines, not one traceback per event.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from ..clock import Clock, RealClock

__all__ = ["DEFAULT_INTERVAL", "HandlerErrors"]

log = logging.getLogger("kubeset.cache")

DEFAULT_INTERVAL = 30.0
"""Seconds between two log lines for the same handler and exception type."""


@dataclass(eq=False)
class HandlerErrors:
    """One handler's failures: counts users can read, and the log's rate limit."""

    handler: object
    clock: Clock = field(default_factory=RealClock)
    interval: float = DEFAULT_INTERVAL
    total: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    _logged_at: dict[type[BaseException], float] = field(default_factory=dict, repr=False)
    _unlogged: dict[type[BaseException], int] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, error: Exception, event: str) -> None:
        """Count ``error`` (raised while handling an ``event``: add, update or delete) and log it
        if it is the first of its type or the interval has passed."""
        kind = type(error)
        now = self.clock.now()
        with self._lock:
            self.total += 1
            self.by_type[kind.__name__] = self.by_type.get(kind.__name__, 0) + 1
            last = self._logged_at.get(kind)
            if last is not None and now - last < self.interval:
                self._unlogged[kind] = self._unlogged.get(kind, 0) + 1
                return
            self._logged_at[kind] = now
            unlogged = self._unlogged.pop(kind, 0)
        if last is None:
            log.error(
                "informer event handler %r failed on %s (the first %s of this handler: logged"
                " in full once, then at most every %gs)",
                self.handler,
                event,
                kind.__name__,
                self.interval,
                exc_info=error,
            )
        else:
            log.error(
                "informer event handler %r failed on %s: %s: %s (%d more such failures since"
                " the last report)",
                self.handler,
                event,
                kind.__name__,
                error,
                unlogged,
            )
