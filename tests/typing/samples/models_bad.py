"""Go-shaped models keep genuinely optional values optional: both checkers must report an error
on every line marked ``# E`` (ruff: deliberate unused names)."""

# ruff: noqa: F841
# pyright: strict
from __future__ import annotations

from kubeset.kubernetes.models.apps.v1 import Deployment
from kubeset.kubernetes.models.core.v1 import Pod


def check(pod: Pod, dep: Deployment) -> None:
    name: str = pod.metadata.name  # E: a scalar stays str | None
    replicas: int = dep.spec.replicas  # E: absent means the server default, not 0
    user = pod.spec.security_context.run_as_user  # E: an optional object stays optional
    reason = pod.status.container_statuses[0].state.waiting  # E: presence is the meaning
    labels: dict[str, int] = pod.metadata.labels  # E: a map of str
    pod.spec.containers.append("nginx")  # E: a list of Container
