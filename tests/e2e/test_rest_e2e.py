"""The typed clients and the examples against the real kube-apiserver (tests/e2e fixtures).

Same behaviours as tests/unit/rest (which use a small fake server), on the real thing: every verb
and subresource for pods, configmaps, deployments (scale), nodes, namespaces, events, leases and
a CRD; pagination; watch resumption from a bookmark; Conflict / NotFound / Invalid; examples/.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubeset
import pytest
from kube_apiserver import ApiServer
from kubeset import errors
from kubeset.resource import (
    HasApply,
    HasCreate,
    HasDelete,
    HasGet,
    HasList,
    HasPatch,
    HasScale,
    HasStatus,
    HasUpdate,
    HasWatch,
    ResourceDescriptor,
    ResourceInfo,
)
from kubeset.rest import PatchType

pytestmark = pytest.mark.e2e
PROJECT = Path(__file__).resolve().parents[2]
EXAMPLES = PROJECT / "examples"


@pytest.fixture(scope="module")
def cs(apiserver: ApiServer) -> Iterator[Any]:
    from kubeset.kubernetes import Clientset

    with Clientset(kubeset.load_kubeconfig(apiserver.kubeconfig)) as clientset:
        yield clientset


@pytest.fixture(scope="module")
def ns(cs: Any) -> Iterator[str]:
    name = f"rest-e2e-{uuid.uuid4().hex[:6]}"
    cs.core_v1.namespaces().create({"metadata": {"name": name}})
    deadline = time.monotonic() + 30
    while True:  # pods need the namespace's "default" service account (made by its controller)
        try:
            cs.core_v1.service_accounts(name).get("default")
            break
        except errors.NotFound:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    yield name
    cs.core_v1.namespaces().delete(name)


def _pod(name: str, **labels: str) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "labels": labels or {"app": "e2e"}},
        "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]},
    }


def test_configmap_verbs_and_errors(cs: Any, ns: str) -> None:
    from kubeset.kubernetes.models.core.v1 import ConfigMap, ConfigMapList

    cms = cs.core_v1.config_maps(ns)
    created = cms.create(ConfigMap(metadata={"name": "c1", "labels": {"t": "x"}}, data={"k": "v"}))
    assert isinstance(created, ConfigMap) and created.metadata.uid
    stale = cms.get("c1")
    fresh = cms.get("c1")
    fresh.data = {"k": "w"}
    assert cms.update(fresh).data == {"k": "w"}
    stale.data = {"k": "z"}
    with pytest.raises(errors.Conflict) as conflict:
        cms.update(stale)
    assert conflict.value.status_code == 409 and conflict.value.name == "c1"
    with pytest.raises(errors.AlreadyExists):
        cms.create({"metadata": {"name": "c1"}})
    with pytest.raises(errors.NotFound) as nf:
        cms.get("missing")
    assert nf.value.name == "missing" and nf.value.kind == "configmaps"
    assert cms.patch("c1", {"data": {"m": "1"}}).data == {"k": "w", "m": "1"}
    assert cms.patch("c1", [{"op": "remove", "path": "/data/m"}]).data == {"k": "w"}
    assert cms.patch("c1", {"data": {"s": "2"}}, patch_type=PatchType.STRATEGIC_MERGE).data == {
        "k": "w",
        "s": "2",
    }
    applied = cms.apply({"metadata": {"name": "c2"}, "data": {"a": "b"}}, field_manager="e2e")
    assert applied.data == {"a": "b"} and applied.metadata.managed_fields[0].manager == "e2e"
    with pytest.raises(errors.Conflict):
        cms.apply({"metadata": {"name": "c1"}, "data": {"k": "mine"}}, field_manager="other")
    assert (
        cms.apply(
            {"metadata": {"name": "c1"}, "data": {"k": "mine"}}, field_manager="other", force=True
        ).data["k"]
        == "mine"
    )
    # an object read back (it carries managedFields) can be applied as is
    read_back = cms.get("c2")
    read_back.data = {"a": "c"}
    assert cms.apply(read_back, field_manager="e2e").data == {"a": "c"}
    cms.create({"metadata": {"name": "dry"}}, dry_run=True)
    with pytest.raises(errors.NotFound):
        cms.get("dry")
    listed = cms.list(label_selector="t=x")
    assert isinstance(listed, ConfigMapList) and [c.metadata.name for c in listed.items] == ["c1"]
    with pytest.raises(errors.Conflict):
        cms.delete("c1", preconditions={"uid": "00000000-0000-0000-0000-000000000000"})
    cms.delete("c1", preconditions={"uid": created.metadata.uid})
    cms.delete_collection()
    assert cms.list().items == [] or all(
        c.metadata.name == "kube-root-ca.crt" for c in cms.list().items
    )


def test_invalid_reports_causes(cs: Any, ns: str) -> None:
    with pytest.raises(errors.Invalid) as info:
        cs.core_v1.pods(ns).create({"metadata": {"name": "bad"}, "spec": {"containers": []}})
    assert any(c.field == "spec.containers" for c in info.value.causes)
    assert "spec.containers" in str(info.value)


def test_pagination_across_pages(cs: Any, ns: str) -> None:
    cms = cs.core_v1.config_maps(ns)
    for i in range(7):
        cms.create({"metadata": {"name": f"page-{i}", "labels": {"paged": "yes"}}})
    pages = list(cms.iter_pages(page_size=3, label_selector="paged=yes"))
    assert [len(p.items) for p in pages] == [3, 3, 1]
    everything = cms.list_all(page_size=3, label_selector="paged=yes")
    assert [c.metadata.name for c in everything.items] == [f"page-{i}" for i in range(7)]
    assert everything.metadata.continue_ is None
    with pytest.raises(errors.ApiError):
        cms.list(limit=3, continue_="not-a-token")  # the server refuses a made-up token


def test_watch_and_resume_from_a_bookmark(cs: Any, ns: str) -> None:
    leases = cs.coordination_v1.leases(ns)
    leases.create({"metadata": {"name": "l0"}, "spec": {"holderIdentity": "a"}})
    # a watch-list: initial ADDED events, then a bookmark marking their end, right away
    with leases.watch(
        send_initial_events=True, resource_version_match="NotOlderThan", timeout_seconds=30
    ) as w:
        seen = []
        for ev in w:
            seen.append((ev.type, ev.object.metadata.name))
            if ev.type == "BOOKMARK":
                break
    assert seen[0] == ("ADDED", "l0") and seen[-1][0] == "BOOKMARK"
    bookmark = w.resource_version
    assert bookmark
    leases.create({"metadata": {"name": "l1"}})
    leases.patch("l0", {"spec": {"holderIdentity": "b"}})
    leases.delete("l1")
    got = []
    with leases.watch(resource_version=bookmark, timeout_seconds=30) as again:
        for ev in again:
            if ev.type != "BOOKMARK":
                got.append((ev.type, ev.object.metadata.name))
            if len(got) == 3:
                break
    assert got == [("ADDED", "l1"), ("MODIFIED", "l0"), ("DELETED", "l1")]


def test_watch_stops_from_another_thread(cs: Any, ns: str) -> None:
    import threading

    w = cs.core_v1.events(ns).watch(resource_version="0")
    threading.Timer(0.5, w.stop).start()
    started = time.monotonic()
    list(w)
    assert w.stopped and time.monotonic() - started < 10


def test_pod_subresources(cs: Any, ns: str) -> None:
    from kubeset.kubernetes.models.core.v1 import (
        Binding,
        EphemeralContainer,
        ObjectReference,
        Pod,
        PodCondition,
    )

    pods = cs.core_v1.pods(ns)
    pod = pods.create(_pod("p1"))
    pod.status.conditions = [PodCondition(type="PodScheduled", status="False", reason="E2E")]
    assert pods.update_status(pod).status.conditions[0].reason == "E2E"
    assert pods.patch_status("p1", {"status": {"message": "hello"}}).status.message == "hello"
    pod = pods.get("p1")
    pod.spec.ephemeral_containers = [
        EphemeralContainer(name="debug", image="busybox:1.36", target_container_name="c")
    ]
    assert pods.update_ephemeral_containers(pod).spec.ephemeral_containers[0].name == "debug"
    cs.core_v1.nodes().create({"metadata": {"name": f"node-{ns}"}}) if not _exists(
        cs.core_v1.nodes(), f"node-{ns}"
    ) else None
    pods.bind(
        "p1",
        Binding(metadata={"name": "p1"}, target=ObjectReference(kind="Node", name=f"node-{ns}")),
    )
    assert pods.get("p1").spec.node_name == f"node-{ns}"
    pods.delete("p1", grace_period_seconds=0)
    cs.core_v1.nodes().delete(f"node-{ns}")  # the session's server is shared: leave no node behind
    pods.create(_pod("p2"))
    pods.evict("p2")
    deadline = time.monotonic() + 10
    while _exists(pods, "p2") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _exists(pods, "p2")
    assert isinstance(pods.create(_pod("p3")), Pod)
    assert isinstance(
        pods.log("p3", tail_lines=10), str
    )  # no kubelet: nothing to read, but an answer


def _exists(client: Any, name: str) -> bool:
    try:
        client.get(name)
        return True
    except errors.NotFound:
        return False


def test_deployment_scale_and_status(cs: Any, ns: str) -> None:
    deps = cs.apps_v1.deployments(ns)
    deps.create(
        {
            "metadata": {"name": "web"},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "c", "image": "nginx"}]},
                },
            },
        }
    )
    scale = deps.get_scale("web")
    assert scale.spec.replicas == 2 and scale.kind == "Scale"
    scale.spec.replicas = 4
    assert deps.update_scale("web", scale).spec.replicas == 4
    assert deps.patch_scale("web", {"spec": {"replicas": 5}}).spec.replicas == 5
    assert deps.get("web").spec.replicas == 5
    assert (
        deps.patch_status("web", {"status": {"observedGeneration": 99}}).status.observed_generation
        == 99
    )
    deps.delete("web", propagation_policy="Foreground")


def test_cluster_scoped_nodes_and_namespaces(cs: Any, ns: str) -> None:
    nodes = cs.core_v1.nodes()
    name = f"n-{uuid.uuid4().hex[:6]}"
    node = nodes.create({"metadata": {"name": name, "labels": {"e2e": ns}}})
    assert node.metadata.namespace is None
    assert [n.metadata.name for n in nodes.list(label_selector=f"e2e={ns}").items] == [name]
    assert nodes.patch_status(name, {"status": {"phase": "Running"}}).status.phase == "Running"
    nodes.delete(name)
    got = cs.core_v1.namespaces().get(ns)
    assert got.status.phase == "Active"


def test_events_and_service_account_token_and_csr(cs: Any, ns: str) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    ev = cs.core_v1.events(ns).create(
        {
            "metadata": {"name": "e1"},
            "reason": "Tested",
            "message": "m",
            "involvedObject": {"kind": "Pod", "name": "x", "namespace": ns},
        }
    )
    assert ev.reason == "Tested"
    tr = cs.core_v1.service_accounts(ns).create_token(
        "default", audiences=["kubeset"], expiration_seconds=600
    )
    assert tr.status.token and tr.status.token.count(".") == 2
    key = ec.generate_private_key(ec.SECP256R1())
    req = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kubeset-e2e")]))
        .sign(key, hashes.SHA256())
    )
    pem = req.public_bytes(serialization.Encoding.PEM)
    csrs = cs.certificates_v1.certificate_signing_requests()
    name = f"csr-{ns}"
    csr = csrs.create(
        {
            "metadata": {"name": name},
            "spec": {
                "request": pem,
                "signerName": "example.com/kubeset",
                "usages": ["client auth"],
            },
        }
    )
    from kubeset.kubernetes.models.certificates.v1 import CertificateSigningRequestCondition

    csr.status.conditions = [
        CertificateSigningRequestCondition(
            type="Approved", status="True", reason="E2E", message="ok"
        )
    ]
    approved = csrs.update_approval(csr)
    assert approved.status.conditions[0].type == "Approved"
    csrs.delete(name)


@pytest.fixture
def crd_cleanup(cs: Any) -> Iterator[list[str]]:
    """Delete the CRDs a test made and wait until discovery forgets their group: the server is
    shared by the whole session and other tests check the exact list of API groups."""
    made: list[str] = []
    yield made
    crds = cs.apiextensions_v1.custom_resource_definitions()
    for name in made:
        group = name.split(".", 1)[1]
        if _exists(crds, name):
            crds.delete(name)
        deadline = time.monotonic() + 60
        while (
            any(g.name == group for g in cs.discovery.server_groups())
            and time.monotonic() < deadline
        ):
            time.sleep(0.2)


def test_crd_shaped_resource(cs: Any, ns: str, crd_cleanup: list[str]) -> None:
    from pydantic import BaseModel, ConfigDict

    class Widget(BaseModel):
        model_config = ConfigDict(extra="allow")
        apiVersion: str | None = None
        kind: str | None = None
        metadata: dict[str, Any] | None = None
        spec: dict[str, Any] | None = None
        status: dict[str, Any] | None = None

    class WidgetList(BaseModel):
        model_config = ConfigDict(extra="allow")
        items: list[Widget] = []
        metadata: dict[str, Any] | None = None

    class Scale(BaseModel):
        model_config = ConfigDict(extra="allow")
        metadata: dict[str, Any] | None = None
        spec: dict[str, Any] | None = None

    group = "e2e.kubeset.dev"
    crds = cs.apiextensions_v1.custom_resource_definitions()
    crd_name = f"widgets.{group}"
    crd_cleanup.append(crd_name)
    if not _exists(crds, crd_name):
        crds.create(
            {
                "metadata": {"name": crd_name},
                "spec": {
                    "group": group,
                    "scope": "Namespaced",
                    "names": {
                        "plural": "widgets",
                        "singular": "widget",
                        "kind": "Widget",
                        "listKind": "WidgetList",
                    },
                    "versions": [
                        {
                            "name": "v1",
                            "served": True,
                            "storage": True,
                            "subresources": {
                                "status": {},
                                "scale": {
                                    "specReplicasPath": ".spec.replicas",
                                    "statusReplicasPath": ".status.replicas",
                                },
                            },
                            "schema": {
                                "openAPIV3Schema": {
                                    "type": "object",
                                    "x-kubernetes-preserve-unknown-fields": True,
                                }
                            },
                        }
                    ],
                },
            }
        )
    deadline = time.monotonic() + 30
    while not any(
        c.type == "Established" and c.status == "True"
        for c in (crds.get(crd_name).status.conditions or [])
    ):
        assert time.monotonic() < deadline
        time.sleep(0.2)

    class Widgets(
        HasGet[Widget],
        HasList[WidgetList],
        HasWatch[Widget],
        HasCreate[Widget],
        HasUpdate[Widget],
        HasPatch[Widget],
        HasApply[Widget],
        HasDelete[Widget],
        HasStatus[Widget],
        HasScale[Scale],
    ):
        DESCRIPTOR = ResourceDescriptor(
            ResourceInfo(
                group,
                "v1",
                "Widget",
                "widgets",
                True,
                frozenset({"get", "list"}),
                frozenset({"status", "scale"}),
            ),
            model=Widget,
            list_model=WidgetList,
            subresource_models={"scale": Scale},
        )

    widgets = Widgets(cs.rest, ns)
    for attempt in range(50):  # discovery of a fresh CRD takes a moment
        try:
            widgets.create({"metadata": {"name": "w1"}, "spec": {"replicas": 1}})
            break
        except errors.NotFound:
            time.sleep(0.2)
    assert widgets.get("w1").spec == {"replicas": 1}
    assert widgets.patch_scale("w1", {"spec": {"replicas": 3}}).spec["replicas"] == 3
    assert widgets.update_status(
        {**widgets.get("w1").model_dump(), "status": {"replicas": 3}}
    ).status == {"replicas": 3}
    with pytest.raises(errors.UnsupportedMediaType):
        widgets.patch("w1", {"spec": {"x": 1}}, patch_type=PatchType.STRATEGIC_MERGE)
    assert widgets.patch("w1", {"spec": {"x": 1}}).spec == {"replicas": 3, "x": 1}
    assert [w.metadata["name"] for w in widgets.list().items] == ["w1"]
    widgets.delete("w1")


@pytest.mark.parametrize(
    "example", ["deployment", "service", "ingress", "replicaset", "pod", "statefulset"]
)
def test_examples_run_against_the_server(example: str, apiserver: ApiServer, ns: str) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / f"{example}.py"),
            "--kubeconfig",
            str(apiserver.kubeconfig),
            "--namespace",
            ns,
            "--name",
            f"ex-{example}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "Deleted" in out and "watch:" in out and "DELETED" in out, out
    assert apiserver.token not in out + proc.stderr


def test_discovery(cs: Any) -> None:
    version = cs.discovery.server_version()
    assert version.major == "1" and version.git_version.startswith("v1.36")
    groups = {g.name: g for g in cs.discovery.server_groups()}
    assert groups[""].versions == ("v1",) and groups["apps"].preferred_version == "apps/v1"
    core = cs.discovery.server_resources_for_group_version("v1")
    pods = next(r for r in core if r.name == "pods")
    assert pods.kind == "Pod" and pods.namespaced and "watch" in pods.verbs
    assert {"pods/log", "pods/eviction", "pods/status"} <= {r.name for r in core}
    preferred = {(r.group_version, r.name) for r in cs.discovery.server_preferred_resources()}
    assert ("apps/v1", "deployments") in preferred and ("v1", "nodes") in preferred
    assert not any("/" in name for _, name in preferred)


def test_list_across_namespaces(cs: Any, ns: str) -> None:
    cs.core_v1.config_maps(ns).create({"metadata": {"name": "everywhere", "labels": {"scope": ns}}})
    found = cs.core_v1.config_maps().list(label_selector=f"scope={ns}")
    assert [(c.metadata.namespace, c.metadata.name) for c in found.items] == [(ns, "everywhere")]
    with pytest.raises(ValueError, match="namespaced"):
        cs.core_v1.config_maps().get("everywhere")
