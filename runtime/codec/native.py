"""The compiled codec ``kubeset._codec``: when kubeset uses it, and the fallback to pydantic.

``kubeset._codec`` (runtime/_codec, Rust; built by the install when it finds a Rust toolchain)
decodes JSON straight into the pydantic objects ``model_validate_json`` builds and encodes them
to pydantic's exact bytes, several times faster.  This module builds one ``Decoder`` and one
``Encoder`` per model class from its plan (kubeset.codec.plan), the first time the class is
decoded or encoded, and hands the caller ``None`` whenever pydantic must do the work instead:

- kubeset was built without the extension, or the model is not a plain generated one;
- the input is not in the canonical form the API server sends (the extension raises
  ``Fallback``; pydantic then coerces it or raises its ValidationError as always);
- the installed pydantic lays out model instances differently from the releases kubeset was
  tested with (kubeset.codec.layout), or a plan, ``Decoder`` or ``Encoder`` fails to build:
  one :class:`CodecFallbackWarning`, and pydantic does that work from then on (slower, never
  wrong).

Usage::

    from kubeset.codec.native import native_decode

    pod = native_decode(Pod, raw)  # None: decode with Pod.model_validate_json(raw)
"""

from __future__ import annotations

import datetime as _dt
import threading
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter

from ..model.binary import b64decode
from ..model.rawjson import FieldsV1
from . import layout
from .plan import NotPlain, Plans, plan_models

__all__ = [
    "CodecFallbackWarning",
    "load_codec",
    "native_decode",
    "native_decoder",
    "native_encode",
    "native_encoder",
    "scan_head",
]

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


class CodecFallbackWarning(UserWarning):
    """kubeset's compiled codec is not used (for a model, or at all): pydantic decodes and
    encodes instead, with the same results, more slowly.  Issued once per process."""


# model class -> (Decoder or None, Encoder or None), or None when pydantic does both
_NATIVE: dict[type, tuple[Any, Any] | None] = {}
_native_lock = threading.Lock()
_codec: Any = None  # kubeset._codec once loaded; False when kubeset was built without it
_layout_ok: bool | None = None  # whether the installed pydantic has the layout (checked once)
_warned = False
_utc: Any = None


def load_codec() -> Any:
    """The ``kubeset._codec`` module, or False when kubeset was built without it."""
    global _codec
    if _codec is None:
        try:
            from .. import _codec as codec
        except ImportError:  # installed without a Rust toolchain: pydantic decodes everything
            _codec = False
        else:
            _codec = codec
    return _codec


def native_decoder(model: type[BaseModel]) -> Any:
    """The compiled decoder for ``model`` (built once per class), or None when pydantic decodes it."""
    pair = _native(model)
    return pair[0] if pair is not None else None


def native_encoder(model: type[BaseModel]) -> Any:
    """The compiled encoder for ``model``, or None (as :func:`native_decoder`)."""
    pair = _native(model)
    return pair[1] if pair is not None else None


def native_decode(model: type[M], data: bytes | bytearray | str) -> M | None:
    """``data`` decoded by the compiled decoder, or None when pydantic must decode it."""
    decoder = native_decoder(model)
    if decoder is None:
        return None
    try:
        decoded: M = decoder.decode(data.encode() if isinstance(data, str) else bytes(data))
    except _codec.Fallback:
        return None
    return decoded


def native_encode(obj: BaseModel) -> bytes | None:
    """The JSON bytes of ``obj`` written by the compiled encoder, or None when pydantic must."""
    encoder = native_encoder(type(obj))
    if encoder is None:
        return None
    try:
        encoded: bytes = encoder.encode(obj)
    except _codec.Fallback:
        return None
    return encoded


def scan_head(data: bytes | str) -> tuple[Any, Any] | None:
    """``(apiVersion, kind)`` of a JSON object, scanned without building the rest; None when
    there is no compiled codec or ``data`` is not one JSON object (pydantic words the error)."""
    codec = load_codec()
    if not codec:
        return None
    try:
        found: tuple[Any, Any] = codec.head(data.encode() if isinstance(data, str) else data)
    except codec.Fallback:
        return None
    return found


def _native(model: type[BaseModel]) -> tuple[Any, Any] | None:
    try:
        return _NATIVE[model]
    except KeyError:
        pass
    codec = load_codec()
    if not codec:
        return None
    with _native_lock:
        if model not in _NATIVE:
            _NATIVE[model] = _build(codec, model) if _layout_holds() else None
        return _NATIVE[model]


def _layout_holds() -> bool:
    global _layout_ok
    if _layout_ok is None:
        problems = _attempt(
            "checking the pydantic object layout",
            lambda: layout.layout_problems(layout.observe_layout()),
        )
        if problems:
            _warn("its object layout differs: " + "; ".join(problems))
        _layout_ok = problems == []
    return _layout_ok


def _build(codec: Any, model: type[BaseModel]) -> tuple[Any, Any] | None:
    name = model.__qualname__
    plans = _attempt(f"planning {name}", lambda: _plans(codec, model))
    if plans is None:
        return None
    utc = _utc_tzinfo()
    decoder = _attempt(
        f"building the decoder of {name}",
        lambda: codec.Decoder(plans.models, plans.root, utc, b64decode, BaseModel, FieldsV1),
    )
    encoder = _attempt(
        f"building the encoder of {name}",
        lambda: codec.Encoder(plans.models, plans.root, utc, BaseModel, FieldsV1),
    )
    return None if decoder is None and encoder is None else (decoder, encoder)


def _plans(codec: Any, model: type[BaseModel]) -> Plans | None:
    try:
        return plan_models(model, codec.Kind)
    except NotPlain:  # validators, defaults, ...: pydantic's by design, no warning
        return None


def _utc_tzinfo() -> Any:
    """The tzinfo pydantic gives a "Z" time: decoded times carry the very same object."""
    global _utc
    if _utc is None:
        _utc = TypeAdapter(_dt.datetime).validate_json(b'"2000-01-01T00:00:00Z"').tzinfo
    return _utc


def _attempt(what: str, step: Callable[[], T]) -> T | None:
    """``step()``, or None with the one warning when it fails: a pydantic release kubeset has
    not seen may break any step of setting up the compiled codec, and pydantic still works."""
    try:
        return step()
    except Exception as e:  # noqa: BLE001 - whatever breaks, pydantic decodes instead
        _warn(f"{what} failed ({type(e).__name__}: {e})")
        return None


def _warn(reason: str) -> None:
    global _warned
    if _warned:
        return
    _warned = True
    low, high = layout.TESTED_PYDANTIC
    warnings.warn(
        f"{layout.pydantic_versions()} is untested with kubeset's compiled codec ({reason}); "
        f"kubeset decodes and encodes with pydantic instead: same results, slower "
        f"(kubeset was tested with pydantic {low} to {high})",
        CodecFallbackWarning,
        stacklevel=5,
    )
