"""Reading an answer's ``metadata`` whether it is a model or plain JSON data.

    meta_value(pod, "resource_version")                 # a generated model: attribute
    meta_value(unstructured, "resource_version")        # metadata held as a dict: "resourceVersion"
    meta_value({"metadata": {"name": "x"}}, "name")     # a plain dict

The one hook through which the generic client code (pagination, watch resumption, names of
written objects) reads metadata, so that :class:`kubeset.dynamic.Unstructured` (a model whose
``metadata`` is a plain dict) goes through the very same verbs as the generated models.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["clear_meta_values", "meta_value"]

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
    meta = _metadata(obj)
    if meta is None:
        return None
    if isinstance(meta, dict) or (
        not hasattr(meta, "__pydantic_fields__") and isinstance(meta, Mapping)
    ):
        return meta.get(_JSON_NAMES.get(attr, attr))
    return getattr(meta, attr, None)


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
