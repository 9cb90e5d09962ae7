"""Asyncio discovery, RESTMapper, dynamic client and apply_manifests against the real kube-apiserver.

Plain asyncio code (no test bridge): the AsyncClientset's discovery agrees with the sync one,
aggregated and legacy; the asyncio cache writes the file the sync cache then reads; a CRD and
its objects applied from one file (the CRD waited for, the new kind found after one refresh),
read, watched and patched through the asyncio dynamic client, and deleted again; many
concurrent lookups share one discovery.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from pathlib import Path
from typing import Any

import kubeset
import pytest
from kube_apiserver import ApiServer
from kubeset.discovery import CachedDiscoveryClient, DiscoveryClient, RESTMapper
from kubeset.dynamic import DynamicClient
from kubeset.dynamic.manifests import ManifestOptions, apply_manifests, delete_manifests
from kubeset.dynamic.wait import wait_for
from kubeset.errors import NoMatchError, NotFound
from kubeset.kubernetes import AsyncClientset
from kubeset.rest import RESTClient
from kubeset.rest.aio import AsyncRESTClient
from kubeset.transport import HTTPRequest
from kubeset.transport.base import AsyncHTTPTransport, AsyncResponse

pytestmark = pytest.mark.e2e
CALL = 60.0  # no awaited step of these tests takes longer


@pytest.fixture(scope="module")
def config(apiserver: ApiServer) -> Any:
    return dataclasses.replace(kubeset.load_kubeconfig(apiserver.kubeconfig), qps=-1)


class CountingTransport:
    """An asyncio transport that counts the paths it sends."""

    def __init__(self, inner: AsyncHTTPTransport) -> None:
        self.inner = inner
        self.paths: list[str] = []

    async def send_async(self, request: HTTPRequest) -> AsyncResponse:
        self.paths.append(request.url.split("://", 1)[-1].split("/", 1)[-1].split("?")[0])
        return await self.inner.send_async(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_async_discovery_agrees_with_the_sync_one(config: Any) -> None:
    with RESTClient(config) as rest:
        expected = DiscoveryClient(rest).server_groups_and_resources()
        version = DiscoveryClient(rest).server_version()

    async def main() -> None:
        async with AsyncClientset(config) as cs:
            found = await asyncio.wait_for(cs.discovery.server_groups_and_resources(), CALL)
            assert (await cs.discovery.server_version()).git_version == version.git_version
            legacy = DiscoveryClient(cs.rest, aggregated=False)
            old = await asyncio.wait_for(legacy.server_groups_and_resources(), CALL)
            assert [g.name for g in found.groups] == [g.name for g in expected.groups]
            assert set(found.resources) == set(expected.resources)
            assert [g.name for g in old.groups] == [g.name for g in found.groups]
            assert {(r.group_version, r.name) for r in old.resources} == {
                (r.group_version, r.name) for r in found.resources
            }
            apps = await legacy.server_resources_for_group_version("apps/v1")
            assert "deployments/scale" in {r.name for r in apps}
            with pytest.raises(NotFound):
                await legacy.server_resources_for_group_version("nothere.example.com/v1")

    asyncio.run(main())


def test_the_async_cache_writes_what_the_sync_cache_reads(config: Any, tmp_path: Path) -> None:
    async def main() -> Any:
        from kubeset.transport.aiosession import AsyncTransport

        counter = CountingTransport(AsyncTransport(config))
        async with AsyncRESTClient(counter, host=config.host) as rest:
            cached = CachedDiscoveryClient(DiscoveryClient(rest), cache_dir=tmp_path)
            many = await asyncio.wait_for(
                asyncio.gather(*(cached.server_groups_and_resources() for _ in range(20))), CALL
            )
            assert counter.paths == ["api", "apis"]  # twenty tasks, one discovery
            mapper = RESTMapper(cached)
            mapping = await mapper.rest_mapping("Deployment", group="apps")
            assert (mapping.resource, mapping.namespaced) == ("deployments", True)
            assert await mapper.kind_for("deploy") == "Deployment"
            with pytest.raises(NoMatchError):
                await mapper.find("nosuchthings")
            assert counter.paths == ["api", "apis"] * 2  # a miss refreshed once
            return many[0]

    found = asyncio.run(main())
    with RESTClient(config) as rest:
        again = CachedDiscoveryClient(DiscoveryClient(rest), cache_dir=tmp_path)
        assert again.server_groups_and_resources() == found and not again.fresh  # from the file


async def _first(events: Any) -> Any:
    async for event in events:
        return event
    raise AssertionError("the watch ended without an event")


def _manifests(group: str, ns: str) -> str:
    return f"""
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {{name: gizmos.{group}}}
spec:
  group: {group}
  scope: Namespaced
  names: {{plural: gizmos, singular: gizmo, kind: Gizmo}}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {{openAPIV3Schema: {{type: object, x-kubernetes-preserve-unknown-fields: true}}}}
---
apiVersion: {group}/v1
kind: Gizmo
metadata: {{name: g1, namespace: {ns}}}
spec: {{size: 1}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: settings, namespace: {ns}}}
data: {{mode: fast}}
"""


def test_apply_a_crd_and_its_objects_with_the_async_dynamic_client(
    config: Any, tmp_path: Path
) -> None:
    group = f"a{uuid.uuid4().hex[:6]}.kubeset.io"
    ns = f"aio-{uuid.uuid4().hex[:6]}"
    app = tmp_path / "app.yaml"
    app.write_text(_manifests(group, ns))

    async def main() -> None:
        async with DynamicClient(AsyncRESTClient(config)) as dyn:
            namespaces = await dyn.resource("", "v1", "namespaces")
            await namespaces.create({"metadata": {"name": ns}})
            try:
                options = ManifestOptions(field_manager="aio-e2e")
                results = await asyncio.wait_for(apply_manifests(dyn, app, options), CALL)
                assert [r.line() for r in results] == [
                    f"customresourcedefinition.apiextensions.k8s.io/gizmos.{group} created",
                    f"gizmo.{group}/g1 created",
                    "configmap/settings created",
                ]
                again = await asyncio.wait_for(apply_manifests(dyn, app, options), CALL)
                assert [r.action for r in again] == ["unchanged"] * 3

                gizmos = await dyn.for_kind(f"{group}/v1", "Gizmo", ns)
                gizmo = await gizmos.get("g1")
                assert gizmo.object["spec"] == {"size": 1}
                watch = gizmos.watch(resource_version=gizmo.resource_version)
                async with watch:
                    await gizmos.patch("g1", {"spec": {"size": 2}})
                    event = await asyncio.wait_for(_first(watch), CALL)
                assert (event.type, event.object.object["spec"]["size"]) == ("MODIFIED", 2)
                [ready] = await wait_for(dyn, [gizmo], timeout=CALL)  # any kind: it exists
                assert ready.ok
                cms = (await dyn.resource("", "v1", "configmaps")).namespace(ns)
                assert (await cms.get("settings")).object["data"] == {"mode": "fast"}

                gone = await asyncio.wait_for(delete_manifests(dyn, app), CALL)
                assert [r.action for r in gone] == ["deleted"] * 3
                with pytest.raises(NotFound):
                    await cms.get("settings")
            finally:
                await namespaces.delete(ns)

    asyncio.run(main())
