"""JSON patch, merge patch and strategic merge patch on both backends."""

from __future__ import annotations

import pytest
from conftest import Backend
from kubeset import errors
from kubeset.rest import PatchType


def _pod(name: str) -> dict:
    return {
        "metadata": {"name": name, "labels": {"a": "1", "b": "2"}, "finalizers": ["x.io/one"]},
        "spec": {
            "containers": [
                {"name": "app", "image": "busybox:1.36", "env": [{"name": "A", "value": "1"}]},
                {"name": "side", "image": "busybox:1.36"},
            ]
        },
    }


@pytest.fixture
def pod(backend: Backend, ns: str) -> str:
    pods = backend.cs.core_v1.pods(ns)
    pods.create(_pod("p"))
    yield "p"
    pods.patch("p", {"metadata": {"finalizers": None}})


def test_strategic_merge_on_containers_by_name(backend: Backend, ns: str, pod: str) -> None:
    pods = backend.cs.core_v1.pods(ns)
    patched = pods.patch(
        pod,
        {
            "spec": {
                "containers": [
                    {"name": "side", "image": "busybox:1.37"},
                    {"name": "app", "env": [{"name": "B", "value": "2"}]},
                ]
            }
        },
        patch_type=PatchType.STRATEGIC_MERGE,
    )
    by_name = {c.name: c for c in patched.spec.containers}
    assert [c.name for c in patched.spec.containers] == ["app", "side"]
    assert by_name["side"].image == "busybox:1.37"
    assert by_name["app"].image == "busybox:1.36"
    assert {e.name: e.value for e in by_name["app"].env} == {"A": "1", "B": "2"}


def test_strategic_merge_directives(backend: Backend, ns: str, pod: str) -> None:
    pods = backend.cs.core_v1.pods(ns)
    patched = pods.patch(
        pod,
        {
            "metadata": {"finalizers": ["x.io/two"], "labels": {"a": None}},
            "spec": {"containers": [{"name": "app", "env": [{"name": "A", "$patch": "delete"}]}]},
        },
        patch_type=PatchType.STRATEGIC_MERGE,
    )
    assert patched.metadata.finalizers == ["x.io/one", "x.io/two"]  # a primitive list merges
    assert patched.metadata.labels == {"b": "2"}
    assert not patched.spec.containers[0].env
    replaced = pods.patch(
        pod,
        {"metadata": {"$deleteFromPrimitiveList/finalizers": ["x.io/two"]}},
        patch_type=PatchType.STRATEGIC_MERGE,
    )
    assert replaced.metadata.finalizers == ["x.io/one"]


def test_merge_patch_replaces_lists(backend: Backend, ns: str, pod: str) -> None:
    pods = backend.cs.core_v1.pods(ns)
    patched = pods.patch(pod, {"metadata": {"finalizers": ["x.io/three"], "labels": {"b": None}}})
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
