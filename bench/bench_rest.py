"""REST layer speed against a local HTTP server (no network, no TLS).

- list: ``cs.core_v1.pods("").list()`` of 5,000 realistic pods (~7 KB each) through the real
  ``kubeset.transport.Transport`` (rate limiter off) vs the baseline ``requests.get`` of the same
  URL + ``PodList.model_validate_json`` of the same bytes with the garbage collector paused
  (what the runtime does; without the pause the baseline is several times slower).  Target: the
  runtime's overhead is at most 10%.
- async list: ``await AsyncClientset.core_v1.pods("").list()`` of the same 5,000 pods through
  the same server (aiohttp) vs the sync client's list; target <= 1.15x.  A large list is decoded
  in batches with the event loop running between them (kubeset.codec.chunked): the longest gap
  a 1 ms ticker task sees during the list, and the longest callback asyncio's debug mode reports
  (target: none over 100 ms), vs the same body decoded in a worker thread (the compiled codec
  holds the GIL: the loop stalls for the whole decode).
- watch: typed events per second for a stream of 10,000 events (``pods.watch()``), for realistic
  pods and for small objects (leases), vs ``model_validate_json`` of each event's object alone
  (the floor: pydantic's decode is most of the cost).

Run: ``make bench`` (all) or ``.venv/bin/python bench/run.py rest``.
"""

from __future__ import annotations

import gc
import json
import logging
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

HERE = Path(__file__).resolve().parent
N_PODS = 5_000
N_EVENTS = 10_000
EVENTS_PER_CHUNK = (
    50  # HTTP chunks of this many events (the Python server is the slow side otherwise)
)


def _realistic_pod(i: int) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    try:
        from bench_models import realistic_pod  # the models bench's ~7 KB pod

        return realistic_pod(i)  # type: ignore[no-any-return]
    except ImportError:  # pragma: no cover - fallback
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": f"pod-{i}", "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]},
        }
    finally:
        sys.path.remove(str(HERE))


class _Server:
    def __init__(self, list_body: bytes, watch_chunks: list[bytes]) -> None:
        list_body_ = list_body
        self.chunks = chunks = watch_chunks

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if "watch=true" in self.path:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for chunk in chunks:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(list_body_)))
                self.end_headers()
                self.wfile.write(list_body_)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _timed(fn: Any) -> float:
    """Seconds of one call; what it returns is dropped after the clock stops."""
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    del result
    gc.collect()
    return elapsed


def _median(fn: Any, repeat: int) -> float:
    return statistics.median(_timed(fn) for _ in range(repeat))


def _small_object(i: int) -> dict[str, Any]:
    return {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {
            "name": f"lease-{i}",
            "namespace": "kube-system",
            "resourceVersion": str(1000 + i),
            "uid": f"6a1c2b3e-0000-4000-8000-{i:012d}",
        },
        "spec": {
            "holderIdentity": f"node-{i % 50}",
            "leaseDurationSeconds": 40,
            "renewTime": "2026-01-01T00:00:00.000000Z",
        },
    }


class _Ticker:
    """A task waking every millisecond: the longest time between two of its turns."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._stop = False

    async def run(self) -> None:
        import asyncio

        last = time.perf_counter()
        while not self._stop:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last)
            last = now

    def stop(self) -> None:
        self._stop = True


class _SlowCallbacks(logging.Handler):
    """The durations asyncio's debug mode reports ("Executing ... took X seconds") while
    ``active`` (during the lists, not while the results are dropped between them)."""

    def __init__(self) -> None:
        super().__init__()
        self.durations: list[float] = []
        self.active = False

    def emit(self, record: logging.LogRecord) -> None:
        if self.active and str(record.msg).startswith("Executing") and record.args:
            self.durations.append(float(record.args[-1]))  # type: ignore[index,arg-type]


async def _lists(
    url: str, runs: int, *, ticker: bool, threaded: bool = False, slow: _SlowCallbacks | None = None
) -> list[tuple[float, float]]:
    """(seconds, the ticker's longest gap) of each of ``runs`` async lists of all pods; what a
    list returns is dropped after the clock and the ticker stop."""
    import asyncio

    from kubeset.config import Config
    from kubeset.kubernetes import AsyncClientset
    from kubeset.kubernetes.models.core.v1 import PodList
    from kubeset.rest.result import decode_into

    out: list[tuple[float, float]] = []
    async with AsyncClientset(Config(host=url, qps=-1)) as cs:
        pods = cs.core_v1.pods()
        await pods.list()  # warm up: connection, models, decoders
        for _ in range(runs):
            tick = _Ticker()
            task = asyncio.create_task(tick.run()) if ticker else None
            await asyncio.sleep(0.01)
            if slow is not None:
                slow.active = True
            started = time.perf_counter()
            if threaded:  # the body decoded in a worker thread, as before batches
                raw = await pods.request("GET", all_namespaces=True).do_raw()
                result = await asyncio.to_thread(decode_into, PodList, raw)
            else:
                result = await pods.list()
            elapsed = time.perf_counter() - started
            await asyncio.sleep(0)
            if slow is not None:
                slow.active = False
            if task is not None:
                tick.stop()
                await asyncio.wait_for(task, 10)
            assert len(result.items) == N_PODS
            out.append((elapsed, tick.longest))
            await asyncio.sleep(0)
            del result
            gc.collect()
            await asyncio.sleep(0)
    return out


def _async_rows(url: str, sync_list: Any, mb: float) -> list[dict[str, Any]]:
    import asyncio

    sync_runs: list[float] = []
    async_runs: list[float] = []
    for _ in range(7):  # interleaved, so load changes on the machine hit both alike
        sync_runs.append(_timed(sync_list))
        async_runs.append(asyncio.run(_lists(url, 1, ticker=False))[0][0])
    gaps = [gap for _, gap in asyncio.run(_lists(url, 5, ticker=True))]
    threaded_gaps = [gap for _, gap in asyncio.run(_lists(url, 3, ticker=True, threaded=True))]
    slow = _SlowCallbacks()
    asyncio_log = logging.getLogger("asyncio")
    asyncio_log.addHandler(slow)

    async def debug_lists() -> None:
        asyncio.get_running_loop().slow_callback_duration = 0.005
        await _lists(url, 3, ticker=False, slow=slow)

    try:
        asyncio.run(debug_lists(), debug=True)
    finally:
        asyncio_log.removeHandler(slow)
    sync, aio = statistics.median(sync_runs), statistics.median(async_runs)
    gap, before = statistics.median(gaps), statistics.median(threaded_gaps)
    longest_callback = max(slow.durations, default=0.0)
    over = sum(d > 0.1 for d in slow.durations)
    return [
        {
            "bench": "rest",
            "case": f"AsyncClientset core_v1.pods().list() ({N_PODS} pods, {mb:.0f} MB, aiohttp)",
            "median_s": aio,
            "baseline_case": "Clientset core_v1.pods().list()",
            "ratio": aio / sync,
            "target": "<= 1.15x",
            "note": f"sync {sync * 1e3:.0f} ms; decoded in batches, the loop running between them",
        },
        {
            "bench": "rest",
            "case": "  the event loop's longest gap during it (a 1 ms ticker)",
            "median_s": gap,
            "baseline_case": "decoded in a worker thread",
            "ratio": gap / before,
            "note": f"worst of {len(gaps)}: {max(gaps) * 1e3:.0f} ms; in a worker thread: "
            f"{before * 1e3:.0f} ms (the compiled codec holds the GIL)",
        },
        {
            "bench": "rest",
            "case": "  asyncio debug mode: the longest callback during 3 lists",
            "median_s": longest_callback,
            "target": "none > 100 ms",
            "note": f"{over} callbacks over 100 ms, {len(slow.durations)} over 5 ms",
        },
    ]


def _watch_rows(
    label: str, objects: list[dict[str, Any]], client: Any, model: Any, server: _Server
) -> list[dict[str, Any]]:
    lines = [
        json.dumps(
            {
                "type": "ADDED" if i < len(objects) else "MODIFIED",
                "object": objects[i % len(objects)],
            },
            separators=(",", ":"),
        ).encode()
        + b"\n"
        for i in range(N_EVENTS)
    ]
    server.chunks[:] = [
        b"".join(lines[i : i + EVENTS_PER_CHUNK]) for i in range(0, N_EVENTS, EVENTS_PER_CHUNK)
    ]
    bodies = [
        json.dumps(objects[i % len(objects)], separators=(",", ":")).encode()
        for i in range(N_EVENTS)
    ]

    def kubeset_watch() -> int:
        n = 0
        with client.watch() as w:
            for _event in w:
                n += 1
        assert n == N_EVENTS, n
        return n

    def decode_only() -> int:
        for body in bodies:
            model.model_validate_json(body)
        return len(bodies)

    kubeset_watch()
    watch_s = _median(kubeset_watch, 5)
    decode_s = _median(decode_only, 5)
    return [
        {
            "bench": "rest",
            "case": f"watch: {N_EVENTS} typed events, {label}",
            "median_s": watch_s,
            "baseline_case": f"{model.__name__}.model_validate_json per object",
            "ratio": watch_s / decode_s,
            "target": ">= 10,000 events/s",
            "note": f"{N_EVENTS / watch_s:,.0f} events/s",
        },
        {
            "bench": "rest",
            "case": f"{model.__name__}.model_validate_json of each object, {label}",
            "median_s": decode_s,
            "note": f"{N_EVENTS / decode_s:,.0f} objects/s (decode only, no HTTP)",
        },
    ]


def rows() -> list[dict[str, Any]]:
    from kubeset.codec import gc_paused
    from kubeset.config import Config
    from kubeset.kubernetes import Clientset
    from kubeset.kubernetes.models.coordination.v1 import Lease
    from kubeset.kubernetes.models.core.v1 import Pod, PodList

    pods = [_realistic_pod(i) for i in range(N_PODS)]
    list_body = json.dumps(
        {
            "apiVersion": "v1",
            "kind": "PodList",
            "metadata": {"resourceVersion": "1"},
            "items": pods,
        },
        separators=(",", ":"),
    ).encode()
    server = _Server(list_body, [])
    out: list[dict[str, Any]] = []
    try:
        session = requests.Session()
        url = server.url + "/api/v1/pods"

        def baseline_list() -> Any:
            content = session.get(url, headers={"Accept": "application/json"}).content
            with gc_paused():
                return PodList.model_validate_json(content)

        def baseline_list_promoted() -> Any:
            content = session.get(url, headers={"Accept": "application/json"}).content
            with gc_paused():
                decoded = PodList.model_validate_json(content)
                gc.freeze()  # promote the new objects to the oldest generation, as the runtime does
                gc.unfreeze()
                return decoded

        def baseline_list_gc_on() -> Any:
            content = session.get(url, headers={"Accept": "application/json"}).content
            return PodList.model_validate_json(content)

        cs = Clientset(Config(host=server.url, qps=-1))
        client = cs.core_v1.pods()

        def kubeset_list() -> Any:
            return client.list()

        assert len(baseline_list().items) == len(kubeset_list().items) == N_PODS  # warm up, check
        base_runs: list[float] = []
        promoted_runs: list[float] = []
        kube_runs: list[float] = []
        for _ in range(7):  # interleaved, so load changes on the machine hit all alike
            base_runs.append(_timed(baseline_list))
            promoted_runs.append(_timed(baseline_list_promoted))
            kube_runs.append(_timed(kubeset_list))
        base, kubeset = statistics.median(base_runs), statistics.median(kube_runs)
        promoted = statistics.median(promoted_runs)
        gc_on = _median(baseline_list_gc_on, 3)
        mb = len(list_body) / 1e6
        out += [
            {
                "bench": "rest",
                "case": f"bare requests.get + PodList.model_validate_json, GC paused ({N_PODS} pods, {mb:.0f} MB)",
                "median_s": base,
            },
            {
                "bench": "rest",
                "case": "bare requests.get + PodList.model_validate_json, GC running",
                "median_s": gc_on,
                "baseline_case": "bare, GC paused",
                "ratio": gc_on / base,
                "note": "for reference",
            },
            {
                "bench": "rest",
                "case": "bare requests.get + decode, GC paused, new objects promoted",
                "median_s": promoted,
                "baseline_case": "bare, GC paused",
                "ratio": promoted / base,
                "note": "the first GC pass after a plain paused decode walks every new object",
            },
            {
                "bench": "rest",
                "case": f"Clientset core_v1.pods().list() ({N_PODS} pods)",
                "median_s": kubeset,
                "baseline_case": "bare, GC paused, promoted",
                "ratio": kubeset / promoted,
                "target": "<= 1.10x",
                "note": f"{kubeset / base:.2f}x of bare GC-paused; results held by the caller in all cases",
            },
        ]
        out += _async_rows(server.url, kubeset_list, mb)
        out += _watch_rows("realistic pods (~6 KB)", pods[:500], client, Pod, server)
        out += _watch_rows(
            "leases (~0.3 KB)",
            [_small_object(i) for i in range(500)],
            cs.coordination_v1.leases(),
            Lease,
            server,
        )
        cs.close()
    finally:
        server.stop()
        gc.collect()
    return out


if __name__ == "__main__":
    for row in rows():
        print(row)
