"""Async user code with mistakes: both checkers must report an error on every line marked ``# E``."""

# ruff: noqa: F841, B018
from __future__ import annotations

from kubeset.config import Config
from kubeset.kubernetes import AsyncClientset, Clientset
from kubeset.kubernetes.models.core.v1 import Pod, PodList


async def check(config: Config) -> None:
    cs = AsyncClientset(config)
    pods = cs.core_v1.pods("default")
    pod: Pod = pods.get("x")  # E: an async get must be awaited
    listed: PodList = await pods.get("x")  # E: get gives a Pod
    await pods.create(PodList())  # E: a PodList is not a Pod
    for event in pods.watch():  # E: an async watch is iterated with async for
        pass
    sync_pod: Pod = await Clientset(config).core_v1.pods("x").get("y")  # E: a sync get is not awaitable
