"""Go-shaped models: lists, maps, metadata/spec/status, list items and required objects read as
empty when absent, and everything stays lossless (issue 16).

Every encoding is checked three ways: the compiled encoder (when built), pydantic's serializer
through kubeset's rule (the fallback), and ``model_dump`` / ``model_dump_json``.
"""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path
from typing import Any

import kubeset
import pytest
from kubeset.codec import decode_json, native_encoder
from kubeset.codec.native import load_codec
from kubeset.kubernetes import scheme
from kubeset.kubernetes.models.apiextensions.v1 import (
    CustomResourceDefinition,
    JSONSchemaProps,
)
from kubeset.kubernetes.models.apps.v1 import Deployment
from kubeset.kubernetes.models.autoscaling.v2 import MetricSpec, ResourceMetricSource
from kubeset.kubernetes.models.core.v1 import (
    ConfigMap,
    Container,
    EnvVar,
    Pod,
    PodList,
    PodSpec,
)
from kubeset.kubernetes.models.meta.v1 import ObjectMeta
from kubeset.model.lazy import NullDict, NullList, NullSet, written_view
from pydantic import BaseModel

FIXTURES = Path("fixtures/v1.36.0")
codec = load_codec()


def pydantic_bytes(obj: BaseModel) -> bytes:
    """The fallback: pydantic's own serializer, under kubeset's writing rule."""
    view = written_view(obj)
    return view.__pydantic_serializer__.to_json(view, by_alias=True, exclude_unset=True)


def encodings(obj: BaseModel) -> Any:
    """The JSON written, after checking every route writes the very same thing."""
    expected = pydantic_bytes(obj)
    assert kubeset.to_json(obj) == expected
    if codec:
        encoder = native_encoder(type(obj))
        assert encoder is not None
        try:
            assert encoder.encode(obj) == expected
        except codec.Fallback:
            pass  # handed to pydantic: to_json above already matched
    data = json.loads(expected)
    assert kubeset.to_dict(obj) == data
    assert obj.model_dump(mode="json", by_alias=True, exclude_unset=True) == data
    assert json.loads(obj.model_dump_json(by_alias=True, exclude_unset=True)) == data
    return data


def decoded(model: type[BaseModel], data: Any) -> Any:
    """``model`` decoded from ``data`` by the codec and by pydantic (both must agree)."""
    raw = json.dumps(data).encode()
    a, b = decode_json(model, raw), model.model_validate_json(raw)
    assert dict(a) == dict(b) and repr(a) == repr(b) and a == b
    assert a.model_fields_set == b.model_fields_set
    return a


# ---------------------------------------------------------------- reading


def test_absent_values_read_as_empty_without_being_set() -> None:
    pod = decoded(Pod, {"apiVersion": "v1", "kind": "Pod"})
    assert pod.__dict__.get("spec") is None  # nothing created on decode
    assert "spec" not in pod.__dict__ or not codec  # compiled decoder: absent, no slot at all
    assert pod.spec.containers == [] and pod.metadata.labels == {}
    assert isinstance(pod.spec, PodSpec) and isinstance(pod.metadata, ObjectMeta)
    assert pod.spec is pod.spec  # created once, then kept
    assert pod.model_fields_set == {"api_version", "kind"}
    assert pod.spec.model_fields_set == set()
    assert pod.status.container_statuses == []
    assert PodList().items == []
    assert encodings(pod) == {"apiVersion": "v1", "kind": "Pod"}


def test_scalars_and_optional_objects_stay_optional() -> None:
    pod = Pod()
    assert pod.spec.restart_policy is None and pod.spec.security_context is None
    assert pod.metadata.name is None
    assert Deployment().spec.replicas is None  # absent means the server default, not 0
    assert encodings(pod) == {"apiVersion": "v1", "kind": "Pod"}


def test_required_object_fields_read_as_empty_objects() -> None:
    # ResourceMetricSource.target is required in the spec: an object read as empty
    source = ResourceMetricSource()
    assert source.target.average_utilization is None
    assert encodings(source) == {}
    metric = MetricSpec()
    assert metric.resource is None  # optional object (its presence is the meaning)


def test_construction_still_works() -> None:
    assert encodings(Pod()) == {"apiVersion": "v1", "kind": "Pod"}
    assert encodings(Container(image="nginx")) == {"image": "nginx"}


# ---------------------------------------------------------------- writing


@pytest.mark.parametrize(
    ("wire", "expected_after_read"),
    [
        ({}, {}),  # absent: an untouched empty value is not written
        ({"labels": {}}, {"labels": {}}),
        ({"labels": None}, {"labels": None}),
        ({"labels": {"a": "b"}}, {"labels": {"a": "b"}}),
    ],
    ids=["absent", "empty", "null", "set"],
)
def test_map_round_trips(wire: dict[str, Any], expected_after_read: dict[str, Any]) -> None:
    meta = decoded(ObjectMeta, wire)
    assert encodings(meta) == wire
    labels = meta.labels
    assert labels == wire.get("labels", {}) or labels == {}
    assert encodings(meta) == expected_after_read


@pytest.mark.parametrize(
    "wire",
    [{}, {"finalizers": []}, {"finalizers": None}, {"finalizers": ["x"]}],
    ids=["absent", "empty", "null", "set"],
)
def test_list_round_trips(wire: dict[str, Any]) -> None:
    meta = decoded(ObjectMeta, wire)
    assert encodings(meta) == wire
    assert list(meta.finalizers) == (wire.get("finalizers") or [])
    assert encodings(meta) == wire


@pytest.mark.parametrize(
    "wire",
    [{}, {"spec": {}}, {"spec": None}, {"spec": {"nodeName": "n"}}],
    ids=["absent", "empty", "null", "set"],
)
def test_object_round_trips(wire: dict[str, Any]) -> None:
    pod = decoded(Pod, wire)
    assert encodings(pod) == wire
    assert pod.spec.containers == []
    assert pod.spec.node_name == (wire.get("spec") or {}).get("nodeName")
    assert encodings(pod) == wire


def test_null_is_remembered_until_the_value_is_changed_or_reassigned() -> None:
    meta = decoded(ObjectMeta, {"labels": None, "finalizers": None})
    assert isinstance(meta.labels, NullDict) and isinstance(meta.finalizers, NullList)
    meta.labels["a"] = "b"
    assert encodings(meta) == {"labels": {"a": "b"}, "finalizers": None}
    meta.finalizers = []
    assert encodings(meta) == {"labels": {"a": "b"}, "finalizers": []}
    pod = decoded(Pod, {"spec": None})
    assert type(pod.spec.model_fields_set) is NullSet
    pod.spec.node_name = "n"
    assert encodings(pod) == {"spec": {"nodeName": "n"}}


def test_explicit_none_is_written_as_null_like_a_wire_null() -> None:
    pod = Pod(spec=None)
    assert pod.spec.containers == []  # reads as empty all the same
    assert encodings(pod) == {"apiVersion": "v1", "kind": "Pod", "spec": None}


def test_mutations_of_values_created_on_read_are_written() -> None:
    pod = decoded(Pod, {"kind": "Pod"})
    pod.metadata.labels["app"] = "web"
    pod.spec.containers.append(Container(name="c", image="nginx"))
    assert encodings(pod) == {
        "kind": "Pod",
        "metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }
    assert "metadata" not in pod.model_fields_set  # still tells absent from set


def test_a_scalar_set_inside_a_created_object_is_written() -> None:
    pod = decoded(Pod, {})
    pod.spec.node_name = "n1"
    pod.status.phase = "Running"
    assert encodings(pod) == {"spec": {"nodeName": "n1"}, "status": {"phase": "Running"}}


def test_add_then_remove_leaves_the_field_absent() -> None:
    pod = decoded(Pod, {"metadata": {"name": "p"}})
    pod.metadata.labels["a"] = "b"
    del pod.metadata.labels["a"]
    pod.spec.containers.append(Container(name="c"))
    pod.spec.containers.pop()
    assert encodings(pod) == {"metadata": {"name": "p"}}
    assert pod == decoded(Pod, {"metadata": {"name": "p"}})


def test_deep_values_created_on_read_inside_lists() -> None:
    pod = decoded(Pod, {"spec": {"containers": [{"name": "a"}, {"name": "b"}]}})
    assert pod.spec.containers[0].env == []
    pod.spec.containers[1].env.append(EnvVar(name="X"))
    assert encodings(pod) == {
        "spec": {"containers": [{"name": "a"}, {"name": "b", "env": [{"name": "X"}]}]}
    }


def test_unknown_fields_survive_inside_values_created_on_read() -> None:
    pod = decoded(Pod, {"spec": {"futureSpecField": {"x": [1]}}, "futureTop": 1})
    pod.metadata.labels["a"] = "b"
    pod.spec.containers  # noqa: B018 - a read only
    assert encodings(pod) == {
        "spec": {"futureSpecField": {"x": [1]}},
        "futureTop": 1,
        "metadata": {"labels": {"a": "b"}},
    }
    # an unknown field set on an object created on read makes it written
    status = pod.status
    status.futureStatus = True
    assert encodings(pod)["status"] == {"futureStatus": True}


def test_del_makes_a_field_absent_again() -> None:
    meta = ObjectMeta(labels={"a": "b"})
    del meta.labels
    assert meta.labels == {} and "labels" not in meta.model_fields_set
    assert encodings(meta) == {}


def test_model_dump_without_exclude_unset_is_unchanged_by_reads() -> None:
    before = Pod().model_dump()
    pod = Pod()
    pod.spec.containers  # noqa: B018
    pod.metadata.labels  # noqa: B018
    assert pod.model_dump() == before
    pod.metadata.labels["a"] = "b"
    assert pod.model_dump()["metadata"]["labels"] == {"a": "b"}  # never loses a change
    assert pod.model_dump(by_alias=True, exclude_unset=True)["metadata"] == {"labels": {"a": "b"}}
    assert pod.__dict__.get("spec") is not None  # the created values are kept after dumping
    assert "metadata" not in pod.model_fields_set


# ---------------------------------------------------------------- ==, repr, copies


def test_eq_and_repr_ignore_untouched_empty_values() -> None:
    a, b = Pod(), Pod()
    text = repr(b)
    b.spec.containers  # noqa: B018
    b.metadata.labels  # noqa: B018
    b.status.conditions  # noqa: B018
    assert a == b and repr(b) == text
    b.metadata.labels["x"] = "y"
    assert a != b and "labels={'x': 'y'}" in repr(b)
    assert Pod(metadata=ObjectMeta(labels={})) != Pod()  # set to empty is not absent
    assert Pod(spec=None) == Pod()  # as pydantic: an explicit None equals an unset field


def test_copies_and_pickles_keep_created_values_and_nulls() -> None:
    pod = decoded(Pod, {"spec": None})
    pod.metadata.labels["a"] = "b"
    pod.spec  # noqa: B018 - the null-origin empty spec
    for other in (
        copy.copy(pod),
        copy.deepcopy(pod),
        pod.model_copy(),
        pickle.loads(pickle.dumps(pod)),
    ):
        assert encodings(other) == {"spec": None, "metadata": {"labels": {"a": "b"}}}
        assert other == pod


# ---------------------------------------------------------------- recursive schemas, fixtures


def test_recursive_schemas_read_lazily() -> None:
    props = JSONSchemaProps()
    assert props.properties == {} and props.all_of == []
    props.properties["a"] = JSONSchemaProps(type="string")
    props.properties["a"].properties["b"] = JSONSchemaProps(type="integer")
    assert encodings(props) == {
        "properties": {"a": {"type": "string", "properties": {"b": {"type": "integer"}}}}
    }
    crd = decoded(
        CustomResourceDefinition,
        {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "spec": {
                "versions": [
                    {
                        "name": "v1",
                        "schema": {
                            "openAPIV3Schema": {
                                "type": "object",
                                "properties": {"x": {"type": "array", "items": {"type": "string"}}},
                            }
                        },
                    }
                ]
            },
        },
    )
    schema = crd.spec.versions[0].schema_.open_api_v3_schema
    assert schema.properties["x"].properties == {}
    assert encodings(crd)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"] == {
        "x": {"type": "array", "items": {"type": "string"}}
    }


def _touch(obj: Any, depth: int = 0) -> None:
    """Read every field of a model tree (creating every absent Go-shaped value)."""
    if depth > 30:
        return
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            _touch(getattr(obj, name), depth + 1)
    elif isinstance(obj, list):
        for item in obj:
            _touch(item, depth + 1)
    elif isinstance(obj, dict):
        for item in obj.values():
            _touch(item, depth + 1)


def test_every_fixture_round_trips_exactly_after_every_field_was_read(shared_dir: Path) -> None:
    count = 0
    for path in sorted((shared_dir / FIXTURES).glob("*.json")):
        raw = path.read_bytes()
        data = json.loads(raw)
        if not (isinstance(data, dict) and data.get("apiVersion") and data.get("kind")):
            continue
        model = scheme.model_for(data["apiVersion"], data["kind"])
        obj = decode_json(model, raw)
        untouched = model.model_validate_json(raw)
        assert encodings(obj) == data, path.name
        _touch(obj)
        assert encodings(obj) == data, path.name
        assert obj == untouched and repr(obj) == repr(untouched), path.name
        count += 1
    assert count >= 40


def test_configmap_data_reads_as_a_dict() -> None:
    cm = ConfigMap()
    cm.data["k"] = "v"
    cm.binary_data["b"] = b"\x00"
    assert encodings(cm) == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "data": {"k": "v"},
        "binaryData": {"b": "AA=="},
    }
