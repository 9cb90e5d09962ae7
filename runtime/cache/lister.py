"""Typed listers: reads served from an informer's cache, never from the server.

    pods: Lister[Pod] = informer.lister()
    pods.namespace("default").get("web")              # Pod; NotFound when not cached
    pods.namespace("default").list("app=web")          # label selector string or dict
    pods.list()                                        # every namespace

client-go's generated listers (``PodLister`` / ``PodNamespaceLister``) as one generic class:
namespace reads go through the built-in namespace index.  The objects returned are the cached
ones: treat them as read-only (copy before changing, as with client-go).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from ..errors import NotFound, StatusDetails
from ..rest.meta import meta_value
from .labels import LabelSelector
from .store import NAMESPACE_INDEX, Indexer

__all__ = ["Lister", "NamespaceLister", "Selector"]

T = TypeVar("T")

Selector = str | Mapping[str, str] | LabelSelector | None


def _selector(selector: Selector) -> LabelSelector:
    if isinstance(selector, LabelSelector):
        return selector
    if isinstance(selector, Mapping):
        return LabelSelector.from_labels(selector)
    return LabelSelector.parse(selector)


def _labels(obj: Any) -> Mapping[str, str] | None:
    labels: Mapping[str, str] | None = meta_value(obj, "labels")
    return labels


def _not_found(resource: str, name: str, key: str) -> NotFound:
    message = f"{resource} {key} not found in the cache"
    status = {"kind": "Status", "status": "Failure", "reason": "NotFound", "code": 404}
    return NotFound(
        404,
        "NotFound",
        message,
        details=StatusDetails(name=name, kind=resource),
        status={**status, "message": message},
    )


def _filter(objs: list[T], selector: Selector) -> list[T]:
    sel = _selector(selector)
    if sel.empty():
        return objs
    return [o for o in objs if sel.matches(_labels(o))]


class Lister(Generic[T]):
    """Reads of every namespace (or of a cluster-scoped resource)."""

    def __init__(self, indexer: Indexer[T], *, resource: str = "object") -> None:
        self.indexer = indexer
        self.resource = resource

    def list(self, selector: Selector = None) -> list[T]:
        return _filter(self.indexer.list(), selector)

    def get(self, name: str) -> T:
        """A cluster-scoped object by name."""
        obj = self.indexer.get_by_key(name)
        if obj is None:
            raise _not_found(self.resource, name, name)
        return obj

    def namespace(self, namespace: str) -> NamespaceLister[T]:
        return NamespaceLister(self.indexer, namespace, resource=self.resource)


class NamespaceLister(Generic[T]):
    """Reads of one namespace."""

    def __init__(self, indexer: Indexer[T], namespace: str, *, resource: str = "object") -> None:
        self.indexer = indexer
        self.namespace = namespace
        self.resource = resource

    def list(self, selector: Selector = None) -> list[T]:
        return _filter(self.indexer.by_index(NAMESPACE_INDEX, self.namespace), selector)

    def get(self, name: str) -> T:
        obj = self.indexer.get_by_key(f"{self.namespace}/{name}")
        if obj is None:
            raise _not_found(self.resource, name, f"{self.namespace}/{name}")
        return obj
