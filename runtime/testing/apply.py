"""Server-side apply and managedFields, the subset the fake cluster implements.

    new = merge(live, applied, meta, kind)          # the applied configuration merged into live
    record_apply(new, live, applied, Write("ctrl", meta, kind, now), force=False)  # may raise 409
    record_update(new, old, Write("kubectl", meta, kind, now))                    # Update entries

What is implemented (and nothing more):

- ``managedFields`` entries ``{manager, operation: Apply|Update, apiVersion, time, fieldsType:
  FieldsV1, fieldsV1}``; fields are tracked for ``spec``-like top-level fields, ``data``,
  ``metadata.labels``, ``metadata.annotations``, ``metadata.finalizers`` and
  ``metadata.ownerReferences`` (``status`` only through the status subresource is not tracked).
- Lists are merged by key when the field is ``x-kubernetes-list-type: map`` (or has a patch merge
  key), unioned when ``set``, replaced otherwise (atomic); maps merge.
- A conflict is a field another manager owns whose live value differs from the applied one: 409
  Conflict with one ``FieldManagerConflict`` cause per field; ``force`` takes the field over.
- A field the manager applied before and no longer applies is removed when no other manager
  owns it.
- Updates (create, PUT, patches) move the fields whose value they change to their manager's
  ``Update`` entry.

Not implemented: per-version ownership conversion, ``x-kubernetes-map-type: atomic``, unions,
``metadata.managedFields`` sent by the client, apply on the status subresource's ownership.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .patch import PatchMeta
from .status import failure

__all__ = ["Write", "apply_defaults", "fieldset", "merge", "record_apply", "record_update"]

Path = tuple[str, ...]
Node = str | Mapping[str, Any]  # a patchmeta model key or a CRD schema node

_META_TRACKED = ("labels", "annotations", "finalizers", "ownerReferences")
_TOP_SKIPPED = ("apiVersion", "kind", "status", "metadata")


class _KindLike(Protocol):
    @property
    def model_key(self) -> str: ...

    @property
    def schema(self) -> Mapping[str, Any] | None: ...

    @property
    def info(self) -> Any: ...


def _root(kind: _KindLike) -> Node:
    return kind.model_key if kind.model_key else (kind.schema or {})


def _info(meta: PatchMeta, node: Node, key: str) -> tuple[str, tuple[str, ...], Node]:
    """(list type, list keys, child node) of field ``key`` under ``node``."""
    if isinstance(node, str):
        strategy, merge_key, list_type, keys, model = meta.field(node, key)
        if not list_type and "merge" in strategy.split(","):
            list_type = "map" if merge_key else "set"
            keys = (merge_key,) if merge_key else ()
        return list_type, keys or ((merge_key,) if merge_key else ()), model
    props = node.get("properties") or {}
    sub = props.get(key)
    if sub is None:
        extra = node.get("additionalProperties")
        sub = extra if isinstance(extra, Mapping) else {}
    child: Node = sub.get("items", {}) if sub.get("type") == "array" else sub
    return (
        str(sub.get("x-kubernetes-list-type", "")),
        tuple(sub.get("x-kubernetes-list-map-keys") or ()),
        child,
    )


def _item_key(item: Any, keys: tuple[str, ...]) -> str:
    if isinstance(item, Mapping):
        return "k:" + json.dumps(
            {k: item.get(k) for k in keys}, separators=(",", ":"), sort_keys=True
        )
    return "v:" + json.dumps(item, separators=(",", ":"))


def _is_map(node: Node) -> bool:
    """A map of arbitrary keys (labels, data), as opposed to a struct with named fields."""
    if isinstance(node, str):
        return node == ""
    return "additionalProperties" in node and not node.get("properties")


def _walk(
    value: Any, meta: PatchMeta, node: Node, prefix: Path, out: set[Path], dots: bool
) -> None:
    """Collect the leaf paths of ``value``; ``dots``: an Update also owns its maps and sets as a
    whole (``"."``), an Apply only their members."""
    if not (isinstance(value, Mapping) and value):
        if prefix:
            out.add(prefix)
        return
    for key, sub in value.items():
        list_type, keys, child = _info(meta, node, key)
        path = (*prefix, f"f:{key}")
        if isinstance(sub, list) and list_type in ("map", "set") and sub:
            if dots and list_type == "set":
                out.add((*path, "."))
            item_keys = [_item_key(item, keys if list_type == "map" else ()) for item in sub]
            for item, item_key in zip(sub, item_keys, strict=True):
                item_path = (*path, item_key)
                if list_type == "set" or item_keys.count(item_key) > 1:
                    out.add(item_path)  # a duplicated key is tracked as one item, not its fields
                    continue
                out.add((*item_path, "."))
                _walk(item, meta, child, item_path, out, dots)
        elif isinstance(sub, Mapping) and sub and not _is_atomic(meta, child, list_type):
            if dots and _is_map(child):
                out.add((*path, "."))  # a map (not a struct) is owned as a whole too
            _walk(sub, meta, child, path, out, dots)
        else:
            out.add(path)


def _is_atomic(meta: PatchMeta, node: Node, declared: str) -> bool:
    """A struct or map replaced and owned as a whole (``x-kubernetes-map-type: atomic``)."""
    if declared == "atomic":
        return True
    if isinstance(node, str):
        return node in meta.atomic
    return node.get("x-kubernetes-map-type") == "atomic"


def fieldset(
    obj: Mapping[str, Any], meta: PatchMeta, kind: _KindLike, *, dots: bool = False
) -> set[Path]:
    """The leaf paths (FieldsV1 keys) of an object's tracked fields."""
    out: set[Path] = set()
    root = _root(kind)
    body = {k: v for k, v in obj.items() if k not in _TOP_SKIPPED}
    _walk(body, meta, root, (), out, dots)
    md = obj.get("metadata") or {}
    tracked = {k: md[k] for k in _META_TRACKED if md.get(k)}
    if tracked:
        _, _, meta_node = _info(meta, root, "metadata")
        _walk(tracked, meta, meta_node or {}, ("f:metadata",), out, dots)
    return out


def _value(obj: Any, path: Path) -> Any:
    cur = obj
    for step in path:
        if step == ".":
            return cur
        if step.startswith("f:"):
            cur = cur.get(step[2:]) if isinstance(cur, Mapping) else None
        elif isinstance(cur, list):
            cur = next(
                (
                    i
                    for i in cur
                    if _item_key(i, tuple(json.loads(step[2:])) if step.startswith("k:") else ())
                    == step
                ),
                None,
            )
        else:
            return None
    return cur


def _remove(obj: Any, path: Path) -> None:
    parent = _value(obj, path[:-1])
    last = path[-1]
    if last == ".":
        grand = _value(obj, path[:-2])
        if isinstance(grand, list) and parent in grand:
            grand.remove(parent)
    elif last.startswith("f:") and isinstance(parent, dict):
        parent.pop(last[2:], None)
    elif last.startswith("v:") and isinstance(parent, list):
        value = json.loads(last[2:])
        if value in parent:
            parent.remove(value)


def _to_fields_v1(paths: set[Path]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for path in sorted(paths):
        cur = root
        for step in path:
            cur = cur.setdefault(step, {})
    return root


def _from_fields_v1(tree: Mapping[str, Any], prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    for key, sub in tree.items():
        path = (*prefix, key)
        if isinstance(sub, Mapping) and sub:
            out |= _from_fields_v1(sub, path)
        else:
            out.add(path)
    return out


def _entries(obj: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list((obj.get("metadata") or {}).get("managedFields") or ())


def _store(
    obj: dict[str, Any], owners: list[tuple[str, str, set[Path], str]], api_version: str
) -> None:
    entries = [
        {
            "manager": manager,
            "operation": operation,
            "apiVersion": api_version,
            **({"time": when} if when else {}),
            "fieldsType": "FieldsV1",
            "fieldsV1": _to_fields_v1(paths),
        }
        for manager, operation, paths, when in owners
        if paths
    ]
    # kube-apiserver's order: by operation (Apply before Update), time, manager, apiVersion
    entries.sort(key=lambda e: (e["operation"], e.get("time", ""), e["manager"], e["apiVersion"]))
    meta = obj.setdefault("metadata", {})
    if entries:
        meta["managedFields"] = entries
    else:
        meta.pop("managedFields", None)


def _owners(obj: Mapping[str, Any]) -> list[tuple[str, str, set[Path], str]]:
    return [
        (
            e.get("manager", ""),
            e.get("operation", ""),
            _from_fields_v1(e.get("fieldsV1") or {}),
            e.get("time", ""),
        )
        for e in _entries(obj)
    ]


@dataclass(frozen=True, slots=True)
class Write:
    """Who writes what kind, and when: the context of a managedFields update."""

    manager: str
    meta: PatchMeta
    kind: _KindLike
    now: str


def record_update(new: dict[str, Any], old: Mapping[str, Any] | None, write: Write) -> None:
    """Give ``write.manager`` (operation Update) the fields this write changes."""
    manager, meta, kind, now = write.manager, write.meta, write.kind, write.now
    after = fieldset(new, meta, kind, dots=True)
    if old is None:
        _store(new, [(manager, "Update", after, now)], kind.info.api_version)
        return
    before = fieldset(old, meta, kind, dots=True)
    changed = {
        p for p in after if p not in before or (p[-1] != "." and _value(new, p) != _value(old, p))
    }
    removed = before - after
    owners = _owners(old)
    result: list[tuple[str, str, set[Path], str]] = []
    mine = False
    for m, op, paths, when in owners:
        if (m, op) == (manager, "Update"):
            mine = True
            result.append((m, op, (paths | changed) - removed, now if changed else when))
        else:
            result.append((m, op, paths - changed - removed, when))
    if not mine and changed:
        result.append((manager, "Update", changed, now))
    _store(new, result, kind.info.api_version)


def record_apply(
    new: dict[str, Any],
    old: Mapping[str, Any] | None,
    applied: Mapping[str, Any],
    write: Write,
    *,
    force: bool,
) -> None:
    """Check conflicts, remove fields no longer applied, record ``write.manager``'s Apply entry."""
    manager, meta, kind, now = write.manager, write.meta, write.kind, write.now
    wanted = fieldset(applied, meta, kind)
    owners = _owners(old) if old is not None else []
    conflicts: list[tuple[str, Path]] = []
    for m, op, paths, _ in owners:
        if (m, op) == (manager, "Apply"):
            continue
        for p in sorted(paths & wanted):
            if p[-1] != "." and _value(old, p) != _value(applied, p):
                conflicts.append((m, p))
    if conflicts and not force:
        fields = [
            (_dotted(p), "FieldManagerConflict", f'conflict with "{m}"') for m, p in conflicts
        ]
        plural = "" if len(conflicts) == 1 else "s"
        raise failure(
            409,
            "Conflict",
            f"Apply failed with {len(conflicts)} conflict{plural}: "
            + "; ".join(f'conflict with "{m}": {_dotted(p)}' for m, p in conflicts),
            causes=fields,
        )
    taken = {p for _, p in conflicts}
    previous: set[Path] = set()
    applied_at = ""  # an apply that changes nothing leaves the time as it was (none when new)
    result: list[tuple[str, str, set[Path], str]] = []
    for m, op, paths, when in owners:
        if (m, op) == (manager, "Apply"):
            previous, applied_at = paths, when
            continue
        result.append((m, op, paths - taken, when))
    others = set().union(*(p for _, _, p, _ in result)) if result else set()
    for p in sorted(previous - wanted - others, key=len, reverse=True):
        _remove(new, p)
    changed = old is None or _content(new) != _content(old)
    result.append((manager, "Apply", wanted, now if changed else applied_at))
    _store(new, result, kind.info.api_version)


def _content(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The object without what a write always changes (managedFields, resourceVersion)."""
    meta = {
        k: v
        for k, v in (obj.get("metadata") or {}).items()
        if k not in ("managedFields", "resourceVersion")
    }
    return {**obj, "metadata": meta}


def _dotted(path: Path) -> str:
    out = ""
    for step in path:
        if step.startswith("f:"):
            out += "." + step[2:]
        elif step.startswith(("k:", "v:")):
            out += "[" + step[2:] + "]"
    return out


def merge(
    live: Mapping[str, Any], applied: Mapping[str, Any], meta: PatchMeta, kind: _KindLike
) -> dict[str, Any]:
    """The applied configuration merged into the live object (lists by key where declared)."""
    result: dict[str, Any] = _merge(copy.deepcopy(dict(live)), applied, meta, _root(kind))
    result["metadata"] = {
        **(live.get("metadata") or {}),
        **{k: v for k, v in (result.get("metadata") or {}).items() if k in _META_TRACKED},
    }
    return result


def _merge(live: Any, applied: Any, meta: PatchMeta, node: Node) -> Any:
    if not isinstance(applied, Mapping) or not isinstance(live, dict):
        return copy.deepcopy(applied)
    for key, value in applied.items():
        list_type, keys, child = _info(meta, node, key)
        current = live.get(key)
        if isinstance(value, list) and isinstance(current, list) and list_type in ("map", "set"):
            merged = list(current)
            for item in value:
                ik = _item_key(item, keys if list_type == "map" else ())
                at = next(
                    (
                        i
                        for i, c in enumerate(merged)
                        if _item_key(c, keys if list_type == "map" else ()) == ik
                    ),
                    None,
                )
                if at is None:
                    merged.append(copy.deepcopy(item))
                elif list_type == "map":
                    merged[at] = _merge(merged[at], item, meta, child)
            live[key] = merged
        elif isinstance(value, Mapping):
            live[key] = _merge(current if isinstance(current, dict) else {}, value, meta, child)
        else:
            live[key] = copy.deepcopy(value)
    return live


def apply_defaults(obj: Any, schema: Mapping[str, Any]) -> None:
    """Fill in a CRD structural schema's ``default`` values (in place), as the apiserver does."""
    if isinstance(obj, dict):
        for key, sub in (schema.get("properties") or {}).items():
            if key not in obj and "default" in sub:
                obj[key] = copy.deepcopy(sub["default"])
            if key in obj:
                apply_defaults(obj[key], sub)
    elif isinstance(obj, list) and isinstance(schema.get("items"), Mapping):
        for item in obj:
            apply_defaults(item, schema["items"])
