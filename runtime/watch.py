"""Compatibility: ``kubeset.watch`` is :mod:`kubeset.rest.watch` (Watch, WatchEvent, EventType).

from kubeset.watch import Watch, WatchEvent    # as before; new code: from kubeset import Watch
"""

from __future__ import annotations

from .rest.watch import EventType, Watch, WatchEvent

__all__ = ["EventType", "Watch", "WatchEvent"]
