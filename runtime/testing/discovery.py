"""The fake cluster's discovery documents, as kube-apiserver writes them (data in, dicts out).

    docs = Discovery(ResourceTable.builtin())
    docs.answer("/apis/apps/v1", aggregated=False)     # APIResourceList: shortNames, categories ...
    docs.answer("/apis", aggregated=True)              # apidiscovery.k8s.io/v2 APIGroupDiscoveryList
    facts(kind).short_names                            # ("deploy",)

What the OpenAPI spec lacks (short names, categories, singular names, verbs, storage version
hashes, subresources and their kinds, group order and preferred versions) comes for built-in
resources from :mod:`.discovery_data`, recorded from the e2e kube-apiserver; a resource of the
generated package the server does not serve by default gets the same shape from its descriptor.
A CRD's resources take theirs from the CRD's ``names`` and versions, as apiextensions does.
No I/O: :class:`~kubeset.testing.transport.FakeTransport` sends what :meth:`Discovery.answer`
returns.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .discovery_data import BUILTIN, GROUPS, PREFERRED
from .resources import Kind, ResourceTable
from .status import failure

__all__ = [
    "AGGREGATED_CONTENT_TYPE",
    "Discovery",
    "Facts",
    "Subresource",
    "facts",
    "storage_version_hash",
    "version_priority",
]

AGGREGATED_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
_CRUD = (
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "create",
    "update",
    "watch",
)  # the order apiextensions lists them
_VERSION = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


@dataclass(frozen=True, slots=True)
class Subresource:
    name: str  # "status", "scale", "log"
    kind: str
    group: str  # the kind's group and version ("autoscaling", "v1" for scale)
    version: str
    verbs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Facts:
    """What discovery says about one resource beyond group, version, kind and scope."""

    singular: str
    short_names: tuple[str, ...]
    categories: tuple[str, ...]
    verbs: tuple[str, ...]
    storage_version_hash: str
    subresources: tuple[Subresource, ...]

    def names(self) -> dict[str, list[str]]:
        """``shortNames`` and ``categories`` as both documents write them (left out when none)."""
        found = {"shortNames": list(self.short_names), "categories": list(self.categories)}
        return {k: v for k, v in found.items() if v}


def storage_version_hash(group: str, version: str, kind: str) -> str:
    """kube-apiserver's opaque storage version hash: the first 8 bytes of the SHA-256 of
    ``group/version/kind`` (of the storage version), base64."""
    digest = hashlib.sha256(f"{group}/{version}/{kind}".encode()).digest()
    return base64.b64encode(digest[:8]).decode()


def version_priority(version: str) -> tuple[int, int, int, str]:
    """A sort key putting versions in Kubernetes' order (GA, then beta, then alpha; higher
    numbers first; other names last, alphabetically)."""
    m = _VERSION.match(version)
    if m is None:
        return (3, 0, 0, version)
    stability = {None: 0, "beta": 1, "alpha": 2}[m.group(2)]
    return (stability, -int(m.group(1)), -int(m.group(3) or 0), "")


def facts(kind: Kind) -> Facts:
    """Discovery's facts of ``kind``: recorded, from its CRD, or from its descriptor."""
    i = kind.info
    key = f"{i.api_version}/{i.plural}"
    recorded = None if kind.crd else BUILTIN.get(key)
    if recorded is not None:
        return Facts(
            singular=recorded["singularName"],
            short_names=tuple(recorded["shortNames"]),
            categories=tuple(recorded["categories"]),
            verbs=tuple(recorded["verbs"]),
            storage_version_hash=recorded["storageVersionHash"],
            subresources=tuple(
                Subresource(name, s["kind"], s["group"], s["version"], tuple(s["verbs"]))
                for name, s in sorted(recorded["subresources"].items())
            ),
        )
    names = kind.crd_names or {}
    subresources = [
        Subresource("scale", "Scale", "autoscaling", "v1", ("get", "patch", "update"))
        if sub == "scale"
        else Subresource(sub, i.kind, i.group, i.version, ("get", "patch", "update"))
        for sub in sorted(i.subresources)
    ]
    return Facts(
        singular=names.get("singular") or i.kind.lower(),
        short_names=tuple(names.get("shortNames") or ()),
        categories=tuple(names.get("categories") or ()),
        verbs=_CRUD if kind.crd else tuple(sorted(i.verbs - {"apply"})),
        storage_version_hash=storage_version_hash(
            i.group, kind.storage_version or i.version, i.kind
        ),
        subresources=tuple(subresources),
    )


class Discovery:
    """The discovery documents of a :class:`ResourceTable` (read at each call: CRDs change it)."""

    def __init__(self, table: ResourceTable) -> None:
        self.table = table

    def answer(self, path: str, *, aggregated: bool) -> tuple[dict[str, Any], str] | None:
        """(document, Content-Type) for a discovery path; None for any other path."""
        if path == "/version":
            return _VERSION_DOC, "application/json"
        if path in ("/api", "/apis"):
            core = path == "/api"
            if aggregated:
                return self._aggregated(core), AGGREGATED_CONTENT_TYPE
            return (self._core() if core else self._groups()), "application/json"
        parts = path.strip("/").split("/")
        if parts[0] == "api" and len(parts) == 2:
            return self._resource_list("", parts[1]), "application/json"
        if parts[0] == "apis" and len(parts) == 3:
            return self._resource_list(parts[1], parts[2]), "application/json"
        if parts[0] == "apis" and len(parts) == 2:
            for group in self._group_list():
                if group["name"] == parts[1]:
                    return {"kind": "APIGroup", "apiVersion": "v1", **group}, "application/json"
            raise failure(404, "NotFound", "the server could not find the requested resource")
        return None

    # ---------------------------------------------------------------- the table, ordered

    def _versions(self) -> dict[str, list[str]]:
        """group -> served versions, preferred first, then in Kubernetes' version order;
        groups in the server's order (unknown ones, such as CRDs' groups, after it by name)."""
        found: dict[str, set[str]] = {}
        for kind in self.table.kinds.values():
            found.setdefault(kind.info.group, set()).add(kind.info.version)
        order = {g: n for n, g in enumerate(GROUPS)}
        out: dict[str, list[str]] = {}
        for group in sorted(found, key=lambda g: (g != "", order.get(g, len(order)), g)):
            versions = sorted(found[group], key=version_priority)
            preferred = PREFERRED.get(group)
            if preferred in versions:
                versions.remove(preferred)
                versions.insert(0, preferred)
            out[group] = versions
        return out

    def _kinds(self, group: str, version: str) -> list[Kind]:
        kinds = [
            k
            for k in self.table.kinds.values()
            if (k.info.group, k.info.version) == (group, version)
        ]
        return sorted(kinds, key=lambda k: k.info.plural)

    # ---------------------------------------------------------------- legacy documents

    def _core(self) -> dict[str, Any]:
        versions = self._versions().get("", [])
        return {"kind": "APIVersions", "versions": versions, "serverAddressByClientCIDRs": []}

    def _group_list(self) -> list[dict[str, Any]]:
        return [
            {
                "name": g,
                "versions": [{"groupVersion": f"{g}/{v}", "version": v} for v in vs],
                "preferredVersion": {"groupVersion": f"{g}/{vs[0]}", "version": vs[0]},
            }
            for g, vs in self._versions().items()
            if g
        ]

    def _groups(self) -> dict[str, Any]:
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": self._group_list()}

    def _resource_list(self, group: str, version: str) -> dict[str, Any]:
        kinds = self._kinds(group, version)
        if not kinds:
            raise failure(404, "NotFound", "the server could not find the requested resource")
        resources: list[dict[str, Any]] = []
        for kind in kinds:
            f = facts(kind)
            entry: dict[str, Any] = {
                "name": kind.info.plural,
                "singularName": f.singular,
                "namespaced": kind.info.namespaced,
                "kind": kind.info.kind,
                "verbs": list(f.verbs),
                **f.names(),
            }
            if f.storage_version_hash:
                entry["storageVersionHash"] = f.storage_version_hash
            resources.append(entry)
            for sub in f.subresources:
                doc: dict[str, Any] = {
                    "name": f"{kind.info.plural}/{sub.name}",
                    "singularName": "",
                    "namespaced": kind.info.namespaced,
                }
                if (sub.group, sub.version) != (group, version):
                    doc["group"], doc["version"] = sub.group, sub.version
                resources.append({**doc, "kind": sub.kind, "verbs": list(sub.verbs)})
        gv = f"{group}/{version}" if group else version
        return {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": gv,
            "resources": resources,
        }

    # ---------------------------------------------------------------- aggregated (v2)

    def _aggregated(self, core: bool) -> dict[str, Any]:
        items = [
            {
                "metadata": {"name": group} if group else {},
                "versions": [
                    {
                        "version": v,
                        "resources": list(self._aggregated_resources(group, v)),
                        "freshness": "Current",
                    }
                    for v in versions
                ],
            }
            for group, versions in self._versions().items()
            if (group == "") == core
        ]
        return {
            "kind": "APIGroupDiscoveryList",
            "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": {},
            "items": items,
        }

    def _aggregated_resources(self, group: str, version: str) -> Iterable[dict[str, Any]]:
        for kind in self._kinds(group, version):
            f = facts(kind)
            entry: dict[str, Any] = {
                "resource": kind.info.plural,
                "responseKind": {"group": group, "version": version, "kind": kind.info.kind},
                "scope": "Namespaced" if kind.info.namespaced else "Cluster",
                "singularResource": f.singular,
                "verbs": list(f.verbs),
                **f.names(),
            }
            if f.subresources:
                entry["subresources"] = [
                    {
                        "subresource": s.name,
                        "responseKind": {"group": s.group, "version": s.version, "kind": s.kind},
                        "verbs": list(s.verbs),
                    }
                    for s in f.subresources
                ]
            yield entry


_VERSION_DOC = {
    "major": "1",
    "minor": "36",
    "gitVersion": "v1.36.0-kubeset-fake",
    "platform": "python",
}
