"""Discovery: what the server is and serves (client-go's discovery and restmapper packages).

    from kubeset.discovery import CachedDiscoveryClient, DiscoveryClient, RESTMapper

    discovery = CachedDiscoveryClient(DiscoveryClient(rest), cache_dir=...)  # memory + disk
    mapper = RESTMapper(discovery)
    mapping = mapper.rest_mapping("Deployment", group="apps")                # -> RESTMapping

- :mod:`.types`: the answers (frozen dataclasses).
- :mod:`.aggregated`: ``apidiscovery.k8s.io/v2`` documents into answers.
- :mod:`.client`: :class:`DiscoveryClient` (aggregated first, legacy fallback).
- :mod:`.cache`: :class:`CachedDiscoveryClient` (memory, disk, TTL, invalidate).
- :mod:`.restmapper`: :class:`RESTMapper` (kind <-> resource, names, scope, preferred version).
"""

from .cache import CachedDiscoveryClient, default_cache_dir
from .client import DiscoveryClient
from .restmapper import RESTMapper, RESTMapping
from .types import (
    APIGroupInfo,
    APIResourceInfo,
    DiscoveryInterface,
    GroupVersionFailure,
    ServerResources,
    ServerVersion,
)

__all__ = [
    "APIGroupInfo",
    "APIResourceInfo",
    "CachedDiscoveryClient",
    "DiscoveryClient",
    "DiscoveryInterface",
    "GroupVersionFailure",
    "RESTMapper",
    "RESTMapping",
    "ServerResources",
    "ServerVersion",
    "default_cache_dir",
]
