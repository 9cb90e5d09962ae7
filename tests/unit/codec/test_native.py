"""kubeset._codec, the compiled decoder and encoder: they must do exactly what pydantic does.

Every check decodes the same bytes twice, through the compiled decoder and through pydantic's
``model_validate_json``, and compares the two trees object by object: classes, field values and
their exact types, ``model_fields_set``, extras, datetimes with their tzinfo.  The decoder's
instances are sparse (kubeset.model.sparse): their ``__dict__`` holds exactly the fields that
were sent, where pydantic's holds ``None`` for the others, and their fields set is made from it
only when asked for.  Input the decoder does not take as canonical must fall back to pydantic and give
pydantic's result or pydantic's ValidationError.  The encoder must give pydantic's
``to_json(by_alias=True, exclude_unset=True)`` bytes exactly, or hand the object to pydantic
(same bytes, same warnings).

``KUBESET_NATIVE=required`` (set by .ci/run) turns a missing extension into a failure; without
it, a kubeset built without a Rust toolchain skips the tests that need the extension.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import kubeset
import pytest
from kubeset.codec import decode_json, decode_large, native_decoder, native_encoder
from kubeset.codec.native import load_codec
from kubeset.kubernetes import scheme
from kubeset.kubernetes.models.apiextensions.v1 import CustomResourceDefinition, JSONSchemaProps
from kubeset.kubernetes.models.core.v1 import (
    ConfigMap,
    Container,
    ContainerPort,
    EnvFromSource,
    Event,
    Pod,
    PodList,
    PodSpec,
    Secret,
    Service,
)
from kubeset.kubernetes.models.meta.v1 import ObjectMeta
from kubeset.model import sparse
from kubeset.model.lazy import written_view
from pydantic import BaseModel, ValidationError, field_validator

FIXTURES = Path("fixtures/v1.36.0")
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

codec = load_codec()
if not codec:
    if os.environ.get("KUBESET_NATIVE") == "required":
        raise RuntimeError(
            "KUBESET_NATIVE=required but kubeset._codec is not built (is cargo installed?)"
        )
    pytest.skip(
        "kubeset._codec is not built (no Rust toolchain at install time)", allow_module_level=True
    )


def same(a: Any, b: Any, path: str = "$", *, native: bool = True) -> None:
    """Assert two decoded trees (``a`` the compiled decoder's, ``b`` pydantic's) are the same
    objects in every observable way, ``a`` laid out sparsely (``native=False``: ``a`` is
    pydantic's too, laid out the same)."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, BaseModel):
        if native:
            assert sparse.uses_dict_keys(a), f"{path}: the decoder made a fields set"
            sent = set(b.model_fields_set) & set(type(b).model_fields)
            assert set(a.__dict__) == sent, f"{path}: __dict__ {set(a.__dict__)}, sent {sent}"
            assert all(b.__dict__[k] is None for k in b.__dict__ if k not in sent), path
        else:
            assert list(a.__dict__) == list(b.__dict__), f"{path}: __dict__ keys differ"
        assert a.model_fields_set == b.model_fields_set, (
            f"{path}: fields_set {a.model_fields_set} != {b.model_fields_set}"
        )
        assert a.__pydantic_private__ == b.__pydantic_private__, path
        if native:  # no extras: no dict either, until model_extra or an assignment makes it
            assert (a.__pydantic_extra__ is None) == (not b.__pydantic_extra__), path
        same(a.__pydantic_extra__ or {}, b.__pydantic_extra__, f"{path}.<extra>")
        assert [k for k, _ in a] == [k for k, _ in b], f"{path}: dict(model) keys differ"
        for key in a.__dict__:
            same(a.__dict__[key], b.__dict__[key], f"{path}.{key}", native=native)
    elif isinstance(a, dict):
        assert list(a) == list(b), f"{path}: keys differ"
        for key in a:
            same(a[key], b[key], f"{path}[{key!r}]", native=native)
    elif isinstance(a, list):
        assert len(a) == len(b), f"{path}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]", native=native)
    elif isinstance(a, dt.datetime):
        assert a == b and type(a.tzinfo) is type(b.tzinfo) and a.utcoffset() == b.utcoffset(), path
        assert a.isoformat() == b.isoformat(), path
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def native(model: type[BaseModel], raw: bytes) -> Any:
    decoder = native_decoder(model)
    assert decoder is not None, f"{model.__name__} should be decodable natively"
    return decoder.decode(raw)


def test_every_fixture_decodes_natively_to_what_pydantic_builds(shared_dir: Path) -> None:
    count = 0
    for path in sorted((shared_dir / FIXTURES).glob("*.json")):
        raw = path.read_bytes()
        data = json.loads(raw)
        if not (isinstance(data, dict) and data.get("apiVersion") and data.get("kind")):
            continue
        model = scheme.model_for(data["apiVersion"], data["kind"])
        same(native(model, raw), model.model_validate_json(raw), path.name)
        count += 1
    assert count >= 40


def test_a_realistic_pod_list_and_unknown_fields_at_every_level() -> None:
    from bench_models import pod_list_bytes

    raw = pod_list_bytes(50)
    same(native(PodList, raw), PodList.model_validate_json(raw))
    unknown = json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "futureTop": {"a": [1, 2.5, None, True]},
            "metadata": {"name": "x", "futureMeta": "y", "labels": {"a": "b"}},
            "spec": {
                "containers": [
                    {
                        "name": "c",
                        "futureContainer": [{"deep": {"er": 1}}],
                        "ports": [{"containerPort": 1}],
                    }
                ]
            },
        }
    ).encode()
    got = native(Pod, unknown)
    same(got, Pod.model_validate_json(unknown))
    assert got.model_extra == {"futureTop": {"a": [1, 2.5, None, True]}}
    assert got.spec.containers[0].model_extra == {"futureContainer": [{"deep": {"er": 1}}]}  # type: ignore[union-attr,index]


def test_special_types_decode_natively_as_pydantic_does() -> None:
    raw = json.dumps(
        {
            "metadata": {
                "creationTimestamp": "2026-11-27T08:53:29Z",
                "deletionTimestamp": "2026-11-27T08:53:29.5Z",
                "annotations": {"a": ""},
            },
            "data": {"bin": "AAEC/w==", "empty": ""},
            "stringData": {"x": "y"},
        }
    ).encode()
    got = native(Secret, raw)
    same(got, Secret.model_validate_json(raw))
    assert got.data == {"bin": b"\x00\x01\x02\xff", "empty": b""}
    assert got.metadata.deletion_timestamp.microsecond == 500000  # type: ignore[union-attr]
    svc = b'{"spec":{"ports":[{"port":80,"targetPort":8080},{"port":81,"targetPort":"http"}],"clusterIP":"None"}}'
    same(native(Service, svc), Service.model_validate_json(svc))
    assert [p.target_port for p in native(Service, svc).spec.ports] == [8080, "http"]
    crd = json.dumps(
        {
            "spec": {
                "versions": [
                    {
                        "name": "v1",
                        "schema": {
                            "openAPIV3Schema": {
                                "type": "object",
                                "x-kubernetes-preserve-unknown-fields": True,
                                "default": {"a": 1},
                                "properties": {
                                    "n": {"type": "number", "minimum": 1.5, "maximum": 10},
                                    "s": {"type": "string", "enum": ["a", 1]},
                                },
                                "additionalProperties": False,
                            }
                        },
                    }
                ]
            }
        }
    ).encode()
    same(native(CustomResourceDefinition, crd), CustomResourceDefinition.model_validate_json(crd))
    # null is a value that was set: it is in fields_set, as pydantic has it
    nulls = b'{"metadata":{"name":null,"labels":null},"data":null}'
    got = native(ConfigMap, nulls)
    same(got, ConfigMap.model_validate_json(nulls))
    assert got.model_fields_set == {"metadata", "data"}


NOT_CANONICAL = [
    (ConfigMap, b'{"metadata":{"generation":"7"}}'),  # int as a string: pydantic coerces it
    (ConfigMap, b'{"metadata":{"generation":7.0}}'),  # int as a float
    (ConfigMap, b'{"metadata":{"creationTimestamp":"2026-11-27T10:53:29+02:00"}}'),  # an offset
    (ConfigMap, b'{"metadata":{"creationTimestamp":"2026-11-27T08:53:29.1234567Z"}}'),  # 7 digits
    (ConfigMap, b'{"metadata":{"creationTimestamp":1700000000}}'),  # a unix time
    (
        Pod,
        b'{"spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":2,"memory":0.5}}}]}}',
    ),  # numbers
    (ConfigMap, b'{"apiVersion":"v1","api_version":"v2"}'),  # one field under two names
    (ConfigMap, b'{"data":{"a":"1","a":"2"}}'),  # a duplicate key
    (ConfigMap, b'{"metadata":{"generation":123456789012345678901234567890}}'),  # beyond i64
    (Pod, b'{"spec":{"containers":[{"name":"a","stdin":"true"}]}}'),  # a bool as a string
]
INVALID = [
    (ConfigMap, b'{"metadata":{"name":5}}'),
    (ConfigMap, b'{"metadata":[]}'),
    (ConfigMap, b'{"data":{"a":"b"}} trailing'),
    (ConfigMap, b'{"data":'),
    (Secret, b'{"data":{"a":"not base64!"}}'),
    (ConfigMap, b'{"metadata":{"creationTimestamp":"2026-13-40T08:53:29Z"}}'),
    (ConfigMap, b"null"),
    (ConfigMap, b"[]"),
]


@pytest.mark.parametrize(("model", "raw"), NOT_CANONICAL)
def test_input_not_in_canonical_form_falls_back_to_pydantic(
    model: type[BaseModel], raw: bytes
) -> None:
    decoder = native_decoder(model)
    assert decoder is not None
    with pytest.raises(codec.Fallback):
        decoder.decode(raw)
    try:
        expected = model.model_validate_json(raw)
    except ValidationError as e:
        with pytest.raises(ValidationError) as got:
            decode_json(model, raw)
        assert got.value.errors() == e.errors()
    else:
        same(decode_json(model, raw), expected, native=False)  # pydantic's own result


@pytest.mark.parametrize(("model", "raw"), INVALID)
def test_invalid_input_raises_pydantics_validation_error(
    model: type[BaseModel], raw: bytes
) -> None:
    with pytest.raises(ValidationError) as expected:
        model.model_validate_json(raw)
    with pytest.raises(ValidationError) as got:
        decode_json(model, raw)
    assert got.value.errors() == expected.value.errors()


def test_deep_recursive_schemas_leave_it_to_pydantic() -> None:
    node: dict[str, Any] = {"type": "string"}
    for _ in range(300):
        node = {"type": "object", "properties": {"x": node}}
    raw = json.dumps(node).encode()
    with pytest.raises(codec.Fallback, match="deeply"):
        native(JSONSchemaProps, raw)
    try:
        expected: Any = JSONSchemaProps.model_validate_json(raw)
    except ValidationError as e:
        with pytest.raises(ValidationError):
            decode_json(JSONSchemaProps, raw)
        assert e.errors()
    else:
        same(decode_json(JSONSchemaProps, raw), expected)


def test_models_with_their_own_logic_are_left_to_pydantic() -> None:
    class Shouting(ConfigMap):
        @field_validator("data")
        @classmethod
        def upper(cls, v: dict[str, str] | None) -> dict[str, str] | None:
            return {k: x.upper() for k, x in v.items()} if v else v

    assert native_decoder(Shouting) is None
    assert decode_json(Shouting, b'{"data":{"a":"b"}}').data == {"a": "B"}
    assert native_decoder(ConfigMap) is not None


def test_str_and_bytearray_input_and_decode_large() -> None:
    from bench_models import pod_list_bytes

    raw = pod_list_bytes(30)  # > 64 KiB: the garbage collector is paused around it
    assert len(raw) > 64 * 1024
    expected = PodList.model_validate_json(raw)
    same(decode_large(PodList, raw), expected)
    same(decode_json(PodList, raw.decode()), expected)
    same(decode_json(PodList, bytearray(raw)), expected)
    assert gc.isenabled()


def test_decoding_does_not_leak() -> None:
    from bench_models import pod_list_bytes

    raw = pod_list_bytes(20)
    decoder = native_decoder(PodList)
    for _ in range(3):
        decoder.decode(raw)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(30):
        decoder.decode(raw)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert grown < 200_000, f"{grown} bytes still held after 30 decodes of {len(raw)} bytes"


# ---------------------------------------------------------------- the compiled encoder


def pydantic_json(obj: BaseModel) -> bytes:
    """pydantic's serializer under kubeset's writing rule (Go-shaped fields, kubeset.model.lazy)."""
    view = written_view(obj)
    return view.__pydantic_serializer__.to_json(view, by_alias=True, exclude_unset=True)


def encoded(obj: BaseModel) -> bytes:
    encoder = native_encoder(type(obj))
    assert encoder is not None, f"{type(obj).__name__} should be encodable natively"
    out: bytes = encoder.encode(obj)
    return out


def test_every_fixture_encodes_natively_to_pydantics_bytes(shared_dir: Path) -> None:
    count = 0
    for path in sorted((shared_dir / FIXTURES).glob("*.json")):
        raw = path.read_bytes()
        data = json.loads(raw)
        if not (isinstance(data, dict) and data.get("apiVersion") and data.get("kind")):
            continue
        model = scheme.model_for(data["apiVersion"], data["kind"])
        for obj in (
            model.model_validate_json(raw),
            decode_json(model, raw),
            model.model_validate(data),
        ):
            assert encoded(obj) == pydantic_json(obj), path.name
            assert kubeset.to_json(obj) == pydantic_json(obj), path.name
        count += 1
    assert count >= 40


def test_built_and_changed_objects_encode_as_pydantic_does() -> None:
    from bench_models import pod_list_bytes

    pods = decode_json(PodList, pod_list_bytes(20))
    assert encoded(pods) == pydantic_json(pods)
    pod = pods.items[0]  # type: ignore[index]
    pod.metadata.labels["new"] = "label"  # type: ignore[union-attr,index]
    pod.metadata.name = None  # type: ignore[union-attr]  # explicitly None: written as null
    pod.spec.containers.append(
        Container(name="added", image="x", ports=[ContainerPort(container_port=1)])
    )  # type: ignore[union-attr]
    pod.status = None
    pod.futureField = {"kept": [1, "two", None, 2.5, True]}  # an extra set in Python
    pod.model_fields_set.discard("kind")  # unset again: pydantic leaves it out
    assert encoded(pods) == pydantic_json(pods)
    out = json.loads(encoded(pod))
    assert (
        out["metadata"]["name"] is None
        and "kind" not in out
        and out["futureField"]["kept"][1] == "two"
    )
    built = Pod(
        metadata={"name": "web", "annotations": {"a": 'q"uo\\te\n\t\x01\x7f\u2028é😀/<>'}},
        spec=PodSpec(containers=[Container(name="c", image="i", args=["--x"])], node_selector={}),
    )
    assert encoded(built) == pydantic_json(built)
    secret = Secret(
        data={"bin": b"\x00\xff" * 50, "empty": b""},
        metadata=ObjectMeta(
            creation_timestamp=dt.datetime(2026, 11, 27, 8, 53, 29, tzinfo=dt.UTC),
            deletion_timestamp=dt.datetime(2026, 11, 27, 8, 53, 29, 120, tzinfo=dt.UTC),
        ),
    )
    assert encoded(secret) == pydantic_json(secret)
    event = Event(event_time=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC), count=3)
    assert encoded(event) == pydantic_json(
        event
    ) and b'"eventTime":"2026-01-02T03:04:05.000000Z"' in encoded(event)
    naive = ObjectMeta(creation_timestamp=dt.datetime(2026, 1, 2, 3, 4, 5))
    assert encoded(naive) == pydantic_json(naive)


def test_null_and_empty_go_shaped_values_decode_natively_as_pydantic_does() -> None:
    for raw in (
        b'{"metadata":null,"spec":{"containers":null,"nodeSelector":{}},"status":{}}',
        b'{"metadata":{"labels":null,"finalizers":[]},"spec":null}',
    ):
        same(native(Pod, raw), Pod.model_validate_json(raw))


def _touch(obj: Any) -> None:
    """Read every field of a model tree: every absent Go-shaped value gets created."""
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            _touch(getattr(obj, name))
    elif isinstance(obj, (list, dict)):
        for item in obj.values() if isinstance(obj, dict) else obj:
            _touch(item)


def test_values_created_on_read_encode_as_pydantic_does() -> None:
    from bench_models import pod_list_bytes

    raw = pod_list_bytes(5)
    pods = decode_json(PodList, raw)
    _touch(pods)  # untouched empty values are not written: still the input, byte for byte
    assert (
        encoded(pods)
        == pydantic_json(pods)
        == PodList.model_validate_json(raw)
        .model_dump_json(by_alias=True, exclude_unset=True)
        .encode()
    )
    pod = pods.items[0]
    pod.spec.overhead["cpu"] = "1"  # a map created on read, now not empty
    pod.spec.containers[0].env_from.append(EnvFromSource(prefix="P_"))
    pod.status.resize = "x"  # a scalar set inside an object read from an existing status
    fresh = Pod()
    fresh.spec.containers.append(Container(name="c"))  # a model created on read, written
    fresh.metadata.labels["a"] = "b"
    fresh.metadata.labels.pop("a")  # added and removed: absent again
    fresh.status.conditions  # noqa: B018
    assert encoded(pods) == pydantic_json(pods)
    assert (
        encoded(fresh)
        == pydantic_json(fresh)
        == b'{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"c"}]}}'
    )
    out = json.loads(encoded(pods))["items"][0]
    assert out["spec"]["overhead"] == {"cpu": "1"} and out["spec"]["containers"][0]["envFrom"] == [
        {"prefix": "P_"}
    ]


def _read(obj: Any, name: str) -> Any:
    getattr(obj, name)
    return obj


ENCODE_FALLBACKS = [
    (
        "an empty list read from a null",
        lambda: _read(ObjectMeta.model_validate_json(b'{"finalizers":null}'), "finalizers"),
    ),
    (
        "an empty object read from a null",
        lambda: _read(Pod.model_validate_json(b'{"spec":null}'), "spec"),
    ),
    (
        "an offset time",
        lambda: ObjectMeta(
            creation_timestamp=dt.datetime(2026, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=2)))
        ),
    ),
    ("a float needing an exponent", lambda: JSONSchemaProps(maximum=1e20, minimum=1e-9)),
    ("an int beyond i64", lambda: ObjectMeta(generation=2**70)),
    ("a str where an int is declared", lambda: ObjectMeta.model_construct(generation="7")),
    ("a dict where a model is declared", lambda: Pod.model_construct(metadata={"name": "x"})),
    (
        "a tuple where a list is declared",
        lambda: PodSpec.model_construct(containers=(Container(name="a"),)),
    ),
    (
        "bytes in an extra",
        lambda: ConfigMap.model_validate({"x": 1}).model_copy(update={"x": b"raw"}),
    ),
    (
        "a subclass instance in a field",
        lambda: Pod(metadata=type("Meta", (ObjectMeta,), {})(name="x")),
    ),
    ("a lone surrogate", lambda: ConfigMap(data={"a": "\ud800"})),
    ("an int key in a map", lambda: ConfigMap.model_construct(data={1: "a"})),
]


@pytest.mark.parametrize(("why", "build"), ENCODE_FALLBACKS, ids=[w for w, _ in ENCODE_FALLBACKS])
def test_what_the_encoder_does_not_write_goes_to_pydantic(why: str, build: Any) -> None:
    import warnings

    obj = build()
    with pytest.raises(codec.Fallback):
        encoded(obj)
    with warnings.catch_warnings(record=True) as expected_warnings:
        warnings.simplefilter("always")
        try:
            expected: bytes | type[Exception] = pydantic_json(obj)
        except Exception as e:  # noqa: BLE001 - whatever pydantic raises, to_json must raise too
            expected = type(e)
    with warnings.catch_warnings(record=True) as got_warnings:
        warnings.simplefilter("always")
        if isinstance(expected, bytes):
            assert kubeset.to_json(obj) == expected, why
        else:
            with pytest.raises(expected):
                kubeset.to_json(obj)
    assert [str(w.message) for w in got_warnings] == [str(w.message) for w in expected_warnings], (
        why
    )


def test_to_dict_is_model_dump_read_back_from_the_encoders_bytes(shared_dir: Path) -> None:
    def dumped(obj: BaseModel) -> str:  # order-sensitive: the same keys in the same order
        return json.dumps(obj.model_dump(mode="json", by_alias=True, exclude_unset=True))

    count = 0
    for path in sorted((shared_dir / FIXTURES).glob("*.json")):
        data = json.loads(path.read_bytes())
        if not (isinstance(data, dict) and data.get("apiVersion") and data.get("kind")):
            continue
        obj = decode_json(scheme.model_for(data["apiVersion"], data["kind"]), path.read_bytes())
        values = obj.__dict__
        assert json.dumps(kubeset.to_dict(obj)) == dumped(obj), path.name
        assert obj.__dict__ is values and sparse.uses_dict_keys(obj)  # nothing touched
        count += 1
    assert count >= 40
    pod = Pod(spec=PodSpec(containers=[Container(name="c")]))
    pod.metadata.labels["a"] = "b"
    pod.spec.node_name = None
    secret = Secret(data={"bin": b"\x00\xff"})
    for obj in (pod, secret):
        assert native_encoder(type(obj)) is not None
        assert json.dumps(kubeset.to_dict(obj)) == dumped(obj)
