"""DiscoveryClient: what the server is and serves (client-go's discovery.DiscoveryClient).

    discovery = DiscoveryClient(rest)
    discovery.server_version().git_version                  # "v1.36.5"
    found = discovery.server_groups_and_resources()         # ServerResources
    found.failed                                            # group versions that could not be read
    adisc = DiscoveryClient(async_rest)                     # asyncio: the same calls, awaited
    found = await adisc.server_groups_and_resources()

Aggregated discovery first (two requests, ``/api`` and ``/apis`` answered as
``apidiscovery.k8s.io/v2`` APIGroupDiscoveryList, decoded into the generated models); a server
without it answers the legacy documents, and then each group version's resource list is read
on its own.  A group version that fails (an aggregated API answering 503, a "Stale" one) is
reported in ``failed`` beside the rest, never dropped and never failing the whole discovery.

``DiscoveryClient[R]`` serves both stacks: each answer is one procedure (:mod:`kubeset.steps`)
of which documents to read and how to understand them, run by the sync REST client or awaited
with an :class:`~kubeset.rest.aio.AsyncRESTClient` (the legacy group versions are read
concurrently either way).
"""

from __future__ import annotations

from functools import partial
from typing import Any, Generic, overload

from ..errors import ApiError, DecodeError, NotAcceptable, NotFound, RequestTimeout
from ..rest.aio import AsyncRequest, AsyncRESTClient
from ..rest.client import RESTClientBase
from ..rest.request import Request
from ..rest.result import Result
from ..steps import Awaited, Steps, Together, drive
from .aggregated import AGGREGATED_ACCEPT, is_aggregated, parse_aggregated
from .types import (
    APIGroupInfo,
    APIResourceInfo,
    GroupVersionFailure,
    R,
    ServerResources,
    ServerVersion,
)

__all__ = ["DiscoveryClient", "parse_resource_list", "preferred_steps"]

#: failures of one group version that leave the rest of discovery standing
_GROUP_VERSION_ERRORS = (ApiError, DecodeError, RequestTimeout)
_LEGACY_WORKERS = 8


def parse_resource_list(data: Any, group_version: str) -> list[APIResourceInfo]:
    """The resources of a legacy ``APIResourceList`` document."""
    gv = (data or {}).get("groupVersion") or group_version
    found: list[APIResourceInfo] = []
    for r in (data or {}).get("resources") or ():
        kind_gv = ""
        if r.get("version"):
            kind_gv = f"{r['group']}/{r['version']}" if r.get("group") else r["version"]
        found.append(
            APIResourceInfo(
                name=r.get("name", ""),
                group_version=gv,
                kind=r.get("kind", ""),
                namespaced=bool(r.get("namespaced", False)),
                verbs=tuple(r.get("verbs") or ()),
                singular_name=r.get("singularName", "") or "",
                short_names=tuple(r.get("shortNames") or ()),
                categories=tuple(r.get("categories") or ()),
                kind_group_version="" if kind_gv == gv else kind_gv,
            )
        )
    return found


def _server_version(data: Any) -> ServerVersion:
    return ServerVersion(
        major=str(data.get("major", "")),
        minor=str(data.get("minor", "")),
        git_version=str(data.get("gitVersion", "")),
        git_commit=str(data.get("gitCommit", "")),
        build_date=str(data.get("buildDate", "")),
        go_version=str(data.get("goVersion", "")),
        platform=str(data.get("platform", "")),
        raw=data,
    )


def _group_version_path(group_version: str) -> tuple[str, ...]:
    if "/" not in group_version:
        return ("api", group_version)
    return ("apis", *group_version.split("/", 1))


def _json(result: Result) -> Any:
    return result.json()


def _legacy_groups(core: Any, apis: Any) -> list[APIGroupInfo]:
    groups: list[APIGroupInfo] = []
    core_versions = tuple((core or {}).get("versions") or ())
    if core_versions:
        groups.append(APIGroupInfo("", core_versions, core_versions[0]))
    for g in (apis or {}).get("groups") or ():
        versions = tuple(v["groupVersion"] for v in g.get("versions") or ())
        preferred = (g.get("preferredVersion") or {}).get("groupVersion") or (
            versions[0] if versions else ""
        )
        groups.append(APIGroupInfo(g.get("name", ""), versions, preferred))
    return groups


class DiscoveryClient(Generic[R]):
    """Server version, API groups and resources (``aggregated=False``: legacy documents only).

    With an :class:`~kubeset.rest.aio.AsyncRESTClient` (``DiscoveryClient[AsyncRequest]``)
    every method is awaited.
    """

    def __init__(self, rest: RESTClientBase[R, Any], *, aggregated: bool = True) -> None:
        self.rest = rest
        self.aggregated = aggregated
        self.is_async = isinstance(rest, AsyncRESTClient)

    fresh = True  # every answer comes from the server

    def invalidate(self) -> None:
        """Nothing is cached here (see :class:`~kubeset.discovery.cache.CachedDiscoveryClient`)."""

    def _get(self, *path: str) -> Any:
        """The JSON of ``path`` (a coroutine giving it on asyncio): a step to yield."""
        return self.rest.get().abs_path(*path).do_then(_json)

    # -- the procedures (kubeset.steps): which documents, and what they say -------------
    def version_steps(self) -> Steps[ServerVersion]:
        """:meth:`server_version` as a procedure (to ``yield from`` in another one)."""
        return _server_version((yield self._get("version")))

    def _groups_steps(self) -> Steps[list[APIGroupInfo]]:
        core = yield self._get("api")
        apis = yield self._get("apis")
        return _legacy_groups(core, apis)

    def _group_version_steps(self, group_version: str) -> Steps[list[APIResourceInfo]]:
        data = yield self._get(*_group_version_path(group_version))
        return parse_resource_list(data, group_version)

    def everything_steps(self) -> Steps[ServerResources]:
        """:meth:`server_groups_and_resources` as a procedure."""
        if not self.aggregated:
            return (yield from self._legacy_steps(None))
        answers: list[Result] = []
        try:
            for prefix in ("api", "apis"):
                answers.append(
                    (yield self.rest.get().abs_path(prefix).accept(AGGREGATED_ACCEPT).do())
                )
        except NotAcceptable:  # a proxy refusing the aggregated media type
            return (yield from self._legacy_steps(None))
        if all(is_aggregated(a.content_type) for a in answers):
            return parse_aggregated([a.content for a in answers])
        if any(is_aggregated(a.content_type) for a in answers):  # mixed answers: ask again
            return (yield from self._legacy_steps(None))
        # a server without aggregated discovery answered the legacy documents
        return (yield from self._legacy_steps(answers))

    def _legacy_steps(self, answers: list[Result] | None) -> Steps[ServerResources]:
        if answers is None:
            groups = yield from self._groups_steps()
        else:
            groups = _legacy_groups(answers[0].json(), answers[1].json())
        group_versions = [gv for g in groups for gv in g.versions]
        outcomes = yield Together(
            [partial(self._group_version, gv) for gv in group_versions],
            errors=_GROUP_VERSION_ERRORS,
            limit=_LEGACY_WORKERS,
        )
        resources: list[APIResourceInfo] = []
        failed: list[GroupVersionFailure] = []
        for gv, outcome in zip(group_versions, outcomes, strict=True):
            if isinstance(outcome, NotFound):  # a group that disappeared between the two calls
                failed.append(GroupVersionFailure(gv, f"not served any more ({outcome})"))
            elif isinstance(outcome, Exception):
                failed.append(GroupVersionFailure(gv, f"{type(outcome).__name__}: {outcome}"))
            else:
                resources.extend(outcome)
        return ServerResources(tuple(groups), tuple(resources), tuple(failed))

    def _group_version(self, group_version: str) -> Any:
        return drive(self.is_async, self._group_version_steps(group_version))

    # -- the calls -----------------------------------------------------------------------
    @overload
    def server_version(self: DiscoveryClient[Request]) -> ServerVersion: ...
    @overload
    def server_version(self: DiscoveryClient[AsyncRequest]) -> Awaited[ServerVersion]: ...
    def server_version(self) -> Any:
        """``GET /version``."""
        return drive(self.is_async, self.version_steps())

    @overload
    def server_groups(self: DiscoveryClient[Request]) -> list[APIGroupInfo]: ...
    @overload
    def server_groups(self: DiscoveryClient[AsyncRequest]) -> Awaited[list[APIGroupInfo]]: ...
    def server_groups(self) -> Any:
        """The core group ("", versions from ``/api``) followed by the groups of ``/apis``."""
        return drive(self.is_async, self._groups_steps())

    @overload
    def server_resources_for_group_version(
        self: DiscoveryClient[Request], group_version: str
    ) -> list[APIResourceInfo]: ...
    @overload
    def server_resources_for_group_version(
        self: DiscoveryClient[AsyncRequest], group_version: str
    ) -> Awaited[list[APIResourceInfo]]: ...
    def server_resources_for_group_version(self, group_version: str) -> Any:
        """Resources of ``"v1"`` or ``"apps/v1"`` (NotFound when the server does not serve it)."""
        return self._group_version(group_version)

    @overload
    def server_preferred_resources(self: DiscoveryClient[Request]) -> list[APIResourceInfo]: ...
    @overload
    def server_preferred_resources(
        self: DiscoveryClient[AsyncRequest],
    ) -> Awaited[list[APIResourceInfo]]: ...
    def server_preferred_resources(self) -> Any:
        """The resources (no subresources) of each group's preferred version."""
        return drive(self.is_async, preferred_steps(self.everything_steps()))

    @overload
    def server_groups_and_resources(self: DiscoveryClient[Request]) -> ServerResources: ...
    @overload
    def server_groups_and_resources(
        self: DiscoveryClient[AsyncRequest],
    ) -> Awaited[ServerResources]: ...
    def server_groups_and_resources(self) -> Any:
        """Every group, every resource and subresource, and the group versions that failed."""
        return drive(self.is_async, self.everything_steps())


def preferred_steps(everything: Steps[ServerResources]) -> Steps[list[APIResourceInfo]]:
    """The preferred resources of a procedure's answer."""
    found = yield from everything
    return list(found.preferred())
