"""RESTMapper: kinds <-> resources through discovery (client-go's restmapper).

    mapper = RESTMapper(CachedDiscoveryClient(DiscoveryClient(rest)))
    m = mapper.rest_mapping("Deployment", group="apps")   # preferred version when none is given
    m.resource, m.namespaced, m.api_version               # "deployments", True, "apps/v1"
    mapper.find("deploy")                                  # plural, singular, short name, Kind,
    mapper.find("deployments.apps")                        # or "<name>.<group>" like kubectl
    mapper.for_category("all")                             # every mapping in a category
    amapper = RESTMapper(CachedDiscoveryClient(DiscoveryClient(async_rest)))
    m = await amapper.rest_mapping("Deployment", group="apps")   # asyncio: the same, awaited

A name found in several groups resolves to the core group's resource when it has one (``Event``,
``events``), as kubectl's priority order does; otherwise it is ambiguous and
:class:`~kubeset.errors.AmbiguousMatchError` names every candidate.  An unknown name first
refreshes discovery once (a CRD created a moment ago is found), then raises
:class:`~kubeset.errors.NoMatchError` naming the closest names served.

The mapping decisions are pure (a :class:`~.types.ServerResources` in, mappings out); each
lookup is one procedure (:mod:`kubeset.steps`) asking discovery, run by a sync discovery or
awaited over an asyncio one (``RESTMapper[AsyncRequest]``: every lookup is awaited).
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, overload

from ..errors import AmbiguousMatchError, NoMatchError
from ..rest.aio import AsyncRequest
from ..rest.request import Request
from ..steps import Awaited, Steps, drive
from .types import (
    APIResourceInfo,
    AsyncDiscoveryInterface,
    DiscoveryInterface,
    R,
    ServerResources,
    split_group_version,
)

__all__ = ["RESTMapper", "RESTMapping"]


@dataclass(frozen=True, slots=True)
class RESTMapping:
    """One resource of one group version: its kind, plural, scope, verbs and subresources."""

    group: str
    version: str
    kind: str
    resource: str  # plural, e.g. "deployments"
    namespaced: bool
    verbs: tuple[str, ...] = ()
    singular: str = ""
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()  # "status", "scale", ...

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_resource(self) -> str:
        """``deployments.apps`` (``pods`` for the core group), as kubectl names it."""
        return f"{self.resource}.{self.group}" if self.group else self.resource


def _mappings(found: ServerResources) -> list[RESTMapping]:
    """One mapping per resource, in discovery order (groups, then their versions by priority)."""
    subs: dict[tuple[str, str], list[str]] = {}
    for r in found.resources:
        if r.is_subresource:
            parent, _, sub = r.name.partition("/")
            subs.setdefault((r.group_version, parent), []).append(sub)
    by_gv: dict[str, list[APIResourceInfo]] = {}
    for r in found.resources:
        if not r.is_subresource:
            by_gv.setdefault(r.group_version, []).append(r)
    out: list[RESTMapping] = []
    for group in found.groups:
        for gv in group.versions:
            g, v = split_group_version(gv)
            for r in by_gv.get(gv, ()):
                out.append(
                    RESTMapping(
                        group=g,
                        version=v,
                        kind=r.kind,
                        resource=r.name,
                        namespaced=r.namespaced,
                        verbs=r.verbs,
                        singular=r.singular_name or r.kind.lower(),
                        short_names=r.short_names,
                        categories=r.categories,
                        subresources=tuple(subs.get((gv, r.name), ())),
                    )
                )
    return out


class RESTMapper(Generic[R]):
    """Resolves kinds and resource names through a discovery client (cached or not); over
    an asyncio discovery (``RESTMapper[AsyncRequest]``) every lookup is awaited."""

    @overload
    def __init__(self: RESTMapper[Request], discovery: DiscoveryInterface) -> None: ...
    @overload
    def __init__(self: RESTMapper[AsyncRequest], discovery: AsyncDiscoveryInterface) -> None: ...
    def __init__(self, discovery: DiscoveryInterface | AsyncDiscoveryInterface) -> None:
        self.discovery = discovery
        self.is_async: bool = getattr(discovery, "is_async", False) is True
        self._lock = threading.Lock()
        self._source: ServerResources | None = None
        self._all: list[RESTMapping] = []
        self._preferred: dict[str, str] = {}  # group -> preferred version

    # -- state --------------------------------------------------------------------------
    def _load(self) -> Steps[list[RESTMapping]]:
        found = yield self.discovery.server_groups_and_resources()
        with self._lock:
            if found is not self._source:
                self._source = found
                self._all = _mappings(found)
                self._preferred = {
                    g.name: split_group_version(g.preferred_version)[1] for g in found.groups
                }
            return self._all

    def _drive(self, steps: Steps[Any]) -> Any:
        return drive(self.is_async, steps)

    def reset(self) -> None:
        """Forget what discovery said (the next lookup asks it again)."""
        self.discovery.invalidate()

    @overload
    def mappings(self: RESTMapper[Request]) -> list[RESTMapping]: ...
    @overload
    def mappings(self: RESTMapper[AsyncRequest]) -> Awaited[list[RESTMapping]]: ...
    def mappings(self) -> Any:
        """Every resource of every group version served."""
        return self._drive(self._mappings_steps())

    def _mappings_steps(self) -> Steps[list[RESTMapping]]:
        return list((yield from self._load()))

    def _lookup(
        self, what: str, name: str, select: Callable[[list[RESTMapping]], list[RESTMapping]]
    ) -> Steps[RESTMapping]:
        """The one mapping ``select`` picks, after one discovery refresh on a miss."""
        found = select((yield from self._load()))
        if not found:
            self.reset()
            found = select((yield from self._load()))
        if not found:
            close = self._close(name)
            hint = f" (did you mean: {', '.join(close)}?)" if close else ""
            raise NoMatchError(f"the server does not serve {what}{hint}", candidates=close)
        return self._one(what, found)

    def _one(self, what: str, found: list[RESTMapping]) -> RESTMapping:
        groups = list(dict.fromkeys(m.group for m in found))
        if len(groups) > 1:
            if "" in groups:  # the core group wins (kubectl's priority order)
                groups = [""]
            else:
                names = tuple(f"{m.kind} {m.group_resource} ({m.api_version})" for m in found)
                raise AmbiguousMatchError(
                    f"{what} matches several resources: {', '.join(names)};"
                    " give the group (e.g. 'resource.group' or group=...)",
                    candidates=names,
                )
        in_group = [m for m in found if m.group == groups[0]]
        preferred = self._preferred.get(groups[0])
        for m in in_group:
            if m.version == preferred:
                return m
        return in_group[0]  # discovery lists versions by priority

    def _close(self, name: str) -> tuple[str, ...]:
        names = {n for m in self._all for n in (m.kind, m.resource, m.singular, *m.short_names)}
        return tuple(difflib.get_close_matches(name, sorted(names), n=5, cutoff=0.6))

    # -- the procedures of the lookups --------------------------------------------------
    def rest_mapping_steps(
        self, kind: str, *, group: str | None = None, version: str | None = None
    ) -> Steps[RESTMapping]:
        """:meth:`rest_mapping` as a procedure (to ``yield from`` in another one)."""

        def select(all_: list[RESTMapping]) -> list[RESTMapping]:
            found = _filter(all_, group, version, lambda m: m.kind == kind)
            return found or _filter(all_, group, version, lambda m: m.kind.lower() == kind.lower())

        return (yield from self._lookup(_describe("kind", kind, group, version), kind, select))

    def rest_mapping_for_steps(self, api_version: str, kind: str) -> Steps[RESTMapping]:
        """:meth:`rest_mapping_for` as a procedure."""
        group, version = split_group_version(api_version)
        return (yield from self.rest_mapping_steps(kind, group=group, version=version))

    def _rest_mappings_steps(self, kind: str, group: str | None) -> Steps[list[RESTMapping]]:
        found = _filter((yield from self._load()), group, None, lambda m: m.kind == kind)
        found.sort(key=lambda m: m.version != self._preferred.get(m.group))
        return found

    def find_steps(
        self, name: str, *, group: str | None = None, version: str | None = None
    ) -> Steps[RESTMapping]:
        """:meth:`find` as a procedure."""
        if group is None and "." in name:
            name, _, group = name.partition(".")
        lower = name.lower()

        def select(all_: list[RESTMapping]) -> list[RESTMapping]:
            for match in (
                lambda m: m.resource == lower,
                lambda m: m.singular == lower,
                lambda m: lower in m.short_names,
                lambda m: m.kind.lower() == lower,
            ):
                found = _filter(all_, group, version, match)
                if found:
                    return found
            return []

        return (yield from self._lookup(_describe("resource", name, group, version), name, select))

    def _for_category_steps(self, category: str) -> Steps[list[RESTMapping]]:
        seen: dict[tuple[str, str], RESTMapping] = {}
        for m in (yield from self._load()):
            if category in m.categories:
                key = (m.group, m.resource)
                if key not in seen or m.version == self._preferred.get(m.group):
                    seen[key] = m
        return list(seen.values())

    # -- lookups ------------------------------------------------------------------------
    @overload
    def rest_mapping(
        self: RESTMapper[Request], kind: str, *, group: str | None = ..., version: str | None = ...
    ) -> RESTMapping: ...
    @overload
    def rest_mapping(
        self: RESTMapper[AsyncRequest],
        kind: str,
        *,
        group: str | None = ...,
        version: str | None = ...,
    ) -> Awaited[RESTMapping]: ...
    def rest_mapping(
        self, kind: str, *, group: str | None = None, version: str | None = None
    ) -> Any:
        """The resource of ``kind`` (in ``group``; the group's preferred version unless
        ``version`` is given, else the first version serving it)."""
        return self._drive(self.rest_mapping_steps(kind, group=group, version=version))

    @overload
    def rest_mapping_for(self: RESTMapper[Request], api_version: str, kind: str) -> RESTMapping: ...
    @overload
    def rest_mapping_for(
        self: RESTMapper[AsyncRequest], api_version: str, kind: str
    ) -> Awaited[RESTMapping]: ...
    def rest_mapping_for(self, api_version: str, kind: str) -> Any:
        """The resource of a manifest's ``apiVersion`` and ``kind`` (exact version)."""
        return self._drive(self.rest_mapping_for_steps(api_version, kind))

    @overload
    def rest_mappings(
        self: RESTMapper[Request], kind: str, *, group: str | None = ...
    ) -> list[RESTMapping]: ...
    @overload
    def rest_mappings(
        self: RESTMapper[AsyncRequest], kind: str, *, group: str | None = ...
    ) -> Awaited[list[RESTMapping]]: ...
    def rest_mappings(self, kind: str, *, group: str | None = None) -> Any:
        """Every version serving ``kind`` (preferred first); empty when none does."""
        return self._drive(self._rest_mappings_steps(kind, group))

    @overload
    def find(
        self: RESTMapper[Request], name: str, *, group: str | None = ..., version: str | None = ...
    ) -> RESTMapping: ...
    @overload
    def find(
        self: RESTMapper[AsyncRequest],
        name: str,
        *,
        group: str | None = ...,
        version: str | None = ...,
    ) -> Awaited[RESTMapping]: ...
    def find(self, name: str, *, group: str | None = None, version: str | None = None) -> Any:
        """A user-given resource name: plural, singular, short name or Kind, optionally
        ``name.group`` (``deployments.apps``, ``deploy.apps``) as on kubectl's command line."""
        return self._drive(self.find_steps(name, group=group, version=version))

    @overload
    def kind_for(self: RESTMapper[Request], resource: str, *, group: str | None = ...) -> str: ...
    @overload
    def kind_for(
        self: RESTMapper[AsyncRequest], resource: str, *, group: str | None = ...
    ) -> Awaited[str]: ...
    def kind_for(self, resource: str, *, group: str | None = None) -> Any:
        """The kind of a resource name (plural, singular or short name)."""
        return self._drive(_field(self.find_steps(resource, group=group), "kind"))

    @overload
    def resource_for(self: RESTMapper[Request], kind: str, *, group: str | None = ...) -> str: ...
    @overload
    def resource_for(
        self: RESTMapper[AsyncRequest], kind: str, *, group: str | None = ...
    ) -> Awaited[str]: ...
    def resource_for(self, kind: str, *, group: str | None = None) -> Any:
        """The plural of a kind."""
        return self._drive(_field(self.rest_mapping_steps(kind, group=group), "resource"))

    @overload
    def for_category(self: RESTMapper[Request], category: str) -> list[RESTMapping]: ...
    @overload
    def for_category(
        self: RESTMapper[AsyncRequest], category: str
    ) -> Awaited[list[RESTMapping]]: ...
    def for_category(self, category: str) -> Any:
        """The preferred-version mapping of each resource in ``category`` (``"all"``)."""
        return self._drive(self._for_category_steps(category))

    def __repr__(self) -> str:
        return f"<RESTMapper {len(self._all)} mappings>"


def _field(lookup: Steps[RESTMapping], name: str) -> Steps[str]:
    mapping = yield from lookup
    return str(getattr(mapping, name))


def _filter(
    all_: Iterable[RESTMapping],
    group: str | None,
    version: str | None,
    match: Callable[[RESTMapping], bool],
) -> list[RESTMapping]:
    return [
        m
        for m in all_
        if (group is None or m.group == group)
        and (version is None or m.version == version)
        and match(m)
    ]


def _describe(what: str, name: str, group: str | None, version: str | None) -> str:
    where = []
    if group is not None:
        where.append(f"group {group!r}" if group else "the core group")
    if version is not None:
        where.append(f"version {version!r}")
    return f"{what} {name!r}" + (f" in {' '.join(where)}" if where else "")
