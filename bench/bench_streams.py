"""Exec stdout and port-forward throughput through the real e2e kube-apiserver, beside client-go.

- exec: ``head -c N /dev/zero`` in a pod of the kubelet stand-in, stdout read and counted
  (kubeset ``pods.exec`` session vs client-go's ``remotecommand.NewWebSocketExecutor``, the
  harness's ``streamclient exec --bytes N``; both v5 WebSockets the apiserver translates to SPDY).
- port-forward: C concurrent connections each echoing N bytes through a local echo server
  (kubeset ``pods.port_forward``: one channel-form WebSocket per connection; client-go's
  ``portforward`` over its WebSocket tunnel, ``streamclient port-forward --bytes N``).
Ratios are kubeset's time over client-go's (lower is better); both time only the transfer.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
E2E = HERE.parent / "tests" / "e2e"
RUNS = 3
EXEC_BYTES = 128 * 1024 * 1024
PF_BYTES = 16 * 1024 * 1024
PF_CONNECTIONS = 4
MB = 1e6


@contextmanager
def _server() -> Iterator[tuple[Any, Any]]:
    sys.path.insert(0, str(E2E))
    try:
        import kube_apiserver as ka
    finally:
        sys.path.remove(str(E2E))
    work = Path(tempfile.mkdtemp(prefix="kubeset-bench-streams-"))
    binary = ka.build_server(work)
    proc, kubeconfig, seconds = ka.start_server(binary, work / "apiserver.log", "")
    try:
        creds = ka.read_kubeconfig(kubeconfig, work / "creds")
        server = ka.ApiServer(
            kubeconfig=kubeconfig,
            log_file=work / "apiserver.log",
            pid=proc.pid,
            startup_seconds=seconds,
            **creds,  # type: ignore[arg-type]
        )
        yield ka, server, binary
    finally:
        ka.stop(proc)
        shutil.rmtree(work, ignore_errors=True)


def _median(fn: Callable[[], float]) -> float:
    return statistics.median(fn() for _ in range(RUNS))


def _go(ka: Any, binary: Path, server: Any, args: list[str]) -> float:
    done = ka.stream_client(binary, server, args, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"streamclient failed: {done.stderr[-2000:]!r}")
    return float(json.loads(done.stdout)["seconds"])


def _py_exec(pods: Any, pod: str) -> float:
    started = time.perf_counter()
    with pods.exec(pod, ["head", "-c", str(EXEC_BYTES), "/dev/zero"], timeout=60) as s:
        got = 0
        while chunk := s.stdout.read(1024 * 1024):
            got += len(chunk)
        code = s.wait(60)
    took = time.perf_counter() - started
    if (code, got) != (0, EXEC_BYTES):
        raise RuntimeError(f"exec: exit {code}, {got} bytes of {EXEC_BYTES}")
    return took


def _py_forward(pods: Any, pod: str, port: int) -> float:
    sys.path.insert(0, str(E2E))
    try:
        from streamhelpers import exchange
    finally:
        sys.path.remove(str(E2E))
    payload = bytes(range(256)) * (PF_BYTES // 256)
    with pods.port_forward(pod, [f":{port}"], timeout=60) as pf:
        local = pf.local_port(port)
        results: list[bool] = []
        threads = [
            threading.Thread(target=lambda: results.append(exchange(local, payload) == payload))
            for _ in range(PF_CONNECTIONS)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join(600)
        took = time.perf_counter() - started
    if results != [True] * PF_CONNECTIONS:
        raise RuntimeError("port-forward: a connection did not echo its bytes")
    return took


def rows() -> list[dict[str, Any]]:
    if shutil.which("go") is None:
        print("bench_streams: no Go toolchain; skipped", file=sys.stderr)
        return []
    import kubeset
    from kubeset.kubernetes import Clientset

    out: list[dict[str, Any]] = []
    with _server() as (ka, server, binary):
        sys.path.insert(0, str(E2E))
        try:
            from streamhelpers import EchoServer
        finally:
            sys.path.remove(str(E2E))
        with ka.admin_session(server) as session:
            pod = ka.run_pod(session, server, ka.pod_manifest("bench-streams", ["sleep", "3600"]))
        cs = Clientset(kubeset.load_kubeconfig(server.kubeconfig))
        pods = cs.core_v1.pods(pod.namespace)
        go_exec = _median(
            lambda: _go(
                ka,
                binary,
                server,
                [
                    "exec",
                    f"--pod={pod.name}",
                    f"--bytes={EXEC_BYTES}",
                    "--",
                    "head",
                    "-c",
                    str(EXEC_BYTES),
                    "/dev/zero",
                ],
            )
        )
        py_exec = _median(lambda: _py_exec(pods, pod.name))
        mib = EXEC_BYTES // (1024 * 1024)
        out.append(
            {
                "bench": "streams",
                "case": f"client-go exec stdout, {mib} MiB",
                "median_s": go_exec,
                "note": f"{EXEC_BYTES / go_exec / MB:.0f} MB/s",
            }
        )
        out.append(
            {
                "bench": "streams",
                "case": f"kubeset exec stdout, {mib} MiB",
                "median_s": py_exec,
                "baseline_case": "client-go",
                "ratio": py_exec / go_exec,
                "note": f"{EXEC_BYTES / py_exec / MB:.0f} MB/s",
            }
        )
        with EchoServer() as echo:
            total = PF_BYTES * PF_CONNECTIONS
            go_pf = _median(
                lambda: _go(
                    ka,
                    binary,
                    server,
                    [
                        "port-forward",
                        f"--pod={pod.name}",
                        f"--ports={echo.port}",
                        f"--bytes={PF_BYTES}",
                        f"--connections={PF_CONNECTIONS}",
                    ],
                )
            )
            py_pf = _median(lambda: _py_forward(pods, pod.name, echo.port))
        case = f"{PF_CONNECTIONS} connections x {PF_BYTES // (1024 * 1024)} MiB echoed"
        out.append(
            {
                "bench": "streams",
                "case": f"client-go port-forward, {case}",
                "median_s": go_pf,
                "note": f"{total / go_pf / MB:.0f} MB/s each way",
            }
        )
        out.append(
            {
                "bench": "streams",
                "case": f"kubeset port-forward, {case}",
                "median_s": py_pf,
                "baseline_case": "client-go",
                "ratio": py_pf / go_pf,
                "note": f"{total / py_pf / MB:.0f} MB/s each way",
            }
        )
        cs.close()
    return out
