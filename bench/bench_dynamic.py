"""Discovery and the dynamic client.

- discovery: ``server_groups_and_resources()`` over a MockTransport (no network: parsing and
  conversion only) answering documents shaped like kube-apiserver's, one resource per kind of
  the generated scheme (~50 group versions, ~700 kinds): cold aggregated (2 documents), cold
  legacy (one document per group version), warm from the memory cache, warm from the disk cache
  (a new CachedDiscoveryClient: a new process).
- dynamic list: ``dyn.resource("", "v1", "pods").list()`` of 5,000 realistic pods into
  Unstructured beside the typed ``cs.core_v1.pods().list()`` and ``json.loads`` of the same bytes,
  through a local HTTP server (as bench_rest).

Run: ``make bench`` (all) or ``.venv/bin/python bench/run.py dynamic``.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
N_PODS = 5_000


def _realistic_pod(i: int) -> dict[str, Any]:
    """The models bench's ~7 KB pod (bench_models.realistic_pod)."""
    spec = importlib.util.spec_from_file_location("bench_models", HERE / "bench_models.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.realistic_pod(i)  # type: ignore[no-any-return]


def _serve(body: bytes) -> ThreadingHTTPServer:
    """A local HTTP server answering every GET with ``body`` (stop with ``shutdown()``)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def _timed(fn: Callable[[], Any]) -> float:
    """Seconds of one call; what it returns is dropped after the clock stops."""
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    del result
    gc.collect()
    return elapsed


def _documents() -> dict[str, bytes]:
    """path -> body for /api, /apis (aggregated and legacy) and each group version."""
    from kubeset.kubernetes.scheme import KINDS

    by_gv: dict[str, list[str]] = {}
    for api_version, kind in KINDS:
        if not kind.endswith(("List", "Options")):
            by_gv.setdefault(api_version, []).append(kind)
    docs: dict[str, bytes] = {}
    agg: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
    groups: dict[str, list[str]] = {}
    for gv, kinds in sorted(by_gv.items()):
        group, _, version = gv.rpartition("/")
        groups.setdefault(group, []).append(version)
        resources = [
            {
                "name": k.lower() + "s",
                "singularName": k.lower(),
                "namespaced": True,
                "kind": k,
                "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
                "shortNames": [k.lower()[:3]],
            }
            for k in kinds
        ]
        path = f"/apis/{gv}" if group else f"/api/{gv}"
        docs[path] = json.dumps(
            {"kind": "APIResourceList", "groupVersion": gv, "resources": resources}
        ).encode()
    for group, versions in groups.items():
        vs = []
        for v in versions:
            gv = f"{group}/{v}" if group else v
            vs.append(
                {
                    "version": v,
                    "freshness": "Current",
                    "resources": [
                        {
                            "resource": k.lower() + "s",
                            "singularResource": k.lower(),
                            "scope": "Namespaced",
                            "responseKind": {"group": group, "version": v, "kind": k},
                            "verbs": [
                                "create",
                                "delete",
                                "get",
                                "list",
                                "patch",
                                "update",
                                "watch",
                            ],
                            "shortNames": [k.lower()[:3]],
                            "subresources": [
                                {
                                    "subresource": "status",
                                    "responseKind": {"group": group, "version": v, "kind": k},
                                    "verbs": ["get", "patch", "update"],
                                }
                            ],
                        }
                        for k in by_gv[gv]
                    ],
                }
            )
        agg[group == ""].append({"metadata": {"name": group}, "versions": vs})
    for core in (True, False):
        docs[("agg", core)] = json.dumps(  # type: ignore[index]
            {
                "apiVersion": "apidiscovery.k8s.io/v2",
                "kind": "APIGroupDiscoveryList",
                "metadata": {},
                "items": agg[core],
            }
        ).encode()
    docs["/api"] = json.dumps({"kind": "APIVersions", "versions": groups.get("", [])}).encode()
    docs["/apis"] = json.dumps(
        {
            "kind": "APIGroupList",
            "groups": [
                {
                    "name": g,
                    "versions": [{"groupVersion": f"{g}/{v}", "version": v} for v in vs],
                    "preferredVersion": {"groupVersion": f"{g}/{vs[0]}", "version": vs[0]},
                }
                for g, vs in groups.items()
                if g
            ],
        }
    ).encode()
    return docs


def _discovery_rows() -> list[dict[str, Any]]:
    from kubeset.discovery import CachedDiscoveryClient, DiscoveryClient
    from kubeset.rest import RESTClient
    from kubeset.transport import HTTPRequest, MockTransport, Response

    docs = _documents()
    agg_type = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    def handler(request: HTTPRequest) -> Response:
        path = "/" + request.url.split("://", 1)[1].split("/", 1)[1]
        if path in ("/api", "/apis") and "as=APIGroupDiscoveryList" in request.headers.get(
            "Accept", ""
        ):
            return Response(200, {"Content-Type": agg_type}, docs[("agg", path == "/api")])  # type: ignore[index]
        return Response(200, {"Content-Type": "application/json"}, docs[path])

    rest = RESTClient(MockTransport(handler), host="https://k8s.bench:6443")
    n = len(DiscoveryClient(rest).server_groups_and_resources().resources)
    with tempfile.TemporaryDirectory() as tmp:
        warm = CachedDiscoveryClient(DiscoveryClient(rest), cache_dir=tmp)
        warm.server_groups_and_resources()
        cases = {
            "cold, aggregated (2 documents)": lambda: DiscoveryClient(
                rest
            ).server_groups_and_resources(),
            "cold, legacy (a document per group version)": lambda: DiscoveryClient(
                rest, aggregated=False
            ).server_groups_and_resources(),
            "warm, memory cache": warm.server_groups_and_resources,
            "warm, disk cache (a new client: a new process)": lambda: CachedDiscoveryClient(
                DiscoveryClient(rest), cache_dir=tmp
            ).server_groups_and_resources(),
        }
        medians = {case: _median(fn, 9) for case, fn in cases.items()}
    cold = medians["cold, aggregated (2 documents)"]
    return [
        {
            "bench": "discovery",
            "case": f"{case} ({n} resources)" if i == 0 else case,
            "median_s": m,
            "baseline_case": "" if i == 0 else "cold, aggregated",
            "ratio": None if i == 0 else m / cold,
            "note": "MockTransport: no network; a real cold discovery adds its round trips"
            if i == 0
            else "",
        }
        for i, (case, m) in enumerate(medians.items())
    ]


def _median(fn: Callable[[], Any], repeat: int) -> float:
    return statistics.median(_timed(fn) for _ in range(repeat))


def _list_rows() -> list[dict[str, Any]]:
    from kubeset.config import Config
    from kubeset.dynamic import DynamicClient
    from kubeset.kubernetes import Clientset

    pods = [_realistic_pod(i) for i in range(N_PODS)]
    body = json.dumps(
        {
            "apiVersion": "v1",
            "kind": "PodList",
            "metadata": {"resourceVersion": "1"},
            "items": pods,
        },
        separators=(",", ":"),
    ).encode()
    httpd = _serve(body)
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        cs = Clientset(Config(host=url, qps=-1))
        typed = cs.core_v1.pods()
        dyn = DynamicClient(Config(host=url, qps=-1), discovery=cs.discovery)
        dynamic = dyn.resource("", "v1", "pods", namespaced=True, kind="Pod")
        import requests

        session = requests.Session()

        def baseline() -> Any:
            return json.loads(session.get(url + "/api/v1/pods").content)

        assert (
            len(typed.list().items)
            == len(dynamic.list().items)
            == len(baseline()["items"])
            == N_PODS
        )
        runs: dict[str, list[float]] = {"typed": [], "dynamic": [], "json": []}
        for _ in range(5):
            runs["typed"].append(_timed(typed.list))
            runs["dynamic"].append(_timed(dynamic.list))
            runs["json"].append(_timed(baseline))
        med = {k: statistics.median(v) for k, v in runs.items()}
        cs.close()
        dyn.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    return [
        {
            "bench": "dynamic",
            "case": f"typed cs.core_v1.pods().list() ({N_PODS} pods)",
            "median_s": med["typed"],
        },
        {
            "bench": "dynamic",
            "case": "dynamic dyn.resource('', 'v1', 'pods').list() -> Unstructured",
            "median_s": med["dynamic"],
            "baseline_case": "typed list",
            "ratio": med["dynamic"] / med["typed"],
        },
        {
            "bench": "dynamic",
            "case": "bare requests.get + json.loads (plain dicts)",
            "median_s": med["json"],
            "baseline_case": "typed list",
            "ratio": med["json"] / med["typed"],
            "note": "for reference",
        },
    ]


def rows() -> list[dict[str, Any]]:
    return _discovery_rows() + _list_rows()


if __name__ == "__main__":
    for row in rows():
        print(row)
