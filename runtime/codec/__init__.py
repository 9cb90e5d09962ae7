"""kubeset.codec: models to and from JSON, exactly as the API server sends and expects them.

==============  ==========================================================================
``wire``        ``to_dict``, ``to_json``, ``decode_json``: the encode/decode API
``gcpause``     ``gc_paused``, ``decode_large``: large decodes with the collector paused
``scheme``      ``Scheme``: (apiVersion, kind) -> model, decoding by apiVersion/kind
``native``      when the compiled codec ``kubeset._codec`` is used, and the fallback to pydantic
``plan``        the per-model plans the compiled codec is built from (field kinds: ``_codec.Kind``)
``layout``      the pydantic object layout the compiled codec relies on, and its check
``spans``       ``array_spans``: the element spans of a JSON object's array, found by a scanner
``chunked``     ``decode_list``: a big list decoded in batches, an event loop running between
==============  ==========================================================================

Usage::

    from kubeset.codec import decode_json, to_json

    pod = decode_json(Pod, b'{"metadata":{"name":"web"}}')
    assert to_json(pod) == b'{"metadata":{"name":"web"}}'
"""

from .gcpause import decode_large, gc_paused, promote_young_objects
from .layout import TESTED_PYDANTIC
from .native import CodecFallbackWarning, native_decoder, native_encoder
from .scheme import Scheme, SchemeError
from .wire import decode_json, to_dict, to_json

__all__ = [
    "TESTED_PYDANTIC",
    "CodecFallbackWarning",
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
