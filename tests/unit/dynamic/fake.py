"""A fake discovery server for MockTransport: aggregated or legacy documents, broken versions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from kubeset.rest import RESTClient
from kubeset.rest.aio import AsyncRESTClient
from kubeset.transport import HTTPRequest, MockTransport, Response

AGG_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


@dataclass
class Res:
    name: str
    kind: str
    namespaced: bool = True
    short: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subs: tuple[str, ...] = ()


@dataclass
class FakeDiscovery:
    """groups: {group: {version: [Res]}} (first version preferred); ``broken`` versions 503."""

    groups: dict[str, dict[str, list[Res]]]
    aggregated: bool = True
    broken: set[str] = field(default_factory=set)
    refuse_aggregated: bool = False  # answer 406 to the aggregated Accept header (a proxy)
    paths: list[str] = field(default_factory=list)

    def rest(self) -> RESTClient:
        return RESTClient(MockTransport(self.handle), host="https://k8s.test:6443", max_retries=0)

    def async_rest(self) -> AsyncRESTClient:
        """The same server for an asyncio client (MockTransport answers both)."""
        return AsyncRESTClient(
            MockTransport(self.handle), host="https://k8s.test:6443", max_retries=0
        )

    def handle(self, request: HTTPRequest) -> Response:
        path = request.url.split("6443", 1)[1].lstrip("/")
        self.paths.append(path)
        wants_agg = "as=APIGroupDiscoveryList" in request.headers.get("Accept", "")
        if wants_agg and self.refuse_aggregated:
            return _json({"kind": "Status", "code": 406, "reason": "NotAcceptable"}, code=406)
        if path in ("api", "apis") and wants_agg and self.aggregated:
            return _json(self._aggregated(path == "api"), AGG_TYPE)
        if path == "api":
            return _json({"kind": "APIVersions", "versions": list(self.groups.get("", {}))})
        if path == "apis":
            return _json(
                {
                    "kind": "APIGroupList",
                    "groups": [self._legacy_group(g) for g in self.groups if g],
                }
            )
        parts = path.split("/")
        group, version = ("", parts[1]) if parts[0] == "api" else (parts[1], parts[2])
        gv = f"{group}/{version}" if group else version
        if gv in self.broken:
            return _json(
                {
                    "kind": "Status",
                    "code": 503,
                    "reason": "ServiceUnavailable",
                    "message": "no endpoints",
                },
                code=503,
            )
        if version not in self.groups.get(group, {}):
            return _json({"kind": "Status", "code": 404, "reason": "NotFound"}, code=404)
        return _json(
            {
                "kind": "APIResourceList",
                "groupVersion": gv,
                "resources": [
                    item for r in self.groups[group][version] for item in _legacy_resource(r, gv)
                ],
            }
        )

    def _legacy_group(self, g: str) -> dict[str, Any]:
        versions = [{"groupVersion": f"{g}/{v}", "version": v} for v in self.groups[g]]
        return {"name": g, "versions": versions, "preferredVersion": versions[0]}

    def _aggregated(self, core: bool) -> dict[str, Any]:
        items = []
        for g, versions in self.groups.items():
            if (g == "") != core:
                continue
            vs = []
            for v, resources in versions.items():
                gv = f"{g}/{v}" if g else v
                if gv in self.broken:
                    vs.append({"version": v, "freshness": "Stale"})
                    continue
                vs.append(
                    {
                        "version": v,
                        "freshness": "Current",
                        "resources": [_agg_resource(r, g, v) for r in resources],
                    }
                )
            items.append({"metadata": {"name": g} if g else {}, "versions": vs})
        return {
            "apiVersion": "apidiscovery.k8s.io/v2",
            "kind": "APIGroupDiscoveryList",
            "metadata": {},
            "items": items,
        }


def _json(data: Any, content_type: str = "application/json", code: int = 200) -> Response:
    return Response(code, {"Content-Type": content_type}, json.dumps(data).encode())


def _legacy_resource(r: Res, gv: str) -> list[dict[str, Any]]:
    main: dict[str, Any] = {
        "name": r.name,
        "singularName": r.kind.lower(),
        "namespaced": r.namespaced,
        "kind": r.kind,
        "verbs": ["get", "list", "watch", "create", "patch"],
    }
    if r.short:
        main["shortNames"] = list(r.short)
    if r.categories:
        main["categories"] = list(r.categories)
    out = [main]
    for s in r.subs:
        sub: dict[str, Any] = {
            "name": f"{r.name}/{s}",
            "singularName": "",
            "namespaced": r.namespaced,
            "kind": r.kind,
            "verbs": ["get", "patch", "update"],
        }
        if s == "scale":
            sub.update(kind="Scale", group="autoscaling", version="v1")
        out.append(sub)
    return out


def _agg_resource(r: Res, g: str, v: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resource": r.name,
        "singularResource": r.kind.lower(),
        "scope": "Namespaced" if r.namespaced else "Cluster",
        "responseKind": {"group": g, "version": v, "kind": r.kind},
        "verbs": ["get", "list", "watch", "create", "patch"],
    }
    if r.short:
        out["shortNames"] = list(r.short)
    if r.categories:
        out["categories"] = list(r.categories)
    subs = []
    for s in r.subs:
        kind = (
            {"group": "autoscaling", "version": "v1", "kind": "Scale"}
            if s == "scale"
            else {"group": g, "version": v, "kind": r.kind}
        )
        subs.append({"subresource": s, "responseKind": kind, "verbs": ["get", "patch", "update"]})
    if subs:
        out["subresources"] = subs
    return out


def standard() -> dict[str, dict[str, list[Res]]]:
    return {
        "": {
            "v1": [
                Res("pods", "Pod", short=("po",), categories=("all",), subs=("status", "log")),
                Res("namespaces", "Namespace", namespaced=False, short=("ns",)),
                Res("events", "Event", short=("ev",)),
            ]
        },
        "apps": {
            "v1": [
                Res(
                    "deployments",
                    "Deployment",
                    short=("deploy",),
                    categories=("all",),
                    subs=("status", "scale"),
                )
            ]
        },
        "events.k8s.io": {"v1": [Res("events", "Event", short=("ev",))]},
        "a.example.com": {
            "v2": [Res("widgets", "Widget", short=("wd",))],
            "v1": [Res("widgets", "Widget", short=("wd",))],
        },
        "b.example.com": {"v1": [Res("widgets", "Widget", short=("wd",))]},
    }
