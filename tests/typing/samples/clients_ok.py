"""User code that must type-check cleanly, with the types both checkers must infer."""

from __future__ import annotations

from typing import assert_type

from kubeset import PatchType
from kubeset.config import Config
from kubeset.discovery import DiscoveryClient, ServerVersion
from kubeset.kubernetes import Clientset
from kubeset.kubernetes.clients.core_v1 import CoreV1Client, PodsClient
from kubeset.kubernetes.models.apps.v1 import Deployment, DeploymentList, StatefulSet
from kubeset.kubernetes.models.authentication.v1 import TokenRequest
from kubeset.kubernetes.models.autoscaling.v1 import Scale
from kubeset.kubernetes.models.certificates.v1 import CertificateSigningRequest
from kubeset.kubernetes.models.coordination.v1 import Lease, LeaseList
from kubeset.kubernetes.models.core.v1 import ConfigMap, Namespace, Node, NodeList, Pod, PodList
from kubeset.kubernetes.models.meta.v1 import ObjectMeta
from kubeset.resource import LogStream
from kubeset.watch import Watch, WatchEvent


def check(config: Config) -> None:
    cs = Clientset(config)
    assert_type(cs.core_v1, CoreV1Client)
    pods = cs.core_v1.pods("default")
    assert_type(pods, PodsClient)

    pod = pods.get("web-0")
    assert_type(pod, Pod)
    assert_type(pods.list(label_selector="app=web", limit=500), PodList)
    assert_type(pods.list_all(), PodList)
    assert_type(pods.create(Pod(metadata=ObjectMeta(name="p"))), Pod)
    assert_type(pods.update(pod), Pod)
    assert_type(pods.update_status(pod), Pod)
    assert_type(pods.patch("web-0", {"metadata": {"labels": {"a": "b"}}}, patch_type=PatchType.STRATEGIC_MERGE), Pod)
    assert_type(pods.apply(pod, field_manager="me", force=True), Pod)
    assert_type(pods.delete("web-0", propagation_policy="Foreground"), Pod | None)
    pods.delete_collection(label_selector="app=web")
    assert_type(pods.log("web-0", tail_lines=10), str)
    assert_type(pods.log_stream("web-0"), LogStream)
    pods.evict("web-0")

    with pods.watch(resource_version="1") as w:
        assert_type(w, Watch[Pod])
        for event in w:
            assert_type(event, WatchEvent[Pod])
            assert_type(event.object, Pod)
            assert_type(event.object.metadata.name, str | None)

    deployments = cs.apps_v1.deployments("default")
    assert_type(deployments.get("web"), Deployment)
    assert_type(deployments.list(), DeploymentList)
    assert_type(deployments.get_scale("web"), Scale)
    assert_type(deployments.patch_scale("web", {"spec": {"replicas": 3}}), Scale)
    assert_type(cs.apps_v1.stateful_sets("default").get("db"), StatefulSet)

    assert_type(cs.core_v1.nodes().list(), NodeList)
    assert_type(cs.core_v1.namespaces().get("default"), Namespace)
    assert_type(cs.core_v1.namespaces().finalize(Namespace()), Namespace)
    assert_type(cs.core_v1.config_maps("x").get("c"), ConfigMap)
    assert_type(cs.coordination_v1.leases("kube-system").list(), LeaseList)
    assert_type(cs.coordination_v1.leases("kube-system").get("l"), Lease)
    assert_type(cs.core_v1.service_accounts("x").create_token("default"), TokenRequest)
    csr = cs.certificates_v1.certificate_signing_requests().get("csr")
    assert_type(cs.certificates_v1.certificate_signing_requests().update_approval(csr), CertificateSigningRequest)
    assert_type(cs.core_v1.nodes().get("n"), Node)

    assert_type(cs.discovery, DiscoveryClient)
    assert_type(cs.discovery.server_version(), ServerVersion)
