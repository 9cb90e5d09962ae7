"""Sparse instances (kubeset.model.sparse): the compiled decoder leaves absent fields out of
``__dict__`` and makes no fields set, and nothing a user can observe tells such an instance from
pydantic's full one.

Each check builds the same data twice, decoded by the compiled decoder (sparse) and validated by
pydantic (full), applies the same steps to both and compares everything observable: attribute
reads, ``==``, ``repr``, ``dict(model)``, ``model_fields_set``, ``model_dump`` with and without
``exclude_unset``, ``model_dump_json``, ``to_dict``, ``to_json``, copies and pickles.
"""

from __future__ import annotations

import copy
import json
import pickle
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import kubeset
import pytest
from kubeset.codec import decode_json
from kubeset.codec.native import load_codec
from kubeset.kubernetes import scheme
from kubeset.kubernetes.models.core.v1 import Container, ContainerPort, Pod, PodList, PodSpec
from kubeset.kubernetes.models.meta.v1 import ObjectMeta
from kubeset.model import KubeModel, lazy, sparse
from pydantic import BaseModel

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

FIXTURES = Path("fixtures/v1.36.0")
codec = load_codec()
needs_codec = pytest.mark.skipif(not codec, reason="kubeset._codec is not built")

WIRE = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "labels": {"app": "web"}, "annotations": None, "future": 1},
    "spec": {
        "nodeName": "n1",
        "containers": [{"name": "c", "image": "nginx", "env": [{"name": "A", "value": "1"}]}],
        "tolerations": None,
    },
    "status": {"phase": "Running", "conditions": []},
}


def both(model: type[BaseModel] = Pod, data: Any = WIRE) -> tuple[Any, Any]:
    """The same data decoded sparsely (compiled decoder) and fully (pydantic)."""
    raw = json.dumps(data).encode()
    a, b = decode_json(model, raw), model.model_validate_json(raw)
    if codec:
        assert sparse.uses_dict_keys(a) and not sparse.uses_dict_keys(b)
    return a, b


def fields_sets(obj: Any, path: str = "$") -> Any:
    """``model_fields_set`` of every model in a tree, by path (reads nothing into being)."""
    if isinstance(obj, BaseModel):
        yield path, sorted(obj.model_fields_set)
        for name, value in obj:
            yield from fields_sets(value, f"{path}.{name}")
    elif isinstance(obj, (list, dict)):
        for key, value in obj.items() if isinstance(obj, dict) else enumerate(obj):
            yield from fields_sets(value, f"{path}[{key!r}]")


def observed(obj: BaseModel) -> dict[str, Any]:
    """Everything a user sees of a model but its fields sets, in a form that compares."""
    return {
        "repr": repr(obj),
        "iter": [(k, repr(v)) for k, v in obj],
        "extra": obj.model_extra,
        "dump": repr(obj.model_dump()),
        "dump_keys": list(obj.model_dump()),
        "dump_unset": obj.model_dump(by_alias=True, exclude_unset=True),
        "dump_json": obj.model_dump_json(),
        "dump_json_unset": obj.model_dump_json(by_alias=True, exclude_unset=True),
        "to_dict": kubeset.to_dict(obj),
        "to_json": kubeset.to_json(obj),
    }


def same_to_users(a: BaseModel, b: BaseModel) -> None:
    assert a == b and b == a
    assert observed(a) == observed(b)
    assert list(fields_sets(a)) == list(fields_sets(b))


@needs_codec
def test_a_decoded_instance_holds_only_what_was_sent() -> None:
    pod, _ = both()
    assert set(vars(pod)) == {"api_version", "kind", "metadata", "spec", "status"}
    assert set(vars(pod.spec)) == {"node_name", "containers", "tolerations"}
    assert vars(pod.spec)["tolerations"] is None  # a wire null is kept: written back as null
    assert sparse.uses_dict_keys(pod.spec)  # no fields set made on decode
    assert pod.spec.hostname is None and pod.spec.restart_policy is None  # absent scalars
    assert "hostname" not in vars(pod.spec)  # reading an absent scalar stores nothing
    assert pod.spec.volumes == []  # absent Go-shaped: created on read...
    assert not sparse.uses_dict_keys(pod.spec)  # ...which makes the fields set first
    assert "volumes" not in pod.spec.model_fields_set
    assert pod.metadata.model_fields_set == {"name", "labels", "annotations", "future"}
    assert pod.metadata.future == 1
    assert pod.spec.__pydantic_extra__ is None  # no unknown field: no extras dict either
    assert pod.spec.model_extra == {} and pod.spec.__pydantic_extra__ == {}  # made when asked


def test_fresh_decodes_look_the_same() -> None:
    same_to_users(*both())


def test_every_fixture_looks_the_same_decoded_either_way(shared_dir: Path) -> None:
    count = 0
    for path in sorted((shared_dir / FIXTURES).glob("*.json")):
        data = json.loads(path.read_bytes())
        if not (isinstance(data, dict) and data.get("apiVersion") and data.get("kind")):
            continue
        a, b = both(scheme.model_for(data["apiVersion"], data["kind"]), data)
        same_to_users(a, b)
        assert kubeset.to_dict(a) == data, path.name
        count += 1
    assert count >= 40


def _set_absent_scalar(pod: Any) -> None:
    pod.spec.hostname = "h"


def _set_present_to_none(pod: Any) -> None:
    pod.spec.node_name = None


def _set_extra_in_python(pod: Any) -> None:
    pod.spec.futureField = {"x": 1}  # not in pydantic's fields set, written as an extra


def _extra_through_model_extra(pod: Any) -> None:
    pod.status.model_extra["future"] = [1]  # the dict pydantic hands out is the one written


def _del_present(pod: Any) -> None:
    del pod.spec.node_name


def _del_absent(pod: Any) -> None:
    del pod.spec.hostname


def _del_go_shaped(pod: Any) -> None:
    del pod.metadata.labels


def _fill_created(pod: Any) -> None:
    pod.spec.node_selector["disk"] = "ssd"
    pod.spec.containers[0].ports.append(ContainerPort(container_port=80))


def _add_and_remove(pod: Any) -> None:
    pod.metadata.finalizers.append("x")
    pod.metadata.finalizers.pop()


def _read_everything(pod: Any) -> None:
    def touch(obj: Any) -> None:
        if isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                touch(getattr(obj, name))
        elif isinstance(obj, (list, dict)):
            for item in obj.values() if isinstance(obj, dict) else obj:
                touch(item)

    touch(pod)


def _assign_after_del(pod: Any) -> None:
    del pod.spec.node_name
    pod.spec.node_name = "again"  # back at the end of a sparse __dict__: written in order
    pod.metadata.namespace = "ns"


def _discard_from_fields_set(pod: Any) -> None:
    pod.model_fields_set.discard("kind")


def _replace_a_model(pod: Any) -> None:
    pod.spec = PodSpec(containers=[Container(name="new")])


def _model_copy_update(pod: Any) -> None:
    pod.metadata = pod.metadata.model_copy(update={"name": "copied"})


STEPS: list[Callable[[Any], None]] = [
    _set_absent_scalar,
    _set_present_to_none,
    _set_extra_in_python,
    _extra_through_model_extra,
    _del_present,
    _del_absent,
    _del_go_shaped,
    _fill_created,
    _add_and_remove,
    _read_everything,
    _assign_after_del,
    _discard_from_fields_set,
    _replace_a_model,
    _model_copy_update,
]


def _models(cls: type[KubeModel]) -> Iterator[type[KubeModel]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _models(sub)


@pytest.fixture(params=["compiled", "python"])
def descriptors(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The field descriptors in use: the compiled ones (kubeset._codec), or, for the second run,
    the Python ones kubeset falls back to when it was built without a Rust toolchain."""
    if request.param == "python":
        for cls in set(_models(KubeModel)):
            for name, attr in list(vars(cls).items()):
                if isinstance(attr, lazy.LazyField):
                    monkeypatch.setattr(
                        cls,
                        name,
                        lazy.PyLazyField(
                            name, lazy._Creator(name), lazy._assign, sparse.make_absent
                        ),
                    )
                elif isinstance(attr, sparse.AbsentField):
                    monkeypatch.setattr(cls, name, sparse.PyAbsentField(name))
        assert isinstance(vars(Pod)["spec"], lazy.PyLazyField)
    return str(request.param)


@needs_codec
def test_the_compiled_descriptors_are_used_when_built() -> None:
    assert type(vars(Pod)["spec"]).__module__ == "kubeset._codec"
    assert type(vars(PodSpec)["hostname"]).__module__ == "kubeset._codec"
    assert vars(ObjectMeta)["name"] is vars(Container)["name"]


@pytest.mark.parametrize("step", STEPS, ids=[s.__name__.strip("_") for s in STEPS])
def test_the_same_change_looks_the_same(step: Callable[[Any], None], descriptors: str) -> None:
    a, b = both()
    step(a)
    step(b)
    same_to_users(a, b)


def test_every_change_in_turn_looks_the_same(descriptors: str) -> None:
    a, b = both()
    for step in STEPS[:-2]:
        step(a)
        step(b)
        same_to_users(a, b)


@needs_codec
def test_serializing_leaves_a_sparse_instance_sparse() -> None:
    pod, _ = both()
    spec_values = vars(pod.spec)
    observed(pod)  # model_dump and friends fill and make for the call only
    assert vars(pod.spec) is spec_values and set(spec_values) == {
        "node_name",
        "containers",
        "tolerations",
    }
    assert sparse.uses_dict_keys(pod.spec) and sparse.uses_dict_keys(pod.status)


def test_copies_and_pickles_look_the_same() -> None:
    a, b = both()
    for make in (copy.copy, copy.deepcopy, lambda o: pickle.loads(pickle.dumps(o))):
        same_to_users(make(a), make(b))
        same_to_users(make(a), b)


@needs_codec
def test_copies_and_pickles_of_a_sparse_instance_leave_it_sparse_and_are_sparse() -> None:
    def all_sparse(obj: Any) -> bool:
        if isinstance(obj, BaseModel):
            return sparse.uses_dict_keys(obj) and all(all_sparse(v) for v in vars(obj).values())
        if isinstance(obj, (list, dict)):
            return all(all_sparse(v) for v in (obj.values() if isinstance(obj, dict) else obj))
        return True

    pod, full = both()
    copies = [
        copy.copy(pod),
        copy.deepcopy(pod),
        pod.model_copy(),
        pod.model_copy(deep=True),
        pickle.loads(pickle.dumps(pod)),
    ]
    assert all_sparse(pod) and all(all_sparse(made) for made in copies)
    for made in copies:
        same_to_users(made, full)
    deep = pod.model_copy(deep=True)
    deep.spec.containers[0].image = "changed"
    deep.metadata.labels["more"] = "x"
    assert pod.spec.containers[0].image == "nginx" and "more" not in pod.metadata.labels
    shallow = copy.copy(pod)
    assert shallow.spec is pod.spec and vars(shallow) is not vars(pod)


def test_deleting_a_field_makes_it_absent_in_either_layout() -> None:
    for pod in both():
        del pod.spec.node_name
        assert pod.spec.node_name is None and "node_name" not in pod.spec.model_fields_set
        assert "nodeName" not in kubeset.to_dict(pod)["spec"]
        del pod.spec.node_name  # already absent: no error
        with pytest.raises(AttributeError):
            del pod.spec.no_such_field


def test_subclasses_keep_the_fields_aliases() -> None:
    class MyPod(Pod):
        note: str | None = None

    assert MyPod.model_fields["api_version"].validation_alias == "apiVersion"
    assert MyPod.model_fields["spec"].validation_alias == "spec"
    mine = MyPod.model_validate_json(b'{"apiVersion":"v1","spec":{"nodeName":"n"},"note":"x"}')
    assert mine.api_version == "v1" and mine.spec.node_name == "n" and mine.note == "x"
    assert mine.metadata.name is None and mine.status.phase is None


def test_a_large_decoded_list_stays_sparse_and_reads_as_pydantics() -> None:
    from bench_models import pod_list_bytes

    raw = pod_list_bytes(50)
    a, b = decode_json(PodList, raw), PodList.model_validate_json(raw)
    if codec:
        assert all(sparse.uses_dict_keys(p) and None not in vars(p).values() for p in a.items)
    same_to_users(a, b)


def test_class_attributes_are_the_fields() -> None:
    # pydantic and tools that read class attributes see the field itself, never None
    assert ObjectMeta.name is ObjectMeta.model_fields["name"]  # type: ignore[comparison-overlap]
    assert Pod.spec is Pod.model_fields["spec"]  # type: ignore[comparison-overlap]


def test_kubeset_models_inside_other_pydantic_models_follow_kubesets_rule() -> None:
    from pydantic import TypeAdapter

    class Mine(BaseModel):  # a user's own model (or a FastAPI response) holding kubeset's
        pod: Pod
        note: str = "n"

    a, b = both()
    for pod in (a, b):
        pod.spec.node_selector["disk"] = "ssd"  # created on read, then filled: written
        pod.status.host_ip  # noqa: B018  # an absent scalar, read: still absent
        pod.metadata.finalizers  # noqa: B018  # an empty list created on read: not written
    mine_a, mine_b = Mine(pod=a), Mine(pod=b)
    assert mine_a.model_dump() == mine_b.model_dump()
    assert list(mine_a.model_dump()["pod"]["spec"]) == [  # every field, in declaration order
        info.serialization_alias or name for name, info in PodSpec.model_fields.items()
    ]
    assert mine_a.model_dump_json() == mine_b.model_dump_json()
    dumped = mine_a.model_dump(by_alias=True, exclude_unset=True)
    assert dumped["pod"] == kubeset.to_dict(a) == kubeset.to_dict(b)
    assert dumped["pod"]["spec"]["nodeSelector"] == {"disk": "ssd"}
    assert "finalizers" not in dumped["pod"]["metadata"]
    pods = TypeAdapter(list[Pod])
    assert (
        pods.dump_python([a, b], mode="json", by_alias=True, exclude_unset=True)
        == [kubeset.to_dict(a)] * 2
    )
    assert (
        pods.dump_json([a], by_alias=True, exclude_unset=True) == b"[" + kubeset.to_json(a) + b"]"
    )


def test_json_schemas_in_serialization_mode_stay_the_models_own() -> None:
    # kubeset's serializer wraps pydantic's; FastAPI's response schemas must not become "any"
    schema = Pod.model_json_schema(mode="serialization")
    assert schema == Pod.model_json_schema(mode="validation")
    assert {"apiVersion", "kind", "metadata", "spec", "status"} <= set(schema["properties"])
