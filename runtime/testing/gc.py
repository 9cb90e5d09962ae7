"""Garbage collection by ownerReferences, as the garbage-collector controller does it.

    actions = collect(objects)          # objects: every stored object (plain dicts)
    for action in actions: ...          # ("delete", obj) or ("finalize", obj, finalizer)

Pure decisions over plain data; the cluster applies them (and calls :func:`collect` again until
nothing is left to do):

- an object all of whose owners are gone (no live object with the owner's uid) is deleted
  (background propagation, the default);
- an owner being deleted with the ``foregroundDeletion`` finalizer has its dependents deleted
  first; once none is left the finalizer is removed;
- an owner being deleted with the ``orphan`` finalizer has itself removed from its dependents'
  ownerReferences, then the finalizer is removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["FOREGROUND", "ORPHAN", "Action", "collect"]

FOREGROUND = "foregroundDeletion"
ORPHAN = "orphan"


@dataclass(frozen=True, slots=True)
class Action:
    verb: str  # "delete" (propagation: Background or Foreground), "unown" (drop owner uid), "finalize"
    obj: dict[str, Any]
    detail: str = ""  # the owner uid to drop, the finalizer to remove, or the propagation policy


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = obj.get("metadata") or {}
    return meta


def collect(objects: Iterable[dict[str, Any]]) -> list[Action]:
    """What the garbage collector would do next, given every object in the cluster."""
    everything = list(objects)
    by_uid = {_meta(o).get("uid"): o for o in everything}
    dependents: dict[str, list[dict[str, Any]]] = {}
    for obj in everything:
        for ref in _meta(obj).get("ownerReferences") or ():
            dependents.setdefault(ref.get("uid", ""), []).append(obj)
    actions: list[Action] = []
    for obj in everything:
        meta = _meta(obj)
        refs = meta.get("ownerReferences") or ()
        orphaned = refs and all(r.get("uid") not in by_uid for r in refs)
        if orphaned and not meta.get("deletionTimestamp"):
            actions.append(Action("delete", obj, "Background"))
        finalizers = meta.get("finalizers") or ()
        if not meta.get("deletionTimestamp"):
            continue
        deps = dependents.get(meta.get("uid", ""), [])
        if ORPHAN in finalizers:
            actions.extend(Action("unown", d, meta.get("uid", "")) for d in deps)
            if not deps:
                actions.append(Action("finalize", obj, ORPHAN))
        elif FOREGROUND in finalizers:
            live = [d for d in deps if not _meta(d).get("deletionTimestamp")]
            actions.extend(Action("delete", d, "Foreground") for d in live)
            if not deps:
                actions.append(Action("finalize", obj, FOREGROUND))
    return actions
