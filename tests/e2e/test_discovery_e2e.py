"""Discovery, its cache and the RESTMapper against the real kube-apiserver.

Built-in groups listed; a CRD created during the test found after one refresh; aggregated and
legacy discovery agree; a broken APIService reported beside the rest; the cache answers a second
call without a request, is reused by a new process from disk and refreshed on a mapper miss.
"""

from __future__ import annotations

import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubeset
import pytest
from kube_apiserver import ApiServer
from kubeset.discovery import CachedDiscoveryClient, DiscoveryClient, RESTMapper
from kubeset.dynamic import DynamicClient
from kubeset.errors import AmbiguousMatchError, NoMatchError
from kubeset.rest import RESTClient
from kubeset.transport import HTTPRequest, Response, Transport

pytestmark = pytest.mark.e2e


class CountingTransport:
    """A transport that counts the requests it sends (and their paths)."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.paths: list[str] = []

    def send(self, request: HTTPRequest) -> Response:
        self.paths.append(request.url.split("://", 1)[-1].split("/", 1)[-1])
        return self.inner.send(request)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture(scope="module")
def config(apiserver: ApiServer) -> Any:
    return kubeset.load_kubeconfig(apiserver.kubeconfig)


def counting_rest(config: Any) -> tuple[RESTClient, CountingTransport]:
    counter = CountingTransport(Transport(config))
    return RESTClient(counter, host=config.host), counter


@pytest.fixture(scope="module")
def rest(config: Any) -> Iterator[RESTClient]:
    with RESTClient(config) as client:
        yield client


def crd_manifest(group: str, kind: str, plural: str) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {
                "plural": plural,
                "singular": kind.lower(),
                "kind": kind,
                "shortNames": [plural[:3] + "x"],
                "categories": ["kubeset-test"],
            },
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": True,
                        }
                    },
                    "subresources": {"status": {}},
                }
            ],
        },
    }


def wait_established(dyn: DynamicClient, name: str) -> None:
    crds = dyn.resource(
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        namespaced=False,
        kind="CustomResourceDefinition",
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        conds = crds.get(name).get_path("status", "conditions") or []
        if any(c.get("type") == "Established" and c.get("status") == "True" for c in conds):
            return
        time.sleep(0.2)
    raise AssertionError(f"{name} not established within 30 s")


def wait_group_gone(rest: RESTClient, group: str) -> None:
    """Other tests check the exact list of API groups: wait until discovery forgets ``group``."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not any(g.name == group for g in DiscoveryClient(rest).server_groups()):
            return
        time.sleep(0.2)


def test_builtin_groups_and_resources(rest: RESTClient) -> None:
    found = DiscoveryClient(rest).server_groups_and_resources()
    groups = {g.name: g for g in found.groups}
    assert {"", "apps", "batch", "rbac.authorization.k8s.io", "apiextensions.k8s.io"} <= set(groups)
    assert groups["apps"].preferred_version == "apps/v1"
    assert groups[""].versions == ("v1",)
    by_name = {(r.group_version, r.name): r for r in found.resources}
    deploy = by_name[("apps/v1", "deployments")]
    assert (deploy.kind, deploy.namespaced, deploy.singular_name) == (
        "Deployment",
        True,
        "deployment",
    )
    assert "deploy" in deploy.short_names and "all" in deploy.categories
    assert {"create", "get", "list", "watch", "patch"} <= set(deploy.verbs)
    scale = by_name[("apps/v1", "deployments/scale")]
    assert (scale.kind, scale.kind_group_version) == ("Scale", "autoscaling/v1")
    assert by_name[("v1", "namespaces")].namespaced is False
    assert by_name[("v1", "pods/log")].is_subresource
    assert found.failed == ()


def test_aggregated_and_legacy_agree(rest: RESTClient) -> None:
    aggregated = DiscoveryClient(rest).server_groups_and_resources()
    legacy = DiscoveryClient(rest, aggregated=False).server_groups_and_resources()
    assert sorted(aggregated.groups, key=lambda g: g.name) == sorted(
        legacy.groups, key=lambda g: g.name
    )
    key = lambda r: (r.group_version, r.name)
    agg = {key(r): r for r in aggregated.resources}
    leg = {key(r): r for r in legacy.resources}
    assert set(agg) == set(leg)
    differ = [k for k in agg if agg[k] != leg[k]]
    assert differ == [], [(agg[k], leg[k]) for k in differ[:3]]


def test_aggregated_path_is_used(config: Any) -> None:
    rest, counter = counting_rest(config)
    DiscoveryClient(rest).server_groups_and_resources()
    assert counter.paths == ["api", "apis"]  # two documents, no per-group-version request


def test_crd_appears_after_one_refresh_and_mapper_miss(config: Any, tmp_path: Path) -> None:
    rest, counter = counting_rest(config)
    cached = CachedDiscoveryClient(DiscoveryClient(rest), cache_dir=tmp_path)
    mapper = RESTMapper(cached)
    dyn = DynamicClient(rest, discovery=cached)
    group = f"t{uuid.uuid4().hex[:6]}.kubeset.test"
    assert not any(g.name == group for g in cached.server_groups_and_resources().groups)
    crd = crd_manifest(group, "Gadget", "gadgets")
    crds = dyn.resource("apiextensions.k8s.io", "v1", "customresourcedefinitions")
    crds.create(crd)
    try:
        wait_established(dyn, crd["metadata"]["name"])
        before = len(counter.paths)
        # the cache still holds the old answer: the miss refreshes discovery exactly once
        m = mapper.rest_mapping("Gadget", group=group)
        assert (m.resource, m.version, m.namespaced, m.subresources) == (
            "gadgets",
            "v1",
            True,
            ("status",),
        )
        assert counter.paths[before:] == ["api", "apis"]
        assert mapper.find("gadx").kind == "Gadget"  # short name
        assert mapper.find(f"gadget.{group}").resource == "gadgets"  # singular.group
        assert [x.resource for x in mapper.for_category("kubeset-test")] == ["gadgets"]
        assert any(g.name == group for g in cached.server_groups_and_resources().groups)
    finally:
        crds.delete(crd["metadata"]["name"])
        wait_group_gone(rest, group)


_SECOND_PROCESS = """
import sys, kubeset
from kubeset.discovery import CachedDiscoveryClient, DiscoveryClient
from kubeset.rest import RESTClient
from kubeset.transport import Transport

cfg = kubeset.load_kubeconfig(sys.argv[1])
sent = []

class Counting(Transport):
    def send(self, request):
        sent.append(request.url)
        return super().send(request)

cached = CachedDiscoveryClient(
    DiscoveryClient(RESTClient(Counting(cfg), host=cfg.host)), cache_dir=sys.argv[2]
)
found = cached.server_groups_and_resources()
print(len(sent), len(found.resources), cached.fresh)
"""


def test_cache_memory_then_disk_in_a_new_process(
    apiserver: ApiServer, config: Any, tmp_path: Path
) -> None:
    rest, counter = counting_rest(config)
    cached = CachedDiscoveryClient(DiscoveryClient(rest), cache_dir=tmp_path / "cache")
    first = cached.server_groups_and_resources()
    assert len(counter.paths) == 2 and cached.fresh
    assert cached.server_groups_and_resources() is first
    assert len(counter.paths) == 2  # second call: no request
    path = cached.cache_file
    assert path is not None and path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) == 0o700
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [path.name]  # no temporary left
    # another process reads the disk file: no discovery request at all
    out = subprocess.run(
        [sys.executable, "-c", _SECOND_PROCESS, str(apiserver.kubeconfig), str(tmp_path / "cache")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert out.stdout.split() == ["0", str(len(first.resources)), "False"]


def test_cache_ttl_and_invalidate(config: Any, tmp_path: Path) -> None:
    rest, counter = counting_rest(config)
    cached = CachedDiscoveryClient(DiscoveryClient(rest), cache_dir=tmp_path)
    cached.server_groups_and_resources()
    cached.invalidate()
    cached.server_groups_and_resources()
    assert len(counter.paths) == 4  # invalidate: asked again, not read back from disk
    expired = CachedDiscoveryClient(DiscoveryClient(rest), cache_dir=tmp_path, ttl=0)
    time.sleep(0.01)
    expired.server_groups_and_resources()
    assert len(counter.paths) == 6 and expired.fresh
    reuse = CachedDiscoveryClient(DiscoveryClient(rest), cache_dir=tmp_path)
    reuse.server_groups_and_resources()
    assert len(counter.paths) == 6 and not reuse.fresh


def test_mapper_errors_name_candidates(rest: RESTClient, tmp_path: Path) -> None:
    mapper = RESTMapper(CachedDiscoveryClient(DiscoveryClient(rest), cache_dir=tmp_path))
    with pytest.raises(NoMatchError) as e:
        mapper.rest_mapping("Deploymnt")
    assert "Deployment" in e.value.candidates and "Deployment" in str(e.value)
    # Event is served by the core group and events.k8s.io: the core group wins (kubectl's order)
    assert mapper.rest_mapping("Event").group == ""
    assert mapper.rest_mapping("Event", group="events.k8s.io").api_version == "events.k8s.io/v1"
    m = mapper.find("deploy")
    assert (m.kind, m.api_version, m.namespaced) == ("Deployment", "apps/v1", True)
    assert mapper.find("ns").namespaced is False
    assert mapper.kind_for("po") == "Pod" and mapper.resource_for("Pod") == "pods"


def test_broken_apiservice_reported_beside_the_rest(rest: RESTClient) -> None:
    dyn = DynamicClient(rest, discovery=DiscoveryClient(rest))
    apiservices = dyn.resource(
        "apiregistration.k8s.io", "v1", "apiservices", namespaced=False, kind="APIService"
    )
    group = f"broken{uuid.uuid4().hex[:6]}.kubeset.test"
    name = f"v1.{group}"
    apiservices.create(
        {
            "metadata": {"name": name},
            "spec": {
                "group": group,
                "version": "v1",
                "service": {"name": "nothing-here", "namespace": "default", "port": 443},
                "insecureSkipTLSVerify": True,
                "groupPriorityMinimum": 1000,
                "versionPriority": 15,
            },
        }
    )
    try:
        for aggregated in (False, True):
            deadline = time.monotonic() + 30
            while True:
                found = DiscoveryClient(rest, aggregated=aggregated).server_groups_and_resources()
                failed = {f.group_version: f.reason for f in found.failed}
                if f"{group}/v1" in failed or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            assert f"{group}/v1" in failed, (aggregated, found.failed)
            assert any(r.name == "deployments" for r in found.resources)
            assert any(g.name == "apps" for g in found.groups)
    finally:
        apiservices.delete(name)
        wait_group_gone(rest, group)


def test_same_kind_in_two_groups_is_ambiguous(rest: RESTClient, tmp_path: Path) -> None:
    dyn = DynamicClient(rest, cache_dir=str(tmp_path))
    crds = dyn.resource("apiextensions.k8s.io", "v1", "customresourcedefinitions")
    suffix = uuid.uuid4().hex[:6]
    made = [crd_manifest(f"{x}{suffix}.kubeset.test", "Gizmo", "gizmos") for x in ("a", "b")]
    for crd in made:
        crds.create(crd)
    try:
        for crd in made:
            wait_established(dyn, crd["metadata"]["name"])
        with pytest.raises(AmbiguousMatchError) as e:
            dyn.mapper.rest_mapping("Gizmo")
        assert sorted(e.value.candidates) == [
            f"Gizmo gizmos.{x}{suffix}.kubeset.test ({x}{suffix}.kubeset.test/v1)"
            for x in ("a", "b")
        ]
        assert f"a{suffix}.kubeset.test" in str(e.value)
        assert (
            dyn.mapper.rest_mapping("Gizmo", group=f"b{suffix}.kubeset.test").resource == "gizmos"
        )
    finally:
        for crd in made:
            crds.delete(crd["metadata"]["name"])
            wait_group_gone(rest, crd["spec"]["group"])
