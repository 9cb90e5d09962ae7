"""User code written the way users first write it: no None checks on lists, maps, metadata,
spec, status or items (Go-shaped models); must check cleanly under mypy --strict and pyright
strict, with the types both checkers must infer."""

# pyright: strict
from __future__ import annotations

import base64
from decimal import Decimal
from typing import assert_type

from kubeset import parse_quantity
from kubeset.config import Config
from kubeset.kubernetes import Clientset
from kubeset.kubernetes.models.apps.v1 import Deployment, DeploymentSpec
from kubeset.kubernetes.models.core.v1 import Container, ContainerStatus, Pod, PodSpec
from kubeset.kubernetes.models.meta.v1 import LabelSelector, ObjectMeta


def images(config: Config) -> list[str]:
    cs = Clientset(config)
    out: list[str] = []
    for pod in cs.core_v1.pods("default").list().items:
        assert_type(pod.metadata, ObjectMeta)
        assert_type(pod.metadata.labels, dict[str, str])
        assert_type(pod.spec, PodSpec)
        for container in pod.spec.containers:
            out.append(f"{pod.metadata.labels.get('app', '-')}: {container.image}")
    return out


def create_deployment(config: Config) -> None:
    cs = Clientset(config)
    dep = Deployment(metadata=ObjectMeta(name="web"))
    dep.metadata.labels["app"] = "web"
    dep.spec.selector = LabelSelector(match_labels={"app": "web"})
    dep.spec.template.metadata.labels["app"] = "web"
    dep.spec.template.spec.containers.append(Container(name="web", image="nginx"))
    assert_type(dep.spec, DeploymentSpec)
    cs.apps_v1.deployments("default").create(dep)


def bump(config: Config) -> None:
    deployments = Clientset(config).apps_v1.deployments("default")
    dep = deployments.get("web")
    dep.spec.replicas = (dep.spec.replicas or 1) + 1  # a scalar: absent means the server default
    dep.spec.template.spec.containers[0].image = "nginx:1.27"
    deployments.update(dep)


def waiting_reasons(config: Config) -> list[str]:
    reasons: list[str] = []
    for event in Clientset(config).core_v1.pods("default").watch():
        for status in event.object.status.container_statuses:
            assert_type(status, ContainerStatus)
            if status.state and status.state.waiting:  # optional objects: presence is the meaning
                reasons.append(status.state.waiting.reason or "")
    return reasons


def secret_value(config: Config) -> bytes:
    secret = Clientset(config).core_v1.secrets("default").get("db")
    assert_type(secret.data, dict[str, bytes])
    return secret.data["password"] or base64.b64decode(secret.string_data["password"])


def allocatable_cpu(config: Config) -> Decimal:
    total = Decimal(0)
    for node in Clientset(config).core_v1.nodes().list().items:
        total += parse_quantity(node.status.allocatable.get("cpu", "0"))
    return total


def scalars_stay_optional(pod: Pod) -> None:
    assert_type(pod.metadata.name, str | None)
    assert_type(pod.spec.node_name, str | None)
    assert_type(pod.status.phase, str | None)
