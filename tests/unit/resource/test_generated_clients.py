"""The generated v1.36 Clientset with the generated models, over HTTP against the fake server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakeapi.fakeserver import FakeApiServer
from kubeset import errors
from kubeset.rest import PatchType, RESTClient

PROJECT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.skipif(
    not (PROJECT / "generated/kubernetes/clientset.py").exists(), reason="no generated clients"
)


@pytest.fixture
def kcs(rest: RESTClient):  # type: ignore[no-untyped-def]
    from kubeset.kubernetes import Clientset

    return Clientset(rest)


def test_pods_end_to_end(kcs, server: FakeApiServer) -> None:  # type: ignore[no-untyped-def]
    from kubeset.kubernetes.models.core.v1 import Container, Pod, PodList, PodSpec
    from kubeset.kubernetes.models.meta.v1 import ObjectMeta

    pods = kcs.core_v1.pods("default")
    pod = Pod(
        metadata=ObjectMeta(name="web-0", labels={"app": "web"}),
        spec=PodSpec(
            containers=[Container(name="c", image="nginx", ports=[{"containerPort": 80}])]
        ),
    )
    created = pods.create(pod)
    sent = json.loads(server.requests[-1].body)
    assert sent["apiVersion"] == "v1" and sent["kind"] == "Pod"
    assert sent["spec"]["containers"][0] == {
        "name": "c",
        "image": "nginx",
        "ports": [{"containerPort": 80}],
    }
    assert isinstance(created, Pod) and created.metadata.uid
    got = pods.get("web-0")
    assert got.spec.containers[0].image == "nginx"
    got.spec.containers[0].image = "nginx:2"
    assert pods.update(got).spec.containers[0].image == "nginx:2"
    with pytest.raises(errors.Conflict):
        pods.update(got)
    for i in range(4):
        pods.create({"metadata": {"name": f"p{i}", "labels": {"app": "web"}}})
    everything = pods.list_all(page_size=2, label_selector="app=web")
    assert isinstance(everything, PodList) and len(everything.items) == 5
    assert everything.metadata.continue_ is None
    assert (
        "continue"
        not in json.loads(everything.model_dump_json(by_alias=True, exclude_unset=True))["metadata"]
    )
    patched = pods.patch(
        "web-0", {"metadata": {"labels": {"tier": "front"}}}, patch_type=PatchType.STRATEGIC_MERGE
    )
    assert patched.metadata.labels == {"app": "web", "tier": "front"}
    with pods.watch(timeout_seconds=1) as w:
        names = [e.object.metadata.name for e in w if e.type == "ADDED"]
    assert names == ["p0", "p1", "p2", "p3", "web-0"]
    assert all(isinstance(e, Pod) for e in [created])
    pods.evict("p0")
    assert pods.delete("p1") is None
    with pytest.raises(errors.NotFound) as info:
        pods.get("p1")
    assert info.value.name == "p1"


def test_deployment_scale_and_status(kcs, server: FakeApiServer) -> None:  # type: ignore[no-untyped-def]
    from kubeset.kubernetes.models.apps.v1 import Deployment, DeploymentSpec, DeploymentStatus
    from kubeset.kubernetes.models.autoscaling.v1 import Scale
    from kubeset.kubernetes.models.meta.v1 import ObjectMeta

    deps = kcs.apps_v1.deployments("default")
    deps.create(Deployment(metadata=ObjectMeta(name="web"), spec=DeploymentSpec(replicas=2)))
    scale = deps.get_scale("web")
    assert isinstance(scale, Scale) and scale.spec.replicas == 2
    scale.spec.replicas = 4
    assert deps.update_scale("web", scale).spec.replicas == 4
    assert deps.patch_scale("web", {"spec": {"replicas": 6}}).spec.replicas == 6
    d = deps.get("web")
    assert d.spec.replicas == 6
    d.status = DeploymentStatus(ready_replicas=6)
    assert deps.update_status(d).status.ready_replicas == 6


def test_cluster_scoped_and_other_groups(kcs, server: FakeApiServer) -> None:  # type: ignore[no-untyped-def]
    from kubeset.kubernetes.models.coordination.v1 import Lease
    from kubeset.kubernetes.models.core.v1 import Node

    kcs.core_v1.nodes().create({"metadata": {"name": "n1"}})
    assert server.requests[-1].path == "/api/v1/nodes"
    assert isinstance(kcs.core_v1.nodes().get("n1"), Node)
    lease = kcs.coordination_v1.leases("kube-system").apply(
        {"metadata": {"name": "leader"}, "spec": {"holderIdentity": "me"}}, field_manager="elector"
    )
    assert isinstance(lease, Lease) and lease.spec.holder_identity == "me"
    assert (
        server.requests[-1].path
        == "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/leader"
    )
    kcs.core_v1.namespaces().create({"metadata": {"name": "team"}})
    kcs.core_v1.events("team").create({"metadata": {"name": "e1"}, "reason": "Started"})
    assert kcs.core_v1.events("team").get("e1").reason == "Started"
    assert [ns.metadata.name for ns in kcs.core_v1.namespaces().list().items] == ["team"]
