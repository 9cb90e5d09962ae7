"""Server-side apply with two field managers on both backends."""

from __future__ import annotations

import pytest
from backends import Backend
from kubeset import errors


def _cm(ns: str, **data: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "ssa", "namespace": ns},
        "data": data,
    }


def _managers(obj: object) -> dict[str, str]:
    return {m.manager: m.operation for m in obj.metadata.managed_fields}  # type: ignore[attr-defined]


def test_apply_two_managers_conflict_and_force(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    first = cms.apply(_cm(ns, a="1", shared="x"), field_manager="alice")
    assert first.data == {"a": "1", "shared": "x"} and _managers(first) == {"alice": "Apply"}
    # the same value for a field another manager owns is shared ownership, not a conflict
    both = cms.apply(_cm(ns, b="2", shared="x"), field_manager="bob")
    assert both.data == {"a": "1", "b": "2", "shared": "x"}
    assert _managers(both) == {"alice": "Apply", "bob": "Apply"}
    with pytest.raises(errors.Conflict) as e:
        cms.apply(_cm(ns, b="2", a="changed"), field_manager="bob")
    assert [c.field for c in e.value.causes] == [".data.a"]
    assert (
        e.value.causes[0].reason == "FieldManagerConflict" and "alice" in e.value.causes[0].message
    )
    forced = cms.apply(_cm(ns, b="2", a="changed"), field_manager="bob", force=True)
    assert forced.data == {"a": "changed", "b": "2", "shared": "x"}
    # alice no longer owns data.a; dropping it from her config leaves bob's value
    after = cms.apply(_cm(ns, shared="x"), field_manager="alice")
    assert after.data == {"a": "changed", "b": "2", "shared": "x"}
    # bob stops applying b, which nobody else owns: it is removed
    final = cms.apply(_cm(ns, a="changed", shared="x"), field_manager="bob")
    assert final.data == {"a": "changed", "shared": "x"}


def test_apply_merges_lists_by_key(backend: Backend, ns: str) -> None:
    deployments = backend.cs.apps_v1.deployments(ns)

    def config(containers: list[dict]) -> dict:
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": ns},
            "spec": {
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": containers},
                },
            },
        }

    deployments.apply(config([{"name": "app", "image": "busybox:1.36"}]), field_manager="base")
    merged = deployments.apply(
        config([{"name": "side", "image": "busybox:1.36"}]), field_manager="sidecar"
    )
    assert [c.name for c in merged.spec.template.spec.containers] == ["app", "side"]
    with pytest.raises(errors.Conflict):
        deployments.apply(
            config([{"name": "app", "image": "busybox:1.37"}]), field_manager="sidecar"
        )


def test_managed_fields_v1_format(backend: Backend, ns: str) -> None:
    deployments = backend.cs.apps_v1.deployments(ns)
    applied = deployments.apply(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "mf", "labels": {"team": "a"}},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "mf"}},
                "template": {
                    "metadata": {"labels": {"app": "mf"}},
                    "spec": {"containers": [{"name": "app", "image": "busybox:1.36"}]},
                },
            },
        },
        field_manager="writer",
    )
    (entry,) = [m for m in applied.metadata.managed_fields if m.manager == "writer"]
    assert entry.operation == "Apply" and entry.fields_type == "FieldsV1"
    assert entry.fields_v1 == {
        "f:metadata": {"f:labels": {"f:team": {}}},
        "f:spec": {
            "f:replicas": {},
            "f:selector": {},
            "f:template": {
                "f:metadata": {"f:labels": {"f:app": {}}},
                "f:spec": {
                    "f:containers": {'k:{"name":"app"}': {".": {}, "f:image": {}, "f:name": {}}}
                },
            },
        },
    }
