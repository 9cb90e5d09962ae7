"""Every verb and subresource of the typed clients, over HTTP against the fake server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from fakeapi.clients import Clientset
from fakeapi.fakeserver import FakeApiServer, status
from fakeapi.models import (
    Binding,
    CertificateSigningRequest,
    ConfigMap,
    Deployment,
    Event,
    Lease,
    Namespace,
    Node,
    ObjectMeta,
    Pod,
    Scale,
    Widget,
)
from kubeset import errors
from kubeset.resource import ResourceClient
from kubeset.rest import PatchType

NS = "team-a"

# (client factory, model, a fresh object, the JSON path of a field to change in update/patch)
KINDS: dict[
    str, tuple[Callable[[Clientset], Any], type[Any], Callable[[str], dict[str, Any]], str]
] = {
    "pods": (
        lambda cs: cs.core_v1.pods(NS),
        Pod,
        lambda n: {"metadata": {"name": n}, "spec": {"containers": [{"name": "c", "image": "i"}]}},
        "spec",
    ),
    "configmaps": (
        lambda cs: cs.core_v1.config_maps(NS),
        ConfigMap,
        lambda n: {"metadata": {"name": n}, "data": {"k": "v"}},
        "data",
    ),
    "deployments": (
        lambda cs: cs.apps_v1.deployments(NS),
        Deployment,
        lambda n: {"metadata": {"name": n}, "spec": {"replicas": 1}},
        "spec",
    ),
    "nodes": (
        lambda cs: cs.core_v1.nodes(),
        Node,
        lambda n: {"metadata": {"name": n}, "spec": {"podCIDR": "10.0.0.0/24"}},
        "spec",
    ),
    "namespaces": (
        lambda cs: cs.core_v1.namespaces(),
        Namespace,
        lambda n: {"metadata": {"name": n}, "spec": {}},
        "spec",
    ),
    "events": (
        lambda cs: cs.core_v1.events(NS),
        Event,
        lambda n: {"metadata": {"name": n}, "reason": "Started", "message": "m"},
        "message",
    ),
    "leases": (
        lambda cs: cs.coordination_v1.leases(NS),
        Lease,
        lambda n: {"metadata": {"name": n}, "spec": {"holderIdentity": "me"}},
        "spec",
    ),
    "widgets": (
        lambda cs: cs.example_v1.widgets(NS),
        Widget,
        lambda n: {"metadata": {"name": n}, "spec": {"size": 1}},
        "spec",
    ),
}


def _new_value(field: str) -> Any:
    return "changed" if field == "message" else {"changed": "yes"}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_crud_verbs(kind: str, cs: Clientset, server: FakeApiServer) -> None:
    factory, model, fresh, field = KINDS[kind]
    client = factory(cs)
    attr = {"data": "data", "spec": "spec", "message": "message"}[field]

    created = client.create(model.model_validate(fresh("one")))
    assert type(created) is model and created.metadata.name == "one" and created.metadata.uid
    sent = json.loads(server.requests[-1].body)
    assert (
        sent["kind"] == model.model_fields["kind"].default and sent["apiVersion"]
    )  # type meta always sent

    got = client.get("one")
    assert type(got) is model and got.metadata.resource_version == created.metadata.resource_version

    # update with the current resourceVersion succeeds, a stale one raises Conflict
    setattr(got, attr, _new_value(field))
    updated = client.update(got)
    assert getattr(updated, attr) == _new_value(field)
    assert updated.metadata.resource_version != got.metadata.resource_version
    with pytest.raises(errors.Conflict) as conflict:
        client.update(got)  # got still carries the old resourceVersion
    assert conflict.value.status_code == 409 and conflict.value.name == "one"

    # create again: AlreadyExists
    with pytest.raises(errors.AlreadyExists):
        client.create(fresh("one"))

    # list (one page), and through list_all
    client.create(fresh("two"))
    listed = client.list()
    assert [o.metadata.name for o in listed.items] == ["one", "two"]
    assert all(type(o) is model for o in listed.items)
    assert [o.metadata.name for o in client.list_all(page_size=1).items] == ["one", "two"]

    # patches: merge (dict), JSON (list)
    patched = client.patch("one", {"metadata": {"labels": {"a": "1"}}})
    assert patched.metadata.labels == {"a": "1"}
    assert server.requests[-1].headers["Content-Type"] == "application/merge-patch+json"
    patched = client.patch("one", [{"op": "add", "path": "/metadata/labels/b", "value": "2"}])
    assert patched.metadata.labels == {"a": "1", "b": "2"}
    assert server.requests[-1].headers["Content-Type"] == "application/json-patch+json"

    # server-side apply
    applied = client.apply(fresh("three"), field_manager="tests", force=True)
    assert applied.metadata.name == "three"
    req = server.requests[-1]
    assert req.method == "PATCH" and req.headers["Content-Type"] == "application/apply-patch+yaml"
    assert req.query == {"fieldManager": ["tests"], "force": ["true"]}

    # delete
    assert client.delete("three") is None
    with pytest.raises(errors.NotFound):
        client.get("three")


def test_get_not_found_has_name_and_kind(cs: Clientset) -> None:
    with pytest.raises(errors.NotFound) as info:
        cs.core_v1.pods(NS).get("nope")
    assert info.value.name == "nope" and info.value.kind == "pods"


def test_dry_run_and_field_manager_params(cs: Clientset, server: FakeApiServer) -> None:
    cms = cs.core_v1.config_maps(NS)
    cms.create(
        {"metadata": {"name": "c"}}, dry_run=True, field_manager="me", field_validation="Strict"
    )
    assert server.requests[-1].query == {
        "dryRun": ["All"],
        "fieldManager": ["me"],
        "fieldValidation": ["Strict"],
    }
    with pytest.raises(errors.NotFound):
        cms.get("c")  # a dry run stores nothing


def test_strategic_merge_patch(cs: Clientset, server: FakeApiServer) -> None:
    deps = cs.apps_v1.deployments(NS)
    deps.create({"metadata": {"name": "d"}, "spec": {"replicas": 1}})
    out = deps.patch("d", {"spec": {"replicas": 3}}, patch_type=PatchType.STRATEGIC_MERGE)
    assert out.spec == {"replicas": 3}
    assert server.requests[-1].headers["Content-Type"] == "application/strategic-merge-patch+json"
    # a CRD does not take strategic merge patches: the server says 415
    widgets = cs.example_v1.widgets(NS)
    widgets.create({"metadata": {"name": "w"}})
    with pytest.raises(errors.UnsupportedMediaType):
        widgets.patch("w", {"spec": {"size": 2}}, patch_type=PatchType.STRATEGIC_MERGE)


def test_apply_requires_field_manager_and_reports_conflicts(
    cs: Clientset, server: FakeApiServer
) -> None:
    cms = cs.core_v1.config_maps(NS)
    with pytest.raises(ValueError, match="field_manager"):
        cms.apply({"metadata": {"name": "x"}}, field_manager="")
    cms.create({"metadata": {"name": "x", "annotations": {"fake/manager": "other"}}})
    with pytest.raises(errors.Conflict, match="conflict with"):
        cms.apply({"metadata": {"name": "x"}, "data": {"a": "b"}}, field_manager="me")
    assert cms.apply(
        {"metadata": {"name": "x"}, "data": {"a": "b"}}, field_manager="me", force=True
    ).data == {"a": "b"}


def test_delete_options(cs: Clientset, server: FakeApiServer) -> None:
    cms = cs.core_v1.config_maps(NS)
    created = cms.create({"metadata": {"name": "c"}})
    with pytest.raises(errors.Conflict, match="Precondition"):
        cms.delete("c", preconditions={"uid": "not-the-uid"})
    cms.delete(
        "c",
        grace_period_seconds=0,
        propagation_policy="Foreground",
        preconditions={
            "uid": created.metadata.uid,
            "resource_version": created.metadata.resource_version,
        },
    )
    opts = json.loads(server.requests[-1].body)
    assert opts == {
        "apiVersion": "v1",
        "kind": "DeleteOptions",
        "gracePeriodSeconds": 0,
        "propagationPolicy": "Foreground",
        "preconditions": {
            "uid": created.metadata.uid,
            "resourceVersion": created.metadata.resource_version,
        },
    }
    with pytest.raises(ValueError, match="propagation_policy"):
        cms.delete("c", propagation_policy="foreground")
    # dry run deletes nothing
    cms.create({"metadata": {"name": "d"}})
    cms.delete("d", dry_run=True)
    assert server.requests[-1].query == {} and json.loads(server.requests[-1].body)["dryRun"] == [
        "All"
    ]
    assert cms.get("d").metadata.name == "d"


def test_delete_returns_the_object_while_finalizers_pend(cs: Clientset) -> None:
    nss = cs.core_v1.namespaces()
    nss.create({"metadata": {"name": "n", "finalizers": ["kubernetes"]}})
    pending = nss.delete("n")
    assert (
        isinstance(pending, Namespace) and pending.metadata and pending.metadata.deletion_timestamp
    )


def test_delete_collection(cs: Clientset, server: FakeApiServer) -> None:
    cms = cs.core_v1.config_maps(NS)
    for i, tier in enumerate(["web", "web", "db"]):
        cms.create({"metadata": {"name": f"c{i}", "labels": {"tier": tier}}})
    cms.delete_collection(label_selector="tier=web", propagation_policy="Background")
    assert (
        server.requests[-1].method == "DELETE"
        and server.requests[-1].path == f"/api/v1/namespaces/{NS}/configmaps"
    )
    assert [c.metadata.name for c in cms.list().items] == ["c2"]


def test_namespace_handling(cs: Clientset, server: FakeApiServer) -> None:
    everywhere = cs.core_v1.config_maps()
    # create takes the namespace from the object when the client has none
    everywhere.create({"metadata": {"name": "a", "namespace": "ns1"}})
    cs.core_v1.config_maps("ns2").create(ConfigMap(metadata=ObjectMeta(name="b")))
    assert sorted(c.metadata.name for c in everywhere.list().items) == [
        "a",
        "b",
    ]  # across namespaces
    assert server.requests[-1].path == "/api/v1/configmaps"
    with pytest.raises(ValueError, match="namespaced"):
        everywhere.get("a")
    with pytest.raises(
        ValueError, match="metadata.namespace 'ns1' but the client is for namespace 'ns2'"
    ):
        cs.core_v1.config_maps("ns2").create({"metadata": {"name": "x", "namespace": "ns1"}})
    # cluster-scoped paths have no namespace
    cs.core_v1.nodes().create({"metadata": {"name": "n1"}})
    assert server.requests[-1].path == "/api/v1/nodes"


def test_pagination_over_three_pages(cs: Clientset, server: FakeApiServer) -> None:
    pods = cs.core_v1.pods(NS)
    for i in range(7):
        server.put(
            "/api/v1",
            "pods",
            {"metadata": {"name": f"p{i}", "namespace": NS, "labels": {"app": "x"}}},
        )
    page = pods.list(limit=3)
    assert len(page.items or []) == 3 and page.metadata and page.metadata.continue_
    everything = pods.list_all(page_size=3, label_selector="app=x")
    assert [p.metadata.name for p in everything.items or []] == [f"p{i}" for i in range(7)]  # type: ignore[union-attr]
    assert everything.metadata and everything.metadata.continue_ is None
    assert "continue" not in everything.model_dump(by_alias=True, exclude_unset=True)["metadata"]
    lists = [r for r in server.requests if r.method == "GET" and r.path.endswith("/pods")][1:]
    assert len(lists) == 3
    assert [r.query.get("continue") for r in lists] == [
        None,
        [f"{page.metadata.resource_version}:3"],
        [f"{page.metadata.resource_version}:6"],
    ]
    assert all(r.query["labelSelector"] == ["app=x"] and r.query["limit"] == ["3"] for r in lists)
    pages = list(pods.iter_pages(page_size=3))
    assert [len(p.items or []) for p in pages] == [3, 3, 1]


def test_expired_continue_token_is_reported_clearly(cs: Clientset, server: FakeApiServer) -> None:
    for i in range(5):
        server.put("/api/v1", "pods", {"metadata": {"name": f"p{i}", "namespace": NS}})
    server.expired_continue_tokens.add(f"{server.rv}:4")
    with pytest.raises(errors.Expired) as info:
        cs.core_v1.pods(NS).list_all(page_size=2)
    text = str(info.value)
    assert "continue token expired after 2 page(s)" in text and "started again" in text
    assert info.value.status_code == 410 and isinstance(info.value, errors.Gone)


# -- subresources ----------------------------------------------------------------------
def test_status_subresource(cs: Clientset, server: FakeApiServer) -> None:
    for client in (
        cs.core_v1.pods(NS),
        cs.apps_v1.deployments(NS),
        cs.core_v1.nodes(),
        cs.example_v1.widgets(NS),
    ):
        obj = client.create({"metadata": {"name": "s"}, "spec": {"x": 1}})
        obj.status = {"phase": "Running"}
        obj.spec = {"x": 2}  # ignored by the status subresource
        out = client.update_status(obj)
        assert (
            server.requests[-1].path.endswith("/s/status") and server.requests[-1].method == "PUT"
        )
        assert out.status == {"phase": "Running"} and out.spec == {"x": 1}
        assert client.get_status("s").status == {"phase": "Running"}
        out = client.patch_status("s", {"status": {"phase": "Done"}})
        assert out.status == {"phase": "Done"}
        out = client.apply_status(
            {"metadata": {"name": "s"}, "status": {"phase": "Applied"}}, field_manager="t"
        )
        assert server.requests[-1].path.endswith("/s/status") and out.status == {"phase": "Applied"}


def test_scale_subresource(cs: Clientset, server: FakeApiServer) -> None:
    for client in (cs.apps_v1.deployments(NS), cs.example_v1.widgets(NS)):
        client.create({"metadata": {"name": "web"}, "spec": {"replicas": 2}})
        scale = client.get_scale("web")
        assert isinstance(scale, Scale) and scale.spec and scale.spec.replicas == 2
        assert server.requests[-1].path.endswith("/web/scale")
        scale.spec.replicas = 5
        assert client.update_scale("web", scale).spec.replicas == 5  # type: ignore[union-attr]
        sent = json.loads(server.requests[-1].body)
        assert sent["kind"] == "Scale" and sent["spec"] == {"replicas": 5}
        assert client.patch_scale("web", {"spec": {"replicas": 7}}).spec.replicas == 7  # type: ignore[union-attr]
        assert client.get("web").spec == {"replicas": 7}
        with pytest.raises(errors.Conflict):
            client.update_scale("web", scale)  # stale resourceVersion


def test_eviction(cs: Clientset, server: FakeApiServer) -> None:
    pods = cs.core_v1.pods(NS)
    pods.create({"metadata": {"name": "p"}})
    pods.evict("p", grace_period_seconds=3)
    sent = json.loads(server.requests[-1].body)
    assert server.requests[-1].path == f"/api/v1/namespaces/{NS}/pods/p/eviction"
    assert sent == {
        "apiVersion": "policy/v1",
        "kind": "Eviction",
        "metadata": {"name": "p", "namespace": NS},
        "deleteOptions": {"apiVersion": "v1", "kind": "DeleteOptions", "gracePeriodSeconds": 3},
    }
    with pytest.raises(errors.NotFound):
        pods.get("p")
    # a PodDisruptionBudget refusal is a 429
    pods.create({"metadata": {"name": "q"}})
    server.fail_next(
        429,
        status(
            429,
            "TooManyRequests",
            "Cannot evict pod as it would violate the pod's disruption budget.",
        ),
        path_contains="/eviction",
    )
    with pytest.raises(errors.TooManyRequests, match="disruption budget"):
        pods.evict("q")


def test_binding(cs: Clientset, server: FakeApiServer) -> None:
    pods = cs.core_v1.pods(NS)
    pods.create({"metadata": {"name": "p"}})
    pods.bind(
        "p", Binding(metadata=ObjectMeta(name="p"), target={"kind": "Node", "name": "node-1"})
    )
    assert (
        server.requests[-1].path.endswith("/pods/p/binding")
        and server.requests[-1].method == "POST"
    )
    assert pods.get("p").spec == {"nodeName": "node-1"}


def test_ephemeral_containers_and_resize(cs: Clientset, server: FakeApiServer) -> None:
    pods = cs.core_v1.pods(NS)
    pod = pods.create(
        {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}
    )
    pod.spec = dict(pod.spec or {}, ephemeralContainers=[{"name": "debug", "image": "busybox"}])
    out = pods.update_ephemeral_containers(pod)
    assert server.requests[-1].path.endswith("/pods/p/ephemeralcontainers")
    assert out.spec and out.spec["ephemeralContainers"][0]["name"] == "debug"
    assert pods.get_ephemeral_containers("p").spec == out.spec
    out = pods.patch_ephemeral_containers(
        "p", {"spec": {"ephemeralContainers": [{"name": "d2", "image": "b"}]}}
    )
    assert out.spec and out.spec["ephemeralContainers"][0]["name"] == "d2"
    resized = {"name": "c", "image": "i", "resources": {"requests": {"cpu": "2"}}}
    out = pods.patch_resize(
        "p", {"spec": {"containers": [resized]}}, patch_type=PatchType.STRATEGIC_MERGE
    )
    assert server.requests[-1].path.endswith("/pods/p/resize")
    assert out.spec and out.spec["containers"] == [resized]
    out.spec["containers"][0]["resources"]["requests"]["cpu"] = "3"
    assert pods.update_resize(out).spec["containers"][0]["resources"]["requests"]["cpu"] == "3"  # type: ignore[index]
    assert pods.get_resize("p").metadata.name == "p"  # type: ignore[union-attr]


def test_service_account_token(cs: Clientset, server: FakeApiServer) -> None:
    sas = cs.core_v1.service_accounts(NS)
    sas.create({"metadata": {"name": "robot"}})
    tr = sas.create_token("robot", audiences=["api"], expiration_seconds=600)
    assert server.requests[-1].path.endswith("/serviceaccounts/robot/token")
    assert json.loads(server.requests[-1].body)["spec"] == {
        "audiences": ["api"],
        "expirationSeconds": 600,
    }
    assert tr.status and tr.status["token"]
    assert "header.payload.signature" not in repr(sas)


def test_csr_approval(cs: Clientset, server: FakeApiServer) -> None:
    csrs = cs.certificates_v1.certificate_signing_requests()
    csr = csrs.create(
        CertificateSigningRequest(metadata=ObjectMeta(name="csr-1"), spec={"signerName": "x"})
    )
    csr.status = {"conditions": [{"type": "Approved", "status": "True", "reason": "Test"}]}
    out = csrs.update_approval(csr)
    assert (
        server.requests[-1].path
        == "/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-1/approval"
    )
    assert out.status and out.status["conditions"][0]["type"] == "Approved"
    assert csrs.get_approval("csr-1").status == out.status


def test_namespace_finalize(cs: Clientset, server: FakeApiServer) -> None:
    nss = cs.core_v1.namespaces()
    ns = nss.create({"metadata": {"name": "gone"}, "spec": {"finalizers": ["kubernetes"]}})
    ns.spec = {"finalizers": []}
    assert nss.finalize(ns).spec == {"finalizers": []}
    assert server.requests[-1].path == "/api/v1/namespaces/gone/finalize"


def test_pod_logs(cs: Clientset, server: FakeApiServer) -> None:
    pods = cs.core_v1.pods(NS)
    pods.create({"metadata": {"name": "p"}})
    server.logs[(NS, "p")] = ["one", "two", "three"]
    assert pods.log("p") == "one\ntwo\nthree\n"
    assert (
        pods.log("p", tail_lines=1, container="c", timestamps=True)
        == "2026-01-01T00:00:00Z three\n"
    )
    assert server.requests[-1].query == {
        "container": ["c"],
        "tailLines": ["1"],
        "timestamps": ["true"],
    }
    with pods.log_stream("p", since_seconds=10) as stream:
        lines = []
        for line in stream:
            lines.append(line)
            if len(lines) == 3:
                break
    assert lines == ["one", "two", "three"]
    assert server.requests[-1].query == {"follow": ["true"], "sinceSeconds": ["10"]}
    with pytest.raises(errors.NotFound):
        pods.log("ghost")


def test_log_stream_stops_from_another_thread(cs: Clientset, server: FakeApiServer) -> None:
    pods = cs.core_v1.pods(NS)
    pods.create({"metadata": {"name": "p"}})
    server.logs[(NS, "p")] = ["only"]
    stream = pods.log_stream("p")
    threading.Timer(0.3, stream.stop).start()
    started = time.monotonic()
    assert list(stream) == ["only"]  # then blocked until stop()
    assert time.monotonic() - started < 3


def test_methods_exist_only_for_declared_verbs(cs: Clientset) -> None:
    assert not hasattr(cs.core_v1.config_maps(NS), "get_scale")
    assert not hasattr(cs.core_v1.config_maps(NS), "update_status")
    assert not hasattr(cs.core_v1.namespaces(), "delete_collection")
    assert not hasattr(cs.core_v1.service_accounts(NS), "watch")
    assert hasattr(cs.apps_v1.deployments(NS), "get_scale")
    assert isinstance(cs.core_v1.pods(NS), ResourceClient)


def test_clientset_groups_are_lazy_and_cached(cs: Clientset) -> None:
    assert "core_v1" not in vars(cs)
    core = cs.core_v1
    assert cs.core_v1 is core and vars(cs)["core_v1"] is core
    assert repr(core) == "<CoreV1Client v1>" and repr(cs.apps_v1) == "<AppsV1Client apps/v1>"
    assert repr(cs.core_v1.pods(NS)) == f"<PodsClient v1/pods namespace='{NS}'>"


def test_discovery(cs: Clientset) -> None:
    d = cs.discovery
    assert cs.discovery is d
    v = d.server_version()
    assert (v.major, v.minor, v.git_version) == ("1", "36", "v1.36.0-fake")
    groups = d.server_groups()
    assert groups[0].name == "" and groups[0].versions == ("v1",)
    assert {g.name for g in groups} >= {"apps", "coordination.k8s.io", "example.com"}
    core = d.server_resources_for_group_version("v1")
    pods = next(r for r in core if r.name == "pods")
    assert pods.kind == "Pod" and pods.namespaced and "list" in pods.verbs
    assert any(r.name == "pods/log" and r.is_subresource for r in core)
    apps = d.server_resources_for_group_version("apps/v1")
    assert [r.name for r in apps if not r.is_subresource] == ["deployments"]
    preferred = d.server_preferred_resources()
    assert {r.name for r in preferred} >= {"pods", "nodes", "deployments", "leases", "widgets"}
    assert not any(r.is_subresource for r in preferred)
    with pytest.raises(errors.NotFound):
        d.server_resources_for_group_version("nope.io/v9")


def test_apply_of_an_object_read_back_drops_managed_fields(
    cs: Clientset, server: FakeApiServer
) -> None:
    cms = cs.core_v1.config_maps(NS)
    server.put(
        "/api/v1",
        "configmaps",
        {"metadata": {"name": "m", "namespace": NS, "managedFields": [{"manager": "x"}]}},
    )
    got = cms.get("m")
    assert got.metadata and got.metadata.model_extra and "managedFields" in got.metadata.model_extra
    cms.apply(got, field_manager="me")
    sent = json.loads(server.requests[-1].body)
    assert "managedFields" not in sent["metadata"] and sent["metadata"]["name"] == "m"
