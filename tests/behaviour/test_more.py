"""More semantics on both backends: namespace deletion, dry-run writes, immutability, update
managers in server-side apply, and what the fake leaves out (see UNSUPPORTED in backends.py)."""

from __future__ import annotations

import uuid

import pytest
from backends import Backend, eventually
from kubeset import errors
from kubeset.codec import to_json


def _gone(call: object) -> None:
    with pytest.raises(errors.NotFound):
        call()  # type: ignore[operator]


def test_namespace_deletion_removes_its_objects(backend: Backend) -> None:
    name = f"gone-{uuid.uuid4().hex[:6]}"
    namespaces = backend.cs.core_v1.namespaces()
    namespaces.create({"metadata": {"name": name}})
    backend.cs.core_v1.config_maps(name).create({"metadata": {"name": "inside"}})
    namespaces.delete(name)
    eventually(lambda: _gone(lambda: namespaces.get(name)), timeout=60)
    _gone(lambda: backend.cs.core_v1.config_maps(name).get("inside"))


def test_dry_run_update_and_patch(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    created = cms.create({"metadata": {"name": "d"}, "data": {"k": "1"}})
    data = created.model_dump(mode="json", by_alias=True, exclude_unset=True)
    data["data"] = {"k": "2"}
    assert cms.update(data, dry_run=True).data == {"k": "2"}
    assert cms.patch("d", {"data": {"k": "3"}}, dry_run=True).data == {"k": "3"}
    now = cms.get("d")
    assert now.data == {"k": "1"}
    assert now.metadata.resource_version == created.metadata.resource_version


def test_immutable_configmap(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    cms.create({"metadata": {"name": "frozen"}, "data": {"k": "1"}, "immutable": True})
    with pytest.raises(errors.Invalid) as e:
        cms.patch("frozen", {"data": {"k": "2"}})
    assert "data" in [c.field for c in e.value.causes]
    assert cms.patch("frozen", {"metadata": {"labels": {"ok": "yes"}}}).metadata.labels == {
        "ok": "yes"
    }


def test_apply_conflicts_with_an_update_manager(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    cms.create({"metadata": {"name": "u"}, "data": {"a": "1"}}, field_manager="creator")
    config = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "u"},
        "data": {"a": "2"},
    }
    with pytest.raises(errors.Conflict) as e:
        cms.apply(config, field_manager="applier")
    assert [c.field for c in e.value.causes] == [".data.a"]
    assert 'conflict with "creator"' in e.value.causes[0].message
    applied = cms.apply(config, field_manager="applier", force=True)
    assert applied.data == {"a": "2"}
    managers = {m.manager: m.operation for m in applied.metadata.managed_fields}
    # creator keeps owning the data map itself ("f:data": {".": {}}), not data.a
    assert managers == {"applier": "Apply", "creator": "Update"}


def test_builtin_defaults(backend: Backend, ns: str) -> None:
    pod = backend.cs.core_v1.pods(ns).create(
        {
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]},
        }
    )
    assert pod.spec.restart_policy == "Always" and pod.spec.dns_policy == "ClusterFirst"
    assert pod.spec.containers[0].image_pull_policy == "IfNotPresent"


def test_scheduled_pod_deletion_is_graceful(backend: Backend, ns: str) -> None:
    pods = backend.cs.core_v1.pods(ns)
    pods.create(
        {
            "metadata": {"name": "bound"},
            "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "busybox:1.36"}]},
        }
    )
    pods.delete("bound")
    terminating = pods.get("bound")  # no kubelet confirms the end
    assert terminating.metadata.deletion_timestamp is not None
    assert terminating.metadata.deletion_grace_period_seconds == 30
    pods.delete("bound", grace_period_seconds=0)
    _gone(lambda: pods.get("bound"))


def test_a_list_over_a_megabyte_holds_every_object_as_sent(backend: Backend, ns: str) -> None:
    """The asyncio clients decode a list this large in batches (kubeset.codec.chunked), the
    event loop running between them: the objects are the ones each get returns."""
    cms = backend.cs.core_v1.config_maps(ns)
    tricky = '"]}[{\\ ключ 😀 \u2028 '
    sent = {f"big-{i:02d}": {"v": f"{i}{tricky}" + "x" * 60_000, "k.x": tricky} for i in range(24)}
    for name, data in sent.items():
        cms.create({"metadata": {"name": name, "labels": {"big": "yes"}}, "data": data})
    listed = cms.list(label_selector="big=yes")
    assert sorted(cm.metadata.name for cm in listed.items) == sorted(sent)
    assert len(to_json(listed)) > 1024 * 1024
    for cm in listed.items:
        assert cm.data == sent[cm.metadata.name]
        got = cms.get(cm.metadata.name)  # items of a list carry no apiVersion and kind
        assert cm.metadata == got.metadata and cm.data == got.data
