"""Label and field selectors as kube-apiserver parses and matches them.

    sel = LabelSelector.parse("app=web,tier in (a, b),!canary")
    sel.matches({"app": "web", "tier": "a"})            # True
    FieldSelector.parse("status.phase=Running").matches({"status.phase": "Running"})

Label selectors: ``k=v``, ``k==v``, ``k!=v``, ``k in (a,b)``, ``k notin (a,b)``, ``k``, ``!k``.
Field selectors: ``f=v``, ``f==v``, ``f!=v``; which fields a kind supports is
:data:`FIELD_LABELS` (``metadata.name`` and ``metadata.namespace`` for every kind).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ApiError
from .status import bad_request

__all__ = ["FIELD_LABELS", "FieldSelector", "LabelSelector", "field_values"]


@dataclass(frozen=True, slots=True)
class _Requirement:
    key: str
    op: str  # = != in notin exists !
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        if self.op == "exists":
            return present
        if self.op == "!":
            return not present
        if self.op in ("=", "in"):
            return present and value in self.values
        # != and notin match objects without the label too
        return not present or value not in self.values


_KEY = r"[A-Za-z0-9](?:[-A-Za-z0-9_./]*[A-Za-z0-9])?"
_SET = re.compile(rf"^\s*({_KEY})\s+(in|notin)\s*\(([^)]*)\)\s*$")
_EQ = re.compile(rf"^\s*({_KEY})\s*(==|!=|=)\s*([-A-Za-z0-9_.]*)\s*$")
_EXISTS = re.compile(rf"^\s*(!?)\s*({_KEY})\s*$")


def _split(text: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p for p in parts if p.strip()]


@dataclass(frozen=True, slots=True)
class LabelSelector:
    requirements: tuple[_Requirement, ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> LabelSelector:
        """Parse a selector string; a bad one is a 400 BadRequest like the apiserver's."""
        reqs: list[_Requirement] = []
        for part in _split(text or ""):
            if m := _SET.match(part):
                values = tuple(v.strip() for v in m.group(3).split(",") if v.strip())
                reqs.append(_Requirement(m.group(1), m.group(2), values))
            elif m := _EQ.match(part):
                op = "=" if m.group(2) in ("=", "==") else "!="
                reqs.append(_Requirement(m.group(1), op, (m.group(3),)))
            elif m := _EXISTS.match(part):
                reqs.append(_Requirement(m.group(2), "!" if m.group(1) else "exists"))
            else:
                raise _bad("labelSelector", text or "", part)
        return cls(tuple(reqs))

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        found = labels or {}
        return all(r.matches(found) for r in self.requirements)


def _bad(what: str, text: str, part: str) -> ApiError:
    return bad_request(
        f'unable to parse requirement: invalid {what} "{text}" near "{part.strip()}"'
    )


def _path(*keys: str) -> Callable[[Mapping[str, Any]], str]:
    def get(obj: Mapping[str, Any]) -> str:
        cur: Any = obj
        for key in keys:
            cur = cur.get(key) if isinstance(cur, Mapping) else None
        if isinstance(cur, bool):
            return "true" if cur else "false"
        return "" if cur is None else str(cur)

    return get


_META = {
    "metadata.name": _path("metadata", "name"),
    "metadata.namespace": _path("metadata", "namespace"),
}

FIELD_LABELS: dict[tuple[str, str], dict[str, Callable[[Mapping[str, Any]], str]]] = {
    ("", "Pod"): {
        "spec.nodeName": _path("spec", "nodeName"),
        "spec.restartPolicy": _path("spec", "restartPolicy"),
        "spec.schedulerName": _path("spec", "schedulerName"),
        "spec.serviceAccountName": _path("spec", "serviceAccountName"),
        "spec.hostNetwork": lambda o: (
            "true" if (o.get("spec") or {}).get("hostNetwork") else "false"
        ),
        "status.phase": _path("status", "phase"),
        "status.podIP": _path("status", "podIP"),
        "status.nominatedNodeName": _path("status", "nominatedNodeName"),
    },
    ("", "Node"): {
        "spec.unschedulable": lambda o: (
            "true" if (o.get("spec") or {}).get("unschedulable") else "false"
        )
    },
    ("", "Secret"): {"type": _path("type")},
    ("", "Namespace"): {"status.phase": _path("status", "phase")},
    ("", "Event"): {
        "involvedObject.kind": _path("involvedObject", "kind"),
        "involvedObject.namespace": _path("involvedObject", "namespace"),
        "involvedObject.name": _path("involvedObject", "name"),
        "involvedObject.uid": _path("involvedObject", "uid"),
        "involvedObject.apiVersion": _path("involvedObject", "apiVersion"),
        "involvedObject.resourceVersion": _path("involvedObject", "resourceVersion"),
        "involvedObject.fieldPath": _path("involvedObject", "fieldPath"),
        "reason": _path("reason"),
        "reportingComponent": _path("reportingComponent"),
        "source": _path("source", "component"),
        "type": _path("type"),
    },
    ("", "ReplicationController"): {"status.replicas": _path("status", "replicas")},
    ("apps", "ReplicaSet"): {"status.replicas": _path("status", "replicas")},
    ("batch", "Job"): {"status.successful": _path("status", "succeeded")},
    ("certificates.k8s.io", "CertificateSigningRequest"): {
        "spec.signerName": _path("spec", "signerName")
    },
}
"""(group, kind) -> field selector label -> how to read it from an object (besides metadata.*)."""


def field_values(group: str, kind: str) -> dict[str, Callable[[Mapping[str, Any]], str]]:
    """The field selector labels a kind supports."""
    return {**_META, **FIELD_LABELS.get((group, kind), {})}


_FIELD = re.compile(r"^\s*([A-Za-z0-9_.]+)\s*(==|!=|=)\s*(.*?)\s*$")


@dataclass(frozen=True, slots=True)
class FieldSelector:
    terms: tuple[tuple[str, bool, str], ...] = ()  # (field, equal?, value)

    @classmethod
    def parse(cls, text: str | None) -> FieldSelector:
        terms: list[tuple[str, bool, str]] = []
        for part in _split(text or ""):
            m = _FIELD.match(part)
            if m is None:
                raise _bad("field selector", text or "", part)
            terms.append((m.group(1), m.group(2) != "!=", m.group(3)))
        return cls(tuple(terms))

    def check(self, group: str, kind: str) -> None:
        """A 400 for a field the kind does not support (the apiserver's message)."""
        known = field_values(group, kind)
        for name, _, _ in self.terms:
            if name not in known:
                only = ", ".join(f'"{k}"' for k in known)
                raise bad_request(f'"{name}" is not a known field selector: only {only}')

    def matches(self, group: str, kind: str, obj: Mapping[str, Any]) -> bool:
        known = field_values(group, kind)
        return all((known[f](obj) == v) == eq for f, eq, v in self.terms)
