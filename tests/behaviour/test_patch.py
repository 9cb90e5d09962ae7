"""JSON patch, merge patch and strategic merge patch on both backends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from backends import Backend
from kubeset import errors
from kubeset.rest import PatchType


def _deployment(name: str) -> dict:
    labels = {"app": name}
    return {
        "metadata": {"name": name, "labels": {"a": "1", "b": "2"}, "finalizers": ["x.io/one"]},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "app",
                            "image": "busybox:1.36",
                            "env": [{"name": "A", "value": "1"}],
                        },
                        {"name": "side", "image": "busybox:1.36"},
                    ]
                },
            },
        },
    }


@pytest.fixture
def pod(backend: Backend, ns: str) -> Iterator[str]:
    """A deployment (its pod template's containers are what strategic merge is about)."""
    deployments = backend.cs.apps_v1.deployments(ns)
    deployments.create(_deployment("d"))
    yield "d"
    deployments.patch("d", {"metadata": {"finalizers": None}})


def test_strategic_merge_on_containers_by_name(backend: Backend, ns: str, pod: str) -> None:
    deployments = backend.cs.apps_v1.deployments(ns)
    patched = deployments.patch(
        pod,
        {
            "spec": {
                "template": {
                    "spec": {
                        "containers": [
                            {"name": "side", "image": "busybox:1.37"},
                            {"name": "app", "env": [{"name": "B", "value": "2"}]},
                        ]
                    }
                }
            }
        },
        patch_type=PatchType.STRATEGIC_MERGE,
    )
    containers = patched.spec.template.spec.containers
    by_name = {c.name: c for c in containers}
    # patched items come in the patch's order, then the ones the patch does not name
    assert [c.name for c in containers] == ["side", "app"]
    assert by_name["side"].image == "busybox:1.37"
    assert by_name["app"].image == "busybox:1.36"
    assert [(e.name, e.value) for e in by_name["app"].env] == [("B", "2"), ("A", "1")]


def test_strategic_merge_directives(backend: Backend, ns: str, pod: str) -> None:
    deployments = backend.cs.apps_v1.deployments(ns)
    patched = deployments.patch(
        pod,
        {
            "metadata": {"finalizers": ["x.io/two"], "labels": {"a": None}},
            "spec": {
                "template": {
                    "spec": {
                        "containers": [{"name": "app", "env": [{"name": "A", "$patch": "delete"}]}]
                    }
                }
            },
        },
        patch_type=PatchType.STRATEGIC_MERGE,
    )
    assert sorted(patched.metadata.finalizers) == ["x.io/one", "x.io/two"]  # primitives merge
    assert patched.metadata.labels == {"b": "2"}
    assert not patched.spec.template.spec.containers[0].env
    replaced = deployments.patch(
        pod,
        {"metadata": {"$deleteFromPrimitiveList/finalizers": ["x.io/two"]}},
        patch_type=PatchType.STRATEGIC_MERGE,
    )
    assert replaced.metadata.finalizers == ["x.io/one"]


def test_merge_patch_replaces_lists(backend: Backend, ns: str, pod: str) -> None:
    deployments = backend.cs.apps_v1.deployments(ns)
    patched = deployments.patch(
        pod, {"metadata": {"finalizers": ["x.io/three"], "labels": {"b": None}}}
    )
    assert patched.metadata.finalizers == ["x.io/three"] and patched.metadata.labels == {"a": "1"}


def test_json_patch(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    cms.create({"metadata": {"name": "j"}, "data": {"a": "1"}})
    patched = cms.patch(
        "j",
        [
            {"op": "test", "path": "/data/a", "value": "1"},
            {"op": "add", "path": "/data/b", "value": "2"},
            {"op": "remove", "path": "/data/a"},
        ],
    )
    assert patched.data == {"b": "2"}
    with pytest.raises(errors.ApiError) as e:
        cms.patch("j", [{"op": "test", "path": "/data/b", "value": "nope"}])
    assert e.value.status_code == 422
    assert cms.get("j").data == {"b": "2"}
