"""Async user code that must type-check cleanly, with the types both checkers must infer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import assert_type

from kubeset.config import Config
from kubeset.kubernetes import AsyncClientset
from kubeset.kubernetes.clients.core_v1 import CoreV1Client, PodsClient
from kubeset.kubernetes.models.apps.v1 import Deployment
from kubeset.kubernetes.models.autoscaling.v1 import Scale
from kubeset.kubernetes.models.core.v1 import Pod, PodList
from kubeset.kubernetes.models.meta.v1 import ObjectMeta
from kubeset.rest import AsyncRequest, AsyncRESTClient, AsyncWatch
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
