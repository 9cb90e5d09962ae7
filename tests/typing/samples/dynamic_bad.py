"""Dynamic-client user code with mistakes: both checkers must report an error on every ``# E`` line."""

# ruff: noqa: F841
from __future__ import annotations

from kubeset.config import Config
from kubeset.dynamic import DynamicClient, Unstructured, apply_manifests
from kubeset.kubernetes.models.apps.v1 import Deployment


def check(config: Config) -> None:
    dyn = DynamicClient(config)
    deps = dyn.resource("apps", "v1", "deployments")
    d: Deployment = deps.get("web")  # E: get returns an Unstructured
    deps.get(3)  # E: names are strings
    name: int = deps.get("web").name  # E: name is a str
    deps.apply({"metadata": {}})  # E: apply needs a field_manager
    deps.in_namespace(None)  # E: a namespace is a str
    Unstructured(["a"])  # E: takes a mapping
    apply_manifests(dyn, ["x"], field_manager="me")  # E: options go in ManifestOptions
    deps.namespace(3)  # E: a namespace is a str
    deps.namespace = 3  # E: a namespace is a str
