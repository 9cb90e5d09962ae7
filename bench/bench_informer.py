"""Informers over 5,000 realistic pods on the real e2e kube-apiserver, beside client-go's own.

- sync: from ``start()`` to ``has_synced()`` of a pods informer over all namespaces (streaming
  list, the default of both), with and without a transform dropping ``managedFields``; kubeset's
  ``SharedIndexInformer`` in this process vs client-go's shared informer in a small Go program
  (``bench/informer_go``, built from the e2e server's Go module cache into ``.cache/bench``).
  Target: kubeset within 2x of client-go.
- memory held by the synced cache per pod: Python ``tracemalloc`` (traced bytes after the sync,
  minus before) vs Go's ``HeapAlloc`` after a GC (minus before).
- update events/s: each informer is cut off by a FaultProxy while 2,000 pods are patched, then
  let back in: it resumes its watch and handles the burst; events per second from the first
  update handled to the last.

Pods: ``bench_models.realistic_pod`` (created, then their status written by a second field
manager, so each carries two managedFields entries like a kubelet-managed pod).

Run: ``make bench`` (all) or ``.venv/bin/python bench/run.py informer``.  Needs Go (the e2e
server is built with it); without Go the bench reports why and gives no rows.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
E2E = PROJECT / "tests" / "e2e"
GO_SRC = HERE / "informer_go"
GO_BIN = PROJECT / ".cache" / "bench" / "informer_go"
N_PODS = 5_000
N_UPDATES = 2_000
RUNS = 3
NAMESPACE = "bench-informer"


def _realistic_pod(i: int) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    try:
        from bench_models import realistic_pod
    finally:
        sys.path.remove(str(HERE))
    pod: dict[str, Any] = realistic_pod(i)
    meta = pod["metadata"]
    for key in ("uid", "resourceVersion", "creationTimestamp", "managedFields", "ownerReferences"):
        meta.pop(key, None)  # the server sets these (no dangling owner for the GC controller)
    meta.pop("generateName", None)
    meta["namespace"] = NAMESPACE
    return pod


@contextmanager
def _server() -> Iterator[tuple[Path, str]]:
    sys.path.insert(0, str(E2E))
    try:
        import kube_apiserver as ka
    finally:
        sys.path.remove(str(E2E))
    work = Path(tempfile.mkdtemp(prefix="kubeset-bench-informer-"))
    binary = ka.build_server(work)
    proc, kubeconfig, _ = ka.start_server(binary, work / "apiserver.log", "")
    try:
        creds = ka.read_kubeconfig(kubeconfig, work / "creds")
        yield kubeconfig, str(creds["server"])
    finally:
        ka.stop(proc)
        shutil.rmtree(work, ignore_errors=True)


def _build_go() -> Path:
    subprocess.run(
        ["go", "build", "-o", str(GO_BIN), "."], cwd=GO_SRC, check=True, capture_output=True
    )
    return GO_BIN


def _config(kubeconfig: Path, host: str | None = None) -> Any:
    import kubeset

    config = dataclasses.replace(kubeset.load_kubeconfig(kubeconfig), qps=-1)
    return dataclasses.replace(config, host=host) if host else config


def _populate(config: Any) -> None:
    from kubeset.errors import ApiError
    from kubeset.kubernetes import Clientset

    with Clientset(config) as cs:
        cs.core_v1.namespaces().create({"metadata": {"name": NAMESPACE}})
        deadline = time.monotonic() + 60
        while True:  # pods need the namespace's default service account
            try:
                cs.core_v1.service_accounts(NAMESPACE).get("default")
                break
            except ApiError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        for sa in {_realistic_pod(0)["spec"].get("serviceAccountName")} - {None, "default"}:
            cs.core_v1.service_accounts(NAMESPACE).create({"metadata": {"name": sa}})
        pods = cs.core_v1.pods(NAMESPACE)

        def create(i: int) -> None:
            body = _realistic_pod(i)
            status = body.pop("status")
            pods.create(body)
            pods.patch_status(body["metadata"]["name"], {"status": status}, field_manager="kubelet")

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(create, range(N_PODS)))


def _drop_managed_fields(pod: Any) -> Any:
    del pod.metadata.managed_fields  # absent, as client-go's nil (None would be written as null)
    return pod


def _python_sync(config: Any, transform: bool) -> tuple[float, int]:
    from kubeset.cache import SharedIndexInformer
    from kubeset.kubernetes import Clientset

    with Clientset(config) as cs:
        informer = SharedIndexInformer(
            cs.core_v1.pods(""), transform=_drop_managed_fields if transform else None
        )
        started = time.perf_counter()
        informer.start()
        while not informer.has_synced():
            time.sleep(0.001)
        took = time.perf_counter() - started
        count = len(informer.indexer)
        informer.stop()
    return took, count


def _python_memory(config: Any, transform: bool) -> int:
    from kubeset.cache import SharedIndexInformer
    from kubeset.kubernetes import Clientset

    with Clientset(config) as cs:
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        informer = SharedIndexInformer(
            cs.core_v1.pods(""), transform=_drop_managed_fields if transform else None
        )
        informer.start()
        while not informer.has_synced():
            time.sleep(0.001)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        informer.stop()
    return held


def _go_run(kubeconfig: Path, transform: bool, *, server: str = "", updates: int = 0) -> Any:
    args = [str(GO_BIN), "-kubeconfig", str(kubeconfig)]
    if transform:
        args.append("-drop-managed-fields")
    if server:
        args += ["-server", server]
    if updates:
        args += ["-expect-updates", str(updates)]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _go_sync(kubeconfig: Path, transform: bool) -> dict[str, Any]:
    proc = _go_run(kubeconfig, transform)
    out, err = proc.communicate(timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"informer_go failed: {err[-2000:]}")
    return json.loads(out.splitlines()[0])  # type: ignore[no-any-return]


def _patch_burst(config: Any, tag: str) -> None:
    from kubeset.kubernetes import Clientset

    with Clientset(config) as cs:
        pods = cs.core_v1.pods(NAMESPACE)
        names = [p.metadata.name for p in pods.list(limit=N_UPDATES).items]

        def patch(name: str) -> None:
            pods.patch(name, {"metadata": {"labels": {"bench-burst": tag}}})

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(patch, names))


def _python_updates(kubeconfig: Path, server: str, proxy_cls: Any) -> float:
    from kubeset.cache import EventHandlers, SharedIndexInformer
    from kubeset.kubernetes import Clientset

    times: list[float] = []
    lock = threading.Lock()

    def on_update(old: Any, new: Any) -> None:
        if old.metadata.resource_version != new.metadata.resource_version:
            with lock:
                times.append(time.perf_counter())

    with proxy_cls.to(server) as proxy, Clientset(_config(kubeconfig, proxy.url)) as cs:
        informer = SharedIndexInformer(cs.core_v1.pods(""))
        informer.add_event_handler(EventHandlers(on_update=on_update))
        informer.start()
        informer.wait_for_cache_sync(timeout=300)
        proxy.block()
        _patch_burst(_config(kubeconfig), "python")
        proxy.unblock()
        deadline = time.monotonic() + 600
        while len(times) < N_UPDATES and time.monotonic() < deadline:
            time.sleep(0.01)
        informer.stop()
    if len(times) < N_UPDATES:
        raise RuntimeError(f"only {len(times)} of {N_UPDATES} updates reached the handler")
    return (N_UPDATES - 1) / (times[N_UPDATES - 1] - times[0])


def _go_updates(kubeconfig: Path, server: str, proxy_cls: Any) -> float:
    with proxy_cls.to(server) as proxy:
        proc = _go_run(kubeconfig, False, server=proxy.url, updates=N_UPDATES)
        assert proc.stdout is not None
        proc.stdout.readline()  # synced
        proxy.block()
        _patch_burst(_config(kubeconfig), "go")
        proxy.unblock()
        out, err = proc.communicate(timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"informer_go failed: {err[-2000:]}")
    result = json.loads(out.splitlines()[-1])
    return (N_UPDATES - 1) / float(result["first_to_last_s"])


def _median(fn: Callable[[], float]) -> tuple[float, float]:
    values = [fn() for _ in range(RUNS)]
    return statistics.median(values), min(values)


def rows() -> list[dict[str, Any]]:
    if shutil.which("go") is None:
        print("bench_informer: no Go toolchain; skipped", file=sys.stderr)
        return []
    _build_go()
    sys.path.insert(0, str(E2E))
    try:
        from faultproxy import FaultProxy
    finally:
        sys.path.remove(str(E2E))
    out: list[dict[str, Any]] = []
    with _server() as (kubeconfig, server):
        _populate(_config(kubeconfig))
        for transform in (False, True):
            label = "managedFields dropped" if transform else "as served"
            counts: list[int] = []

            def py_run(transform: bool = transform, counts: list[int] = counts) -> float:
                took, count = _python_sync(_config(kubeconfig), transform)
                counts.append(count)
                return took

            py_med, py_min = _median(py_run)
            go_results = [_go_sync(kubeconfig, transform) for _ in range(RUNS)]
            go_med = statistics.median(r["sync_s"] for r in go_results)
            go_min = min(r["sync_s"] for r in go_results)
            pods = counts[0]
            out.append(
                {
                    "bench": "informer",
                    "case": f"client-go shared informer sync, {pods} pods, {label}",
                    "median_s": go_med,
                    "note": f"min {go_min:.3f}s",
                }
            )
            out.append(
                {
                    "bench": "informer",
                    "case": f"kubeset SharedIndexInformer sync, {pods} pods, {label}",
                    "median_s": py_med,
                    "baseline_case": "client-go",
                    "ratio": py_med / go_med,
                    "target": "<= 2x",
                    "note": f"min {py_min:.3f}s (min ratio {py_min / go_min:.2f}x)",
                }
            )
            py_mem = _python_memory(_config(kubeconfig), transform) / pods
            go_mem = statistics.median(r["heap_bytes"] for r in go_results) / pods
            out.append(
                {
                    "bench": "informer",
                    "case": f"memory held per cached pod, {label}",
                    "median": f"{py_mem / 1024:.1f} KiB",
                    "baseline_case": f"client-go {go_mem / 1024:.1f} KiB",
                    "ratio": py_mem / go_mem,
                    "note": "Python: tracemalloc; Go: HeapAlloc after GC",
                }
            )
        py_rate = _python_updates(kubeconfig, server, FaultProxy)
        go_rate = _go_updates(kubeconfig, server, FaultProxy)
        out.append(
            {
                "bench": "informer",
                "case": f"update events handled per second ({N_UPDATES}-event burst)",
                "median": f"{py_rate:,.0f}/s",
                "baseline_case": f"client-go {go_rate:,.0f}/s",
                "ratio": go_rate / py_rate,
                "note": "ratio: client-go's rate / kubeset's (one run each)",
            }
        )
    return out


if __name__ == "__main__":
    for row in rows():
        print(row)
