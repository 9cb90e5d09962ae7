"""Correct user code of the dynamic client, discovery and manifests: checks cleanly, types pinned."""

from __future__ import annotations

from typing import Any, assert_type

from kubeset.config import Config
from kubeset.discovery import RESTMapping, ServerResources
from kubeset.dynamic import (
    DiffResult,
    DynamicClient,
    DynamicResourceClient,
    ManifestOptions,
    ManifestResult,
    Unstructured,
    UnstructuredList,
    WaitResult,
    apply_manifests,
    diff_manifests,
    from_unstructured,
    judge,
    to_unstructured,
    wait_for,
)
from kubeset.errors import WaitTimeout
from kubeset.kubernetes.models.apps.v1 import Deployment
from kubeset.rest import PatchType
from kubeset.rest.watch import WatchEvent


def check(config: Config) -> None:
    with DynamicClient(config) as dyn:
        deps = dyn.resource("apps", "v1", "deployments").in_namespace("default")
        assert_type(deps, DynamicResourceClient)
        assert_type(dyn.resource("", "v1", "pods").namespace("default"), DynamicResourceClient)
        current: str = deps.namespace  # the client's namespace reads as a str
        assert current == "default"
        deps.namespace = "other"
        d = deps.get("web")
        assert_type(d, Unstructured)
        assert_type(d.object, dict[str, Any])
        assert_type(d.name, str)
        assert_type(d.labels, dict[str, str])
        assert_type(d.owner_references, list[dict[str, Any]])
        assert_type(deps.list(), UnstructuredList)
        assert_type(deps.list().items, list[Unstructured])
        for page in deps.iter_pages(page_size=100):
            assert_type(page, UnstructuredList)
        assert_type(deps.update(d), Unstructured)
        assert_type(deps.patch("web", {"spec": {}}, patch_type=PatchType.STRATEGIC_MERGE), Unstructured)
        assert_type(deps.apply({"metadata": {"name": "web"}}, field_manager="me"), Unstructured)
        assert_type(deps.update_status(d), Unstructured)
        assert_type(deps.get_scale("web"), Unstructured)
        assert_type(deps.get_subresource("web", "status"), Unstructured)
        assert_type(deps.delete("web"), Unstructured | None)
        with deps.watch() as w:
            for event in w:
                assert_type(event, WatchEvent[Unstructured])
        typed = from_unstructured(d, Deployment)
        assert_type(typed, Deployment)
        assert_type(to_unstructured(typed), Unstructured)
        assert_type(dyn.mapper.rest_mapping("Deployment", group="apps"), RESTMapping)
        assert_type(dyn.discovery.server_groups_and_resources(), ServerResources)
        results = apply_manifests(dyn, ["deploy/"], ManifestOptions(field_manager="me"))
        assert_type(results, list[ManifestResult])
        pruning = ManifestOptions(field_manager="me", applyset="secrets/app", prune=True)
        assert_type(diff_manifests(dyn, "deploy/", pruning), list[DiffResult])
        try:
            waited = wait_for(dyn, results, timeout=30)
            assert_type(waited, list[WaitResult])
            wait_for(dyn, [d, {"apiVersion": "v1", "kind": "Pod"}], condition="delete")
        except WaitTimeout as e:
            assert_type(e.results, tuple[Any, ...])
        assert judge(d.object, "condition=Ready").ready
