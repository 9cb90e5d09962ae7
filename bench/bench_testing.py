"""kubeset.testing's fake cluster beside the real kube-apiserver of tests/e2e, same client calls.

- get: a typed ``config_maps(ns).get(name)``;
- list 1,000: ``config_maps(ns).list()`` of 1,000 small configmaps;
- watch event: a patch, then the watch's next event (write to typed event on the other side).

The real server is built and started with the e2e helpers (tests/e2e/kube_apiserver.py); without
Go the fake's rows are printed alone. Ratios are fake / real (below 1: the fake is faster).

Run: ``make bench`` (all) or ``.venv/bin/python bench/run.py testing``.
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
E2E = HERE.parent / "tests" / "e2e"
N_LIST = 1_000


def _median(call: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _measure(cs: Any) -> dict[str, float]:
    ns = f"bench-{uuid.uuid4().hex[:6]}"
    cs.core_v1.namespaces().create({"metadata": {"name": ns}})
    cms = cs.core_v1.config_maps(ns)
    for i in range(N_LIST):
        cms.create({"metadata": {"name": f"cm-{i:04d}"}, "data": {"k": "v" * 32}})
    out = {
        "get": _median(lambda: cms.get("cm-0001"), 200),
        "list": _median(lambda: cms.list(), 10),
    }
    rv = cms.list(limit=1).metadata.resource_version
    counter = iter(range(10**6))
    with cms.watch(resource_version=rv, timeout_seconds=120) as w:

        def event() -> None:
            cms.patch("cm-0000", {"data": {"n": str(next(counter))}})
            next(w)

        out["watch"] = _median(event, 100)
    cs.core_v1.namespaces().delete(ns)
    return out


@contextmanager
def _real_clientset() -> Iterator[Any]:
    sys.path.insert(0, str(E2E))
    import kube_apiserver as ka
    import kubeset
    from kubeset.kubernetes import Clientset

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        binary = ka.build_server(work)
        proc, kubeconfig, _ = ka.start_server(binary, work / "apiserver.log")
        try:
            config = dataclasses.replace(kubeset.load_kubeconfig(kubeconfig), qps=-1)
            with Clientset(config) as cs:  # no client-side rate limit: measure the server
                yield cs
        finally:
            ka.stop(proc)


def rows() -> list[dict[str, Any]]:
    from kubeset.testing import FakeTransport

    fake = _measure(FakeTransport().clientset())
    real: dict[str, float] | None = None
    note = ""
    try:
        with _real_clientset() as cs:
            real = _measure(cs)
    except BaseException as e:  # pytest.skip (no Go) is a BaseException
        if isinstance(e, KeyboardInterrupt):
            raise
        note = f"real server unavailable: {e}"[:120]
    cases = {"get": "typed get", "list": f"list {N_LIST:,} configmaps", "watch": "one watch event"}
    out: list[dict[str, Any]] = []
    for key, label in cases.items():
        if real is not None:
            out.append(
                {
                    "bench": "testing",
                    "case": f"{label} (real kube-apiserver)",
                    "median_s": real[key],
                }
            )
        row: dict[str, Any] = {
            "bench": "testing",
            "case": f"{label} (fake)",
            "median_s": fake[key],
            "note": note,
        }
        if real is not None:
            row["ratio"] = fake[key] / real[key]
            row["baseline_case"] = f"{label} (real kube-apiserver)"
        out.append(row)
    return out
