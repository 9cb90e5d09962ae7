"""client-go's tools/cache for kubeset: reflector, indexed store, shared informers, listers.

    from kubeset.cache import EventHandlers, SharedInformerFactory

    factory = SharedInformerFactory(default_resync=600)
    pods = factory.informer_for(cs.core_v1.pods)          # SharedIndexInformer[Pod]
    pods.add_event_handler(EventHandlers(on_add=lambda pod, initial: print(pod.metadata.name)))
    factory.start()
    factory.wait_for_cache_sync(timeout=60)
    pods.lister().namespace("default").list("app=web")

Modules: ``store`` (Indexer, keys, DeletedFinalStateUnknown), ``fifo`` (the in-order delta
queue), ``reflector`` (list + watch), ``informer`` (shared informer, handlers), ``lister``,
``factory``, ``listwatch`` (the ListerWatcher protocol), ``labels`` (selectors in memory),
``backoff``, ``retrywatcher`` (a watch resumed across failures) and ``handlererrors`` (failing
handlers counted, logged with a rate limit).
"""

from __future__ import annotations

from .backoff import BackoffOptions, ExponentialBackoff
from .factory import SharedInformerFactory
from .fifo import Delta, DeltaType, FIFOClosed, InOrderFIFO, TransformFunc
from .handlererrors import HandlerErrors
from .informer import (
    EventHandlers,
    HandlerRegistration,
    InformerError,
    ResourceEventHandler,
    SharedIndexInformer,
    wait_for_cache_sync,
)
from .labels import LabelSelector, Requirement, SelectorError
from .lister import Lister, NamespaceLister
from .listwatch import Event, ListerWatcher, Watcher, WatchStream
from .reflector import Reflector, ReflectorOptions, ReflectorStore
from .retrywatcher import RetryWatcher
from .store import (
    NAMESPACE_INDEX,
    DeletedFinalStateUnknown,
    Indexer,
    IndexerError,
    IndexFunc,
    deletion_handling_key,
    meta_namespace_index,
    meta_namespace_key,
    split_key,
)

__all__ = [
    "NAMESPACE_INDEX",
    "BackoffOptions",
    "DeletedFinalStateUnknown",
    "Delta",
    "DeltaType",
    "Event",
    "EventHandlers",
    "ExponentialBackoff",
    "FIFOClosed",
    "HandlerErrors",
    "HandlerRegistration",
    "InOrderFIFO",
    "IndexFunc",
    "Indexer",
    "IndexerError",
    "InformerError",
    "LabelSelector",
    "Lister",
    "ListerWatcher",
    "NamespaceLister",
    "Reflector",
    "ReflectorOptions",
    "ReflectorStore",
    "Requirement",
    "ResourceEventHandler",
    "RetryWatcher",
    "SelectorError",
    "SharedIndexInformer",
    "SharedInformerFactory",
    "TransformFunc",
    "WatchStream",
    "Watcher",
    "deletion_handling_key",
    "meta_namespace_index",
    "meta_namespace_key",
    "split_key",
    "wait_for_cache_sync",
]
