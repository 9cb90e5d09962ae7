"""Encoding models to exactly what the API server expects, and decoding by apiVersion/kind.

- :func:`to_dict` / :func:`to_json`: JSON names, only the fields that were set (or decoded),
  unknown fields written back as they came.
- :class:`Scheme`: the (apiVersion, kind) -> model table of a generated package
  (``kubeset.kubernetes.scheme`` is one); it imports a group version's module on first use.
- :func:`decode_json`: JSON bytes into a model.  With the compiled ``kubeset._codec`` (built from
  ``runtime/_codec`` when the install finds a Rust toolchain) the JSON is read once, straight into
  the same pydantic objects ``model_validate_json`` builds (about 2x faster for large lists);
  input it does not take as canonical goes to ``model_validate_json``, which coerces or raises
  its ValidationError as always.  Without the extension every decode is ``model_validate_json``.
- :func:`to_json` likewise writes through the compiled encoder (pydantic's exact bytes, about 3x
  faster), and hands pydantic whatever it does not write (a value of another type than its field
  declares, a float needing an exponent, a time not in UTC, ...), warnings included.
- :func:`gc_paused` / :func:`decode_large`: large decodes (>= 64 KiB) run with the cyclic
  garbage collector paused, then the new objects are promoted to the oldest generation.
  Building hundreds of thousands of small objects otherwise triggers collections over the
  young objects again and again (4-5x slower for a 5,000-pod list), and the first
  collection afterwards walks them all once more; decoded models hold no reference cycles,
  so pausing is safe.
"""

from __future__ import annotations

import datetime as _dt
import gc
import importlib
import sys
import threading
import types
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import from_json

from .errors import SchemeError
from .lazyfields import serializing
from .model import KubeModel, _b64decode, _Base64BytesType, _MicroTimeType, _QuantityType

__all__ = [
    "Scheme",
    "SchemeError",
    "decode_json",
    "decode_large",
    "gc_paused",
    "native_decoder",
    "native_encoder",
    "promote_young_objects",
    "to_dict",
    "to_json",
]

M = TypeVar("M", bound=BaseModel)

#: inputs at least this large are decoded with the garbage collector paused
LARGE_INPUT = 64 * 1024


def to_dict(obj: BaseModel) -> dict[str, Any]:
    """The JSON-ready dict of a model: JSON names, only the fields that were set."""
    return obj.model_dump(mode="json", by_alias=True, exclude_unset=True)


def to_json(obj: BaseModel) -> bytes:
    """The JSON bytes of a model, as the API server expects them.

    Through the compiled encoder when there is one (the same bytes, several times faster); a
    value it does not write (a type its field does not declare, a float needing an exponent, a
    time not in UTC, ...) sends the whole object to pydantic's serializer.
    """
    encoder = native_encoder(type(obj))
    if encoder is not None:
        try:
            encoded: bytes = encoder.encode(obj)
            return encoded
        except _Fallback:
            pass
    # the serializer's bytes directly (model_dump_json would decode them to str, .encode() copy back)
    with serializing(obj):  # Go-shaped fields: values created on read, only once not empty
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
    """:func:`decode_json`; for large inputs with the garbage collector paused and the decoded
    objects promoted to the oldest generation afterwards."""
    if len(data) < LARGE_INPUT:
        return decode_json(model, data)
    with gc_paused():
        decoded = decode_json(model, data)
        promote_young_objects()
    return decoded


def decode_json(model: type[M], data: bytes | bytearray | str) -> M:
    """``model.model_validate_json(data)``, through the compiled decoder when it can take the model.

    The result is the same either way (same classes, values, ``model_fields_set`` and extras);
    invalid input raises pydantic's ``ValidationError`` either way.
    """
    decoder = native_decoder(model)
    if decoder is not None:
        raw = data.encode() if isinstance(data, str) else bytes(data)
        try:
            decoded: M = decoder.decode(raw)
            return decoded
        except _Fallback:
            pass
    return model.model_validate_json(data)


# ---------------------------------------------------------------- plans for the compiled codec

(
    _STR,
    _INT,
    _BOOL,
    _NUMBER,
    _ANY,
    _TIME,
    _BYTES,
    _INT_OR_STR,
    _QUANTITY,
    _MODEL,
    _LIST,
    _DICT,
    _FLOAT,
    _MICRO_TIME,
) = range(14)
_SCALARS: dict[Any, int] = {
    str: _STR,
    int: _INT,
    bool: _BOOL,
    float: _FLOAT,
    Any: _ANY,
    _dt.datetime: _TIME,
}
_MARKERS: dict[type, int] = {
    _QuantityType: _QUANTITY,
    _MicroTimeType: _MICRO_TIME,
    _Base64BytesType: _BYTES,
}
# model class -> (_codec.Decoder, _codec.Encoder) built from one plan, or None when not plain
_NATIVE: dict[type, tuple[Any, Any] | None] = {}
_native_lock = threading.Lock()
_codec: Any = None  # kubeset._codec once loaded; False when kubeset was built without it


class _NoFallback(Exception):
    """Never raised: stands for _codec.Fallback until the extension is loaded."""


_Fallback: type[Exception] = _NoFallback


def _load_codec() -> Any:
    global _codec, _Fallback
    if _codec is None:
        try:
            from . import _codec as codec
        except ImportError:  # installed without a Rust toolchain: pydantic decodes everything
            _codec = False
        else:
            _Fallback = codec.Fallback
            _codec = codec
    return _codec


class _NotPlain(Exception):
    """A model (or a field type) the compiled codec does not handle; pydantic does."""


def native_decoder(model: type[BaseModel]) -> Any:
    """The compiled decoder for ``model`` (built once per class), or None when kubeset has no
    compiled codec or the model is not a plain generated one (validators, other defaults, ...)."""
    pair = _native(model)
    return pair[0] if pair is not None else None


def native_encoder(model: type[BaseModel]) -> Any:
    """The compiled encoder for ``model``, or None (as :func:`native_decoder`)."""
    pair = _native(model)
    return pair[1] if pair is not None else None


def _native(model: type[BaseModel]) -> tuple[Any, Any] | None:
    try:
        return _NATIVE[model]
    except KeyError:
        pass
    codec = _load_codec()
    if not codec:
        return None
    with _native_lock:
        if model not in _NATIVE:
            try:
                plans: list[Any] = []
                root = _plan(model, plans, {})
            except _NotPlain:
                _NATIVE[model] = None
            else:
                from pydantic import TypeAdapter

                # the tzinfo pydantic gives a "Z" time: decoded times carry the very same object
                utc = TypeAdapter(_dt.datetime).validate_json(b'"2000-01-01T00:00:00Z"').tzinfo
                _NATIVE[model] = (
                    codec.Decoder(plans, root, utc, _b64decode),
                    codec.Encoder(plans, root, utc, BaseModel),
                )
        return _NATIVE[model]


def _plan(cls: type, plans: list[Any], index: dict[type, int]) -> int:
    if cls in index:
        return index[cls]
    if not (isinstance(cls, type) and issubclass(cls, KubeModel)):
        raise _NotPlain(cls)
    decorators = cls.__pydantic_decorators__
    config = cls.model_config
    if (
        any(
            (
                decorators.validators,
                decorators.field_validators,
                decorators.root_validators,
                decorators.model_validators,
                decorators.field_serializers,
                decorators.model_serializers,
            )
        )
        or cls.__pydantic_post_init__ is not None
        or config.get("extra") != "allow"
        or "__get_pydantic_core_schema__" in vars(cls)
    ):
        raise _NotPlain(cls)
    at = index[cls] = len(plans)
    plans.append(None)
    by_name = config.get("validate_by_name", False) or config.get("populate_by_name", False)
    by_alias = config.get("validate_by_alias", True)
    fields: dict[str, tuple[str, tuple[Any, ...]]] = {}
    order: list[tuple[str, str]] = []  # (attribute, JSON name) in declaration order, for encoding
    for name, info in cls.model_fields.items():
        if info.default is not None or info.default_factory is not None or info.is_required():
            raise _NotPlain(f"{cls.__name__}.{name}")
        attr = sys.intern(name)
        spec = _spec(info.annotation, plans, index)
        alias = info.validation_alias if info.validation_alias is not None else info.alias
        if alias is not None and not isinstance(alias, str):
            raise _NotPlain(f"{cls.__name__}.{name}")  # AliasPath / AliasChoices
        keys = ({alias} if alias and by_alias else set()) | (
            {name} if by_name or not alias else set()
        )
        out_name = info.serialization_alias or info.alias or name
        if not config.get("serialize_by_alias", False):
            out_name = name
        order.append((attr, out_name))
        for key in keys:
            if key in fields:
                raise _NotPlain(f"{cls.__name__}.{key}")
            fields[key] = (attr, spec)
    plans[at] = (cls, dict.fromkeys(cls.model_fields), fields, order)
    return at


def _spec(annotation: Any, plans: list[Any], index: dict[type, int]) -> tuple[Any, ...]:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (Union, types.UnionType):
        rest = {a for a in args if a is not type(None)}
        if rest == {int, str}:
            return (_INT_OR_STR, None)
        if rest == {int, float}:
            return (_NUMBER, None)
        if len(rest) == 1:
            return _spec(rest.pop(), plans, index)
        raise _NotPlain(annotation)
    if origin is Annotated:
        kinds = [_MARKERS[m] for m in args[1:] if isinstance(m, type) and m in _MARKERS]
        if len(kinds) != 1 or len(args) != 2:
            raise _NotPlain(annotation)
        return (kinds[0], None)
    if origin is list and len(args) == 1:
        return (_LIST, _spec(args[0], plans, index))
    if origin is dict and len(args) == 2 and args[0] is str:
        return (_DICT, _spec(args[1], plans, index))
    try:
        if annotation in _SCALARS:
            return (_SCALARS[annotation], None)
    except TypeError:  # an unhashable annotation object
        raise _NotPlain(annotation) from None
    if isinstance(annotation, type) and issubclass(annotation, KubeModel):
        return (_MODEL, _plan(annotation, plans, index))
    raise _NotPlain(annotation)


def _head(data: bytes | str) -> tuple[Any, Any]:
    """apiVersion and kind of a JSON object, without building Python objects for the rest
    (the compiled codec only scans the rest; pydantic parses it and then ignores it)."""
    codec = _load_codec()
    if codec:
        try:
            found: tuple[Any, Any] = codec.head(data.encode() if isinstance(data, str) else data)
            return found
        except _Fallback:
            pass  # not one JSON object: pydantic's path below words the error
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
        raise SchemeError(
            f"cannot decode: expected a JSON object, got {type(value).__name__}"
        ) from None
    return head.apiVersion, head.kind


class _Head(BaseModel):
    model_config = {"extra": "ignore"}
    apiVersion: Any = None
    kind: Any = None


_HEAD_ADAPTER: Any = None


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
        api_version, kind = (
            getattr(cls, "__kubeset_api_version__", None),
            getattr(cls, "__kubeset_kind__", None),
        )
        if (
            isinstance(api_version, str)
            and isinstance(kind, str)
            and (api_version, kind) in self._kinds
        ):
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
