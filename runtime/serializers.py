"""Compatibility: the names ``kubeset.serializers`` had, now in :mod:`kubeset.codec`.

Import them from ``kubeset.codec`` (or the top-level ``kubeset``) in new code.

Usage::

    from kubeset.serializers import Scheme, decode_json, to_json  # as before
"""

from .codec import (
    Scheme,
    SchemeError,
    decode_json,
    decode_large,
    gc_paused,
    native_decoder,
    native_encoder,
    promote_young_objects,
    to_dict,
    to_json,
)

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
