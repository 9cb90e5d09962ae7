"""Generated models: lossless round trips of Kubernetes' own fixtures, names, construction, special types."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import kubeset
import pytest
from kubeset.kubernetes import scheme
from kubeset.model import compare_quantities, parse_quantity
from pydantic import BaseModel

FIXTURES = "fixtures/v1.36.0"


def _fixtures(shared: Path) -> list[Path]:
    return sorted((shared / FIXTURES).glob("*.json"))


def _kinds_in_spec() -> set[tuple[str, str]]:
    return set(scheme.SCHEME.known())


def _first_difference(a: Any, b: Any, path: str = "$") -> str | None:
    if type(a) is not type(b):
        return f"{path}: {a!r:.60} ({type(a).__name__}) != {b!r:.60} ({type(b).__name__})"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: only in {'output' if k in a else 'original'}"
            d = _first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            d = _first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r:.60} != {b!r:.60}"


def _undeclared(obj: Any, path: str = "$") -> list[str]:
    """JSON paths of the fields that decoded into a model's extras (no declared field took them)."""
    found: list[str] = []
    if isinstance(obj, BaseModel):
        found += [f"{path}.{k}" for k in obj.__pydantic_extra__ or {}]
        for name in type(obj).model_fields:
            found += _undeclared(getattr(obj, name), f"{path}.{name}")
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            found += _undeclared(item, f"{path}[{i}]")
    elif isinstance(obj, dict):
        for k, item in obj.items():
            found += _undeclared(item, f"{path}[{k!r}]")
    return found


def test_every_fixture_with_apiversion_and_kind_round_trips(shared_dir: Path) -> None:
    checked = []
    for path in _fixtures(shared_dir):
        raw = path.read_bytes()
        original = json.loads(raw)
        if not (isinstance(original, dict) and original.get("apiVersion") and original.get("kind")):
            continue
        for data in (raw, raw.decode(), original):
            obj = scheme.decode(data)
            out = kubeset.to_dict(obj)
            assert _first_difference(out, original) is None, (
                f"{path.name}: {_first_difference(out, original)}"
            )
            assert json.loads(kubeset.to_json(obj)) == original, path.name
        # every field of these every-field-set fixtures is a declared, typed field (none left to extras)
        assert _undeclared(obj) == [], f"{path.name}: fields no model declares: {_undeclared(obj)}"
        checked.append(path.name)
    assert len(checked) >= 40, checked
    for name in (
        "core.v1.Pod.json",
        "core.v1.Secret.json",
        "core.v1.ListOptions.json",
        "core.v1.PodLogOptions.json",
        "core.v1.RangeAllocation.json",
        "core.v1.SerializedReference.json",
    ):
        assert name in checked


def test_kinds_the_spec_leaves_out_are_typed(shared_dir: Path) -> None:
    """Option kinds and internal core kinds come from codegen/supplement.json with real types."""
    from kubeset.kubernetes.models.core.v1 import PodExecOptions, PodLogOptions, RangeAllocation
    from kubeset.kubernetes.models.meta.v1 import DeleteOptions, ListOptions

    logs = scheme.decode((shared_dir / FIXTURES / "core.v1.PodLogOptions.json").read_bytes())
    assert isinstance(logs, PodLogOptions)
    assert isinstance(logs.since_time, dt.datetime) and logs.tail_lines == 7
    exec_ = scheme.decode((shared_dir / FIXTURES / "core.v1.PodExecOptions.json").read_bytes())
    assert isinstance(exec_, PodExecOptions) and exec_.command == ["commandValue"]
    alloc = scheme.decode((shared_dir / FIXTURES / "core.v1.RangeAllocation.json").read_bytes())
    assert isinstance(alloc, RangeAllocation) and isinstance(alloc.data, bytes)
    # the option kinds are registered in every group version that registers DeleteOptions
    delete_versions = {v for v, k in scheme.SCHEME.known() if k == "DeleteOptions"}
    assert {v for v, k in scheme.SCHEME.known() if k == "ListOptions"} == delete_versions
    assert scheme.model_for("apps/v1", "ListOptions") is ListOptions
    assert scheme.gvk_of(ListOptions(limit=5)) == ("v1", "ListOptions")
    assert scheme.gvk_of(DeleteOptions) == ("v1", "DeleteOptions")
    # docstrings say where they come from; field docs come from the spec's query parameters
    assert "Not in the OpenAPI spec" in (PodLogOptions.__doc__ or "")
    with pytest.raises(TypeError, match="tail_line"):
        PodLogOptions(tail_line=3)  # type: ignore[call-arg]


def test_pod_after_roundtrip_decodes(shared_dir: Path) -> None:
    from kubeset.kubernetes.models.core.v1 import Pod

    raw = (shared_dir / FIXTURES / "core.v1.Pod.after_roundtrip.json").read_bytes()
    pod = scheme.decode(raw)
    assert isinstance(pod, Pod)
    assert kubeset.to_dict(pod) == json.loads(raw)


def test_fixture_details_survive(shared_dir: Path) -> None:
    pod = json.loads((shared_dir / FIXTURES / "core.v1.Pod.json").read_text())
    obj = scheme.decode(pod)
    out = kubeset.to_dict(obj)
    assert out["metadata"]["creationTimestamp"] == pod["metadata"]["creationTimestamp"]
    assert out["metadata"]["creationTimestamp"].endswith("Z")
    assert out["metadata"]["managedFields"] == pod["metadata"]["managedFields"]
    assert isinstance(obj.metadata.creation_timestamp, dt.datetime)  # type: ignore[attr-defined]
    event = json.loads((shared_dir / FIXTURES / "core.v1.Event.json").read_text())
    out = kubeset.to_dict(scheme.decode(event))
    assert out["eventTime"] == event["eventTime"] == "2010-01-01T01:01:01.000010Z"


def test_special_types_keep_the_wire_form() -> None:
    from kubeset.kubernetes.models.core.v1 import ContainerPort, Secret, Service, ServicePort
    from kubeset.kubernetes.models.events.v1 import Event
    from kubeset.kubernetes.models.meta.v1 import ObjectMeta

    svc = Service.model_validate_json(
        b'{"spec":{"ports":[{"port":80,"targetPort":8080},{"port":81,"targetPort":"http"}]}}'
    )
    ports = svc.spec.ports  # type: ignore[union-attr]
    assert ports is not None and ports[0].target_port == 8080 and ports[1].target_port == "http"
    assert kubeset.to_dict(svc)["spec"]["ports"] == [
        {"port": 80, "targetPort": 8080},
        {"port": 81, "targetPort": "http"},
    ]
    assert ServicePort(port=80, target_port="8080").target_port == "8080"  # a string stays a string

    # Quantity: numbers accepted, kept as their decimal text
    from kubeset.kubernetes.models.core.v1 import ResourceRequirements

    rr = ResourceRequirements.model_validate({"limits": {"cpu": 2, "memory": "1Gi", "x": 0.5}})
    assert rr.limits == {"cpu": "2", "memory": "1Gi", "x": "0.5"}
    assert parse_quantity("500m") == Decimal("0.5")
    assert parse_quantity("1Gi") == 1073741824
    assert parse_quantity("1e3") == 1000
    assert compare_quantities("1Gi", "1024Mi") == 0 and compare_quantities("100m", "1") == -1
    with pytest.raises(ValueError, match="not a Kubernetes quantity"):
        parse_quantity("12 apples")

    # Time: Z round trip; MicroTime: always six digits
    meta = ObjectMeta.model_validate({"creationTimestamp": "2024-05-06T07:08:09Z"})
    assert kubeset.to_dict(meta) == {"creationTimestamp": "2024-05-06T07:08:09Z"}
    ev = Event(event_time=dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
    assert kubeset.to_dict(ev)["eventTime"] == "2024-01-02T03:04:05.000000Z"
    ev2 = Event.model_validate_json(b'{"eventTime":"2024-01-02T03:04:05.120000Z"}')
    assert kubeset.to_dict(ev2)["eventTime"] == "2024-01-02T03:04:05.120000Z"

    # bytes: base64 on the wire, binary-safe, no newlines even for long values
    blob = bytes(range(256)) * 4
    secret = Secret(data={"bin": blob})
    wire = kubeset.to_json(secret)
    assert b"\\n" not in wire
    back = Secret.model_validate_json(wire)
    assert back.data == {"bin": blob}
    with pytest.raises(ValueError, match="base64"):
        Secret.model_validate_json(b'{"data":{"k":"not base64!"}}')

    # doubles keep ints as ints
    from kubeset.kubernetes.models.apiextensions.v1 import JSONSchemaProps

    props = JSONSchemaProps.model_validate_json(b'{"maximum": 1, "minimum": 1.5}')
    assert kubeset.to_dict(props) == {"maximum": 1, "minimum": 1.5}
    assert ContainerPort(container_port=80).container_port == 80


def test_unknown_fields_are_kept_and_written_back() -> None:
    data = {
        "apiVersion": "v1",
        "kind": "Pod",
        "futureField": {"a": [1, 2]},
        "spec": {"newThing": True},
    }
    pod = scheme.decode(data)
    assert kubeset.to_dict(pod) == data


def test_attribute_names() -> None:
    from kubeset.kubernetes.models.apiextensions.v1 import (
        CustomResourceDefinitionVersion,
        CustomResourceValidation,
        JSONSchemaProps,
    )
    from kubeset.kubernetes.models.core.v1 import FCVolumeSource, PodSpec, PodStatus
    from kubeset.kubernetes.models.meta.v1 import ListMeta
    from kubeset.kubernetes.models.rbac.v1 import PolicyRule

    assert PodStatus.model_fields["pod_ips"].serialization_alias == "podIPs"
    assert FCVolumeSource.model_fields["target_wwns"].serialization_alias == "targetWWNs"
    assert (
        CustomResourceValidation.model_fields["open_api_v3_schema"].serialization_alias
        == "openAPIV3Schema"
    )
    assert "schema_" in CustomResourceDefinitionVersion.model_fields
    assert PodSpec.model_fields["host_ipc"].serialization_alias == "hostIPC"
    assert PolicyRule.model_fields["non_resource_urls"].serialization_alias == "nonResourceURLs"
    assert ListMeta.model_fields["continue_"].serialization_alias == "continue"
    fields = JSONSchemaProps.model_fields
    assert fields["ref_"].serialization_alias == "$ref"
    assert fields["schema_"].serialization_alias == "$schema"
    assert (
        fields["x_kubernetes_preserve_unknown_fields"].serialization_alias
        == "x-kubernetes-preserve-unknown-fields"
    )
    for cls in (PodSpec, PodStatus, JSONSchemaProps):
        for name in cls.model_fields:
            assert name.isidentifier() and name == name.lower(), name


def test_construction_by_attribute_and_json_name() -> None:
    from kubeset.kubernetes.models.core.v1 import PodIP, PodStatus

    a = PodStatus(pod_ips=[PodIP(ip="10.0.0.1")], host_ip="1.2.3.4")
    b = PodStatus(podIPs=[{"ip": "10.0.0.1"}], hostIP="1.2.3.4")
    assert (
        kubeset.to_dict(a)
        == kubeset.to_dict(b)
        == {"hostIP": "1.2.3.4", "podIPs": [{"ip": "10.0.0.1"}]}
    )
    assert a.pod_ips is not None and a.pod_ips[0].ip == "10.0.0.1"


def test_unknown_attribute_name_on_construction_raises() -> None:
    from kubeset.kubernetes.models.core.v1 import Pod, PodSpec

    with pytest.raises(TypeError, match="node_nme"):
        PodSpec(node_nme="x")
    with pytest.raises(TypeError, match="metdata"):
        Pod(metdata={"name": "x"})
    with pytest.raises(TypeError, match="one field under two names: nodeName, node_name"):
        PodSpec(node_name="a", nodeName="b")


def test_unknown_names_in_nested_dicts_raise_on_construction_with_their_path() -> None:
    from kubeset.kubernetes.models.apiextensions.v1 import JSONSchemaProps
    from kubeset.kubernetes.models.core.v1 import Pod, PodSpec

    with pytest.raises(
        TypeError, match=r"PodSpec\(\) got unknown field name\(s\) in spec: nod_name"
    ):
        Pod(spec={"nod_name": "x"})
    with pytest.raises(TypeError, match=r"in spec\.containers\[1\]: imge"):
        Pod(spec={"containers": [{"name": "a"}, {"name": "b", "imge": "nginx"}]})
    with pytest.raises(TypeError, match=r"in properties\['spec'\]\.properties\['x'\]: typ"):
        JSONSchemaProps(properties={"spec": {"properties": {"x": {"typ": "string"}}}})
    with pytest.raises(
        TypeError, match=r"one field under two names in metadata: generateName, generate_name"
    ):
        Pod(metadata={"name": "a", "generateName": "b", "generate_name": "c"}, spec=PodSpec())
    # plain-dict values (labels) and JSON names are fine; decoding keeps unknown fields as before
    pod = Pod(
        metadata={"labels": {"anything": "goes"}, "generateName": "web-"}, spec={"nodeName": "n"}
    )
    assert kubeset.to_dict(pod)["metadata"] == {
        "labels": {"anything": "goes"},
        "generateName": "web-",
    }
    decoded = Pod.model_validate({"spec": {"nod_name": "x"}})
    assert kubeset.to_dict(decoded) == {"spec": {"nod_name": "x"}}


def test_every_model_field_annotation_is_resolved() -> None:
    """The nested-name check follows field annotations; a forward reference would hide a level."""
    import importlib
    import pkgutil
    from typing import ForwardRef, get_args

    from kubeset.kubernetes import models
    from kubeset.model import KubeModel

    def refs(annotation: object) -> bool:
        return isinstance(annotation, (str, ForwardRef)) or any(
            refs(a) for a in get_args(annotation)
        )

    for info in pkgutil.walk_packages(models.__path__, models.__name__ + "."):
        module = importlib.import_module(info.name)
        for cls in vars(module).values():
            if (
                isinstance(cls, type)
                and issubclass(cls, KubeModel)
                and cls.__module__ == module.__name__
            ):
                for name, field in cls.model_fields.items():
                    assert not refs(field.annotation), (
                        f"{cls.__qualname__}.{name}: {field.annotation!r}"
                    )


def test_top_level_kinds_fill_in_api_version_and_kind_on_construction_only() -> None:
    from kubeset.kubernetes.models.apps.v1 import Deployment
    from kubeset.kubernetes.models.core.v1 import Pod, PodList

    assert kubeset.to_dict(Pod()) == {"apiVersion": "v1", "kind": "Pod"}
    assert kubeset.to_dict(Deployment()) == {"apiVersion": "apps/v1", "kind": "Deployment"}
    assert kubeset.to_dict(Pod(apiVersion="v1")) == {"apiVersion": "v1", "kind": "Pod"}
    decoded = PodList.model_validate_json(
        b'{"apiVersion":"v1","kind":"PodList","items":[{"metadata":{"name":"a"}}]}'
    )
    assert kubeset.to_dict(decoded)["items"] == [{"metadata": {"name": "a"}}]
    assert Pod.model_validate({}).model_fields_set == set()


def test_importing_core_v1_does_not_import_other_groups() -> None:
    code = """
import sys
import kubeset.kubernetes
from kubeset.kubernetes import scheme
loaded = sorted(m for m in sys.modules if m.startswith("kubeset.kubernetes.models."))
assert loaded == [], loaded
from kubeset.kubernetes.models.core.v1 import Pod
pod = scheme.decode(b'{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"}}')
assert isinstance(pod, Pod)
Pod(metadata={"name": "y"})
loaded = sorted(m for m in sys.modules if m.startswith("kubeset.kubernetes.models."))
print(loaded)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    loaded = eval(out)
    assert loaded == [
        "kubeset.kubernetes.models.core",
        "kubeset.kubernetes.models.core.v1",
        "kubeset.kubernetes.models.meta",
        "kubeset.kubernetes.models.meta.v1",
    ]


def test_every_generated_field_is_named_by_the_naming_rule() -> None:
    """No field renamed behind our back (e.g. by datamodel-code-generator's collision handling)."""
    import importlib
    import pkgutil

    from kubeset.codegen.naming import python_name
    from kubeset.kubernetes import models
    from kubeset.model import KubeModel

    checked = 0
    for info in pkgutil.walk_packages(models.__path__, models.__name__ + "."):
        module = importlib.import_module(info.name)
        for cls in vars(module).values():
            if not (
                isinstance(cls, type)
                and issubclass(cls, KubeModel)
                and cls.__module__ == module.__name__
            ):
                continue
            for name, field in cls.model_fields.items():
                json_name = field.serialization_alias or name
                assert python_name(json_name) == name, (
                    f"{cls.__module__}.{cls.__name__}.{name} <- {json_name!r}"
                )
                checked += 1
    assert checked > 3000
