"""The compiled twins of the models' field descriptors, when kubeset was built with them.

``kubeset._codec`` (Rust, optional) defines ``LazyField`` and ``AbsentField``, the same
descriptors as :class:`kubeset.model.lazy.PyLazyField` and
:class:`kubeset.model.sparse.PyAbsentField`, several times faster to read through.  Without a
Rust toolchain at install time the Python ones are used; nothing else changes.

Usage::

    from kubeset.model.native import compiled_or

    LazyField = compiled_or("LazyField", PyLazyField)
"""

from __future__ import annotations

from typing import Any

__all__ = ["compiled_or"]

_codec: Any = None  # kubeset._codec (layer 0: it imports nothing of ours), when built
try:
    from .. import _codec as _built

    _codec = _built
except ImportError:  # pragma: no cover - built without a Rust toolchain: the Python descriptors
    pass


def compiled_or(name: str, fallback: Any) -> Any:
    """``kubeset._codec.<name>``, or ``fallback`` when kubeset was built without it."""
    return getattr(_codec, name, None) or fallback
