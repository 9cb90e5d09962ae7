"""Unstructured, the dynamic client's requests and manifest reading over a MockTransport."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import kubeset
import pytest
from kubeset.discovery import CachedDiscoveryClient, DiscoveryClient
from kubeset.dynamic import (
    DynamicClient,
    ManifestOptions,
    ManifestResult,
    Unstructured,
    UnstructuredList,
    apply_manifests,
    from_unstructured,
    load_manifests,
    to_unstructured,
)
from kubeset.errors import ManifestError, NoMatchError, SchemeError
from kubeset.rest import PatchType, RESTClient
from kubeset.rest.meta import clear_meta_values, meta_value
from kubeset.transport import HTTPRequest, MockTransport, Response

from .fake import FakeDiscovery, standard

RAW = (
    b'{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"n",'
    b'"resourceVersion":"7","labels":{"a":"b"},"ownerReferences":[{"kind":"X","name":"o"}]},'
    b'"spec":{"size":1,"ratio":1.0,"big":12345678901234567890,"deep":{"x":[1,{"y":null}]}},"unknownTop":true}'
)


def test_unstructured_is_lossless_and_has_helpers() -> None:
    u = Unstructured.model_validate_json(RAW)
    assert kubeset.to_json(u) == RAW.replace(b" ", b"")
    assert kubeset.to_dict(u) == json.loads(RAW) == u.to_dict()
    assert (u.name, u.namespace, u.resource_version, u.api_version, u.kind) == (
        "w",
        "n",
        "7",
        "example.com/v1",
        "Widget",
    )
    assert u.labels == {"a": "b"} and u.owner_references == [{"kind": "X", "name": "o"}]
    assert u.get_path("spec", "deep", "x", 1, "y", default="d") is None
    assert (
        u.get_path("spec", "missing", default="d") == "d"
        and u.get_path("spec", "deep", "x", 5) is None
    )
    u.annotations["k"] = "v"  # live dicts: created on first use
    u.name = "w2"
    u.object["added"] = 1
    assert kubeset.to_dict(u)["metadata"]["annotations"] == {"k": "v"}
    assert kubeset.to_dict(u)["added"] == 1 and u.name == "w2"
    assert Unstructured({"a": 1}, b=2).object == {"a": 1, "b": 2}
    assert Unstructured({"a": 1}) == Unstructured(a=1) and Unstructured({"a": 1}) != Unstructured(
        {"a": 2}
    )
    assert u.to_dict() is not u.object
    with pytest.raises(TypeError, match="mapping"):
        Unstructured(["not", "a", "mapping"])  # type: ignore[arg-type]


def test_unstructured_list_and_meta_hook() -> None:
    page = UnstructuredList.model_validate_json(
        b'{"kind":"WidgetList","metadata":{"continue":"c1","remainingItemCount":3},"items":[{"metadata":{"name":"a"}}]}'
    )
    assert [i.name for i in page] == ["a"] and len(page) == 1 and page.continue_ == "c1"
    assert meta_value(page, "continue_") == "c1" and meta_value(page.items[0], "name") == "a"
    clear_meta_values(page, "continue_", "remaining_item_count")
    assert page.to_dict() == {
        "kind": "WidgetList",
        "metadata": {},
        "items": [{"metadata": {"name": "a"}}],
    }


def test_typed_dynamic_conversion() -> None:
    from kubeset.kubernetes.models.core.v1 import ConfigMap

    u = Unstructured(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "c"},
            "data": {"a": "1"},
            "extra": 1,
        }
    )
    typed = from_unstructured(u, ConfigMap)
    assert typed.data == {"a": "1"} and kubeset.to_dict(typed)["extra"] == 1
    assert to_unstructured(typed) == u
    assert (
        to_unstructured(ConfigMap.model_validate({"metadata": {"name": "c"}})).kind == "ConfigMap"
    )
    with pytest.raises(SchemeError, match="no kind"):
        from_unstructured(Unstructured({"apiVersion": "v1"}))
    with pytest.raises(SchemeError, match="not a Pod"):
        from_unstructured(u, __import__("kubeset.kubernetes.models.core.v1", fromlist=["Pod"]).Pod)


class Recorder:
    """Discovery from the fake, and every other request recorded and answered by ``answer``."""

    def __init__(self) -> None:
        self.fake = FakeDiscovery(standard())
        self.sent: list[HTTPRequest] = []
        self.objects: dict[str, dict[str, Any]] = {}

    def handle(self, request: HTTPRequest) -> Response:
        path = request.url.split("6443", 1)[1]
        parts = path.strip("/").split("/")
        # discovery documents: /api, /apis, /api/<v>, /apis/<group>/<v>
        if len(parts) <= {"api": 2, "apis": 3}.get(parts[0], 0):
            return self.fake.handle(request)
        self.sent.append(request)
        if request.method == "GET" and "watch" in dict(request.params):
            lines = [
                {"type": "ADDED", "object": {"metadata": {"name": "a", "resourceVersion": "5"}}},
                {"type": "BOOKMARK", "object": {"metadata": {"resourceVersion": "9"}}},
            ]
            return Response(
                200,
                {"Content-Type": "application/json"},
                iter([json.dumps(x).encode() + b"\n" for x in lines]),
            )
        if request.method == "GET" and path.endswith("deployments"):
            token = dict(request.params).get("continue")
            page = {
                "kind": "DeploymentList",
                "metadata": {"continue": "" if token else "t1"},
                "items": [{"metadata": {"name": "second" if token else "first"}}],
            }
            return Response(200, {"Content-Type": "application/json"}, json.dumps(page).encode())
        body = json.loads(request.body) if request.body else None
        answer = body if isinstance(body, dict) else {"metadata": {"name": "x"}}
        return Response(200, {"Content-Type": "application/json"}, json.dumps(answer).encode())


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
def dyn(rec: Recorder) -> DynamicClient:
    rest = RESTClient(MockTransport(rec.handle), host="https://k8s.test:6443", max_retries=0)
    return DynamicClient(rest, discovery=CachedDiscoveryClient(DiscoveryClient(rest), disk=False))


def test_requests_of_every_verb(dyn: DynamicClient, rec: Recorder) -> None:
    deps = dyn.resource("apps", "v1", "deployments").in_namespace("ns1")
    assert deps.info.kind == "Deployment" and deps.info.subresources == frozenset(
        {"status", "scale"}
    )
    deps.create({"metadata": {"name": "d"}})
    deps.update(Unstructured({"metadata": {"name": "d", "resourceVersion": "3"}}))
    deps.patch("d", [{"op": "add", "path": "/x", "value": 1}])
    deps.patch("d", {"a": 1}, patch_type=PatchType.STRATEGIC_MERGE)
    deps.apply({"metadata": {"name": "d", "managedFields": [{}]}}, field_manager="me", force=True)
    deps.update_status(Unstructured({"metadata": {"name": "d"}, "status": {}}))
    deps.get_scale("d")
    deps.patch_subresource("d", "scale", {"spec": {"replicas": 2}})
    deps.create_subresource("d", "eviction", {"kind": "Eviction"}, dry_run=True)
    deps.delete("d", propagation_policy="Foreground")
    seen = [
        (r.method, r.url.split("6443", 1)[1], r.headers.get("Content-Type", "")) for r in rec.sent
    ]
    base = "/apis/apps/v1/namespaces/ns1/deployments"
    assert seen == [
        ("POST", base, "application/json"),
        ("PUT", f"{base}/d", "application/json"),
        ("PATCH", f"{base}/d", "application/json-patch+json"),
        ("PATCH", f"{base}/d", "application/strategic-merge-patch+json"),
        ("PATCH", f"{base}/d", "application/apply-patch+yaml"),
        ("PUT", f"{base}/d/status", "application/json"),
        ("GET", f"{base}/d/scale", ""),
        ("PATCH", f"{base}/d/scale", "application/merge-patch+json"),
        ("POST", f"{base}/d/eviction", "application/json"),
        ("DELETE", f"{base}/d", "application/json"),
    ]
    created = json.loads(rec.sent[0].body or b"")
    assert created == {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}}
    applied = json.loads(rec.sent[4].body or b"")
    assert "managedFields" not in applied["metadata"]
    assert ("force", "true") in rec.sent[4].params and ("dryRun", "All") in rec.sent[8].params


def test_pages_and_watch(dyn: DynamicClient, rec: Recorder) -> None:
    deps = dyn.resource("apps", "v1", "deployments", namespaced=True, kind="Deployment")
    assert [p.items[0].name for p in deps.iter_pages(page_size=1)] == ["first", "second"]
    everything = deps.list_all(page_size=1)
    assert [i.name for i in everything] == [
        "first",
        "second",
    ] and "continue" not in everything.object["metadata"]
    with deps.watch() as w:
        events = [(e.type, e.object.name) for e in w]
    assert events == [("ADDED", "a"), ("BOOKMARK", "")]
    assert w.resource_version == "9"
    assert (
        deps.in_namespace("n").get_scale("d").name == "x"
    )  # a subresource discovery did not list still decodes
    assert rec.sent[0].url.endswith("/apis/apps/v1/deployments")  # every namespace


def test_namespace_reads_as_a_str_and_called_gives_another_client(dyn: DynamicClient) -> None:
    pods = dyn.resource("", "v1", "pods")
    assert pods.namespace == "" and isinstance(pods.namespace, str)
    in_a = pods.namespace("a")
    assert in_a.namespace == "a" and pods.namespace == "" and in_a.descriptor is pods.descriptor
    assert repr(in_a) == "<DynamicResourceClient v1/pods namespace='a'>"
    in_a.namespace = "b"  # written as on every ResourceClient
    assert in_a.namespace == "b" and in_a.namespace("c").namespace == "c"
    nodes = dyn.resource("", "v1", "namespaces")  # cluster-scoped: no namespace kept
    assert nodes.namespace("a").namespace == ""


def test_for_object_maps_apiversion_and_kind(dyn: DynamicClient) -> None:
    client = dyn.for_object(
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"namespace": "x"}}
    )
    assert (client.info.plural, client.namespace) == ("deployments", "x")
    with pytest.raises(SchemeError, match="no apiVersion"):
        dyn.for_object(Unstructured({"kind": "Deployment"}))


def test_command_line_reports_a_bad_kubeconfig(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kubeset.__main__ import main

    assert main(["apply", "-f", str(tmp_path), "--kubeconfig", str(tmp_path / "missing")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "missing" in err
    with pytest.raises(SystemExit):
        main(["apply"])  # -f is required


def test_unknown_resource_names_candidates(dyn: DynamicClient) -> None:
    with pytest.raises(NoMatchError) as e:
        dyn.resource("apps", "v1", "deploymentz")
    assert "deployments" in e.value.candidates


def test_load_manifests_splits_and_reports_each_document(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
        "--- # separator with a comment\n[1, 2]\n---\nkind: ConfigMap\nmetadata: {name: b}\n"
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n---\nkey: [unclosed\n---\n"
        "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n"
    )
    (tmp_path / "b.json").write_text(
        '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}}'
    )
    (tmp_path / "c.txt").write_text("ignored")
    docs = load_manifests(tmp_path)
    assert [(Path(d.path).name, d.index) for d in docs] == [("a.yaml", i) for i in range(1, 7)] + [
        ("b.json", 1)
    ]
    errors = {
        d.index: str(d.error) for d in docs if d.error is not None and d.path.endswith("a.yaml")
    }
    a = str(tmp_path / "a.yaml")
    assert errors == {
        2: f"{a} document 2: expected a mapping (an object with apiVersion and kind), got a list",
        3: f"{a} document 3: the object has no apiVersion",
        4: f"{a} document 4: the ConfigMap has no metadata.name",
        5: errors[5],
    }
    assert errors[5].startswith(f"{a} document 5: not valid YAML")
    assert docs[5].obj == {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
    assert all(isinstance(d.error, ManifestError) for d in docs if d.error is not None)
    missing = load_manifests(tmp_path / "nope.yaml")
    assert "no such file" in str(missing[0].error)


def test_result_lines() -> None:
    ok = ManifestResult(
        "f document 1", "apps/v1", "Deployment", "web", "ns", "created", group="apps"
    )
    assert ok.line() == "deployment.apps/web created"
    dry = ManifestResult("f document 1", "v1", "Service", "web", "ns", "configured", dry_run=True)
    assert dry.line() == "service/web configured (server dry run)"
    bad = ManifestResult(
        "f document 2", "", "", "", "", "error", ManifestError("boom", "f document 2")
    )
    assert bad.line() == "error: f document 2: boom" and not bad.ok


def test_apply_without_default_namespace_is_an_error_per_document(
    dyn: DynamicClient, tmp_path: Path
) -> None:
    (tmp_path / "m.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n---\n"
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n"
    )
    results = apply_manifests(dyn, tmp_path / "m.yaml", ManifestOptions(field_manager="t"))
    assert [r.kind for r in results] == ["Namespace", "Pod"]  # Namespace first
    assert results[0].ok and results[0].action == "configured"
    assert "namespaced but has no metadata.namespace" in str(results[1].error)
    again = apply_manifests(
        dyn, tmp_path / "m.yaml", ManifestOptions(field_manager="t", namespace="dflt")
    )
    assert again[1].ok and again[1].namespace == "dflt"
