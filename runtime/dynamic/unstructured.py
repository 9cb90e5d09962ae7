"""Unstructured: a Kubernetes object of any kind as plain JSON data (client-go's unstructured).

    obj = Unstructured({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
    obj.name, obj.namespace, obj.labels, obj.resource_version
    obj.object["data"] = {"k": "v"}            # the live dict: edit it freely
    to_dict(obj) == obj.object                  # lossless both ways

A pydantic model without declared fields whose every key is an extra: ``Result.into``, the
watch decoder and the typed-client mixins take it like any generated model, and the JSON comes
back exactly as sent (ints stay ints, unknown fields stay).  :class:`UnstructuredList` is a
list answer: ``items`` are :class:`Unstructured`, the rest (``metadata.continue``) is kept.
"""

from __future__ import annotations

import builtins
import copy
from collections.abc import Iterator, Mapping
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Unstructured", "UnstructuredList"]


class _Plain(BaseModel):
    """Keeps every key as an extra; ``Model(mapping)`` or ``Model(**keys)``."""

    model_config = ConfigDict(extra="allow", protected_namespaces=(), defer_build=True)

    def __init__(self, data: Mapping[str, Any] | None = None, /, **fields: Any) -> None:
        if data is not None and not isinstance(data, Mapping):
            raise TypeError(f"{type(self).__name__} takes a mapping, got {type(data).__name__}")
        super().__init__(**{**(data or {}), **fields})

    # decoding (model_validate, watch events, list items) never runs the __init__ above
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @property
    def object(self) -> dict[str, Any]:
        """The object's JSON data (the live dict: changes are sent by the next write)."""
        extra = self.__pydantic_extra__
        if extra is None:  # pragma: no cover - extra="allow" always sets it
            extra = self.__pydantic_extra__ = {}
        return extra

    def _meta(self) -> dict[str, Any]:
        meta = self.object.get("metadata")
        return meta if isinstance(meta, dict) else {}

    def _set_meta(self, key: str, value: Any) -> None:
        meta = self.object.get("metadata")
        if not isinstance(meta, dict):
            meta = self.object["metadata"] = {}
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value

    @property
    def api_version(self) -> str:
        return str(self.object.get("apiVersion") or "")

    @property
    def kind(self) -> str:
        return str(self.object.get("kind") or "")

    @property
    def resource_version(self) -> str:
        return str(self._meta().get("resourceVersion") or "")

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the JSON data."""
        return copy.deepcopy(self.object)

    def __eq__(self, other: builtins.object) -> bool:
        if isinstance(other, _Plain):
            return type(other) is type(self) and other.object == self.object
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.object!r})"


class Unstructured(_Plain):
    """One object of any kind: its JSON as a dict (:attr:`object`) with metadata helpers."""

    def __init__(self, data: Mapping[str, Any] | None = None, /, **fields: Any) -> None:
        super().__init__(data, **fields)  # declared again: type checkers see this signature

    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @property
    def name(self) -> str:
        return str(self._meta().get("name") or "")

    @name.setter
    def name(self, value: str) -> None:
        self._set_meta("name", value)

    @property
    def namespace(self) -> str:
        return str(self._meta().get("namespace") or "")

    @namespace.setter
    def namespace(self, value: str) -> None:
        self._set_meta("namespace", value or None)

    @property
    def uid(self) -> str:
        return str(self._meta().get("uid") or "")

    @property
    def generation(self) -> int:
        return int(self._meta().get("generation") or 0)

    @property
    def labels(self) -> dict[str, str]:
        """The labels (the live dict, created on first use)."""
        return self._meta_dict("labels")

    @property
    def annotations(self) -> dict[str, str]:
        """The annotations (the live dict, created on first use)."""
        return self._meta_dict("annotations")

    @property
    def owner_references(self) -> list[dict[str, Any]]:
        """The owner references (the live list, created on first use)."""
        refs = self._meta().get("ownerReferences")
        if not isinstance(refs, list):
            refs = []
            self._set_meta("ownerReferences", refs)
        return cast("list[dict[str, Any]]", refs)

    def _meta_dict(self, key: str) -> dict[str, str]:
        found = self._meta().get(key)
        if not isinstance(found, dict):
            found = {}
            self._set_meta(key, found)
        return cast("dict[str, str]", found)

    def get_path(self, *keys: str | int, default: Any = None) -> Any:
        """A nested value: ``obj.get_path("spec", "replicas")`` (``default`` when absent)."""
        node: Any = self.object
        for key in keys:
            if isinstance(node, list) and isinstance(key, int) and -len(node) <= key < len(node):
                node = node[key]
                continue
            if not isinstance(node, dict) or key not in node:
                return default
            node = node[key]
        return node


class UnstructuredList(_Plain):
    """A list answer: :attr:`items` and the list's own fields (``metadata.continue``) as sent."""

    items: list[Unstructured] = Field(default_factory=list)

    def __init__(self, data: Mapping[str, Any] | None = None, /, **fields: Any) -> None:
        super().__init__(data, **fields)

    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @property
    def object(self) -> dict[str, Any]:
        """The list's own fields (without ``items``)."""
        return super().object

    @property
    def continue_(self) -> str:
        return str(self._meta().get("continue") or "")

    def __iter__(self) -> Iterator[Unstructured]:  # type: ignore[override]
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def to_dict(self) -> dict[str, Any]:
        """The whole list answer as JSON data."""
        data = copy.deepcopy(self.object)
        data["items"] = [item.to_dict() for item in self.items]
        return data
