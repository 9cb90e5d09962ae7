"""FieldsV1: managedFields' field sets kept as the server's bytes, parsed only when read."""

from __future__ import annotations

import copy
import pickle

import orjson
import pytest
from kubeset.codec import decode_json, native_decoder, to_dict, to_json
from kubeset.kubernetes.models.core.v1 import Pod
from kubeset.kubernetes.models.meta.v1 import ManagedFieldsEntry
from kubeset.model import FieldsV1

# as kube-apiserver writes it: compact, keys in its own order (not sorted here on purpose)
FIELDS = b'{"f:spec":{"f:containers":{"k:{\\"name\\":\\"web\\"}":{".":{},"f:image":{}}}},"f:metadata":{"f:labels":{}}}'
POD = (
    b'{"apiVersion":"v1","kind":"Pod","metadata":{"managedFields":[{"apiVersion":"v1",'
    b'"fieldsType":"FieldsV1","fieldsV1":' + FIELDS + b',"manager":"kubectl","operation":"Apply"}],'
    b'"name":"p"}}'
)  # in declaration order, as kubeset writes
PARSED = orjson.loads(FIELDS)


def entry(pod: Pod) -> FieldsV1:
    value = pod.metadata.managed_fields[0].fields_v1
    assert isinstance(value, FieldsV1)
    return value


@pytest.mark.parametrize("decode", ["kubeset", "pydantic"])
def test_reads_as_the_structure_sent_and_writes_back_byte_for_byte(decode: str) -> None:
    pod = decode_json(Pod, POD) if decode == "kubeset" else Pod.model_validate_json(POD)
    fields = entry(pod)
    assert to_json(pod) == POD
    assert fields.raw == FIELDS
    assert fields == PARSED and dict(fields) == PARSED
    assert fields["f:metadata"] == {"f:labels": {}}
    assert to_json(pod) == POD  # read: the parsed value is written, the same bytes here
    dumped = pod.model_dump(mode="json", by_alias=True, exclude_unset=True)
    assert dumped["metadata"]["managedFields"][0]["fieldsV1"] == PARSED
    assert to_dict(pod) == orjson.loads(POD)


def test_the_compiled_decoder_keeps_the_bytes_until_they_are_read() -> None:
    if native_decoder(Pod) is None:
        pytest.skip("built without the compiled codec")
    fields = entry(decode_json(Pod, POD))
    assert fields._raw == FIELDS and fields._parsed is None
    assert "f:labels" in repr(fields) and fields == PARSED
    assert copy.deepcopy(fields) == fields and pickle.loads(pickle.dumps(fields)) == fields
    assert fields._raw == FIELDS, "comparing, printing, copying and pickling do not keep the parse"


def test_serializing_does_not_keep_the_parse() -> None:
    pod = decode_json(Pod, POD)
    fields = entry(pod)
    before = fields._raw
    pod.model_dump(by_alias=True, exclude_unset=True)
    pod.model_dump_json(exclude_unset=True)
    assert fields._raw is before


def test_a_change_through_the_parsed_value_is_written() -> None:
    pod = decode_json(Pod, POD)
    fields = entry(pod)
    fields["f:metadata"]["f:annotations"] = {}
    assert fields._raw is None  # parsed and kept: the bytes are gone
    written = orjson.loads(to_json(pod))["metadata"]["managedFields"][0]["fieldsV1"]
    assert written["f:metadata"] == {"f:labels": {}, "f:annotations": {}}
    assert (
        pod.model_dump(mode="json", by_alias=True)["metadata"]["managedFields"][0]["fieldsV1"]
        == written
    )


def test_copies_and_pickles_share_the_bytes_and_compare_equal() -> None:
    fields = entry(decode_json(Pod, POD))
    for other in (copy.copy(fields), copy.deepcopy(fields), pickle.loads(pickle.dumps(fields))):
        assert other == fields and other.raw == FIELDS
    assert FieldsV1(b'{"f:a": {}}') == FieldsV1({"f:a": {}})  # another spelling, same value
    assert FieldsV1({"f:a": {}}) != {"f:b": {}}


def test_built_from_a_mapping_bytes_or_text_and_bad_input_named() -> None:
    assert FieldsV1({"f:a": {}}).raw == b'{"f:a":{}}'
    assert FieldsV1('{"f:a":{}}') == {"f:a": {}} and FieldsV1() == {}
    with pytest.raises(ValueError, match="FieldsV1: not JSON"):
        FieldsV1(b"{nope")
    with pytest.raises(ValueError, match="expected a JSON object, not list"):
        FieldsV1(b"[1]")
    with pytest.raises(TypeError, match="expected a mapping or JSON bytes, not int"):
        FieldsV1(3)  # type: ignore[arg-type]
    entry_ = ManagedFieldsEntry(fields_v1={"f:x": {}})
    assert isinstance(entry_.fields_v1, FieldsV1)
    assert to_dict(entry_) == {"fieldsV1": {"f:x": {}}}


def test_a_plain_dict_assigned_is_written_too() -> None:
    pod = decode_json(Pod, POD)
    pod.metadata.managed_fields[0].fields_v1 = {"f:y": {}}  # type: ignore[assignment]
    assert orjson.loads(to_json(pod))["metadata"]["managedFields"][0]["fieldsV1"] == {"f:y": {}}


def test_the_json_schema_is_an_object() -> None:
    assert ManagedFieldsEntry.model_json_schema()["properties"]["fieldsV1"]["anyOf"][0] == {
        "type": "object"
    }
