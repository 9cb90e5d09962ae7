"""Concurrent gets from one client: kubeset's asyncio clientset beside its sync one and the peers.

- 1,000 gets of one ConfigMap at once (``asyncio.gather``) through ``AsyncClientset`` (rate
  limiter off), against the fake cluster served over HTTP on 127.0.0.1
  (``kubeset.testing.server.FakeServer``): gets per second.
- The sync ``Clientset`` doing the same 1,000 gets from 16 threads (its connection pool).
- The async peers, each in the bench-only venv ``.cache/bench-peers`` (created on first run from
  ``bench/requirements-peers.txt``; not a dependency of kubeset): kubernetes_asyncio, lightkube's
  ``AsyncClient``, kr8s.  Reported as ratios of their time to kubeset's async time.

The server (Python's threading HTTP server) bounds every client alike; the figures compare the
clients' costs on top of it, measured in interleaved rounds in one run.  Run:
``.venv/bin/python bench/run.py async_gets``.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PEERS_VENV = HERE.parent / ".cache" / "bench-peers"
PEERS = ("kubernetes_asyncio", "lightkube", "kr8s")
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


def _async_rounds(url: str) -> list[float]:
    from kubeset.config import Config
    from kubeset.kubernetes import AsyncClientset

    async def run() -> list[float]:
        async with AsyncClientset(Config(host=url, qps=-1)) as cs:
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


def _sync_rounds(url: str) -> list[float]:
    from kubeset.config import Config
    from kubeset.kubernetes import Clientset

    with Clientset(Config(host=url, qps=-1)) as cs, ThreadPoolExecutor(16) as pool:
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


def rows() -> list[dict[str, Any]]:
    from kubeset.testing import FakeTransport
    from kubeset.testing.server import FakeServer

    fake = FakeTransport()
    fake.cluster.load_yaml(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bench, namespace: default}\n"
        "data: {mode: fast, owner: bench}\n"
    )
    python = _peers_python()
    out: list[dict[str, Any]] = []
    with FakeServer(fake) as server, tempfile.TemporaryDirectory() as tmp:
        kubeconfig = server.write_kubeconfig(Path(tmp) / "kubeconfig")
        timings: dict[str, list[float]] = {name: [] for name in ("async", "sync", *PEERS)}
        failures: dict[str, str] = {}
        for _ in range(2):  # interleaved: load on the machine hits every client alike
            timings["async"] += _async_rounds(server.url)
            timings["sync"] += _sync_rounds(server.url)
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
    out.append(
        {
            "bench": "async_gets",
            "case": f"AsyncClientset: {COUNT} concurrent gets (fake server over HTTP)",
            "median_s": base,
            "note": f"{COUNT / base:.0f} gets/s",
        }
    )
    for name, label in [("sync", "Clientset, 16 threads"), *((p, p) for p in PEERS)]:
        got = timings[name]
        if not got:
            out.append({"bench": "async_gets", "case": label, "note": failures.get(name, "")})
            continue
        median = statistics.median(got)
        out.append(
            {
                "bench": "async_gets",
                "case": f"{label}: {COUNT} concurrent gets",
                "median_s": median,
                "baseline_case": "AsyncClientset",
                "ratio": median / base,
                "note": f"{COUNT / median:.0f} gets/s",
            }
        )
    return out


if __name__ == "__main__":
    for row in rows():
        print(row)
