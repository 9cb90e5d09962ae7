"""Reading an answer's ``metadata`` whether it is a model or plain JSON data.

    meta_value(pod, "resource_version")                 # a generated model: attribute
    meta_value(unstructured, "resource_version")        # metadata held as a dict: "resourceVersion"
    meta_value({"metadata": {"name": "x"}}, "name")     # a plain dict
    meta_values(pod, "namespace", "name")               # several, the metadata read once

The one hook through which the generic client code (pagination, watch resumption, names of
written objects) reads metadata, so that :class:`kubeset.dynamic.Unstructured` (a model whose
``metadata`` is a plain dict) goes through the very same verbs as the generated models.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["clear_meta_values", "meta_value", "meta_values"]

# attribute name -> JSON name, for the metadata fields the runtime reads
_JSON_NAMES = {
    "name": "name",
    "namespace": "namespace",
    "resource_version": "resourceVersion",
    "continue_": "continue",
    "remaining_item_count": "remainingItemCount",
}


def _metadata(obj: Any) -> Any:
    # dict and model first: the abstract Mapping check costs a microsecond per watch event
    if isinstance(obj, dict):
        return obj.get("metadata")
    meta = getattr(obj, "metadata", None)
    if meta is None and isinstance(obj, Mapping):
        return obj.get("metadata")
    return meta


def meta_value(obj: Any, attr: str) -> Any:
    """``obj.metadata.<attr>`` (a model's metadata) or ``obj["metadata"][json name]`` (a dict's)."""
    return meta_values(obj, attr)[0]


def meta_values(obj: Any, *attrs: str) -> tuple[Any, ...]:
    """:func:`meta_value` of each of ``attrs``, reading ``obj``'s metadata once."""
    meta = _metadata(obj)
    if meta is None:
        return (None,) * len(attrs)
    if isinstance(meta, dict) or (
        not hasattr(meta, "__pydantic_fields__") and isinstance(meta, Mapping)
    ):
        return tuple(meta.get(_JSON_NAMES.get(attr, attr)) for attr in attrs)
    return tuple(getattr(meta, attr, None) for attr in attrs)


def clear_meta_values(obj: Any, *attrs: str) -> None:
    """Remove metadata fields (e.g. ``continue_`` of a list merged from pages), as if never set."""
    meta = _metadata(obj)
    if meta is None:
        return
    for attr in attrs:
        if isinstance(meta, dict):
            meta.pop(_JSON_NAMES.get(attr, attr), None)
            continue
        if getattr(meta, attr, None) is not None:
            setattr(meta, attr, None)
        fields_set = getattr(meta, "__pydantic_fields_set__", None)
        if isinstance(fields_set, set):
            fields_set.discard(attr)
