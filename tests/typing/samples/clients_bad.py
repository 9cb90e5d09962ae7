"""User code with mistakes (ruff: deliberate unused names): both checkers must report an error on every line marked ``# E``."""

# ruff: noqa: F841, B018
from __future__ import annotations

from kubeset.config import Config
from kubeset.kubernetes import Clientset
from kubeset.kubernetes.models.apps.v1 import Deployment
from kubeset.kubernetes.models.core.v1 import Pod


def check(config: Config) -> None:
    cs = Clientset(config)
    pods = cs.core_v1.pods("default")
    pods.create(Deployment())  # E: a Deployment is not a Pod
    cs.core_v1.config_maps("x").get_scale("c")  # E: config maps have no scale subresource
    cs.core_v1.namespaces().delete_collection()  # E: namespaces declare no deletecollection
    cs.core_v1.nodes("default")  # E: nodes are cluster-scoped
    deployment: Deployment = pods.get("x")  # E: get returns a Pod
    for event in pods.watch():
        name: int = event.object.metadata.name  # E: name is str | None
    cs.apps_v1.deployments("x").get_scale(3)  # E: names are strings
    pod: Pod = cs.core_v1.pods("x").list()  # E: list returns a PodList
    cs.core_v2  # E: no such group version
