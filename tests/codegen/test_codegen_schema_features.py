"""CRD schema features real CRDs use, each generated and round-tripped: int-or-string,
preserve-unknown-fields, embedded resources, nested objects, oneOf/anyOf/allOf, enums, nullable,
defaults, additionalProperties maps, awkward field names, several served versions, storage."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import kubeset
import pytest
from kubeset.codegen.emit import generate, write_tree
from kubeset.codegen.loader import load_spec

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: features.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Feature, plural: features, listKind: FeatureList}
  versions:
  - name: v1beta1
    served: true
    storage: false
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {old: {type: string}}}
  - name: v1alpha1
    served: false
    storage: false
    schema:
      openAPIV3Schema: {type: object}
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              port: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
              free: {type: object, x-kubernetes-preserve-unknown-fields: true}
              open:
                type: object
                x-kubernetes-preserve-unknown-fields: true
                properties: {known: {type: string}}
              template:
                type: object
                x-kubernetes-embedded-resource: true
                x-kubernetes-preserve-unknown-fields: true
              outer:
                type: object
                properties:
                  middle:
                    type: object
                    properties:
                      inner:
                        type: object
                        properties: {leaf: {type: integer}}
                  list:
                    type: array
                    items: {type: object, properties: {name: {type: string}}}
              choice:
                type: object
                oneOf: [{required: [a]}, {required: [b]}]
                properties: {a: {type: string}, b: {type: integer}}
              both: {allOf: [{type: string}, {minLength: 1}], type: string}
              mode: {type: string, enum: [Fast, Slow], default: Fast}
              maybe: {type: string, nullable: true}
              labels: {type: object, additionalProperties: {type: string}}
              ports:
                type: object
                additionalProperties:
                  type: object
                  properties: {number: {type: integer}}
              class: {type: string}
              dash-name: {type: string}
              dot.name: {type: string}
              1st: {type: string}
              ratio: {type: number}
              fooBar: {type: object, properties: {camel: {type: string}}}
              foo_bar: {type: object, properties: {snake: {type: string}}}
"""

SAMPLE: dict[str, Any] = {
    "apiVersion": "example.com/v1",
    "kind": "Feature",
    "metadata": {"name": "f", "namespace": "default"},
    "spec": {
        "port": "http",
        "free": {"anything": [1, {"deep": None}], "n": 1.5},
        "open": {"known": "k", "unknown": {"x": 1}},
        "template": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"containers": []},
        },
        "outer": {"middle": {"inner": {"leaf": 3}}, "list": [{"name": "a"}, {"name": "b"}]},
        "choice": {"b": 2},
        "both": "x",
        "mode": "Slow",
        "maybe": None,
        "labels": {"a": "1"},
        "ports": {"http": {"number": 80}},
        "class": "gold",
        "dash-name": "d",
        "dot.name": "e",
        "1st": "first",
        "ratio": 2,
    },
    "status": {"anything": True},
}


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    root = tmp_path_factory.mktemp("features")
    (root / "feature.yaml").write_text(CRD)
    out = root / "featurepkg"
    write_tree(generate(load_spec(str(root / "feature.yaml")), "featurepkg", out=out), out)
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("featurepkg")
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == "featurepkg" or m.startswith("featurepkg.")]:
            del sys.modules[name]


def _v1(pkg: ModuleType) -> Any:
    return importlib.import_module("featurepkg.models.example.v1")


def test_the_storage_version_is_recorded(pkg: ModuleType) -> None:
    # v1 is stored; v1beta1 is served too and v1alpha1 neither: only the storage version counts
    assert pkg.STORAGE_VERSIONS == {"example.com/Feature": "v1"}


def test_round_trip_is_exact(pkg: ModuleType) -> None:
    scheme = importlib.import_module("featurepkg.scheme")
    obj = scheme.decode(SAMPLE)
    assert type(obj).__name__ == "Feature"
    assert kubeset.to_dict(obj) == SAMPLE
    assert kubeset.to_dict(scheme.decode(kubeset.to_json(obj))) == SAMPLE


def test_int_or_string(pkg: ModuleType) -> None:
    m = _v1(pkg)
    assert m.FeatureSpec(port=8080).port == 8080 and m.FeatureSpec(port="http").port == "http"


def test_preserve_unknown_fields_and_embedded_resources_stay_free_form(pkg: ModuleType) -> None:
    m = _v1(pkg)
    spec = m.FeatureSpec.model_validate(SAMPLE["spec"])
    assert spec.free == SAMPLE["spec"]["free"]  # any JSON, as sent
    assert spec.template["metadata"] == {"name": "p"}
    assert spec.open.known == "k"  # declared fields typed, the unknown ones kept
    assert kubeset.to_dict(spec.open) == {"known": "k", "unknown": {"x": 1}}


def test_nested_objects_are_models_named_by_path(pkg: ModuleType) -> None:
    m = _v1(pkg)
    spec = m.FeatureSpec.model_validate(SAMPLE["spec"])
    assert (
        type(spec.outer.middle.inner) is m.FeatureSpecOuterMiddleInner
        and spec.outer.middle.inner.leaf == 3
    )
    assert [type(x) for x in spec.outer.list_] == [
        m.FeatureSpecOuterList
    ] * 2  # list_: not to shadow list


def test_one_of_all_of_enum_default_nullable_decode_what_is_sent(pkg: ModuleType) -> None:
    m = _v1(pkg)
    spec = m.FeatureSpec.model_validate(
        {"choice": {"b": 2}, "both": "x", "mode": "Other", "maybe": None}
    )
    assert spec.choice.b == 2 and spec.both == "x"
    assert spec.mode == "Other"  # enums constrain the server, not decoding
    assert m.FeatureSpec().mode is None  # defaults are the server's to apply: unset stays unset
    assert kubeset.to_dict(m.FeatureSpec()) == {}
    assert kubeset.to_dict(spec)["maybe"] is None  # an explicit null survives


def test_additional_properties_maps(pkg: ModuleType) -> None:
    m = _v1(pkg)
    spec = m.FeatureSpec.model_validate({"labels": {"a": "1"}, "ports": {"http": {"number": 80}}})
    assert spec.labels == {"a": "1"}
    assert type(spec.ports["http"]) is m.FeatureSpecPortsValue and spec.ports["http"].number == 80


def test_awkward_names_by_attribute_and_json_name(pkg: ModuleType) -> None:
    m = _v1(pkg)
    by_json = m.FeatureSpec.model_validate(
        {"class": "g", "dash-name": "d", "dot.name": "e", "1st": "f"}
    )
    assert (by_json.class_, by_json.dash_name, by_json.dot_name, by_json.f_1st) == (
        "g",
        "d",
        "e",
        "f",
    )
    built = m.FeatureSpec(class_="g", dash_name="d", dot_name="e", f_1st="f")
    assert kubeset.to_dict(built) == {"class": "g", "dash-name": "d", "dot.name": "e", "1st": "f"}


def test_each_served_version_is_its_own_module(pkg: ModuleType) -> None:
    scheme = importlib.import_module("featurepkg.scheme")
    v1beta1 = importlib.import_module("featurepkg.models.example.v1beta1")
    assert scheme.model_for("example.com/v1beta1", "Feature") is v1beta1.Feature
    assert scheme.model_for("example.com/v1", "Feature") is _v1(pkg).Feature
    assert v1beta1.FeatureSpec(old="x").old == "x"
    models = Path(pkg.__file__).parent / "models" / "example"
    # v1alpha1 is not served
    assert sorted(p.name for p in models.glob("v*.py")) == ["v1.py", "v1beta1.py"]
    clients = importlib.import_module("featurepkg.clientset")
    assert hasattr(clients.Clientset, "example_v1") and hasattr(
        clients.Clientset, "example_v1beta1"
    )


def test_camel_and_snake_twins_both_generate(pkg: ModuleType) -> None:
    """A schema with fooBar and foo_bar (seen in real CRDs): foo_bar keeps its name, fooBar becomes
    foo_bar_2; their object schemas become FeatureSpecFooBar and FeatureSpecFooBar2 (sorted order)."""
    m = _v1(pkg)
    data = {"fooBar": {"camel": "c"}, "foo_bar": {"snake": "s"}}
    spec = m.FeatureSpec.model_validate(data)
    assert type(spec.foo_bar_2) is m.FeatureSpecFooBar and spec.foo_bar_2.camel == "c"
    assert type(spec.foo_bar) is m.FeatureSpecFooBar2 and spec.foo_bar.snake == "s"
    assert kubeset.to_dict(spec) == data
    assert kubeset.to_dict(m.FeatureSpec(foo_bar_2={"camel": "x"})) == {"fooBar": {"camel": "x"}}
