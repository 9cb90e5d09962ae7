"""A dynamic informer: the shared informer over the dynamic client, for any resource the server
serves (a custom resource here), with no generated code; the factory keeps one informer per
resource although every dynamic client has the same class."""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubeset
import pytest
import yaml
from kube_apiserver import ApiServer
from kubeset.cache import DeletedFinalStateUnknown, EventHandlers, SharedInformerFactory
from kubeset.dynamic import DynamicClient, Unstructured

pytestmark = pytest.mark.e2e

CRD = "gateway-api__httproutes.gateway.networking.k8s.io.yaml"


def until(predicate: Any, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def dyn(
    apiserver: ApiServer, shared_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DynamicClient]:
    config = dataclasses.replace(kubeset.load_kubeconfig(apiserver.kubeconfig), qps=-1)
    cache = tmp_path_factory.mktemp("discovery-cache")
    with DynamicClient(config, cache_dir=str(cache)) as client:
        crd = yaml.safe_load((shared_dir / "crds" / CRD).read_text())
        crds = client.resource("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        try:
            crds.apply(crd, field_manager="e2e", force=True)
        except kubeset.Conflict:
            pass
        until(
            lambda: any(
                c.get("type") == "Established" and c.get("status") == "True"
                for c in (crds.get(crd["metadata"]["name"]).object.get("status") or {}).get(
                    "conditions"
                )
                or ()
            ),
            "the HTTPRoute CRD is established",
        )
        yield client


def route(name: str, hostname: str) -> dict[str, Any]:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": name, "labels": {"team": "a"}},
        "spec": {"hostnames": [hostname]},
    }


def test_a_dynamic_informer_caches_a_custom_resource_and_delivers_its_events(
    dyn: DynamicClient,
) -> None:
    ns = f"dyninf-{uuid.uuid4().hex[:8]}"
    dyn.resource("", "v1", "namespaces").create({"metadata": {"name": ns}})
    routes = dyn.resource("gateway.networking.k8s.io", "v1", "httproutes").in_namespace(ns)
    cms = dyn.resource("", "v1", "configmaps").in_namespace(ns)
    routes.create(route("before", "a.example.com"))

    events: list[tuple[str, str]] = []
    lock = threading.Lock()

    def record(kind: str, obj: Unstructured | DeletedFinalStateUnknown[Unstructured]) -> None:
        name = obj.key if isinstance(obj, DeletedFinalStateUnknown) else obj.name
        with lock:
            events.append((kind, name))

    factory = SharedInformerFactory(namespace=ns)
    informer = factory.informer_for(routes)
    assert (
        factory.informer_for(
            dyn.resource("gateway.networking.k8s.io", "v1", "httproutes").in_namespace(ns)
        )
        is informer
    )
    cm_informer = factory.informer_for(cms)
    assert cm_informer is not informer  # another resource, though the same client class
    informer.add_event_handler(
        EventHandlers(
            on_add=lambda obj, initial: record("add", obj),
            on_update=lambda old, new: record("update", new),
            on_delete=lambda obj: record("delete", obj),
        )
    )
    factory.start()
    try:
        assert factory.wait_for_cache_sync(timeout=60)
        lister = informer.lister()
        cached = lister.namespace(ns).get("before")
        assert isinstance(cached, Unstructured) and cached.object["spec"]["hostnames"] == [
            "a.example.com"
        ]

        routes.create(route("after", "b.example.com"))
        routes.patch("after", {"spec": {"hostnames": ["c.example.com"]}})
        until(
            lambda: (
                lister.namespace(ns).get("after").object["spec"]["hostnames"] == ["c.example.com"]
                if ("add", "after") in events
                else False
            ),
            "the informer sees the create and the patch",
        )
        routes.delete("before")
        until(lambda: ("delete", "before") in events, "the informer sees the delete")
        assert [n for _, n in events if n == "after"][:1] == ["after"]
        assert sorted(o.name for o in lister.list("team=a")) == ["after"]
        cms.create({"metadata": {"name": "cm"}, "data": {"k": "v"}})
        until(
            lambda: any(o.name == "cm" for o in cm_informer.lister().list()),
            "the configmap informer",
        )
        assert all(o.object.get("kind") != "ConfigMap" for o in lister.list())
    finally:
        factory.shutdown()
