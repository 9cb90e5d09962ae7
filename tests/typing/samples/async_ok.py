"""Async user code that must type-check cleanly, with the types both checkers must infer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import assert_type

from kubeset.config import Config
from kubeset.discovery import (
    APIResourceInfo,
    CachedDiscoveryClient,
    DiscoveryClient,
    RESTMapper,
    RESTMapping,
    ServerResources,
    ServerVersion,
)
from kubeset.dynamic import DynamicClient, DynamicResourceClient, Unstructured, UnstructuredList
from kubeset.dynamic.diff import DiffResult, diff_manifests
from kubeset.dynamic.manifests import ManifestResult, apply_manifests, delete_manifests
from kubeset.dynamic.wait import WaitResult, wait_for
from kubeset.kubernetes import AsyncClientset
from kubeset.kubernetes.clients.core_v1 import CoreV1Client, PodsClient
from kubeset.kubernetes.models.apps.v1 import Deployment
from kubeset.kubernetes.models.autoscaling.v1 import Scale
from kubeset.kubernetes.models.core.v1 import Pod, PodList
from kubeset.kubernetes.models.meta.v1 import ObjectMeta
from kubeset.rest import AsyncRequest, AsyncRESTClient, AsyncWatch, Request
from kubeset.rest.astream import AsyncLogStream
from kubeset.watch import WatchEvent


async def check(config: Config) -> None:
    async with AsyncClientset(config) as cs:
        assert_type(cs.core_v1, CoreV1Client[AsyncRequest])
        pods = cs.core_v1.pods("default")
        assert_type(pods, PodsClient[AsyncRequest])

        pod = await pods.get("web-0")
        assert_type(pod, Pod)
        assert_type(await pods.list(label_selector="app=web", limit=500), PodList)
        assert_type(await pods.list_all(), PodList)
        assert_type(await pods.create(Pod(metadata=ObjectMeta(name="p"))), Pod)
        assert_type(await pods.update_status(pod), Pod)
        assert_type(await pods.apply(pod, field_manager="me", force=True), Pod)
        assert_type(await pods.delete("web-0"), Pod | None)
        await pods.delete_collection(label_selector="app=web")
        assert_type(await pods.log("web-0", tail_lines=10), str)
        await pods.evict("web-0")

        pages = pods.iter_pages(page_size=100)
        assert_type(pages, AsyncIterator[PodList])
        async for page in pages:
            assert_type(page, PodList)

        async with pods.watch(resource_version="1") as w:
            assert_type(w, AsyncWatch[Pod])
            async for event in w:
                assert_type(event, WatchEvent[Pod])
                assert_type(event.object.metadata.name, str | None)

        logs = pods.log_stream("web-0")
        assert_type(logs, AsyncLogStream)
        async for line in logs:
            assert_type(line, str)

        deployments = cs.apps_v1.deployments("default")
        assert_type(await deployments.get("web"), Deployment)
        assert_type(await deployments.get_scale("web"), Scale)

    rest = AsyncRESTClient(config)
    assert_type(await rest.get().abs_path("api", "v1", "pods").into(PodList), PodList)
    await rest.aclose()


async def discovery_and_dynamic(config: Config) -> None:
    async with AsyncClientset(config) as cs:
        discovery = cs.discovery
        assert_type(discovery, DiscoveryClient[AsyncRequest])
        assert_type(await discovery.server_version(), ServerVersion)
        assert_type(await discovery.server_groups_and_resources(), ServerResources)
        assert_type(
            await discovery.server_resources_for_group_version("apps/v1"), list[APIResourceInfo]
        )
        cached = CachedDiscoveryClient(DiscoveryClient(cs.rest), disk=False)
        assert_type(cached, CachedDiscoveryClient[AsyncRequest])
        assert_type(await cached.server_groups_and_resources(), ServerResources)
        mapper = RESTMapper(cached)
        assert_type(mapper, RESTMapper[AsyncRequest])
        assert_type(await mapper.rest_mapping("Deployment", group="apps"), RESTMapping)
        assert_type(await mapper.find("deploy"), RESTMapping)
        assert_type(await mapper.kind_for("po"), str)

    async with DynamicClient(AsyncRESTClient(config)) as dyn:
        assert_type(dyn, DynamicClient[AsyncRequest])
        assert_type(dyn.mapper, RESTMapper[AsyncRequest])
        pods = await dyn.resource("", "v1", "pods")
        assert_type(pods, DynamicResourceClient[AsyncRequest])
        assert_type(pods.namespace("default"), DynamicResourceClient[AsyncRequest])
        assert_type(await pods.namespace("default").get("web-0"), Unstructured)
        assert_type(await pods.list(), UnstructuredList)
        async for event in pods.watch():
            assert_type(event.object, Unstructured)
        widgets = await dyn.for_kind("example.com/v1", "Widget", "default")
        assert_type(await widgets.get_subresource("w", "status"), Unstructured)
        assert_type(await apply_manifests(dyn, "deploy/"), list[ManifestResult])
        assert_type(await diff_manifests(dyn, "deploy/"), list[DiffResult])
        assert_type(await delete_manifests(dyn, "deploy/"), list[ManifestResult])
        assert_type(await wait_for(dyn, [{"apiVersion": "v1", "kind": "Pod"}]), list[WaitResult])
        assert_type(await dyn.discovery.server_groups_and_resources(), ServerResources)

    sync = DynamicClient(config)
    assert_type(sync, DynamicClient[Request])
    assert_type(sync.resource("apps", "v1", "deployments").get("web"), Unstructured)
    assert_type(apply_manifests(sync, "deploy/"), list[ManifestResult])
