"""Discovery: what the server is and serves (client-go's DiscoveryClient, small).

Answers are plain dataclasses so discovery works without any generated model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import NotFound
from ..rest import RESTClient

__all__ = ["APIGroupInfo", "APIResourceInfo", "DiscoveryClient", "ServerVersion"]


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
    """One resource (or subresource, ``name`` "pods/log") served in a group version."""

    name: str
    group_version: str
    kind: str
    namespaced: bool
    verbs: tuple[str, ...]
    singular_name: str = ""
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @property
    def is_subresource(self) -> bool:
        return "/" in self.name


class DiscoveryClient:
    """Server version, API groups and resources."""

    def __init__(self, rest: RESTClient) -> None:
        self.rest = rest

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
        groups: list[APIGroupInfo] = []
        core = self._get("api")
        core_versions = tuple(core.get("versions") or ())
        if core_versions:
            groups.append(APIGroupInfo("", core_versions, core_versions[0]))
        for g in self._get("apis").get("groups") or ():
            versions = tuple(v["groupVersion"] for v in g.get("versions") or ())
            preferred = (g.get("preferredVersion") or {}).get("groupVersion") or (
                versions[0] if versions else ""
            )
            groups.append(APIGroupInfo(g.get("name", ""), versions, preferred))
        return groups

    def server_resources_for_group_version(self, group_version: str) -> list[APIResourceInfo]:
        """Resources of ``"v1"`` or ``"apps/v1"`` (NotFound when the server does not serve it)."""
        path = (
            ("api", group_version)
            if "/" not in group_version
            else ("apis", *group_version.split("/", 1))
        )
        data = self._get(*path)
        gv = data.get("groupVersion") or group_version
        return [
            APIResourceInfo(
                name=r.get("name", ""),
                group_version=gv,
                kind=r.get("kind", ""),
                namespaced=bool(r.get("namespaced", False)),
                verbs=tuple(r.get("verbs") or ()),
                singular_name=r.get("singularName", "") or "",
                short_names=tuple(r.get("shortNames") or ()),
                categories=tuple(r.get("categories") or ()),
            )
            for r in data.get("resources") or ()
        ]

    def server_preferred_resources(self) -> list[APIResourceInfo]:
        """The resources (no subresources) of each group's preferred version."""
        found: list[APIResourceInfo] = []
        for group in self.server_groups():
            if not group.preferred_version:
                continue
            try:
                resources = self.server_resources_for_group_version(group.preferred_version)
            except NotFound:  # a group that disappeared between the two calls
                continue
            found.extend(r for r in resources if not r.is_subresource)
        return found
