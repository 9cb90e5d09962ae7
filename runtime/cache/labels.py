"""Label selectors evaluated in memory, for listers served from an informer's cache.

    sel = LabelSelector.parse("app=web,tier in (front,edge),!canary")
    sel.matches({"app": "web", "tier": "edge"})       # True
    LabelSelector.from_labels({"app": "web"})         # equality on every pair

The string syntax of ``labelSelector`` (k8s.io/apimachinery/pkg/labels): ``k=v`` / ``k==v``,
``k!=v``, ``k in (a,b)``, ``k notin (a,b)``, ``k`` (exists), ``!k`` (does not exist), joined by
commas.  A malformed selector raises :class:`SelectorError` naming the offending part.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from ..errors import KubesetError

__all__ = ["LabelSelector", "Requirement", "SelectorError"]

Operator = Literal["=", "!=", "in", "notin", "exists", "!"]

_SET = re.compile(r"^\s*([A-Za-z0-9./_-]+)\s+(in|notin)\s*\(([^)]*)\)\s*$")
_EQ = re.compile(r"^\s*([A-Za-z0-9./_-]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)\s*$")
_KEY = re.compile(r"^\s*(!?)\s*([A-Za-z0-9./_-]+)\s*$")


class SelectorError(KubesetError, ValueError):
    """A label selector string that does not parse."""


@dataclass(frozen=True, slots=True)
class Requirement:
    """One ``key op values`` term."""

    key: str
    op: Operator
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        if self.op == "exists":
            return present
        if self.op == "!":
            return not present
        if self.op in ("=", "in"):
            return present and labels[self.key] in self.values
        return not present or labels[self.key] not in self.values  # "!=", "notin"


def _split_terms(text: str) -> list[str]:
    terms, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return [t for t in terms if t.strip()]


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """A conjunction of :class:`Requirement` s; the empty selector matches everything."""

    requirements: tuple[Requirement, ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> LabelSelector:
        reqs: list[Requirement] = []
        for term in _split_terms(text or ""):
            if m := _SET.match(term):
                values = frozenset(v.strip() for v in m.group(3).split(",") if v.strip())
                reqs.append(Requirement(m.group(1), m.group(2), values))  # type: ignore[arg-type]
            elif m := _EQ.match(term):
                op: Operator = "!=" if m.group(2) == "!=" else "="
                reqs.append(Requirement(m.group(1), op, frozenset([m.group(3)])))
            elif m := _KEY.match(term):
                reqs.append(Requirement(m.group(2), "!" if m.group(1) else "exists"))
            else:
                raise SelectorError(
                    f"label selector {text!r}: cannot parse {term.strip()!r} (expected k=v, k!=v, "
                    "k in (a,b), k notin (a,b), k or !k)"
                )
        return cls(tuple(reqs))

    @classmethod
    def from_labels(cls, labels: Mapping[str, str]) -> LabelSelector:
        return cls(tuple(Requirement(k, "=", frozenset([v])) for k, v in sorted(labels.items())))

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    def empty(self) -> bool:
        return not self.requirements
