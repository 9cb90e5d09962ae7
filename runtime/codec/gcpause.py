"""Large decodes with the cyclic garbage collector paused: ``gc_paused`` and ``decode_large``.

Large decodes (>= 64 KiB) run with the cyclic garbage collector paused, then the new objects
are promoted to the oldest generation.  Building hundreds of thousands of small objects
otherwise triggers collections over the young objects again and again (4-5x slower for a
5,000-pod list), and the first collection afterwards walks them all once more; decoded models
hold no reference cycles, so pausing is safe.

Usage::

    from kubeset.codec import decode_large, gc_paused

    pods = decode_large(PodList, body)  # paused and promoted when body >= 64 KiB
    with gc_paused():
        ...  # build many objects without reference cycles
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from pydantic import BaseModel

from .wire import decode_json

__all__ = ["LARGE_INPUT", "decode_large", "gc_paused", "promote_young_objects"]

M = TypeVar("M", bound=BaseModel)

#: inputs at least this large are decoded with the garbage collector paused
LARGE_INPUT = 64 * 1024

_pause_lock = threading.Lock()
_pause_depth = 0  # blocks inside gc_paused(), in every thread
_resume = False  # whether the collector was enabled when the first block began


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block.

    Re-entrant and thread-safe: the collector stays paused until the last block in any thread
    ends, and is then restored to the state it had before the first one began.
    """
    global _pause_depth, _resume
    with _pause_lock:
        if _pause_depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pause_depth += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pause_depth -= 1
            if _pause_depth == 0 and _resume:
                gc.enable()


def promote_young_objects() -> None:
    """Move every tracked object to the oldest GC generation (``gc.freeze`` + ``gc.unfreeze``, O(1)).

    After a large decode the new objects would otherwise all sit in the youngest generation,
    and the next collections walk them again (about as costly as the decode).  Skipped when
    the application froze objects itself (unfreezing would undo its freeze).
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


def decode_large(model: type[M], data: bytes | str) -> M:
    """:func:`decode_json`; for large inputs with the garbage collector paused and the decoded
    objects promoted to the oldest generation afterwards."""
    if len(data) < LARGE_INPUT:
        return decode_json(model, data)
    with gc_paused():
        decoded = decode_json(model, data)
        promote_young_objects()
    return decoded
