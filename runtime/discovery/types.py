"""Discovery answers as plain frozen dataclasses (what the server is and serves).

    resources = discovery.server_groups_and_resources()
    resources.groups          # (APIGroupInfo("apps", ("apps/v1",), "apps/v1"), ...)
    resources.resources       # APIResourceInfo per resource and subresource ("pods/log")
    resources.failed          # GroupVersionFailure per group version that could not be read

The seam between the discovery client, its cache and the RESTMapper: no generated model, no
I/O; every answer compares equal whichever discovery path (aggregated or legacy) produced it.
"""

from __future__ import annotations

from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from typing_extensions import TypeVar

from ..rest.aio import AsyncRequest
from ..rest.request import Request

__all__ = [
    "APIGroupInfo",
    "APIResourceInfo",
    "AsyncDiscoveryInterface",
    "DiscoveryInterface",
    "GroupVersionFailure",
    "R",
    "ServerResources",
    "ServerVersion",
    "split_group_version",
]


R = TypeVar("R", bound=Request | AsyncRequest, default=Request)
"""The request type of a client: ``Request`` (sync, the default) or ``AsyncRequest`` (asyncio)."""


def split_group_version(group_version: str) -> tuple[str, str]:
    """``"apps/v1"`` -> ``("apps", "v1")``; ``"v1"`` -> ``("", "v1")``."""
    group, _, version = group_version.rpartition("/")
    return group, version


@dataclass(frozen=True, slots=True)
class ServerVersion:
    """``GET /version``."""

    major: str
    minor: str
    git_version: str
    git_commit: str = ""
    build_date: str = ""
    go_version: str = ""
    platform: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class APIGroupInfo:
    """One API group: its versions ("apps/v1", ...) and the preferred one."""

    name: str  # "" for the core group
    versions: tuple[str, ...]  # group versions, e.g. ("apps/v1",)
    preferred_version: str  # e.g. "apps/v1"


@dataclass(frozen=True, slots=True)
class APIResourceInfo:
    """One resource (or subresource, ``name`` "pods/log") served in a group version.

    ``kind_group_version`` is set when the kind lives in another group version (the
    ``autoscaling/v1`` Scale of ``deployments/scale``).
    """

    name: str
    group_version: str
    kind: str
    namespaced: bool
    verbs: tuple[str, ...]
    singular_name: str = ""
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    kind_group_version: str = ""

    @property
    def is_subresource(self) -> bool:
        return "/" in self.name

    @property
    def group(self) -> str:
        return split_group_version(self.group_version)[0]

    @property
    def version(self) -> str:
        return split_group_version(self.group_version)[1]


@dataclass(frozen=True, slots=True)
class GroupVersionFailure:
    """A group version discovery could not read (an aggregated API answering 503, a stale one)."""

    group_version: str
    reason: str


@dataclass(frozen=True, slots=True)
class ServerResources:
    """Everything discovery found: groups, resources and the group versions that failed."""

    groups: tuple[APIGroupInfo, ...]
    resources: tuple[APIResourceInfo, ...]
    failed: tuple[GroupVersionFailure, ...] = ()

    def for_group_version(self, group_version: str) -> tuple[APIResourceInfo, ...]:
        return tuple(r for r in self.resources if r.group_version == group_version)

    def preferred(self) -> tuple[APIResourceInfo, ...]:
        """The resources (no subresources) of each group's preferred version."""
        wanted = {g.preferred_version for g in self.groups}
        return tuple(
            r for r in self.resources if r.group_version in wanted and not r.is_subresource
        )


@runtime_checkable
class DiscoveryInterface(Protocol):
    """What the RESTMapper needs of discovery (:class:`DiscoveryClient`, its cached form)."""

    @property
    def fresh(self) -> bool:
        """True when the answers held were just read from the server."""
        ...

    def server_groups_and_resources(self) -> ServerResources: ...

    def invalidate(self) -> None: ...


@runtime_checkable
class AsyncDiscoveryInterface(Protocol):
    """What the RESTMapper needs of an asyncio discovery (``DiscoveryClient[AsyncRequest]``,
    its cached form): the same, awaited."""

    @property
    def fresh(self) -> bool: ...

    def server_groups_and_resources(self) -> Coroutine[Any, Any, ServerResources]: ...

    def invalidate(self) -> None: ...
