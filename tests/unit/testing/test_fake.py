"""The fake cluster's own features: seeding, compaction, faults, reactors, recording, the plugin."""

from __future__ import annotations

import threading
import time

import pytest
from kubeset import errors
from kubeset.testing import Action, FakeCluster, FakeTransport
from kubeset.testing.cluster import ListOptions

pytest_plugins = ["pytester"]


def test_seed_from_objects_and_yaml() -> None:
    cluster = FakeCluster(
        [
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "seed", "namespace": "default"},
            }
        ]
    )
    cluster.load_yaml(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: team}\n"
        "spec: {replicas: 2, selector: {matchLabels: {a: b}},\n"
        "  template: {spec: {containers: [{name: c, image: i}]}}}\n"
    )
    cs = FakeTransport(cluster).clientset()
    assert cs.core_v1.config_maps("default").get("seed").metadata.uid
    web = cs.apps_v1.deployments("team").get("web")
    assert web.spec.replicas == 2 and web.metadata.generation == 1
    assert cs.core_v1.service_accounts("team").get("default").metadata.name == "default"


def test_resource_versions_are_one_counter() -> None:
    cs = FakeTransport().clientset()
    a = cs.core_v1.config_maps("default").create({"metadata": {"name": "a"}})
    b = cs.core_v1.secrets("default").create({"metadata": {"name": "b"}})
    assert int(b.metadata.resource_version) == int(a.metadata.resource_version) + 1


def test_continue_token_expires_after_compaction() -> None:
    fake = FakeTransport()
    cms = fake.clientset().core_v1.config_maps("default")
    for i in range(3):
        cms.create({"metadata": {"name": f"c{i}"}})
    page = cms.list(limit=1)
    fake.cluster.compact()
    with pytest.raises(errors.Expired, match="continue parameter is too old"):
        cms.list(limit=1, continue_=page.metadata.continue_)


def test_fail_next_and_conflict_next_update() -> None:
    fake = FakeTransport()
    cms = fake.clientset(sleep=lambda s: None).core_v1.config_maps("default")
    created = cms.create({"metadata": {"name": "c"}})
    fake.fail_next(403, verb="get", resource="configmaps")
    with pytest.raises(errors.Forbidden, match="injected failure"):
        cms.get("c")
    assert cms.get("c").metadata.name == "c"  # only once
    fake.conflict_next_update("configmaps")
    with pytest.raises(errors.Conflict):
        cms.update(created)
    assert cms.update(created).metadata.name == "c"


def test_delay_uses_the_given_sleep() -> None:
    slept: list[float] = []
    fake = FakeTransport(sleep=slept.append)
    fake.delay(0.25)
    fake.clientset().core_v1.namespaces().get("default")
    assert slept == [0.25]


def test_reactors_answer_before_the_cluster() -> None:
    fake = FakeTransport()
    seen: list[Action] = []

    def react(action: Action) -> object:
        seen.append(action)
        if action.body["metadata"]["name"] == "boom":
            raise errors.InternalError(500, "InternalError", "reactor says no")
        return None  # let the cluster answer

    fake.prepend_reactor("create", "pods", react)
    fake.prepend_reactor(
        "get", "configmaps", lambda a: {"metadata": {"name": a.name}, "data": {"from": "reactor"}}
    )
    cs = fake.clientset(sleep=lambda s: None)
    assert cs.core_v1.config_maps("default").get("anything").data == {"from": "reactor"}
    pod = {"metadata": {"name": "ok"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}
    cs.core_v1.pods("default").create(pod)
    with pytest.raises(errors.InternalError, match="reactor says no"):
        cs.core_v1.pods("default").create({**pod, "metadata": {"name": "boom"}})
    assert [(a.verb, a.namespace, a.body["metadata"]["name"]) for a in seen][:1] == [
        ("create", "default", "ok")
    ]


def test_requests_are_recorded() -> None:
    fake = FakeTransport()
    fake.clientset().core_v1.config_maps("default").list(label_selector="a=b")
    request = fake.requests[-1]
    assert request.method == "GET" and request.url.endswith("/api/v1/namespaces/default/configmaps")
    assert request.param("labelSelector") == "a=b"


def test_drop_watches_ends_open_streams() -> None:
    fake = FakeTransport()
    cms = fake.clientset().core_v1.config_maps("default")
    rv = cms.list().metadata.resource_version
    w = cms.watch(resource_version=rv, timeout_seconds=60)
    threading.Timer(0.2, fake.drop_watches).start()
    started = time.monotonic()
    assert list(w) == []
    assert time.monotonic() - started < 30  # liveness bound only


def test_unknown_resource_and_discovery() -> None:
    fake = FakeTransport()
    rest = fake.rest_client()
    assert rest.get().abs_path("/version").do().json()["major"] == "1"
    groups = rest.get().abs_path("/apis").do().json()
    assert "apps" in [g["name"] for g in groups["groups"]]
    with pytest.raises(errors.NotFound):
        rest.get().abs_path("/apis/nope.io/v1/things").do()


def test_list_options_dataclass_directly() -> None:
    cluster = FakeCluster()
    kind = cluster.kind("", "v1", "namespaces")
    names = [
        i["metadata"]["name"]
        for i in cluster.list(kind, None, ListOptions(field_selector="metadata.name=default"))[
            "items"
        ]
    ]
    assert names == ["default"]


def test_plugin_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_it(kube_fake, kube_clientset):
            kube_clientset.core_v1.config_maps("default").create({"metadata": {"name": "c"}})
            assert len(kube_fake.requests) == 1
        """
    )
    pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_http_server_on_loopback(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import kubeset
    from kubeset.kubernetes import Clientset
    from kubeset.testing.server import FakeServer

    with FakeServer() as server:
        assert server.url.startswith("http://127.0.0.1:")
        config = kubeset.load_kubeconfig(server.write_kubeconfig(tmp_path / "kubeconfig"))
        with Clientset(config) as cs:
            cms = cs.core_v1.config_maps("default")
            created = cms.create({"metadata": {"name": "over-http"}, "data": {"k": "v"}})
            with cms.watch(
                resource_version=created.metadata.resource_version, timeout_seconds=30
            ) as w:
                cms.patch("over-http", {"data": {"k": "w"}})
                event = next(w)
            assert (event.type, event.object.data) == ("MODIFIED", {"k": "w"})
            with pytest.raises(errors.NotFound):
                cms.get("missing")


def test_send_bookmarks_to_watches_that_allow_them() -> None:
    fake = FakeTransport()
    cms = fake.clientset().core_v1.config_maps("default")
    rv = cms.list().metadata.resource_version
    with cms.watch(resource_version=rv, allow_watch_bookmarks=True, timeout_seconds=30) as w:
        cms.create({"metadata": {"name": "c"}})
        assert next(w).type == "ADDED"
        fake.cluster.send_bookmarks()
        mark = next(w)
    assert mark.type == "BOOKMARK"
    assert mark.object.metadata.resource_version == cms.get("c").metadata.resource_version
