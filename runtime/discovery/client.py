"""DiscoveryClient: what the server is and serves (client-go's discovery.DiscoveryClient).

    discovery = DiscoveryClient(rest)
    discovery.server_version().git_version                  # "v1.36.5"
    found = discovery.server_groups_and_resources()         # ServerResources
    found.failed                                            # group versions that could not be read

Aggregated discovery first (two requests, ``/api`` and ``/apis`` answered as
``apidiscovery.k8s.io/v2`` APIGroupDiscoveryList, decoded into the generated models); a server
without it answers the legacy documents, and then each group version's resource list is read
on its own.  A group version that fails (an aggregated API answering 503, a "Stale" one) is
reported in ``failed`` beside the rest, never dropped and never failing the whole discovery.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..errors import ApiError, DecodeError, NotAcceptable, NotFound, RequestTimeout
from ..rest import RESTClient
from .aggregated import AGGREGATED_ACCEPT, is_aggregated, parse_aggregated
from .types import (
    APIGroupInfo,
    APIResourceInfo,
    GroupVersionFailure,
    ServerResources,
    ServerVersion,
)

__all__ = ["DiscoveryClient", "parse_resource_list"]

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


class DiscoveryClient:
    """Server version, API groups and resources (``aggregated=False``: legacy documents only)."""

    def __init__(self, rest: RESTClient, *, aggregated: bool = True) -> None:
        self.rest = rest
        self.aggregated = aggregated

    fresh = True  # every answer comes from the server

    def invalidate(self) -> None:
        """Nothing is cached here (see :class:`~kubeset.discovery.cache.CachedDiscoveryClient`)."""

    def _get(self, *path: str) -> Any:
        return self.rest.get().abs_path(*path).do().json()

    def server_version(self) -> ServerVersion:
        data = self._get("version")
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

    def server_groups(self) -> list[APIGroupInfo]:
        """The core group ("", versions from ``/api``) followed by the groups of ``/apis``."""
        return _legacy_groups(self._get("api"), self._get("apis"))

    def server_resources_for_group_version(self, group_version: str) -> list[APIResourceInfo]:
        """Resources of ``"v1"`` or ``"apps/v1"`` (NotFound when the server does not serve it)."""
        path = (
            ("api", group_version)
            if "/" not in group_version
            else ("apis", *group_version.split("/", 1))
        )
        return parse_resource_list(self._get(*path), group_version)

    def server_preferred_resources(self) -> list[APIResourceInfo]:
        """The resources (no subresources) of each group's preferred version."""
        return list(self.server_groups_and_resources().preferred())

    def server_groups_and_resources(self) -> ServerResources:
        """Every group, every resource and subresource, and the group versions that failed."""
        if not self.aggregated:
            return self._legacy(self._get("api"), self._get("apis"))
        try:
            answers = [
                self.rest.get().abs_path(prefix).accept(AGGREGATED_ACCEPT).do()
                for prefix in ("api", "apis")
            ]
        except NotAcceptable:  # a proxy refusing the aggregated media type
            return self._legacy(self._get("api"), self._get("apis"))
        if all(is_aggregated(a.content_type) for a in answers):
            return parse_aggregated([a.content for a in answers])
        if any(is_aggregated(a.content_type) for a in answers):  # mixed answers: ask again
            return self._legacy(self._get("api"), self._get("apis"))
        # a server without aggregated discovery answered the legacy documents
        return self._legacy(answers[0].json(), answers[1].json())

    def _legacy(self, core: Any, apis: Any) -> ServerResources:
        groups = _legacy_groups(core, apis)
        group_versions = [gv for g in groups for gv in g.versions]
        with ThreadPoolExecutor(max_workers=_LEGACY_WORKERS) as pool:
            answers = list(pool.map(self._try_group_version, group_versions))
        resources: list[APIResourceInfo] = []
        failed: list[GroupVersionFailure] = []
        for answer in answers:
            if isinstance(answer, GroupVersionFailure):
                failed.append(answer)
            else:
                resources.extend(answer)
        return ServerResources(tuple(groups), tuple(resources), tuple(failed))

    def _try_group_version(self, gv: str) -> list[APIResourceInfo] | GroupVersionFailure:
        try:
            return self.server_resources_for_group_version(gv)
        except NotFound as e:  # a group that disappeared between the two calls
            return GroupVersionFailure(gv, f"not served any more ({e})")
        except _GROUP_VERSION_ERRORS as e:
            return GroupVersionFailure(gv, f"{type(e).__name__}: {e}")
