"""kubeset.testing's parts on their own: selectors, the three patch formats, GC decisions."""

from __future__ import annotations

import pytest
from kubeset import errors
from kubeset.kubernetes.patchmeta import FIELDS
from kubeset.testing.gc import collect
from kubeset.testing.patch import PatchError, PatchMeta, json_patch, merge_patch, strategic_merge
from kubeset.testing.selectors import FieldSelector, LabelSelector

META = PatchMeta(FIELDS)


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ("a=1", {"a": "1"}, True),
        ("a==1", {"a": "2"}, False),
        ("a!=1", {}, True),
        ("a in (1, 2),b", {"a": "2", "b": ""}, True),
        ("a notin (1)", {"a": "1"}, False),
        ("!a", {"b": "x"}, True),
        ("example.com/tier=x", {"example.com/tier": "x"}, True),
        ("", {"any": "thing"}, True),
    ],
)
def test_label_selector(selector: str, labels: dict[str, str], expected: bool) -> None:
    assert LabelSelector.parse(selector).matches(labels) is expected


def test_bad_selectors_are_bad_requests() -> None:
    with pytest.raises(errors.BadRequest):
        LabelSelector.parse("a in b")
    with pytest.raises(errors.BadRequest, match='"spec.foo" is not a known field selector'):
        FieldSelector.parse("spec.foo=x").check("", "Pod")


def test_field_selector_per_kind() -> None:
    pod = {"metadata": {"name": "p"}, "spec": {"nodeName": "n1"}, "status": {"phase": "Running"}}
    sel = FieldSelector.parse("spec.nodeName=n1,status.phase!=Pending")
    sel.check("", "Pod")
    assert sel.matches("", "Pod", pod)
    assert not FieldSelector.parse("metadata.name=q").matches("", "Pod", pod)


def test_json_patch_operations() -> None:
    doc = {"a": [1, 2], "b": {"c": 1}}
    out = json_patch(
        doc,
        [
            {"op": "add", "path": "/a/-", "value": 3},
            {"op": "move", "from": "/b/c", "path": "/d"},
            {"op": "copy", "from": "/d", "path": "/e"},
            {"op": "replace", "path": "/a/0", "value": 0},
            {"op": "remove", "path": "/b"},
            {"op": "add", "path": "/k~1x", "value": True},
        ],
    )
    assert out == {"a": [0, 2, 3], "d": 1, "e": 1, "k/x": True}
    assert doc == {"a": [1, 2], "b": {"c": 1}}  # the original is untouched
    with pytest.raises(PatchError, match="testing value /a failed"):
        json_patch(doc, [{"op": "test", "path": "/a", "value": []}])
    with pytest.raises(PatchError, match="not found"):
        json_patch(doc, [{"op": "remove", "path": "/zz"}])


def test_merge_patch_rfc7386() -> None:
    assert merge_patch({"a": {"b": 1, "c": 2}, "l": [1]}, {"a": {"b": None}, "l": [2]}) == {
        "a": {"c": 2},
        "l": [2],
    }
    assert merge_patch({"a": 1}, [1]) == [1]


def test_strategic_merge_by_merge_key_and_directives() -> None:
    pod = {
        "spec": {
            "containers": [
                {"name": "a", "image": "1", "ports": [{"containerPort": 80, "name": "http"}]},
                {"name": "b", "image": "1"},
            ],
            "volumes": [{"name": "v", "emptyDir": {}}],
        },
        "metadata": {"finalizers": ["x"]},
    }
    out = strategic_merge(
        pod,
        {
            "metadata": {"finalizers": ["y"]},
            "spec": {
                "containers": [
                    {"name": "a", "ports": [{"containerPort": 443}]},
                    {"name": "b", "$patch": "delete"},
                    {"name": "c", "image": "2"},
                ],
                "volumes": [{"$patch": "replace"}, {"name": "w", "emptyDir": {}}],
            },
        },
        META,
        "models.core.v1.Pod",
    )
    assert [c["name"] for c in out["spec"]["containers"]] == ["a", "c"]
    assert out["spec"]["containers"][0]["ports"] == [  # named by the patch first
        {"containerPort": 443},
        {"containerPort": 80, "name": "http"},
    ]
    assert out["spec"]["volumes"] == [{"name": "w", "emptyDir": {}}]
    assert out["metadata"]["finalizers"] == ["y", "x"]  # new items first, as kube-apiserver
    replaced = strategic_merge(
        pod, {"spec": {"$patch": "replace", "volumes": []}}, META, "models.core.v1.Pod"
    )
    assert replaced["spec"] == {"volumes": []}


def test_gc_decisions() -> None:
    owner = {
        "metadata": {"uid": "o", "deletionTimestamp": "t", "finalizers": ["foregroundDeletion"]}
    }
    dep = {"metadata": {"uid": "d", "ownerReferences": [{"uid": "o"}]}}
    orphan = {"metadata": {"uid": "x", "ownerReferences": [{"uid": "gone"}]}}
    actions = {(a.verb, a.obj["metadata"]["uid"], a.detail) for a in collect([owner, dep, orphan])}
    assert actions == {("delete", "d", "Foreground"), ("delete", "x", "Background")}
    assert [(a.verb, a.detail) for a in collect([owner])] == [("finalize", "foregroundDeletion")]
