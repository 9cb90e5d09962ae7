"""The three patch formats kube-apiserver accepts, applied to plain JSON data.

    json_patch(obj, [{"op": "replace", "path": "/spec/replicas", "value": 3}])   # RFC 6902
    merge_patch(obj, {"metadata": {"labels": {"a": None}}})                     # RFC 7386
    strategic_merge(obj, patch, PatchMeta(FIELDS), "models.core.v1.Pod")       # by merge keys

Strategic merge reads each field's patch strategy and merge key from the generated
``patchmeta.FIELDS`` (``"module.Class"`` -> field -> (strategy, merge key, list type, map keys,
child model)). Directives: ``$patch: replace | delete`` (in maps and list items),
``$deleteFromPrimitiveList/<field>``, ``$retainKeys``, ``$setElementOrder/<field>``.  Merged lists
are ordered as kube-apiserver orders them: the items the patch (or ``$setElementOrder``) names
in its order, the others in their original order, interleaved by their original positions, new
items where the patch puts them.  A failure raises a ``PatchError``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import KubesetError

__all__ = [
    "PatchError",
    "PatchInternalError",
    "PatchMeta",
    "RetainKeysError",
    "json_patch",
    "merge_patch",
    "strategic_merge",
]

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
            if path == "":
                doc = copy.deepcopy(op["value"])
            else:
                # like kube-apiserver's json-patch (v4): a missing key of an object is set, a
                # missing list index or parent fails
                parent, token = _parent(doc, path)
                if not (isinstance(parent, dict) and token not in parent):
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


class PatchInternalError(PatchError):
    """A patch kube-apiserver fails with a plain error, answered 500 InternalError: the items
    do not follow their ``$setElementOrder`` list, or it orders a list empty on both sides."""


class RetainKeysError(PatchError):
    """A patch setting a key its ``$retainKeys`` does not name (kube-apiserver: 422)."""


def strategic_merge(target: Any, patch: Any, meta: PatchMeta, model: str) -> Any:
    """Kubernetes strategic merge patch of ``target`` (an instance of ``model``) with ``patch``."""
    if not isinstance(patch, dict):
        raise PatchError("a strategic merge patch must be a JSON object")
    return _merge_map(target if isinstance(target, dict) else {}, patch, meta, model)


def _without_directives(value: Any) -> tuple[Any, bool]:
    """A new value as the server stores it: maps carrying ``$patch`` are left out (False: the
    value itself is one), other ``$`` keys dropped like any unknown field."""
    if isinstance(value, dict):
        if "$patch" in value:
            return None, False
        out = {}
        for k, v in value.items():
            if k.startswith("$") or v is None:
                continue
            kept, keep = _without_directives(v)
            if keep:
                out[k] = kept
        return out, True
    if isinstance(value, list):
        out_list = []
        for item in value:
            kept, keep = _without_directives(item)
            if keep:
                out_list.append(kept)
        return out_list, True
    return copy.deepcopy(value), True


def _as_sent(value: Any) -> Any:
    """A list item the merge takes as sent, as the server stores it: its ``$`` keys are unknown
    fields and dropped, nested ones too (a ``{"$patch": ...}`` item becomes an empty one)."""
    if isinstance(value, dict):
        return {k: _as_sent(v) for k, v in value.items() if not k.startswith("$")}
    if isinstance(value, list):
        return [_as_sent(v) for v in value]
    return copy.deepcopy(value)


def _merge_map(original: dict[str, Any], patch: dict[str, Any], meta: PatchMeta, model: str) -> Any:
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if directive == "delete":
        return {}  # an empty map, as kube-apiserver leaves it
    if directive is not None:
        raise PatchError(f"unknown $patch directive {directive!r}")
    result = copy.deepcopy(original)
    patch = dict(patch)
    retain = patch.pop("$retainKeys", None)
    if retain is not None:
        if not isinstance(retain, list):
            raise PatchError("invalid patch format of retainKeys")
        for key in patch:
            if not key.startswith("$") and key not in retain:
                raise RetainKeysError("patch content doesn't match retainKeys list")
        result = {k: v for k, v in result.items() if k in retain}
    for key in [k for k in patch if k.startswith("$setElementOrder/")]:
        name = key.split("/", 1)[1]
        order = patch.pop(key)
        if not isinstance(order, list):
            raise PatchError("invalid patch format of setElementOrder list")
        _ordered_list(result, name, patch.pop(name, _ABSENT), order, meta, model)
    for key, value in patch.items():
        if key.startswith("$deleteFromPrimitiveList/"):
            name = key.split("/", 1)[1]
            remove = value if isinstance(value, list) else []
            if isinstance(result.get(name), list):
                result[name] = [v for v in result[name] if v not in remove]
            continue
        if value is None:
            result.pop(key, None)
            continue
        current = result.get(key)
        if current is None or type(current) is not type(value):
            kept, keep = _without_directives(value)
            if keep:
                result[key] = kept
            else:
                result.pop(key, None)
            continue
        strategy, merge_key, _, _, child = meta.field(model, key)
        if isinstance(value, dict):
            result[key] = _merge_map(current, value, meta, child)
        elif isinstance(value, list) and "merge" in strategy.split(","):
            result[key] = _merge_list(current, value, meta, child, merge_key)
        else:
            result[key] = _without_directives(value)[0]
    return result


_ABSENT: Any = object()


def _key(item: Any, merge_key: str) -> str:
    """The identity of a list item: its merge key's value, or the item (primitives)."""
    if not merge_key:
        return json.dumps(item, sort_keys=True)
    return json.dumps(item.get(merge_key) if isinstance(item, dict) else None)


def _ordered(items: list[Any], order: list[Any], merge_key: str) -> list[Any]:
    """``items`` sorted (stably) by their position in ``order``; ``$patch: delete`` ones last."""
    index = {_key(o, merge_key): i for i, o in reversed(list(enumerate(order)))}
    deletes = [i for i in items if isinstance(i, dict) and i.get("$patch") == "delete"]
    rest = [i for i in items if not (isinstance(i, dict) and i.get("$patch") == "delete")]
    rest.sort(key=lambda i: index.get(_key(i, merge_key), len(index)))
    return rest + deletes


def _interleave(
    server_only: list[Any], patched: list[Any], server_order: list[Any], merge_key: str
) -> list[Any]:
    """The two sorted lists merged: a server-only item goes first only when both it and the
    patched item are in the original and it came earlier there; new items come at once."""
    index = {_key(o, merge_key): i for i, o in reversed(list(enumerate(server_order)))}
    out: list[Any] = []
    i = j = 0
    while i < len(server_only) or j < len(patched):
        if j >= len(patched):
            out.append(server_only[i])
            i += 1
        elif i >= len(server_only):
            out.append(patched[j])
            j += 1
        else:
            left = index.get(_key(server_only[i], merge_key))
            right = index.get(_key(patched[j], merge_key))
            if left is not None and right is not None and left < right:
                out.append(server_only[i])
                i += 1
            else:
                out.append(patched[j])
                j += 1
    return out


def _in_order(merged: list[Any], by: list[Any], original: list[Any], merge_key: str) -> list[Any]:
    """``merged``'s items named by ``by`` in its order, placed among the others (in their
    original order) as kube-apiserver places them."""
    named = {_key(b, merge_key) for b in by}
    patched = [m for m in merged if _key(m, merge_key) in named]
    server_only = [m for m in merged if _key(m, merge_key) not in named]
    return _interleave(
        _ordered(server_only, original, merge_key),
        _ordered(patched, by, merge_key),
        original,
        merge_key,
    )


def _merge_list(
    original: list[Any], patch: list[Any], meta: PatchMeta, model: str, merge_key: str
) -> list[Any]:
    if not original and not patch:
        return original
    if not merge_key and not any(isinstance(p, dict) for p in [*original, *patch]):
        merged: list[Any] = []  # primitives: the union, first occurrences kept
        seen: set[str] = set()
        for item in [*original, *patch]:
            if _key(item, "") not in seen:
                seen.add(_key(item, ""))
                merged.append(copy.deepcopy(item))
        return _in_order(merged, patch, original, "")
    if not merge_key:
        raise PatchError(f"cannot merge lists without merge key for {model or 'this field'}")
    items: list[Any] = []
    base = list(original)
    replace = False
    for item in patch:
        if not isinstance(item, dict):
            raise PatchError(f"list item {item!r} is not an object")
        directive = item.get("$patch")
        if directive is None:
            items.append(item)
        elif directive == "delete":
            if merge_key not in item:
                raise PatchError(f"list item {item!r} has no merge key {merge_key!r}")
            base = [o for o in base if _key(o, merge_key) != _key(item, merge_key)]
        elif directive == "replace":
            replace = True
        else:
            raise PatchError(f"unknown $patch directive {directive!r}")
    if replace:
        return [_as_sent(i) for i in items]
    merged = copy.deepcopy(base)
    for item in items:
        if merge_key not in item:
            raise PatchError(f"list item {item!r} has no merge key {merge_key!r}")
        at = next(
            (n for n, o in enumerate(merged) if _key(o, merge_key) == _key(item, merge_key)), -1
        )
        if at >= 0:
            merged[at] = _merge_map(merged[at], item, meta, model)
        else:
            merged.append(_as_sent(item))
    return _in_order(merged, items, base, merge_key)


def _ordered_list(
    result: dict[str, Any], name: str, patch: Any, order: list[Any], meta: PatchMeta, model: str
) -> None:
    """A list with ``$setElementOrder/<name>``: merged, then in that order among the rest."""
    strategy, merge_key, _, _, child = meta.field(model, name)
    original = result.get(name, _ABSENT)
    if patch is not _ABSENT and not isinstance(patch, list):
        raise PatchError("invalid patch format of setElementOrder list")
    if patch is not _ABSENT and order and patch:
        _check_order(patch, order, merge_key)
    if original is _ABSENT and patch is _ABSENT:
        return
    base = original if isinstance(original, list) else []
    if not base and not patch:
        raise PatchInternalError("no elements in any of the given slices")
    if patch is _ABSENT:
        merged = base
    elif original is _ABSENT:
        merged = _without_directives(patch)[0]
    elif "merge" in strategy.split(","):
        merged = _merge_list(base, patch, meta, child, merge_key)
        base = _shared_view(base, patch, merge_key)
    else:
        merged = copy.deepcopy(patch)
    result[name] = _in_order(merged, order, base, merge_key)


def _shared_view(original: list[Any], patch: list[Any], merge_key: str) -> list[Any]:
    """The original list as kube-apiserver's ``$setElementOrder`` step sees it after merging:
    Go's merge deletes in place and appends new items into the freed room of the same array,
    which the original slice still views (so those new items count as original, in place)."""
    if not merge_key or any(isinstance(p, dict) and p.get("$patch") == "replace" for p in patch):
        return original
    view, n = list(original), len(original)
    for item in patch:
        if isinstance(item, dict) and item.get("$patch") == "delete":
            while (at := next((i for i in range(n) if _same(view[i], item, merge_key)), -1)) >= 0:
                view[at : n - 1] = view[at + 1 : n]  # the last slot keeps its old item
                n -= 1
    for item in patch:
        if isinstance(item, dict) and "$patch" not in item:
            if any(_same(view[i], item, merge_key) for i in range(n)):
                continue  # merged in place
            if n == len(view):
                break  # the array is full: Go appends into a new one from here on
            view[n] = item
            n += 1
    return view


def _same(a: Any, b: Any, merge_key: str) -> bool:
    return _key(a, merge_key) == _key(b, merge_key)


def _check_order(patch: list[Any], order: list[Any], merge_key: str) -> None:
    items = [p for p in patch if not (isinstance(p, dict) and p.get("$patch") == "delete")]
    i = j = 0
    while i < len(items) and j < len(order):
        if isinstance(items[i], dict) and "$patch" in items[i]:
            i += 1
            continue
        if _key(items[i], merge_key) == _key(order[j], merge_key):
            i += 1
        j += 1
    if i < len(items):
        raise PatchInternalError(
            f"The order in patch list: {patch} doesn't match $setElementOrder list: {order}"
        )
