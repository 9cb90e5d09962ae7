"""The dynamic client against the real kube-apiserver.

CRUD, every patch type, server-side apply, watch and the status / scale subresources on a CRD
from ../shared/crds (HTTPRoute), a namespaced built-in (ConfigMap, Deployment) and a
cluster-scoped one (ClusterRole); lossless objects; typed <-> dynamic conversion.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubeset
import pytest
import yaml
from kube_apiserver import ApiServer
from kubeset import errors
from kubeset.dynamic import (
    DynamicClient,
    DynamicResourceClient,
    Unstructured,
    UnstructuredList,
    from_unstructured,
    to_unstructured,
)
from kubeset.rest import PatchType

pytestmark = pytest.mark.e2e
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
HTTPROUTE_CRD = SHARED / "crds" / "gateway-api__httproutes.gateway.networking.k8s.io.yaml"
FM = "kubeset-e2e"


def wait_group_gone(dyn: DynamicClient, group: str) -> None:
    """Other tests check the exact list of API groups: wait until discovery forgets ``group``."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        dyn.discovery.invalidate()
        if not any(g.name == group for g in dyn.discovery.server_groups_and_resources().groups):
            return
        time.sleep(0.2)


@pytest.fixture(scope="module")
def dyn(apiserver: ApiServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DynamicClient]:
    cache = tmp_path_factory.mktemp("discovery-cache")
    with DynamicClient(kubeset.load_kubeconfig(apiserver.kubeconfig), cache_dir=str(cache)) as d:
        yield d


@pytest.fixture(scope="module")
def ns(dyn: DynamicClient) -> Iterator[str]:
    name = f"dyn-e2e-{uuid.uuid4().hex[:6]}"
    namespaces = dyn.resource("", "v1", "namespaces")
    namespaces.create({"metadata": {"name": name}})
    yield name
    namespaces.delete(name)


@pytest.fixture(scope="module")
def httproutes(dyn: DynamicClient, ns: str) -> Iterator[DynamicResourceClient]:
    crd = yaml.safe_load(HTTPROUTE_CRD.read_text())
    crds = dyn.resource("apiextensions.k8s.io", "v1", "customresourcedefinitions")
    name = crd["metadata"]["name"]
    existed = True
    try:
        crds.get(name)
    except errors.NotFound:
        existed = False
        crds.apply(crd, field_manager=FM)
    deadline = time.monotonic() + 30
    while not any(
        c.get("type") == "Established" and c.get("status") == "True"
        for c in crds.get(name).get_path("status", "conditions") or []
    ):
        assert time.monotonic() < deadline, "HTTPRoute CRD not established"
        time.sleep(0.2)
    # the CRD is new: the mapper's miss refreshes discovery by itself
    yield dyn.for_kind("gateway.networking.k8s.io/v1", "HTTPRoute", ns)
    if not existed:
        crds.delete(name)
        wait_group_gone(dyn, "gateway.networking.k8s.io")


def route(name: str, host: str = "a.example.com") -> dict[str, Any]:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": name, "labels": {"app": "dyn"}},
        "spec": {
            "hostnames": [host],
            "parentRefs": [{"name": "gw"}],
            "rules": [{"backendRefs": [{"name": "svc", "port": 8080}]}],
        },
    }


def test_crd_crud_every_patch_type_apply_and_status(
    httproutes: DynamicResourceClient, ns: str
) -> None:
    assert (
        repr(httproutes)
        == f"<DynamicResourceClient gateway.networking.k8s.io/v1/httproutes namespace={ns!r}>"
    )
    created = httproutes.create(route("r1"))
    assert isinstance(created, Unstructured)
    assert (created.name, created.namespace, created.kind) == ("r1", ns, "HTTPRoute")
    assert created.labels == {"app": "dyn"} and created.resource_version
    got = httproutes.get("r1")
    assert got.get_path("spec", "rules", 0, "backendRefs", 0, "port") == 8080
    # update (PUT) with the object read back
    got.object["spec"]["hostnames"] = ["b.example.com"]
    updated = httproutes.update(got)
    assert updated.get_path("spec", "hostnames") == ["b.example.com"]
    with pytest.raises(errors.Conflict):
        httproutes.update(got)  # stale resourceVersion
    # merge patch, JSON patch, server-side apply; strategic merge is refused for custom resources
    merged = httproutes.patch("r1", {"metadata": {"annotations": {"k": "v"}}})
    assert merged.annotations == {"k": "v"}
    jsoned = httproutes.patch(
        "r1", [{"op": "replace", "path": "/spec/hostnames/0", "value": "c.example.com"}]
    )
    assert jsoned.get_path("spec", "hostnames") == ["c.example.com"]
    with pytest.raises(errors.UnsupportedMediaType):
        httproutes.patch("r1", {"spec": {}}, patch_type=PatchType.STRATEGIC_MERGE)
    applied = httproutes.apply(route("r1", "d.example.com"), field_manager=FM, force=True)
    assert applied.get_path("spec", "hostnames") == ["d.example.com"]
    assert any(m["manager"] == FM for m in applied.object["metadata"]["managedFields"])
    # the status subresource: only status changes
    status = {
        "parents": [
            {
                "parentRef": {"name": "gw"},
                "controllerName": "example.com/ctrl",
                "conditions": [
                    {
                        "type": "Accepted",
                        "status": "True",
                        "reason": "Accepted",
                        "message": "ok",
                        "lastTransitionTime": "2026-01-01T00:00:00Z",
                        "observedGeneration": 1,
                    }
                ],
            }
        ]
    }
    current = httproutes.get("r1")
    current.object["status"] = status
    current.object["spec"]["hostnames"] = ["ignored.example.com"]
    after = httproutes.update_status(current)
    assert after.get_path("status", "parents", 0, "controllerName") == "example.com/ctrl"
    assert after.get_path("spec", "hostnames") == ["d.example.com"]
    patched = httproutes.patch_status("r1", {"status": {"parents": []}})
    assert patched.get_path("status", "parents") == []
    assert httproutes.get_subresource("r1", "status").name == "r1"
    # list, delete
    listed = httproutes.list(label_selector="app=dyn")
    assert isinstance(listed, UnstructuredList) and [i.name for i in listed] == ["r1"]
    gone = httproutes.delete("r1")
    assert gone is None or gone.name == "r1"
    with pytest.raises(errors.NotFound):
        httproutes.get("r1")


def test_watch_gives_unstructured_events_and_tracks_resource_version(
    httproutes: DynamicResourceClient,
) -> None:
    rv = httproutes.list().object["metadata"]["resourceVersion"]
    with httproutes.watch(resource_version=rv, timeout_seconds=20) as w:
        httproutes.create(route("w1"))
        httproutes.patch("w1", {"metadata": {"labels": {"x": "1"}}})
        httproutes.delete("w1")
        seen = []
        for event in w:
            if event.type == "BOOKMARK":
                continue
            assert isinstance(event.object, Unstructured)
            seen.append((event.type, event.object.name))
            if event.type == "DELETED":
                break
    assert seen == [("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w1")]
    assert w.resource_version and int(w.resource_version) > int(rv)


def test_namespaced_builtin_pagination_delete_collection_and_lossless(
    dyn: DynamicClient, ns: str
) -> None:
    cms = dyn.resource("", "v1", "configmaps").namespace(ns)
    for i in range(7):
        cms.create(
            {"metadata": {"name": f"cm{i}", "labels": {"batch": "p"}}, "data": {"i": str(i)}}
        )
    pages = list(cms.iter_pages(label_selector="batch=p", page_size=3))
    assert [len(p) for p in pages] == [3, 3, 1]
    assert pages[0].continue_ and not pages[-1].continue_
    everything = cms.list_all(label_selector="batch=p", page_size=3)
    assert sorted(o.name for o in everything) == [f"cm{i}" for i in range(7)]
    assert "continue" not in everything.object["metadata"]
    # every namespace: the client of "" lists across namespaces
    across = dyn.resource("", "v1", "configmaps").list(label_selector="batch=p")
    assert {o.namespace for o in across} == {ns}
    # lossless: the Unstructured holds exactly the server's JSON
    raw = dyn.rest.get().abs_path(f"/api/v1/namespaces/{ns}/configmaps/cm0").do().json()
    assert kubeset.to_dict(cms.get("cm0")) == raw == cms.get("cm0").to_dict()
    strategic = cms.patch("cm0", {"data": {"j": "1"}}, patch_type=PatchType.STRATEGIC_MERGE)
    assert strategic.object["data"] == {"i": "0", "j": "1"}
    cms.delete_collection(label_selector="batch=p")
    deadline = time.monotonic() + 10
    while len(cms.list(label_selector="batch=p")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(cms.list(label_selector="batch=p")) == 0


def test_deployment_scale_and_status_and_typed_conversion(dyn: DynamicClient, ns: str) -> None:
    deployments = dyn.for_kind("apps/v1", "Deployment", ns)
    body = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": ns},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }
    deployments.apply(body, field_manager=FM)
    scale = deployments.get_scale("web")
    assert (scale.kind, scale.api_version, scale.get_path("spec", "replicas")) == (
        "Scale",
        "autoscaling/v1",
        1,
    )
    scale.object["spec"]["replicas"] = 3
    assert deployments.update_scale("web", scale).get_path("spec", "replicas") == 3
    assert (
        deployments.patch_scale("web", {"spec": {"replicas": 2}}).get_path("spec", "replicas") == 2
    )
    assert (
        deployments.patch_subresource(
            "web", "scale", [{"op": "replace", "path": "/spec/replicas", "value": 4}]
        ).get_path("spec", "replicas")
        == 4
    )
    status = deployments.patch_status("web", {"status": {"observedGeneration": 7}})
    assert status.get_path("status", "observedGeneration") == 7
    # typed <-> dynamic
    from kubeset.kubernetes.models.apps.v1 import Deployment

    u = deployments.get("web")
    typed = from_unstructured(u, Deployment)
    assert typed.spec is not None and typed.spec.replicas == 4
    assert to_unstructured(typed) == u
    with pytest.raises(errors.SchemeError):
        from_unstructured(u, dict)  # type: ignore[type-var]
    deployments.delete("web")


def test_cluster_scoped_builtin(dyn: DynamicClient) -> None:
    name = f"dyn-e2e-{uuid.uuid4().hex[:6]}"
    roles = dyn.for_kind("rbac.authorization.k8s.io/v1", "ClusterRole")
    assert roles.info.namespaced is False
    rule = {"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}
    roles.create({"metadata": {"name": name}, "rules": [rule]})
    assert roles.get(name).object["rules"] == [rule]
    applied = roles.apply(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": name},
            "rules": [rule, {**rule, "verbs": ["list"]}],
        },
        field_manager=FM,
        force=True,
    )
    assert len(applied.object["rules"]) == 2
    merged = roles.patch(name, {"metadata": {"labels": {"k": "v"}}}, patch_type=PatchType.MERGE)
    assert merged.labels == {"k": "v"}
    with roles.watch(name=name, timeout_seconds=10) as w:
        first = next(iter(w))
        assert (first.type, first.object.name) == ("ADDED", name)
    roles.delete(name)
    with pytest.raises(errors.NotFound):
        roles.get(name)


def test_resource_by_group_version_plural_and_unknown(dyn: DynamicClient, ns: str) -> None:
    sa = dyn.resource("", "v1", "serviceaccounts").in_namespace(ns)
    assert sa.info.kind == "ServiceAccount" and sa.info.namespaced
    token = sa.create_subresource(
        "default",
        "token",
        {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenRequest",
            "spec": {"audiences": ["x"]},
        },
    )
    assert token.kind == "TokenRequest" and token.get_path("status", "token")
    with pytest.raises(errors.NoMatchError):
        dyn.resource("apps", "v1", "deploymentz")
    with pytest.raises(ValueError, match="namespaced"):
        dyn.resource("", "v1", "configmaps").create({"metadata": {"name": "x"}})
