"""Concurrent gets with an async peer client: run by bench_async_gets.py in the peers' own venv.

    python peers_async.py KUBECONFIG PEER COUNT ROUNDS   # prints one line: seconds per round, comma separated

PEER is kubernetes_asyncio, lightkube or kr8s; each gets ConfigMap "bench" in namespace
"default" COUNT times at once (asyncio.gather) from one client, ROUNDS times.  Not part of
kubeset: the peers are installed only in the bench venv (.cache/bench-peers).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any


async def _rounds(get: Callable[[], Awaitable[Any]], count: int, rounds: int) -> list[float]:
    await get()  # warm: connections, discovery
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await asyncio.gather(*(get() for _ in range(count)))
        times.append(time.perf_counter() - started)
    return times


async def kubernetes_asyncio(kubeconfig: str, count: int, rounds: int) -> list[float]:
    from kubernetes_asyncio import client, config

    await config.load_kube_config(config_file=kubeconfig)
    async with client.ApiClient() as api:
        core = client.CoreV1Api(api)
        return await _rounds(
            lambda: core.read_namespaced_config_map("bench", "default"), count, rounds
        )


async def lightkube(kubeconfig: str, count: int, rounds: int) -> list[float]:
    from lightkube import AsyncClient, KubeConfig
    from lightkube.resources.core_v1 import ConfigMap

    kc = AsyncClient(config=KubeConfig.from_file(kubeconfig))
    try:
        return await _rounds(lambda: kc.get(ConfigMap, "bench", namespace="default"), count, rounds)
    finally:
        await kc.close()


async def kr8s(kubeconfig: str, count: int, rounds: int) -> list[float]:
    import kr8s.asyncio

    api = await kr8s.asyncio.api(kubeconfig=kubeconfig)

    async def get() -> Any:
        return await kr8s.asyncio.objects.ConfigMap.get("bench", namespace="default", api=api)

    return await _rounds(get, count, rounds)


PEERS = {"kubernetes_asyncio": kubernetes_asyncio, "lightkube": lightkube, "kr8s": kr8s}

if __name__ == "__main__":
    path, peer, n, r = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    print(",".join(f"{t:.6f}" for t in asyncio.run(PEERS[peer](path, n, r))))
