"""Shared test settings: where the read-only inputs live, and the real kube-apiserver fixtures.

The ``apiserver`` fixtures (one real kube-apiserver per session, see tests/e2e/README.md) live
here so that tests/e2e and tests/behaviour share one server.  KUBESET_E2E=required (set by
.ci/run) turns "skipped: no Go toolchain" and any failed build or start into failures;
KUBESET_E2E=skip skips the end-to-end tests.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "e2e"))
# tests/ itself: the shared helpers asyncbridge and stacks (both client stacks in one test body)
sys.path.insert(0, str(Path(__file__).resolve().parent))
# bench/ builds the realistic objects (bench_models.realistic_pod) that stress tests share
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from kube_apiserver import (  # tests/e2e holds the helpers
    KUBELET_NODE,
    ApiServer,
    LocalPods,
    admin_session,
    another_server,
    build_server,
    log_tail,
    peak_rss_mib,
    running_server,
    start_server,
    stop,
    unavailable,
)
from streamhelpers import EchoServer

PROJECT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("KUBESET_SHARED_DIR", PROJECT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared inputs not found at {SHARED} (set KUBESET_SHARED_DIR)")
    return SHARED


def report(config: pytest.Config, message: str) -> None:
    """A line in pytest's terminal output (not captured): build/start-up/memory figures."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    with capture.global_and_fixture_disabled():
        writer = getattr(reporter, "_tw", None)  # -q progress dots leave the line open
        if writer is not None and getattr(writer, "width_of_current_line", 0):
            writer.line()
        reporter.write_line(f"[e2e] {message}")


@pytest.fixture(scope="session")
def apiserver_binary(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Path:
    started = time.monotonic()
    binary = build_server(tmp_path_factory.mktemp("e2e-build"))
    elapsed = time.monotonic() - started
    if elapsed > 2:
        report(pytestconfig, f"built {binary} in {elapsed:.1f}s")
    return binary


@pytest.fixture(scope="session")
def apiserver(
    apiserver_binary: Path, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[ApiServer]:
    """One real kube-apiserver for the whole session."""
    work = tmp_path_factory.mktemp("e2e-apiserver")
    log_file = work / "apiserver.log"
    proc, kubeconfig, seconds = start_server(apiserver_binary, log_file)
    report(
        pytestconfig, f"kube-apiserver (pid {proc.pid}) ready in {seconds:.1f}s; log: {log_file}"
    )
    try:
        yield running_server(proc, kubeconfig, seconds, log_file)
    finally:
        peak = peak_rss_mib(proc.pid)
        stopping = time.monotonic()
        code = stop(proc)
        report(
            pytestconfig,
            f"kube-apiserver stopped in {time.monotonic() - stopping:.1f}s (exit {code})"
            + (f"; peak RSS {peak:.0f} MiB" if peak is not None else ""),
        )
    if code != 0:
        pytest.fail(
            f"the e2e kube-apiserver did not stop cleanly on SIGTERM (exit {code}); "
            f"log tail:\n{log_tail(log_file)}",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def apiserver_kubeconfig(apiserver: ApiServer) -> Path:
    """Path of a kubeconfig for the running server: contexts "token" (current) and "client-cert"."""
    return apiserver.kubeconfig


@pytest.fixture(scope="session")
def kubelet_node(apiserver: ApiServer) -> str:
    """Name of the kubelet stand-in's Node (Ready): pods bound to it run as local processes."""
    with admin_session(apiserver) as session:
        r = session.get(f"{apiserver.server}/api/v1/nodes/{KUBELET_NODE}", timeout=30)
    if r.status_code == 404:
        unavailable(f"the e2e server has no node {KUBELET_NODE} (started with --kubelet=false?)")
    r.raise_for_status()
    ready = [c for c in r.json()["status"]["conditions"] if c["type"] == "Ready"]
    assert ready and ready[0]["status"] == "True", r.json()["status"]["conditions"]
    return KUBELET_NODE


@pytest.fixture
def local_pod(apiserver: ApiServer, kubelet_node: str) -> Iterator[LocalPods]:
    """``local_pod(command, name_prefix="p", namespace="default", **options)`` creates a pod on
    the stand-in's node whose container runs ``command`` on this host and waits until it runs;
    ``options`` are those of kube_apiserver.pod_manifest (container, stdin, stdin_once, tty,
    restart_policy, working_dir, env, sidecars).  Every such pod is deleted (its processes stopped) after
    the test.  Containers share the host's filesystem: give them a per-test folder
    (``working_dir=str(tmp_path)``) for files they write."""
    pods = LocalPods(apiserver)
    try:
        yield pods
    finally:
        pods.close()


@pytest.fixture
def echoes() -> Iterator[list[EchoServer]]:
    """Three TCP echo servers on 127.0.0.1 (pods' ports: the stand-in's pod network is the
    host's loopback; the unit stream server connects to local ports too)."""
    servers = [EchoServer() for _ in range(3)]
    yield servers
    for s in servers:
        s.close()


# The two ways a WebSocket reaches the kubelet: translated to SPDY by the apiserver (nodes that
# do not declare ExtendWebSocketsToKubelet), or proxied as is and translated by the kubelet
# (1.36 kubelets; the harness's --kubelet-websockets).
STREAM_PATHS = ["translated_at_apiserver", "proxied_to_kubelet"]


@pytest.fixture(scope="module", params=STREAM_PATHS)
def stack(
    request: pytest.FixtureRequest,
    apiserver: ApiServer,
    apiserver_binary: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ApiServer]:
    """The session's server (streams translated to SPDY by the apiserver), then one started with
    ``--kubelet-websockets`` (proxied as they are to the kubelet stand-in): a module's stream
    tests run on both."""
    if request.param == "translated_at_apiserver":
        yield apiserver  # the session's server
        return
    work = tmp_path_factory.mktemp("kubelet-websockets")
    with another_server(apiserver_binary, work, ["--kubelet-websockets"]) as server:
        yield server


@pytest.fixture
def stack_pods(stack: ApiServer, kubelet_node: str) -> Iterator[LocalPods]:
    """``local_pod`` on ``stack``: pods of the stand-in's node of the server the test runs on."""
    created = LocalPods(stack)
    try:
        yield created
    finally:
        created.close()
