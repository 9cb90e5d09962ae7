"""kubeset.codec.scheme: (apiVersion, kind) -> model, and finding apiVersion/kind in JSON."""

from __future__ import annotations

import pytest
from kubeset.codec.native import load_codec
from kubeset.codec.scheme import Head, SchemeError, read_head
from kubeset.kubernetes import scheme

codec = load_codec()
needs_codec = pytest.mark.skipif(not codec, reason="kubeset._codec is not built")


def test_scheme_model_for_and_errors() -> None:
    from kubeset.kubernetes.models.apps.v1 import Deployment

    assert scheme.model_for("apps/v1", "Deployment") is Deployment
    assert scheme.gvk_of(Deployment) == ("apps/v1", "Deployment")
    assert scheme.gvk_of(Deployment()) == ("apps/v1", "Deployment")
    from kubeset.kubernetes.models.meta.v1 import DeleteOptions, ObjectMeta

    assert scheme.gvk_of(DeleteOptions) == ("v1", "DeleteOptions")
    with pytest.raises(SchemeError, match="ObjectMeta is not a top-level kind"):
        scheme.gvk_of(ObjectMeta)
    with pytest.raises(SchemeError, match="no apiVersion"):
        scheme.decode(b'{"kind":"Pod"}')
    with pytest.raises(SchemeError, match="no kind"):
        scheme.decode({"apiVersion": "v1"})
    with pytest.raises(SchemeError, match="unknown kind 'Nope' of apiVersion 'v1'"):
        scheme.decode('{"apiVersion":"v1","kind":"Nope"}')
    with pytest.raises(SchemeError, match="known apiVersions"):
        scheme.model_for("nope.example.com/v1", "Thing")
    with pytest.raises(SchemeError, match="not JSON"):
        scheme.decode(b"{not json")
    with pytest.raises(SchemeError, match="expected a JSON object"):
        scheme.decode(b"[1, 2]")


@pytest.mark.parametrize(
    "raw",
    [
        b'{"apiVersion":"v1","kind":"Pod","spec":{"kind":"x"}}',
        b'{"items":[{"apiVersion":"v2","kind":"Inner"}],"kind":"PodList","apiVersion":"v1"}',
        b'{"kind":"A","kind":"B"}',
        b'{"apiVersion":5,"kind":null}',
        b'{"metadata":{}}',
        b' {"kind" : "Pod" } ',
    ],
)
@needs_codec
def test_head_scans_for_apiversion_and_kind_as_pydantic_reads_them(raw: bytes) -> None:
    expected = Head.model_validate_json(raw)
    assert codec.head(raw) == (expected.apiVersion, expected.kind)


@pytest.mark.parametrize("raw", [b"[1]", b'{"kind":"Pod"', b'"x"', b'{"kind":"Pod"} x', b""])
@needs_codec
def test_head_leaves_what_is_not_one_json_object_to_pydantic(raw: bytes) -> None:
    with pytest.raises(codec.Fallback):
        codec.head(raw)
    with pytest.raises(SchemeError, match="cannot decode"):
        read_head(raw)
