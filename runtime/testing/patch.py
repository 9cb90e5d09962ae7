"""The three patch formats kube-apiserver accepts, applied to plain JSON data.

    json_patch(obj, [{"op": "replace", "path": "/spec/replicas", "value": 3}])   # RFC 6902
    merge_patch(obj, {"metadata": {"labels": {"a": None}}})                     # RFC 7386
    strategic_merge(obj, patch, PatchMeta(FIELDS), "models.core.v1.Pod")       # by merge keys

Strategic merge reads each field's patch strategy and merge key from the generated
``patchmeta.FIELDS`` (``"module.Class"`` -> field -> (strategy, merge key, list type, map keys,
child model)). Supported directives: ``$patch: replace | delete`` (in maps and list items),
``$deleteFromPrimitiveList/<field>``, ``$retainKeys``; ``$setElementOrder/<field>`` is accepted and
ignored (items the patch names come first, in its order, then the others). A failure raises a ``PatchError``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import KubesetError

__all__ = ["PatchError", "PatchMeta", "json_patch", "merge_patch", "strategic_merge"]

FieldMeta = tuple[str, str, str, tuple[str, ...], str]


class PatchError(KubesetError):
    """A patch that cannot be applied (bad path, failed test, malformed document)."""


@dataclass(frozen=True, slots=True)
class PatchMeta:
    """Per-model field metadata: ``fields["module.Class"][json name]``."""

    fields: Mapping[str, Mapping[str, FieldMeta]]
    atomic: frozenset[str] = frozenset()  # models declared x-kubernetes-map-type: atomic

    def field(self, model: str, name: str) -> FieldMeta:
        return self.fields.get(model, {}).get(name, ("", "", "", (), ""))


# ---------------------------------------------------------------- RFC 7386


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: maps merge, ``null`` deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# ---------------------------------------------------------------- RFC 6902


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(f"JSON pointer {pointer!r} must start with '/'")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _index(container: list[Any], token: str, *, adding: bool) -> int:
    if token == "-" and adding:
        return len(container)
    if not token.isdigit():
        raise PatchError(f"{token!r} is not a list index")
    index = int(token)
    if index > len(container) or (index == len(container) and not adding):
        raise PatchError(f"list index {index} out of range")
    return index


def _parent(doc: Any, pointer: str) -> tuple[Any, str]:
    tokens = _tokens(pointer)
    if not tokens:
        raise PatchError("the whole document cannot be the target of this operation")
    cur = doc
    for token in tokens[:-1]:
        if isinstance(cur, dict):
            if token not in cur:
                raise PatchError(f"path {pointer!r}: {token!r} not found")
            cur = cur[token]
        elif isinstance(cur, list):
            cur = cur[_index(cur, token, adding=False)]
        else:
            raise PatchError(f"path {pointer!r}: {token!r} is not in an object or list")
    return cur, tokens[-1]


def _get(doc: Any, pointer: str) -> Any:
    cur = doc
    for token in _tokens(pointer):
        if isinstance(cur, dict) and token in cur:
            cur = cur[token]
        elif isinstance(cur, list):
            cur = cur[_index(cur, token, adding=False)]
        else:
            raise PatchError(f"path {pointer!r} not found")
    return cur


def _add(doc: Any, pointer: str, value: Any) -> Any:
    if pointer == "":
        return value
    parent, token = _parent(doc, pointer)
    if isinstance(parent, dict):
        parent[token] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, token, adding=True), value)
    else:
        raise PatchError(f"path {pointer!r}: parent is not an object or list")
    return doc


def _remove(doc: Any, pointer: str) -> Any:
    parent, token = _parent(doc, pointer)
    if isinstance(parent, dict):
        if token not in parent:
            raise PatchError(f"path {pointer!r} not found")
        return parent.pop(token)
    if isinstance(parent, list):
        return parent.pop(_index(parent, token, adding=False))
    raise PatchError(f"path {pointer!r}: parent is not an object or list")


def json_patch(target: Any, operations: Any) -> Any:
    """RFC 6902 JSON patch: add, remove, replace, move, copy, test (applied to a copy)."""
    if not isinstance(operations, list):
        raise PatchError("a JSON patch must be a list of operations")
    doc = copy.deepcopy(target)
    for op in operations:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise PatchError(f"malformed JSON patch operation: {op!r}")
        kind, path = op["op"], op["path"]
        if kind in ("add", "replace", "test") and "value" not in op:
            raise PatchError(f"JSON patch {kind!r} at {path!r} needs a value")
        if kind == "add":
            doc = _add(doc, path, copy.deepcopy(op["value"]))
        elif kind == "remove":
            _remove(doc, path)
        elif kind == "replace":
            _get(doc, path)
            if path == "":
                doc = copy.deepcopy(op["value"])
            else:
                _remove(doc, path)
                doc = _add(doc, path, copy.deepcopy(op["value"]))
        elif kind in ("move", "copy"):
            value = _get(doc, op.get("from", ""))
            if kind == "move":
                _remove(doc, op.get("from", ""))
            doc = _add(doc, path, copy.deepcopy(value))
        elif kind == "test":
            if _get(doc, path) != op["value"]:
                raise PatchError(f"testing value {path} failed")
        else:
            raise PatchError(f"unknown JSON patch operation {kind!r}")
    return doc


# ---------------------------------------------------------------- strategic merge


def strategic_merge(target: Any, patch: Any, meta: PatchMeta, model: str) -> Any:
    """Kubernetes strategic merge patch of ``target`` (an instance of ``model``) with ``patch``."""
    if not isinstance(patch, dict):
        raise PatchError("a strategic merge patch must be a JSON object")
    return _merge_map(target if isinstance(target, dict) else {}, patch, meta, model)


def _merge_map(original: dict[str, Any], patch: dict[str, Any], meta: PatchMeta, model: str) -> Any:
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if directive == "delete":
        return None
    if directive is not None:
        raise PatchError(f"unknown $patch directive {directive!r}")
    result = copy.deepcopy(original)
    retain = patch.get("$retainKeys")
    for key, value in patch.items():
        if key.startswith("$setElementOrder/") or key == "$retainKeys":
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            name = key.split("/", 1)[1]
            remove = value if isinstance(value, list) else []
            if isinstance(result.get(name), list):
                result[name] = [v for v in result[name] if v not in remove]
            continue
        if value is None:
            result.pop(key, None)
            continue
        strategy, merge_key, _, _, child = meta.field(model, key)
        current = result.get(key)
        if isinstance(value, dict):
            merged = _merge_map(current if isinstance(current, dict) else {}, value, meta, child)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        elif isinstance(value, list) and "merge" in strategy.split(","):
            result[key] = _merge_list(
                current if isinstance(current, list) else [], value, meta, child, merge_key
            )
        else:
            result[key] = copy.deepcopy(value)
    if isinstance(retain, list):
        result = {k: v for k, v in result.items() if k in retain}
    return result


def _merge_list(
    original: list[Any], patch: list[Any], meta: PatchMeta, model: str, merge_key: str
) -> list[Any]:
    if any(isinstance(p, dict) and p.get("$patch") == "replace" for p in patch):
        return [copy.deepcopy(p) for p in patch if not (isinstance(p, dict) and "$patch" in p)]
    if not merge_key:  # a list of primitives: union, keeping the original order
        union = list(original)
        for item in patch:
            if item not in union:
                union.append(copy.deepcopy(item))
        return union

    # like kube-apiserver without $setElementOrder: the patch's items in its order (merged with
    # the original item of the same key), then the original items the patch does not name
    def key_of(item: Any) -> Any:
        return item.get(merge_key) if isinstance(item, dict) else None

    by_key = {key_of(o): o for o in original if isinstance(o, dict)}
    named: set[Any] = set()
    result: list[Any] = []
    for item in patch:
        if not isinstance(item, dict) or merge_key not in item:
            raise PatchError(f"list item {item!r} has no merge key {merge_key!r}")
        key = item[merge_key]
        named.add(key)
        if item.get("$patch") == "delete":
            continue
        if key in by_key:
            result.append(_merge_map(by_key[key], item, meta, model))
        else:
            result.append({k: copy.deepcopy(v) for k, v in item.items() if k != "$patch"})
    result.extend(copy.deepcopy(o) for o in original if key_of(o) not in named)
    return result
