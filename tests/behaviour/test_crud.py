"""CRUD, metadata semantics, errors, dry run and subresources on both backends."""

from __future__ import annotations

import base64

import pytest
from backends import Backend
from kubeset import errors


def _pod(name: str, **labels: str) -> dict:
    return {
        "metadata": {"name": name, "labels": labels or {"app": "b"}},
        "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]},
    }


def _deployment(name: str, replicas: int = 1) -> dict:
    labels = {"app": name}
    return {
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]},
            },
        },
    }


def test_configmap_crud_and_resource_versions(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    created = cms.create({"metadata": {"name": "c1", "labels": {"t": "x"}}, "data": {"k": "v"}})
    assert created.metadata.uid and created.metadata.creation_timestamp is not None
    rv1 = int(created.metadata.resource_version)
    got = cms.get("c1")
    assert got.data == {"k": "v"} and got.metadata.resource_version == str(rv1)
    got.data["k"] = "w"
    updated = cms.update(got)
    assert updated.data == {"k": "w"} and int(updated.metadata.resource_version) > rv1
    assert [c.metadata.name for c in cms.list().items if c.metadata.name == "c1"] == ["c1"]
    cms.delete("c1")
    with pytest.raises(errors.NotFound) as e:
        cms.get("c1")
    assert e.value.reason == "NotFound" and e.value.name == "c1" and e.value.kind == "configmaps"


def test_create_twice_is_already_exists(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    cms.create({"metadata": {"name": "dup"}})
    with pytest.raises(errors.AlreadyExists) as e:
        cms.create({"metadata": {"name": "dup"}})
    assert e.value.status_code == 409 and e.value.name == "dup"


def test_stale_update_is_conflict(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    first = cms.create({"metadata": {"name": "cc"}, "data": {"n": "0"}})
    cms.update(
        {**first.model_dump(mode="json", by_alias=True, exclude_unset=True), "data": {"n": "1"}}
    )
    with pytest.raises(errors.Conflict) as e:
        cms.update(
            {**first.model_dump(mode="json", by_alias=True, exclude_unset=True), "data": {"n": "2"}}
        )
    assert e.value.reason == "Conflict" and "has been modified" in e.value.message
    assert cms.get("cc").data == {"n": "1"}


def test_invalid_name_has_causes(backend: Backend, ns: str) -> None:
    with pytest.raises(errors.Invalid) as e:
        backend.cs.core_v1.config_maps(ns).create({"metadata": {"name": "Not_Valid"}})
    assert e.value.status_code == 422
    assert [c.field for c in e.value.causes] == ["metadata.name"]
    assert e.value.causes[0].reason == "FieldValueInvalid"


def test_pod_without_containers_is_invalid(backend: Backend, ns: str) -> None:
    with pytest.raises(errors.Invalid) as e:
        backend.cs.core_v1.pods(ns).create({"metadata": {"name": "p"}, "spec": {"containers": []}})
    assert "spec.containers" in [c.field for c in e.value.causes]


def test_namespace_must_exist(backend: Backend) -> None:
    with pytest.raises(errors.NotFound) as e:
        backend.cs.core_v1.config_maps("no-such-ns-b").create({"metadata": {"name": "x"}})
    assert e.value.kind == "namespaces" and e.value.name == "no-such-ns-b"


def test_generate_name(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    a = cms.create({"metadata": {"generateName": "gen-"}})
    b = cms.create({"metadata": {"generateName": "gen-"}})
    assert a.metadata.name.startswith("gen-") and len(a.metadata.name) > len("gen-")
    assert a.metadata.name != b.metadata.name


def test_dry_run_persists_nothing(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    out = cms.create({"metadata": {"name": "dry"}, "data": {"a": "b"}}, dry_run=True)
    assert out.data == {"a": "b"}
    with pytest.raises(errors.NotFound):
        cms.get("dry")
    cms.create({"metadata": {"name": "dry"}})
    cms.delete("dry", dry_run=True)
    assert cms.get("dry").metadata.name == "dry"


def test_secret_binary_data_and_string_data(backend: Backend, ns: str) -> None:
    secrets = backend.cs.core_v1.secrets(ns)
    blob = bytes(range(256))
    secrets.create(
        {
            "metadata": {"name": "s"},
            "data": {"bin": base64.b64encode(blob).decode()},
            "stringData": {"text": "hello"},
        }
    )
    got = secrets.get("s")
    assert got.data["bin"] == blob and got.data["text"] == b"hello"
    assert got.type == "Opaque" and not got.string_data  # absent: Go-shaped maps read as empty


def test_pod_status_isolation_both_ways(backend: Backend, ns: str) -> None:
    pods = backend.cs.core_v1.pods(ns)
    pod = pods.create(_pod("p1"))
    assert pod.status.phase == "Pending"
    generation = pod.metadata.generation
    # the main resource ignores status
    data = pod.model_dump(by_alias=True, exclude_unset=True, mode="json")
    data["status"]["phase"] = "Running"
    data["metadata"]["labels"] = {"app": "b", "x": "1"}
    after = pods.update(data)
    assert after.status.phase == "Pending" and after.metadata.labels["x"] == "1"
    assert after.metadata.generation == generation  # labels are not spec
    # the status subresource ignores the spec (pods' status takes label changes, though)
    data = after.model_dump(by_alias=True, exclude_unset=True, mode="json")
    data["status"]["phase"] = "Running"
    data["spec"]["activeDeadlineSeconds"] = 30
    status = pods.update_status(data)
    assert status.status.phase == "Running" and status.spec.active_deadline_seconds is None
    assert pods.get("p1").status.phase == "Running"


def test_deployment_generation_and_scale(backend: Backend, ns: str) -> None:
    deployments = backend.cs.apps_v1.deployments(ns)
    d = deployments.create(_deployment("web", replicas=1))
    assert d.metadata.generation == 1
    relabeled = deployments.patch("web", {"metadata": {"labels": {"tier": "x"}}})
    assert relabeled.metadata.generation == 1
    scale = deployments.get_scale("web")
    assert scale.spec.replicas == 1 and scale.metadata.name == "web"
    scale.spec.replicas = 3
    scaled = deployments.update_scale("web", scale)
    assert scaled.spec.replicas == 3
    now = deployments.get("web")
    assert now.spec.replicas == 3 and now.metadata.generation == 2


def test_node_is_cluster_scoped(backend: Backend) -> None:
    nodes = backend.cs.core_v1.nodes()
    name = "node-b-" + backend.name
    nodes.create(
        {"metadata": {"name": name, "labels": {"pool": "b"}}, "spec": {"unschedulable": True}}
    )
    try:
        got = nodes.get(name)
        assert got.metadata.namespace is None and got.spec.unschedulable is True
        assert got.metadata.generation is None  # only workloads (and custom resources) count
        found = nodes.list(field_selector=f"metadata.name={name},spec.unschedulable=true")
        assert [n.metadata.name for n in found.items] == [name]
    finally:
        nodes.delete(name)
    with pytest.raises(errors.NotFound):
        nodes.get(name)


def test_delete_collection_by_label(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    for i in range(3):
        cms.create({"metadata": {"name": f"d{i}", "labels": {"drop": "yes" if i < 2 else "no"}}})
    cms.delete_collection(label_selector="drop=yes")
    left = sorted(c.metadata.name for c in cms.list(label_selector="drop").items)
    assert left == ["d2"]


def test_status_writes_and_metadata(backend: Backend, ns: str) -> None:
    """What of the metadata a status write changes differs by kind (pods: labels too)."""
    pods = backend.cs.core_v1.pods(ns)
    pod = pods.create(_pod("meta", a="1")).model_dump(
        mode="json", by_alias=True, exclude_unset=True
    )
    pod["metadata"].update(labels={"a": "2"}, annotations={"x": "2"})
    after = pods.update_status(pod)
    assert after.metadata.labels == {"a": "2"} and after.metadata.annotations == {"x": "2"}
    deployments = backend.cs.apps_v1.deployments(ns)
    d = deployments.create(_deployment("meta")).model_dump(
        mode="json", by_alias=True, exclude_unset=True
    )
    d["metadata"].update(labels={"changed": "yes"}, annotations={"x": "2"})
    after_d = deployments.update_status(d)
    assert not after_d.metadata.labels and after_d.metadata.annotations == {"x": "2"}
