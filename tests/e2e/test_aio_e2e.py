"""The asyncio clients against the real kube-apiserver: what only asyncio can get wrong.

Everything the sync clients do is held to the same assertions by the behaviour suite
(tests/behaviour, backends ``apiserver-aio`` and ``fake-aio``); here: cancellation in the middle
of a list, a watch and a paged listing leaves no task, socket or thread behind; 500 concurrent
gets from one client complete within its rate limiter and connection pool; credentials of both
kinds (token and client certificate) and the TLS checks of the Config.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubeset
import pytest
from kube_apiserver import ApiServer
from kubeset import errors
from kubeset.transport import aiosession

pytestmark = pytest.mark.e2e


def _config(server: ApiServer, **changes: Any) -> kubeset.Config:
    return dataclasses.replace(kubeset.load_kubeconfig(server.kubeconfig), **changes)


def _sockets() -> set[str]:
    """The socket inodes this process holds open."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:"):
            found.add(target)
    return found


def _established_to(port: int) -> int:
    """TCP connections of this machine in ESTABLISHED state to ``port`` on loopback."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            remote, state = fields[2], fields[3]
            if state == "01" and int(remote.rsplit(":", 1)[1], 16) == port:
                count += 1
    return count


@pytest.fixture(scope="module")
def ns(apiserver: ApiServer) -> Iterator[str]:
    from kubeset.kubernetes import Clientset

    name = f"aio-e2e-{uuid.uuid4().hex[:6]}"
    with Clientset(_config(apiserver)) as cs:
        cs.core_v1.namespaces().create({"metadata": {"name": name}})
        for i in range(60):
            cs.core_v1.config_maps(name).create(
                {"metadata": {"name": f"cm-{i:03d}"}, "data": {"blob": "x" * 20_000}}
            )
        yield name
        cs.core_v1.namespaces().delete(name)


def test_cancelling_a_list_a_watch_and_a_paged_listing_leaves_nothing_behind(
    apiserver: ApiServer, ns: str
) -> None:
    from kubeset.kubernetes import AsyncClientset

    threads_before = threading.active_count()

    async def scenario() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        before_client = _sockets()
        async with AsyncClientset(_config(apiserver, qps=-1)) as cs:
            cms = cs.core_v1.config_maps(ns)
            await cms.get("cm-000")  # a pooled connection exists; sockets now are the baseline
            baseline = _sockets()

            async def watch_forever() -> None:
                async with cms.watch() as w:
                    async for _ in w:
                        pass

            async def page_slowly() -> None:
                async for _ in cms.iter_pages(page_size=5):
                    await asyncio.sleep(0.2)

            for name, work, delay in (
                ("list", cms.list, 0.0),  # sent, its answer not yet read
                ("watch", watch_forever, 0.3),  # streaming events
                ("pages", page_slowly, 0.3),  # pages half read
            ):
                task = asyncio.ensure_future(work())
                await asyncio.sleep(delay)
                assert task.cancel(), f"the {name} was over before it could be cancelled"
                with pytest.raises(asyncio.CancelledError):
                    await task
                await asyncio.sleep(0.05)  # the cancelled request's connection is dropped
                # no net growth: a connection the cancel dropped may be replaced in the pool
                seen[name] = len(_sockets()) - len(baseline)
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            seen["tasks"] = others
        await asyncio.sleep(0.05)
        seen["after_close"] = _sockets() - before_client
        return seen

    seen = asyncio.run(scenario())
    assert seen["list"] <= 0 and seen["watch"] <= 0 and seen["pages"] <= 0, seen
    assert seen["tasks"] == []
    assert seen["after_close"] == set()  # closing the clientset closed its pooled connections
    assert threading.active_count() == threads_before


def test_500_concurrent_gets_complete_within_the_rate_limit_and_the_pool(
    apiserver: ApiServer, ns: str
) -> None:
    from kubeset.kubernetes import AsyncClientset

    port = int(apiserver.server.rsplit(":", 1)[1])
    qps, burst = 400.0, 50

    async def scenario() -> tuple[list[Any], float, int]:
        loop = asyncio.get_running_loop()
        async with AsyncClientset(_config(apiserver, qps=qps, burst=burst)) as cs:
            cms = cs.core_v1.config_maps(ns)
            peak = 0

            async def sample() -> None:
                nonlocal peak
                while True:
                    peak = max(peak, _established_to(port))
                    await asyncio.sleep(0.05)

            others = _established_to(port)  # the session's other clients
            sampler = asyncio.ensure_future(sample())
            started = loop.time()
            got = await asyncio.gather(*(cms.get(f"cm-{i % 60:03d}") for i in range(500)))
            took = loop.time() - started
            sampler.cancel()
            return got, took, peak - others

    got, took, peak = asyncio.run(scenario())
    assert [g.metadata.name for g in got] == [f"cm-{i % 60:03d}" for i in range(500)]
    # the token bucket lets ``burst`` through at once, then ``qps`` a second: it was honoured
    assert took >= (500 - burst) / qps * 0.9
    # and the connection pool bounds what is open at once (client-side ESTABLISHED entries to
    # the server's port, less those of the session's other clients)
    assert 0 < peak <= aiosession.POOL_SIZE


def test_client_certificate_credentials_and_tls_verification(apiserver: ApiServer) -> None:
    from kubeset.kubernetes import AsyncClientset

    async def scenario() -> tuple[str, type[BaseException]]:
        cert = kubeset.load_kubeconfig(apiserver.kubeconfig, context="client-cert")
        async with AsyncClientset(cert) as cs:
            name = (await cs.core_v1.namespaces().get("default")).metadata.name
        untrusted = dataclasses.replace(_config(apiserver), ca_file=None, ca_data=None)
        async with AsyncClientset(untrusted) as cs:
            try:
                await cs.core_v1.namespaces().get("default")
            except errors.KubesetError as e:
                return name, type(e)
        return name, type(None)  # type: ignore[return-value]

    name, failure = asyncio.run(scenario())
    assert name == "default"
    assert failure is errors.ApiConnectionError  # the server's certificate is not trusted


def test_cancelling_a_followed_log_closes_its_connection(
    apiserver: ApiServer, local_pod: Any, tmp_path: Path
) -> None:
    """A pod on the kubelet stand-in writes a line every 0.1 s; a task follows its log."""
    from kubeset.kubernetes import AsyncClientset

    pod = local_pod(
        ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.1; done"],
        name_prefix="ticker",
        working_dir=str(tmp_path),
    )
    threads_before = threading.active_count()

    async def scenario() -> tuple[list[str], int, list[Any], set[str], str]:
        before_client = _sockets()
        async with AsyncClientset(_config(apiserver, qps=-1)) as cs:
            pods = cs.core_v1.pods(pod.namespace)
            await pods.get(pod.name)
            baseline = _sockets()
            lines: list[str] = []
            three = asyncio.Event()

            async def follow() -> None:
                async for line in pods.log_stream(pod.name):
                    lines.append(line)
                    if len(lines) == 3:
                        three.set()

            task = asyncio.ensure_future(follow())
            await asyncio.wait_for(three.wait(), 60)
            assert task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await asyncio.sleep(0.05)
            growth = len(_sockets()) - len(baseline)
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            whole = await pods.log(pod.name, tail_lines=2)
        await asyncio.sleep(0.05)
        return lines, growth, others, _sockets() - before_client, whole

    lines, growth, others, left, whole = asyncio.run(scenario())
    assert lines[:3] == ["tick 1", "tick 2", "tick 3"]
    assert growth <= 0 and others == [] and left == set()
    assert threading.active_count() == threads_before
    assert whole.count("\n") == 2 and whole.startswith("tick ")  # the log read whole, awaited
