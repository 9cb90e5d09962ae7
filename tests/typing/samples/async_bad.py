"""Async user code with mistakes: both checkers must report an error on every line marked ``# E``."""

# ruff: noqa: F841
from __future__ import annotations

from kubeset.config import Config
from kubeset.discovery import RESTMapping, ServerResources
from kubeset.dynamic import DynamicClient, Unstructured
from kubeset.dynamic.manifests import ManifestResult, apply_manifests
from kubeset.kubernetes import AsyncClientset, Clientset
from kubeset.kubernetes.models.core.v1 import Pod, PodList
from kubeset.rest import AsyncRESTClient


async def check(config: Config) -> None:
    cs = AsyncClientset(config)
    pods = cs.core_v1.pods("default")
    pod: Pod = pods.get("x")  # E: an async get must be awaited
    listed: PodList = await pods.get("x")  # E: get gives a Pod
    await pods.create(PodList())  # E: a PodList is not a Pod
    for event in pods.watch():  # E: an async watch is iterated with async for
        pass
    sync_pod: Pod = await Clientset(config).core_v1.pods("x").get("y")  # E: a sync get is not awaitable
    found: ServerResources = cs.discovery.server_groups_and_resources()  # E: must be awaited
    dyn = DynamicClient(AsyncRESTClient(config))
    mapping: RESTMapping = dyn.mapper.find("deploy")  # E: an async lookup must be awaited
    obj: Unstructured = await (await dyn.resource("", "v1", "pods")).list()  # E: a list is not one object
    results: list[ManifestResult] = apply_manifests(dyn, "deploy/")  # E: must be awaited
    sync_found = await Clientset(config).discovery.server_version()  # E: sync discovery is not awaitable
