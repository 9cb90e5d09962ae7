"""The fake cluster's discovery, resource by resource, against the real kube-apiserver's.

Every group version the server serves: the same resources and subresources with the same kind,
scope, singular name, short names, categories, verbs (in the server's order) and storage version
hash; the same groups in the same order with the same preferred versions; the aggregated
documents saying the same.  A CRD with short names, categories and two versions: the same
entries, its storage version hash included.  The fake serves, besides, the alpha and beta
versions of the generated package that the server leaves off by default.

A failure here after moving the e2e server to another release: ``make record-discovery``.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import kubeset
import pytest
from kube_apiserver import ApiServer
from kubeset import errors
from kubeset.discovery import DiscoveryClient
from kubeset.kubernetes import Clientset
from kubeset.rest import RESTClient
from kubeset.testing import FakeTransport

pytestmark = pytest.mark.e2e

_OFF_BY_DEFAULT = re.compile(r"^v\d+(alpha|beta)\d+$")
# the groups of a fresh fake (the built-in ones, recorded from the server: make record-discovery)
BUILTIN_GROUPS = {
    g["name"] for g in FakeTransport().rest_client().get().abs_path("/apis").do().json()["groups"]
}


@pytest.fixture(scope="module")
def real(apiserver: ApiServer) -> Iterator[RESTClient]:
    with RESTClient(kubeset.load_kubeconfig(apiserver.kubeconfig)) as rest:
        yield rest


def _get(rest: RESTClient, path: str) -> Any:
    return rest.get().abs_path(path).do().json()


def _builtin(group: str) -> bool:
    """A group kube-apiserver serves itself (not one a CRD of another test in this session's
    server added: those come and go while this test runs)."""
    return group == "" or group in BUILTIN_GROUPS


def _group_versions(rest: RESTClient) -> list[tuple[str, str]]:
    core = [("", f"/api/{v}") for v in _get(rest, "/api")["versions"]]
    return core + [
        (g["name"], f"/apis/{v['groupVersion']}")
        for g in _get(rest, "/apis")["groups"]
        if _builtin(g["name"])
        for v in g["versions"]
    ]


def _entries(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """name -> the entry, with storageVersionHash as is and absent keys made explicit."""
    keys = ("singularName", "namespaced", "kind", "verbs", "shortNames", "categories", "group")
    out = {}
    for r in doc["resources"]:
        entry = {k: r.get(k) for k in keys}
        entry["version"] = r.get("version")
        entry["storageVersionHash"] = r.get("storageVersionHash")
        out[r["name"]] = entry
    return out


def test_every_served_resource_is_described_alike(real: RESTClient) -> None:
    fake = FakeTransport().rest_client()
    real_gvs = _group_versions(real)
    compared = 0
    for _, path in real_gvs:
        want, got = _entries(_get(real, path)), _entries(_get(fake, path))
        assert set(got) == set(want), path
        for name, entry in want.items():
            assert got[name] == entry, f"{path} {name}"
            compared += 1
    assert compared > 100  # resources and subresources
    extra = {p for _, p in _group_versions(fake)} - {p for _, p in real_gvs}
    assert all(_OFF_BY_DEFAULT.match(p.rsplit("/", 1)[1]) for p in extra), sorted(extra)


def test_groups_order_and_preferred_versions(real: RESTClient) -> None:
    fake = FakeTransport().rest_client()
    want = [
        (g["name"], g["preferredVersion"])
        for g in _get(real, "/apis")["groups"]
        if _builtin(g["name"])
    ]
    got = [(g["name"], g["preferredVersion"]) for g in _get(fake, "/apis")["groups"]]
    assert [g for g in got if g in want] == want  # extra groups (alpha only) come after
    assert _get(fake, "/api")["versions"] == _get(real, "/api")["versions"]


def _facts(rest: RESTClient, *, aggregated: bool, groups: set[str] | None = None) -> set[Any]:
    found = DiscoveryClient(rest, aggregated=aggregated).server_groups_and_resources()
    return {
        (r.group_version, r.name, r.kind, r.namespaced, r.verbs, r.singular_name)
        + (r.short_names, r.categories, r.kind_group_version)
        for r in found.resources
        if groups is None or r.group in groups
    }


def test_aggregated_discovery_says_the_same(real: RESTClient) -> None:
    fake = FakeTransport().rest_client()
    want = {f for f in _facts(real, aggregated=True) if _builtin(f[0].rpartition("/")[0])}
    got = _facts(fake, aggregated=True)
    served = {f[0] for f in want}
    assert {f for f in got if f[0] in served} == want
    assert _facts(fake, aggregated=False) == got


@pytest.fixture
def crd(apiserver: ApiServer) -> Iterator[tuple[dict[str, Any], Clientset]]:
    group = f"f{uuid.uuid4().hex[:6]}.kubeset.io"
    schema = {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}
    manifest: dict[str, Any] = {
        "metadata": {"name": f"sprockets.{group}"},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {
                "plural": "sprockets",
                "singular": "sprocket",
                "kind": "Sprocket",
                "listKind": "SprocketList",
                "shortNames": ["spr", "sp"],
                "categories": ["all", "kubeset"],
            },
            "versions": [
                {"name": "v1alpha1", "served": True, "storage": False, "schema": schema},
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": schema,
                    "subresources": {
                        "status": {},
                        "scale": {
                            "specReplicasPath": ".spec.replicas",
                            "statusReplicasPath": ".status.replicas",
                        },
                    },
                },
            ],
        },
    }
    with Clientset(kubeset.load_kubeconfig(apiserver.kubeconfig)) as cs:
        cs.apiextensions_v1.custom_resource_definitions().create(manifest)
        try:
            yield manifest, cs
        finally:
            cs.apiextensions_v1.custom_resource_definitions().delete(manifest["metadata"]["name"])


def test_a_crd_is_described_alike(crd: tuple[dict[str, Any], Clientset]) -> None:
    manifest, cs = crd
    group = manifest["spec"]["group"]
    fake = FakeTransport()
    fake.clientset().apiextensions_v1.custom_resource_definitions().create(manifest)
    for version in ("v1", "v1alpha1"):
        path = f"/apis/{group}/{version}"
        want = _wait_for(cs.rest, path)
        assert _entries(_get(fake.rest_client(), path)) == _entries(want), path
    for aggregated in (True, False):
        got = _facts(fake.rest_client(), aggregated=aggregated, groups={group})
        deadline = time.monotonic() + 30  # aggregated discovery follows a new CRD shortly
        while (want := _facts(cs.rest, aggregated=aggregated, groups={group})) != got:
            assert time.monotonic() < deadline, (aggregated, want ^ got)
            time.sleep(0.2)


def _wait_for(rest: RESTClient, path: str) -> Any:
    """A new CRD's group version appears in discovery within seconds."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return _get(rest, path)
        except errors.NotFound:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
