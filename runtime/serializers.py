"""Encoding models to exactly what the API server expects, and decoding by apiVersion/kind.

- :func:`to_dict` / :func:`to_json`: JSON names, only the fields that were set (or decoded),
  unknown fields written back as they came.
- :class:`Scheme`: the (apiVersion, kind) -> model table of a generated package
  (``kubeset.kubernetes.scheme`` is one); it imports a group version's module on first use.
- :func:`gc_paused` / :func:`decode_large`: large decodes (>= 64 KiB) run with the cyclic
  garbage collector paused, then the new objects are promoted to the oldest generation.
  Building hundreds of thousands of small objects otherwise triggers collections over the
  young objects again and again (4-5x slower for a 5,000-pod list), and the first
  collection afterwards walks them all once more; decoded models hold no reference cycles,
  so pausing is safe.
"""

from __future__ import annotations

import gc
import importlib
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic_core import from_json

__all__ = ["Scheme", "SchemeError", "decode_large", "gc_paused", "promote_young_objects", "to_dict", "to_json"]

M = TypeVar("M", bound=BaseModel)

#: inputs at least this large are decoded with the garbage collector paused
LARGE_INPUT = 64 * 1024


def to_dict(obj: BaseModel) -> dict[str, Any]:
    """The JSON-ready dict of a model: JSON names, only the fields that were set."""
    return obj.model_dump(mode="json", by_alias=True, exclude_unset=True)


def to_json(obj: BaseModel) -> bytes:
    """The JSON bytes of a model, as the API server expects them."""
    # the serializer's bytes directly (model_dump_json would decode them to str, .encode() copy back)
    return obj.__pydantic_serializer__.to_json(obj, by_alias=True, exclude_unset=True)


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
    """``model.model_validate_json(data)``; for large inputs with the garbage collector paused
    and the decoded objects promoted to the oldest generation afterwards."""
    if len(data) < LARGE_INPUT:
        return model.model_validate_json(data)
    with gc_paused():
        decoded = model.model_validate_json(data)
        promote_young_objects()
    return decoded


def _head(data: bytes | str) -> tuple[Any, Any]:
    """apiVersion and kind of a JSON object, without building Python objects for the rest."""
    global _HEAD_ADAPTER
    if _HEAD_ADAPTER is None:
        from pydantic import TypeAdapter

        _HEAD_ADAPTER = TypeAdapter(_Head)
    try:
        head = _HEAD_ADAPTER.validate_json(data)
    except ValueError:
        try:
            value = from_json(data)
        except ValueError as e:
            raise SchemeError(f"cannot decode: not JSON ({e})") from None
        raise SchemeError(f"cannot decode: expected a JSON object, got {type(value).__name__}") from None
    return head.apiVersion, head.kind


class _Head(BaseModel):
    model_config = {"extra": "ignore"}
    apiVersion: Any = None
    kind: Any = None


_HEAD_ADAPTER: Any = None


class SchemeError(ValueError):
    """Data without apiVersion/kind, or an (apiVersion, kind) the scheme does not know."""


class Scheme:
    """Maps (apiVersion, kind) to the generated model classes of one package.

    ``kinds`` maps ``(api_version, kind)`` to ``(module, class name)`` with the module relative
    to ``package`` (``("v1", "Pod") -> ("models.core.v1", "Pod")``).  Modules are imported on
    first use only.
    """

    def __init__(self, package: str, kinds: Mapping[tuple[str, str], tuple[str, str]]) -> None:
        self.package = package
        self._kinds = dict(kinds)

    def known(self) -> list[tuple[str, str]]:
        """Every (apiVersion, kind) of the scheme, sorted."""
        return sorted(self._kinds)

    def model_for(self, api_version: str, kind: str) -> type[BaseModel]:
        """The model class of ``kind`` in ``api_version`` (e.g. ``("apps/v1", "Deployment")``)."""
        target = self._kinds.get((api_version, kind))
        if target is None:
            same = sorted(k for v, k in self._kinds if v == api_version)
            if same:
                hint = f"; kinds of {api_version}: {', '.join(same[:20])}{' ...' if len(same) > 20 else ''}"
            else:
                versions = sorted({v for v, _ in self._kinds})
                hint = f"; known apiVersions: {', '.join(versions)}"
            raise SchemeError(f"unknown kind {kind!r} of apiVersion {api_version!r}{hint}")
        module, name = target
        cls = getattr(importlib.import_module(f"{self.package}.{module}"), name)
        assert isinstance(cls, type) and issubclass(cls, BaseModel)
        return cls

    def gvk_of(self, obj: BaseModel | type[BaseModel]) -> tuple[str, str]:
        """(apiVersion, kind) of a model instance or class.

        A class registered under several group versions (``DeleteOptions``, ``WatchEvent``)
        answers its core ``v1`` registration when it has one, else the first in sorted order.
        """
        cls = obj if isinstance(obj, type) else type(obj)
        api_version, kind = getattr(cls, "__kubeset_api_version__", None), getattr(cls, "__kubeset_kind__", None)
        if isinstance(api_version, str) and isinstance(kind, str) and (api_version, kind) in self._kinds:
            return api_version, kind
        target = (cls.__module__.removeprefix(self.package + "."), cls.__name__)
        keys = [key for key in sorted(self._kinds) if self._kinds[key] == target]
        if not keys:
            raise SchemeError(f"{cls.__name__} is not a top-level kind of {self.package}")
        core = [key for key in keys if key[0] == "v1"]
        return (core or keys)[0]

    def decode(self, data: bytes | str | Mapping[str, Any]) -> BaseModel:
        """Decode JSON bytes/text or a dict carrying ``apiVersion`` and ``kind`` into its model."""
        if isinstance(data, Mapping):
            api_version, kind = data.get("apiVersion"), data.get("kind")
        else:
            api_version, kind = _head(data)
        missing = [n for n, v in (("apiVersion", api_version), ("kind", kind)) if not v]
        if missing:
            raise SchemeError(f"cannot decode: the object has no {' and no '.join(missing)}")
        if not isinstance(api_version, str) or not isinstance(kind, str):
            raise SchemeError("cannot decode: apiVersion and kind must be strings")
        model = self.model_for(api_version, kind)
        if isinstance(data, Mapping):
            return model.model_validate(data)
        return decode_large(model, data)
