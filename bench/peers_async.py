"""Concurrent gets with an async peer client: run by bench_async_gets.py in the peers' own venv.

    python peers_async.py KUBECONFIG PEER COUNT ROUNDS   # prints one line: seconds per round, comma separated

PEER is kubernetes_asyncio, lightkube or kr8s; each gets ConfigMap "bench" in namespace
"default" COUNT times at once (asyncio.gather) from one client, ROUNDS times.  PEER raw-aiohttp
and raw-httpx are the two HTTP libraries kubeset's asyncio transport was chosen between, bare:
the same GET with the kubeconfig's server, CA and token, nothing decoded.  Not part of
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


def _raw_target(kubeconfig: str) -> tuple[str, str | None, dict[str, str]]:
    """(URL of the ConfigMap, CA file or None, headers) from a kubeconfig's current context."""
    import base64
    import tempfile

    import yaml

    with open(kubeconfig) as f:
        doc = yaml.safe_load(f)
    ctx = next(c["context"] for c in doc["contexts"] if c["name"] == doc["current-context"])
    cluster = next(c["cluster"] for c in doc["clusters"] if c["name"] == ctx["cluster"])
    user = next(u["user"] for u in doc["users"] if u["name"] == ctx["user"])
    ca = cluster.get("certificate-authority")
    if cluster.get("certificate-authority-data"):
        with tempfile.NamedTemporaryFile(suffix=".crt", delete=False) as handle:
            handle.write(base64.b64decode(cluster["certificate-authority-data"]))
        ca = handle.name
    headers = {"Accept": "application/json"}
    if user.get("token"):
        headers["Authorization"] = "Bearer " + user["token"]
    url = cluster["server"].rstrip("/") + "/api/v1/namespaces/default/configmaps/bench"
    return url, ca, headers


async def raw_aiohttp(kubeconfig: str, count: int, rounds: int) -> list[float]:
    import ssl

    import aiohttp

    url, ca, headers = _raw_target(kubeconfig)
    context = ssl.create_default_context(cafile=ca) if ca else None
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context or False)) as s:

        async def get() -> Any:
            async with s.get(url, headers=headers) as r:
                return await r.read()

        return await _rounds(get, count, rounds)


async def raw_httpx(kubeconfig: str, count: int, rounds: int) -> list[float]:
    import ssl

    import httpx

    url, ca, headers = _raw_target(kubeconfig)
    verify: Any = ssl.create_default_context(cafile=ca) if ca else False
    limits = httpx.Limits(max_connections=100)
    async with httpx.AsyncClient(verify=verify, limits=limits, timeout=60) as c:
        return await _rounds(lambda: c.get(url, headers=headers), count, rounds)


PEERS = {
    "kubernetes_asyncio": kubernetes_asyncio,
    "lightkube": lightkube,
    "kr8s": kr8s,
    "raw-aiohttp": raw_aiohttp,
    "raw-httpx": raw_httpx,
}

if __name__ == "__main__":
    path, peer, n, r = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    print(",".join(f"{t:.6f}" for t in asyncio.run(PEERS[peer](path, n, r))))
