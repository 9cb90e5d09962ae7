"""Concurrent gets from one client: kubeset's asyncio clientset beside its sync one and the peers.

- 1,000 gets of one ConfigMap at once (``asyncio.gather``) through ``AsyncClientset`` (rate
  limiter off), against the real e2e kube-apiserver (TLS, a bearer token; built as the e2e
  tests build it) and against the fake cluster served over HTTP on 127.0.0.1
  (``kubeset.testing.server.FakeServer``): gets per second.
- The sync ``Clientset`` doing the same 1,000 gets from 16 threads (its connection pool).
- The async peers, each in the bench-only venv ``.cache/bench-peers`` (created on first run from
  ``bench/requirements-peers.txt``; not a dependency of kubeset): kubernetes_asyncio, lightkube's
  ``AsyncClient``, kr8s.  Reported as ratios of their time to kubeset's async time.  Beside them
  the two HTTP libraries the asyncio transport was chosen between, bare (``raw-aiohttp``,
  ``raw-httpx``: the same GET, nothing decoded).

The server (Python's threading HTTP server) bounds every client alike; the figures compare the
clients' costs on top of it, measured in interleaved rounds in one run.  Run:
``.venv/bin/python bench/run.py async_gets``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PEERS_VENV = HERE.parent / ".cache" / "bench-peers"
PEERS = ("kubernetes_asyncio", "lightkube", "kr8s", "raw-aiohttp", "raw-httpx")
E2E = HERE.parent / "tests" / "e2e"
COUNT = 1_000
ROUNDS = 5


def _peers_python() -> Path | None:
    """The bench venv's python, made on first use (None when it cannot be installed)."""
    python = PEERS_VENV / "bin" / "python"
    stamp = PEERS_VENV / ".installed"
    requirements = HERE / "requirements-peers.txt"
    if stamp.exists() and stamp.read_text() == requirements.read_text():
        return python
    try:
        subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True, timeout=300)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "-r", str(requirements)],
            check=True,
            timeout=900,
        )
    except (subprocess.SubprocessError, OSError) as e:
        print(f"bench-peers: not installed ({e})", file=sys.stderr)
        return None
    stamp.write_text(requirements.read_text())
    return python


def _async_rounds(config: Any) -> list[float]:
    from kubeset.kubernetes import AsyncClientset

    async def run() -> list[float]:
        async with AsyncClientset(config) as cs:
            cms = cs.core_v1.config_maps("default")
            await cms.get("bench")
            times = []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                got = await asyncio.gather(*(cms.get("bench") for _ in range(COUNT)))
                times.append(time.perf_counter() - started)
                assert len(got) == COUNT
            return times

    return asyncio.run(run())


def _sync_rounds(config: Any) -> list[float]:
    from kubeset.kubernetes import Clientset

    with Clientset(config) as cs, ThreadPoolExecutor(16) as pool:
        cms = cs.core_v1.config_maps("default")
        cms.get("bench")
        times = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            got = list(pool.map(lambda _: cms.get("bench"), range(COUNT)))
            times.append(time.perf_counter() - started)
            assert len(got) == COUNT
        return times


def _peer_rounds(python: Path, kubeconfig: Path, peer: str) -> list[float] | str:
    proc = subprocess.run(
        [str(python), str(HERE / "peers_async.py"), str(kubeconfig), peer, str(COUNT), str(ROUNDS)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        return (proc.stderr.strip().splitlines() or ["failed"])[-1][:120]
    return [float(t) for t in proc.stdout.strip().split(",")]


def _measure(
    where: str, config: Any, kubeconfig: Path, python: Path | None
) -> list[dict[str, Any]]:
    """The rows of one server: kubeset async and sync and each peer, interleaved rounds."""
    timings: dict[str, list[float]] = {name: [] for name in ("async", "sync", *PEERS)}
    failures: dict[str, str] = {}
    for _ in range(2):  # interleaved: load on the machine hits every client alike
        timings["async"] += _async_rounds(config)
        timings["sync"] += _sync_rounds(config)
        for peer in PEERS:
            if python is None:
                failures[peer] = "the bench venv could not be installed"
                continue
            got = _peer_rounds(python, kubeconfig, peer)
            if isinstance(got, str):
                failures[peer] = got
            else:
                timings[peer] += got
    base = statistics.median(timings["async"])
    out: list[dict[str, Any]] = [
        {
            "bench": "async_gets",
            "case": f"AsyncClientset: {COUNT} concurrent gets ({where})",
            "median_s": base,
            "note": f"{COUNT / base:.0f} gets/s",
        }
    ]
    for name, label in [("sync", "Clientset, 16 threads"), *((p, p) for p in PEERS)]:
        got = timings[name]
        if not got:
            out.append(
                {
                    "bench": "async_gets",
                    "case": f"{label} ({where})",
                    "note": failures.get(name, ""),
                }
            )
            continue
        median = statistics.median(got)
        out.append(
            {
                "bench": "async_gets",
                "case": f"{label}: {COUNT} concurrent gets ({where})",
                "median_s": median,
                "baseline_case": "AsyncClientset",
                "ratio": median / base,
                "note": f"{COUNT / median:.0f} gets/s",
            }
        )
    return out


def _guarded(
    where: str, config: Any, kubeconfig: Path, python: Path | None
) -> list[dict[str, Any]]:
    """:func:`_measure`, a failure a row saying so (one server's trouble keeps the other's rows)."""
    from kubeset.errors import KubesetError

    try:
        return _measure(where, config, kubeconfig, python)
    except KubesetError as e:
        return [
            {
                "bench": "async_gets",
                "case": f"concurrent gets ({where})",
                "note": f"failed: {e}"[:200],
            }
        ]


@contextmanager
def _real_server() -> Iterator[Path]:
    """The e2e kube-apiserver (built and started as the e2e tests do), with ConfigMap "bench"."""
    sys.path.insert(0, str(E2E))
    try:
        import kube_apiserver as ka
    finally:
        sys.path.remove(str(E2E))
    work = Path(tempfile.mkdtemp(prefix="kubeset-bench-gets-"))
    proc, kubeconfig, _ = ka.start_server(ka.build_server(work), work / "apiserver.log", "")
    try:
        yield kubeconfig
    finally:
        ka.stop(proc)
        shutil.rmtree(work, ignore_errors=True)


def rows() -> list[dict[str, Any]]:
    import kubeset
    from kubeset.config import Config
    from kubeset.kubernetes import Clientset
    from kubeset.testing import FakeTransport
    from kubeset.testing.server import FakeServer

    bench_cm = {"metadata": {"name": "bench"}, "data": {"mode": "fast", "owner": "bench"}}
    python = _peers_python()
    out: list[dict[str, Any]] = []
    with _real_server() as kubeconfig:
        config = dataclasses.replace(kubeset.load_kubeconfig(kubeconfig), qps=-1)
        with Clientset(config) as cs:
            cs.core_v1.config_maps("default").create(bench_cm)
        out += _guarded("kube-apiserver, TLS", config, kubeconfig, python)
    fake = FakeTransport()
    fake.clientset().core_v1.config_maps("default").create(bench_cm)
    with FakeServer(fake) as server, tempfile.TemporaryDirectory() as tmp:
        kubeconfig = server.write_kubeconfig(Path(tmp) / "kubeconfig")
        out += _guarded("fake server, HTTP", Config(host=server.url, qps=-1), kubeconfig, python)
    return out
