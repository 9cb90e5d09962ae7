"""The shared informer factory: one informer per resource, shared by every controller part.

    cs = Clientset(load_config())
    factory = SharedInformerFactory(default_resync=600, namespace="")     # "" = all namespaces
    pods = factory.informer_for(cs.core_v1.pods)        # SharedIndexInformer[Pod]
    nodes = factory.informer_for(cs.core_v1.nodes)      # cluster-scoped resources too
    pod_lister = factory.lister_for(cs.core_v1.pods)    # Lister[Pod], the same informer's cache
    factory.start()
    factory.wait_for_cache_sync(timeout=60)
    ...
    factory.shutdown()

client-go's ``SharedInformerFactory`` over the generated clientset: ``informer_for`` takes a
typed client (``cs.core_v1.pods("")``) or the clientset's accessor (``cs.core_v1.pods``, called
with the factory's namespace) and returns the same informer for the same resource and
namespace every time; the factory's namespace, label / field selectors, transform and default
resync apply to all its informers.  ``start`` starts those not yet started (call it again after
asking for more).
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Mapping
from typing import Any, Self, TypeVar

from ..clock import Clock
from .fifo import TransformFunc
from .informer import InformerError, SharedIndexInformer, wait_for_cache_sync
from .lister import Lister
from .listwatch import ListerWatcher
from .reflector import ReflectorOptions
from .store import IndexFunc

__all__ = ["SharedInformerFactory"]

T = TypeVar("T")


def _resource_of(client: Any) -> object:
    """What makes two clients the same resource: group, version and plural of its descriptor
    (dynamic clients share one class), else the client's class."""
    info = getattr(client, "info", None)
    plural = getattr(info, "plural", None)
    if plural:
        return (getattr(info, "group", ""), getattr(info, "version", ""), plural)
    return type(client)


class SharedInformerFactory:
    """Makes and keeps one :class:`SharedIndexInformer` per (resource, namespace)."""

    def __init__(
        self,
        *,
        namespace: str = "",
        default_resync: float = 0.0,
        label_selector: str | None = None,
        field_selector: str | None = None,
        transform: TransformFunc | None = None,
        use_watch_list: bool = True,
        clock: Clock | None = None,
    ) -> None:
        self.namespace = namespace
        self.default_resync = default_resync
        self.label_selector = label_selector
        self.field_selector = field_selector
        self.transform = transform
        self.use_watch_list = use_watch_list
        self.clock = clock
        self._lock = threading.Lock()
        self._informers: dict[tuple[object, str], SharedIndexInformer[Any]] = {}
        self._started: set[tuple[object, str]] = set()

    def _client(self, source: Any) -> Any:
        if hasattr(source, "watch") and hasattr(source, "list"):
            return source
        if callable(source):
            params = inspect.signature(source).parameters
            return source(self.namespace) if params else source()
        raise InformerError(
            f"informer_for: expected a typed client or a clientset accessor, got {source!r}"
        )

    def informer_for(
        self,
        source: ListerWatcher[T] | Callable[..., ListerWatcher[T]],
        *,
        resync_period: float | None = None,
        indexers: Mapping[str, IndexFunc] | None = None,
    ) -> SharedIndexInformer[T]:
        """The shared informer of a resource (made on first use; extra indexers are added)."""
        client = self._client(source)
        key = (_resource_of(client), str(getattr(client, "namespace", "") or ""))
        informer: SharedIndexInformer[Any] | None
        with self._lock:
            informer = self._informers.get(key)
            if informer is None:
                info = getattr(client, "info", None)
                name = getattr(info, "plural", None) or type(client).__name__
                informer = SharedIndexInformer(
                    client,
                    resync_period=self.default_resync if resync_period is None else resync_period,
                    indexers=indexers,
                    transform=self.transform,
                    reflector_options=ReflectorOptions(
                        name=f"{name}@{key[1]}" if key[1] else name,
                        label_selector=self.label_selector,
                        field_selector=self.field_selector,
                        use_watch_list=self.use_watch_list,
                    ),
                    clock=self.clock,
                )
                self._informers[key] = informer
            elif indexers:
                missing = {
                    k: v for k, v in indexers.items() if k not in informer.indexer.indexers()
                }
                if missing:
                    informer.indexer.add_indexers(missing)
        return informer

    def lister_for(self, source: ListerWatcher[T] | Callable[..., ListerWatcher[T]]) -> Lister[T]:
        """The lister of :meth:`informer_for` ``(source)``."""
        return self.informer_for(source).lister()

    def start(self) -> None:
        """Start every informer not started yet."""
        with self._lock:
            todo = [(k, i) for k, i in self._informers.items() if k not in self._started]
            self._started.update(k for k, _ in todo)
        for _, informer in todo:
            informer.start()

    def wait_for_cache_sync(self, timeout: float | None = None) -> bool:
        """Wait until every started informer has synced; False on timeout."""
        with self._lock:
            started = [i for k, i in self._informers.items() if k in self._started]
        return wait_for_cache_sync(*started, timeout=timeout)

    def shutdown(self) -> None:
        """Stop every informer."""
        with self._lock:
            informers = list(self._informers.values())
        for informer in informers:
            informer.stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
