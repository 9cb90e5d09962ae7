"""Finalizers, deletionTimestamp and garbage collection by ownerReferences on both backends."""

from __future__ import annotations

import pytest
from backends import Backend, eventually
from kubeset import errors


def _gone(get: object) -> None:
    with pytest.raises(errors.NotFound):
        get()  # type: ignore[operator]


def test_finalizer_holds_deletion(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    cms.create({"metadata": {"name": "f", "finalizers": ["kubeset.io/hold"]}})
    cms.delete("f")
    held = cms.get("f")
    assert held.metadata.deletion_timestamp is not None
    assert held.metadata.finalizers == ["kubeset.io/hold"]
    with pytest.raises(errors.Invalid):
        cms.patch("f", {"metadata": {"finalizers": ["kubeset.io/hold", "kubeset.io/more"]}})
    cms.patch("f", {"metadata": {"finalizers": None}})
    _gone(lambda: cms.get("f"))


def _owned(backend: Backend, ns: str) -> tuple[object, object]:
    cms = backend.cs.core_v1.config_maps(ns)
    owner = cms.create({"metadata": {"name": "owner"}})
    ref = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "name": "owner",
        "uid": owner.metadata.uid,
        "blockOwnerDeletion": True,
    }
    dependent = cms.create({"metadata": {"name": "dependent", "ownerReferences": [ref]}})
    return owner, dependent


def test_background_garbage_collection(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    _owned(backend, ns)
    cms.delete("owner")
    _gone(lambda: cms.get("owner"))
    eventually(lambda: _gone(lambda: cms.get("dependent")))


def test_foreground_garbage_collection(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    _owned(backend, ns)
    deleting = cms.delete("owner", propagation_policy="Foreground")
    assert deleting is not None and "foregroundDeletion" in deleting.metadata.finalizers
    eventually(lambda: _gone(lambda: cms.get("dependent")))
    eventually(lambda: _gone(lambda: cms.get("owner")))


def test_orphan_keeps_dependents(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    _owned(backend, ns)
    cms.delete("owner", propagation_policy="Orphan")
    eventually(lambda: _gone(lambda: cms.get("owner")))

    def unowned() -> None:
        assert not cms.get("dependent").metadata.owner_references

    eventually(unowned)


def test_delete_preconditions(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    created = cms.create({"metadata": {"name": "pre"}})
    with pytest.raises(errors.Conflict):
        cms.delete("pre", preconditions={"resourceVersion": "1"})
    cms.delete("pre", preconditions={"uid": created.metadata.uid})
    _gone(lambda: cms.get("pre"))
