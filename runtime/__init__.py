"""kubeset: client-go for Python.

The runtime is imported lazily: ``import kubeset`` costs almost nothing, and each
name below loads its module on first use (import time matters to CLIs and
controllers that start often).  Type checkers see the real imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

# name -> module (relative to this package) that defines it.
# Each runtime module owns its names; add a line here when a module exports one.
_EXPORTS: dict[str, str] = {
    # codec
    "to_dict": "codec",
    "to_json": "codec",
    "Scheme": "codec",
    "SchemeError": "errors",
    "decode_large": "codec",
    "gc_paused": "codec",
    # model base and special types
    "KubeModel": "model",
    "IntOrString": "model",
    "Quantity": "model",
    "parse_quantity": "model",
    "compare_quantities": "model",
    # config / transport / auth
    "Config": "config",
    "ConfigError": "errors",
    "ExecConfig": "config",
    "ImpersonationConfig": "config",
    "load_kubeconfig": "config",
    "load_config": "config",
    "in_cluster_config": "config",
    "build_config_from_flags": "config",
    "Transport": "transport",
    "HTTPTransport": "transport",
    "HTTPRequest": "transport",
    "Response": "transport",
    "MockTransport": "transport",
    "ExecPluginError": "errors",
    # errors
    "KubesetError": "errors",
    "ApiError": "errors",
    "BadRequest": "errors",
    "Unauthorized": "errors",
    "Forbidden": "errors",
    "NotFound": "errors",
    "MethodNotAllowed": "errors",
    "NotAcceptable": "errors",
    "AlreadyExists": "errors",
    "Conflict": "errors",
    "Gone": "errors",
    "Expired": "errors",
    "RequestEntityTooLarge": "errors",
    "UnsupportedMediaType": "errors",
    "Invalid": "errors",
    "TooManyRequests": "errors",
    "InternalError": "errors",
    "ServerTimeout": "errors",
    "ServiceUnavailable": "errors",
    "Timeout": "errors",
    "RequestTimeout": "errors",
    "ApiConnectionError": "errors",
    "DecodeError": "errors",
    "StatusCause": "errors",
    "ConnectionLost": "errors",
    "ResponseTooLarge": "errors",
    # rest
    "RESTClient": "rest",
    "Request": "rest",
    "Result": "rest",
    "PatchType": "rest",
    "SessionTransport": "transport",
    "RetryPolicy": "rest",
    # resource
    "ResourceInfo": "resource",
    "ResourceDescriptor": "resource",
    "LogStream": "resource",
    "Watch": "rest",
    "WatchEvent": "rest",
    # discovery
    "DiscoveryClient": "discovery",
    "CachedDiscoveryClient": "discovery",
    "RESTMapper": "discovery",
    "NoMatchError": "errors",
    "AmbiguousMatchError": "errors",
    "ManifestError": "errors",
    "ApplySetError": "errors",
    "WaitError": "errors",
    "WaitTimeout": "errors",
    "StreamError": "errors",
    "CommandFailed": "errors",
    # dynamic
    "DynamicClient": "dynamic",
    "Unstructured": "dynamic",
    # controllers: tools/cache, workqueue, leader election, clocks
    "SharedInformerFactory": "cache",
    "SharedIndexInformer": "cache",
    "EventHandlers": "cache",
    "DeletedFinalStateUnknown": "cache",
    "Indexer": "cache",
    "Lister": "cache",
    "RetryWatcher": "cache",
    "RateLimitingQueue": "workqueue",
    "QueueShutDown": "workqueue",
    "LeaderElector": "leaderelection",
    "LeaderElectionConfig": "leaderelection",
    "LeaderCallbacks": "leaderelection",
    "LeaseLock": "leaderelection",
    "StopEvent": "clock",
    "FakeClock": "clock",
}

if TYPE_CHECKING:  # pragma: no cover - for mypy / pyright only
    from .config import (
        Config as Config,
        ExecConfig as ExecConfig,
        ImpersonationConfig as ImpersonationConfig,
        build_config_from_flags as build_config_from_flags,
        in_cluster_config as in_cluster_config,
        load_config as load_config,
        load_kubeconfig as load_kubeconfig,
    )
    from .model import (
        IntOrString as IntOrString,
        KubeModel as KubeModel,
        Quantity as Quantity,
        compare_quantities as compare_quantities,
        parse_quantity as parse_quantity,
    )
    from .codec import (
        Scheme as Scheme,
        decode_large as decode_large,
        gc_paused as gc_paused,
        to_dict as to_dict,
        to_json as to_json,
    )
    from .transport import (
        HTTPRequest as HTTPRequest,
        HTTPTransport as HTTPTransport,
        MockTransport as MockTransport,
        Response as Response,
        SessionTransport as SessionTransport,
        Transport as Transport,
    )
    from .errors import (
        KubesetError as KubesetError,
        AmbiguousMatchError as AmbiguousMatchError,
        ManifestError as ManifestError,
        ApplySetError as ApplySetError,
        WaitError as WaitError,
        WaitTimeout as WaitTimeout,
        StreamError as StreamError,
        CommandFailed as CommandFailed,
        NoMatchError as NoMatchError,
        ApiError as ApiError,
        BadRequest as BadRequest,
        Unauthorized as Unauthorized,
        Forbidden as Forbidden,
        NotFound as NotFound,
        MethodNotAllowed as MethodNotAllowed,
        NotAcceptable as NotAcceptable,
        AlreadyExists as AlreadyExists,
        Conflict as Conflict,
        Gone as Gone,
        Expired as Expired,
        RequestEntityTooLarge as RequestEntityTooLarge,
        UnsupportedMediaType as UnsupportedMediaType,
        Invalid as Invalid,
        TooManyRequests as TooManyRequests,
        InternalError as InternalError,
        ServerTimeout as ServerTimeout,
        ServiceUnavailable as ServiceUnavailable,
        Timeout as Timeout,
        RequestTimeout as RequestTimeout,
        ApiConnectionError as ApiConnectionError,
        DecodeError as DecodeError,
        StatusCause as StatusCause,
        ConnectionLost as ConnectionLost,
        ResponseTooLarge as ResponseTooLarge,
        ConfigError as ConfigError,
        ExecPluginError as ExecPluginError,
        SchemeError as SchemeError,
    )
    from .rest import (
        RESTClient as RESTClient,
        Request as Request,
        Result as Result,
        PatchType as PatchType,
        RetryPolicy as RetryPolicy,
        Watch as Watch,
        WatchEvent as WatchEvent,
    )
    from .resource import (
        ResourceInfo as ResourceInfo,
        ResourceDescriptor as ResourceDescriptor,
        LogStream as LogStream,
    )
    from .discovery import (
        CachedDiscoveryClient as CachedDiscoveryClient,
        DiscoveryClient as DiscoveryClient,
        RESTMapper as RESTMapper,
    )
    from .dynamic import (
        DynamicClient as DynamicClient,
        Unstructured as Unstructured,
    )
    from .cache import (
        SharedInformerFactory as SharedInformerFactory,
        SharedIndexInformer as SharedIndexInformer,
        EventHandlers as EventHandlers,
        DeletedFinalStateUnknown as DeletedFinalStateUnknown,
        Indexer as Indexer,
        Lister as Lister,
        RetryWatcher as RetryWatcher,
    )
    from .workqueue import (
        RateLimitingQueue as RateLimitingQueue,
        QueueShutDown as QueueShutDown,
    )
    from .leaderelection import (
        LeaderElector as LeaderElector,
        LeaderElectionConfig as LeaderElectionConfig,
        LeaderCallbacks as LeaderCallbacks,
        LeaseLock as LeaseLock,
    )
    from .clock import (
        StopEvent as StopEvent,
        FakeClock as FakeClock,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kubeset' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = ["__version__", *_EXPORTS]  # pyright: ignore[reportUnsupportedDunderAll]
