"""The thread-safe store of an informer: objects by ``namespace/name`` key, with indexes.

    indexer: Indexer[Pod] = Indexer(indexers={"node": lambda pod: [pod.spec.node_name or ""]})
    indexer.add(pod)
    indexer.get_by_key("default/web")           # Pod | None
    indexer.by_index(NAMESPACE_INDEX, "default")  # every Pod of the namespace (built-in index)
    indexer.by_index("node", "node-1")

client-go's ``ThreadSafeStore`` + ``Indexer``: keys from :func:`meta_namespace_key`
(``namespace/name``, or ``name`` for cluster-scoped objects); every index maps an index value to
the set of keys whose object yields it and is kept current on add / update / delete / replace;
indexers may be added later (existing objects are indexed then).  An object deleted while the
informer was disconnected reaches delete handlers as :class:`DeletedFinalStateUnknown` (its key and
the last state the cache knew).  Objects are typed models or plain ``dict`` s.

Pure in-memory logic under one lock (no I/O): usable as is from asyncio code.
"""

from __future__ import annotations

import builtins
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..errors import KubesetError
from ..rest.meta import meta_values

__all__ = [
    "NAMESPACE_INDEX",
    "DeletedFinalStateUnknown",
    "IndexFunc",
    "Indexer",
    "IndexerError",
    "KeyFunc",
    "deletion_handling_key",
    "meta_namespace_index",
    "meta_namespace_key",
    "object_meta",
    "split_key",
]

T = TypeVar("T")

KeyFunc = Callable[[Any], str]
IndexFunc = Callable[[Any], list[str]]

NAMESPACE_INDEX = "namespace"
"""Name of the index :func:`meta_namespace_index` (every informer has it)."""


class IndexerError(KubesetError):
    """An object without a name, an unknown index, or an indexer name given twice."""


@dataclass(frozen=True, slots=True)
class DeletedFinalStateUnknown(Generic[T]):
    """An object deleted while the watch was down: ``obj`` is the last state the cache had
    (it may be stale), ``key`` its store key."""

    key: str
    obj: T | None


def object_meta(obj: Any) -> tuple[str, str, str]:
    """(namespace, name, resourceVersion) of a typed model, an ``Unstructured`` or a ``dict``."""
    namespace, name, rv = meta_values(obj, "namespace", "name", "resource_version")
    return namespace or "", name or "", rv or ""


def meta_namespace_key(obj: Any) -> str:
    """``namespace/name`` (``name`` when cluster-scoped): client-go's ``MetaNamespaceKeyFunc``."""
    if isinstance(obj, str):
        return obj
    namespace, name, _ = object_meta(obj)
    if not name:
        raise IndexerError(f"cannot key a {type(obj).__name__}: it has no metadata.name")
    return f"{namespace}/{name}" if namespace else name


def deletion_handling_key(obj: Any) -> str:
    """:func:`meta_namespace_key`, and the stored key of a :class:`DeletedFinalStateUnknown`."""
    if isinstance(obj, DeletedFinalStateUnknown):
        return obj.key
    return meta_namespace_key(obj)


def split_key(key: str) -> tuple[str, str]:
    """(namespace, name) of a store key."""
    namespace, sep, name = key.partition("/")
    return (namespace, name) if sep else ("", namespace)


def meta_namespace_index(obj: Any) -> builtins.list[str]:
    """The index function of :data:`NAMESPACE_INDEX`: ``[namespace]``."""
    return [object_meta(obj)[0]]


class Indexer(Generic[T]):
    """A thread-safe map key -> object with named indexes (``NAMESPACE_INDEX`` by default)."""

    def __init__(
        self,
        *,
        key_func: KeyFunc = deletion_handling_key,
        indexers: Mapping[str, IndexFunc] | None = None,
        namespace_index: bool = True,
    ) -> None:
        self.key_func = key_func
        self._lock = threading.RLock()
        self._items: dict[str, T] = {}
        self._indexers: dict[str, IndexFunc] = {}
        self._indices: dict[str, dict[str, set[str]]] = {}
        initial = dict(indexers or {})
        if namespace_index:
            initial.setdefault(NAMESPACE_INDEX, meta_namespace_index)
        self.add_indexers(initial)

    # -- index bookkeeping (lock held) ------------------------------------------------------
    def _index_values(self, name: str, obj: T) -> builtins.list[str]:
        return list(self._indexers[name](obj))

    def _update_indices(self, old: T | None, new: T | None, key: str) -> None:
        for name in self._indexers:
            self._update_index(name, old, new, key)

    def _update_index(self, name: str, old: T | None, new: T | None, key: str) -> None:
        index = self._indices[name]
        old_values = set(self._index_values(name, old)) if old is not None else set()
        new_values = set(self._index_values(name, new)) if new is not None else set()
        for value in old_values - new_values:
            keys = index.get(value)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del index[value]
        for value in new_values - old_values:
            index.setdefault(value, set()).add(key)

    # -- store ----------------------------------------------------------------------------
    def add(self, obj: T) -> None:
        self.update(obj)

    def update(self, obj: T) -> None:
        key = self.key_func(obj)
        with self._lock:
            old = self._items.get(key)
            self._items[key] = obj
            self._update_indices(old, obj, key)

    def delete(self, obj: T | DeletedFinalStateUnknown[T]) -> None:
        key = self.key_func(obj)
        self.delete_key(key)

    def delete_key(self, key: str) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._update_indices(old, None, key)

    def get(self, obj: Any) -> T | None:
        """The stored object with ``obj`` 's key."""
        return self.get_by_key(self.key_func(obj))

    def get_by_key(self, key: str) -> T | None:
        with self._lock:
            return self._items.get(key)

    def list(self) -> builtins.list[T]:
        with self._lock:
            return list(self._items.values())

    def list_keys(self) -> builtins.list[str]:
        with self._lock:
            return list(self._items)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._items

    def replace(self, objs: Iterable[T]) -> None:
        """Make the store hold exactly ``objs`` (indexes rebuilt)."""
        items = {self.key_func(obj): obj for obj in objs}
        with self._lock:
            self._items = items
            self._indices = {name: {} for name in self._indexers}
            for key, obj in items.items():
                for name in self._indexers:
                    self._update_index(name, None, obj, key)

    # -- indexes --------------------------------------------------------------------------
    def add_indexers(self, indexers: Mapping[str, IndexFunc]) -> None:
        """Add index functions; objects already stored are indexed at once."""
        with self._lock:
            clash = sorted(set(indexers) & set(self._indexers))
            if clash:
                raise IndexerError(f"indexer(s) {', '.join(clash)} already exist")
            for name, func in indexers.items():
                self._indexers[name] = func
                self._indices[name] = {}
                for key, obj in self._items.items():
                    self._update_index(name, None, obj, key)

    def indexers(self) -> dict[str, IndexFunc]:
        with self._lock:
            return dict(self._indexers)

    def _index(self, name: str) -> dict[str, set[str]]:
        index = self._indices.get(name)
        if index is None:
            raise IndexerError(f"index {name!r} does not exist (have: {sorted(self._indices)})")
        return index

    def index_keys(self, index_name: str, value: str) -> builtins.list[str]:
        """Keys of the objects whose index function yields ``value``."""
        with self._lock:
            return sorted(self._index(index_name).get(value, ()))

    def by_index(self, index_name: str, value: str) -> builtins.list[T]:
        """Objects whose index function yields ``value``."""
        with self._lock:
            return [self._items[k] for k in self._index(index_name).get(value, ())]

    def index(self, index_name: str, obj: T) -> builtins.list[T]:
        """Objects sharing any index value with ``obj``."""
        with self._lock:
            index = self._index(index_name)
            keys: set[str] = set()
            for value in self._index_values(index_name, obj):
                keys |= index.get(value, set())
            return [self._items[k] for k in keys]

    def list_index_values(self, index_name: str) -> builtins.list[str]:
        """Every value the index currently has (client-go's ``ListIndexFuncValues``)."""
        with self._lock:
            return sorted(self._index(index_name))

    def __repr__(self) -> str:
        with self._lock:
            return f"<Indexer {len(self._items)} objects, indexes {sorted(self._indexers)}>"
