"""kubeset: client-go for Python.

The runtime is imported lazily: ``import kubeset`` costs almost nothing, and each
name below loads its module on first use (import time matters to CLIs and
controllers that start often).  Type checkers see the real imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

# name -> module (relative to this package) that defines it.
# Each runtime module owns its names; add a line here when a module exports one.
_EXPORTS: dict[str, str] = {
    # serializers
    "to_dict": "serializers",
    "to_json": "serializers",
}

if TYPE_CHECKING:  # pragma: no cover - for mypy / pyright only
    from .serializers import to_dict, to_json


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kubeset' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = ["__version__", *_EXPORTS]
