"""Discovery and the RESTMapper over it: short names, singular names, categories, preferred
versions, a CRD's names, aggregated and legacy documents agreeing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from backends import Backend, eventually
from kubeset import errors
from kubeset.discovery import DiscoveryClient, RESTMapper

# kubectl's `get all`: every built-in resource in the "all" category of kube-apiserver v1.36
ALL = {
    ("", "pods"),
    ("", "replicationcontrollers"),
    ("", "services"),
    ("apps", "daemonsets"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("autoscaling", "horizontalpodautoscalers"),
    ("batch", "cronjobs"),
    ("batch", "jobs"),
}


def _discovery(backend: Backend, *, aggregated: bool = True) -> DiscoveryClient:
    """A discovery client over the clientset's REST client (asyncio's, seen through the bridge)."""
    found: DiscoveryClient = backend.wrap(DiscoveryClient(backend.rest, aggregated=aggregated))
    return found


def _mapper(backend: Backend, *, aggregated: bool = True) -> RESTMapper:
    found: RESTMapper = backend.wrap(
        RESTMapper(DiscoveryClient(backend.rest, aggregated=aggregated))
    )
    return found


@pytest.mark.parametrize("aggregated", [True, False], ids=["aggregated", "legacy"])
def test_mapper_finds_short_names_singulars_and_kinds(backend: Backend, aggregated: bool) -> None:
    mapper = _mapper(backend, aggregated=aggregated)
    found = {
        name: (m.group, m.version, m.resource, m.namespaced)
        for name in ("deploy", "po", "svc", "cm", "ns", "hpa", "sts", "deployment", "Ingress")
        for m in [mapper.find(name)]
    }
    assert found == {
        "deploy": ("apps", "v1", "deployments", True),
        "po": ("", "v1", "pods", True),
        "svc": ("", "v1", "services", True),
        "cm": ("", "v1", "configmaps", True),
        "ns": ("", "v1", "namespaces", False),
        "hpa": ("autoscaling", "v2", "horizontalpodautoscalers", True),  # the preferred version
        "sts": ("apps", "v1", "statefulsets", True),
        "deployment": ("apps", "v1", "deployments", True),
        "Ingress": ("networking.k8s.io", "v1", "ingresses", True),
    }
    assert mapper.kind_for("pvc") == "PersistentVolumeClaim"
    assert mapper.resource_for("CronJob") == "cronjobs"


@pytest.mark.parametrize("aggregated", [True, False], ids=["aggregated", "legacy"])
def test_the_all_category(backend: Backend, aggregated: bool) -> None:
    mapper = _mapper(backend, aggregated=aggregated)
    assert {(m.group, m.resource) for m in mapper.for_category("all")} == ALL
    hpa = [m for m in mapper.for_category("all") if m.resource == "horizontalpodautoscalers"]
    assert [m.version for m in hpa] == ["v2"]


@pytest.fixture
def gadgets(backend: Backend) -> Iterator[str]:
    group = f"d{uuid.uuid4().hex[:6]}.kubeset.io"
    crds = backend.cs.apiextensions_v1.custom_resource_definitions()
    schema = {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}
    crds.create(
        {
            "metadata": {"name": f"gadgets.{group}"},
            "spec": {
                "group": group,
                "scope": "Cluster",
                "names": {
                    "plural": "gadgets",
                    "singular": "gadget",
                    "kind": "Gadget",
                    "shortNames": ["gd", "gdt"],
                    "categories": ["kubeset-test", "all"],
                },
                "versions": [
                    {"name": "v1beta1", "served": True, "storage": False, "schema": schema},
                    {
                        "name": "v1",
                        "served": True,
                        "storage": True,
                        "schema": schema,
                        "subresources": {"status": {}},
                    },
                ],
            },
        }
    )
    yield group
    crds.delete(f"gadgets.{group}")

    def gone() -> None:  # the next backend's gadgets must not meet these short names
        try:
            crds.get(f"gadgets.{group}")
        except errors.NotFound:
            return
        raise AssertionError(f"gadgets.{group} is still being deleted")

    eventually(gone)


def test_a_crds_names_are_in_discovery(backend: Backend, gadgets: str) -> None:
    def found() -> RESTMapper:
        mapper = _mapper(backend)
        assert mapper.find("gd").group == gadgets
        return mapper

    mapper = eventually(found)
    gd = mapper.find("gd")
    assert (gd.version, gd.resource, gd.singular, gd.namespaced) == (
        "v1",
        "gadgets",
        "gadget",
        False,
    )
    assert mapper.find("gdt") == gd and mapper.find("gadget") == gd and mapper.find("Gadget") == gd
    assert [m.resource for m in mapper.for_category("kubeset-test")] == ["gadgets"]
    assert ("", "pods") in {(m.group, m.resource) for m in mapper.for_category("all")}
    legacy = {
        (r.group_version, r.name, r.verbs, r.short_names, r.categories, r.singular_name)
        for r in _discovery(backend, aggregated=False).server_groups_and_resources().resources
        if r.group == gadgets
    }
    aggregated = {
        (r.group_version, r.name, r.verbs, r.short_names, r.categories, r.singular_name)
        for r in _discovery(backend).server_groups_and_resources().resources
        if r.group == gadgets
    }
    assert {(gv, name) for gv, name, *_ in legacy} == {
        (f"{gadgets}/v1", "gadgets"),
        (f"{gadgets}/v1", "gadgets/status"),
        (f"{gadgets}/v1beta1", "gadgets"),
    }
    # the same facts both ways, verbs in any order
    assert {(*k[:2], frozenset(k[2]), *k[3:]) for k in legacy} == {
        (*k[:2], frozenset(k[2]), *k[3:]) for k in aggregated
    }
