"""The harness's kubelet stand-in (tests/e2e/stack/kubelet.go), proved with client-go itself.

Pods bound to node ``kubeset-node`` run as local processes; exec, attach, port-forward and logs go
client -> kube-stack (WebSocket translated to SPDY, or SPDY) -> the stand-in's kubelet API
(verified TLS both ways) -> k8s.io/cri-streaming -> the process.  The client here is client-go's
remotecommand / portforward (``<harness> streamclient``), so what passes here is the reference the
kubeset stream clients are held to.  Plain ``requests`` for the rest.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from kube_apiserver import (
    REQUEST_TIMEOUT,
    ApiServer,
    LocalPods,
    RunningPod,
    admin_session,
    delete_pod,
    pod_manifest,
    pod_url,
    stream_client,
    wait_for_pod,
)
from streamhelpers import EchoServer

pytestmark = pytest.mark.e2e

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def admin(stack: ApiServer) -> Iterator[requests.Session]:
    with admin_session(stack) as session:
        yield session


@pytest.fixture(scope="module")
def streamclient(
    apiserver_binary: Path, stack: ApiServer
) -> Callable[..., subprocess.CompletedProcess[bytes]]:
    def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        return stream_client(apiserver_binary, stack, list(args), stdin=stdin)

    return run


@pytest.fixture
def pods(stack_pods: LocalPods) -> LocalPods:
    return stack_pods


@pytest.fixture
def sleeper(pods: LocalPods) -> RunningPod:
    return pods(["sleep", "3600"], name_prefix="sleeper")


def pod_log(admin: requests.Session, stack: ApiServer, pod: RunningPod, **params: str) -> str:
    r = admin.get(
        pod_url(stack, pod.namespace, pod.name) + "/log", params=params, timeout=REQUEST_TIMEOUT
    )
    r.raise_for_status()
    return r.text


def wait_for_phase(
    admin: requests.Session, stack: ApiServer, pod: RunningPod, phase: str
) -> dict[str, Any]:
    return wait_for_pod(
        admin, stack, pod.namespace, pod.name, lambda p: p["status"]["phase"] == phase, phase
    )


@pytest.fixture
def echo_server() -> Iterator[EchoServer]:
    server = EchoServer()
    try:
        yield server
    finally:
        server.close()


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_node_is_registered_ready_with_its_kubelet_endpoint(
    admin: requests.Session, stack: ApiServer, kubelet_node: str
) -> None:
    node = admin.get(f"{stack.server}/api/v1/nodes/{kubelet_node}", timeout=REQUEST_TIMEOUT)
    node.raise_for_status()
    status = node.json()["status"]
    assert {"type": "InternalIP", "address": "127.0.0.1"} in status["addresses"]
    assert status["nodeInfo"]["kubeletVersion"] == "v1.36.5"
    port = status["daemonEndpoints"]["kubeletEndpoint"]["Port"]  # sic: the API spells it "Port"
    assert port > 0
    # The kubelet API wants the stack's kubelet client certificate: no certificate fails
    # the handshake, the admin's client certificate (same CA, another name) is refused.
    plain = ssl.create_default_context()
    plain.check_hostname, plain.verify_mode = False, ssl.CERT_NONE
    with (
        pytest.raises((ssl.SSLError, ConnectionResetError)),
        socket.create_connection(("127.0.0.1", port), timeout=REQUEST_TIMEOUT) as raw,
        plain.wrap_socket(raw) as tls,
    ):
        tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        tls.recv(100)  # TLS 1.3 reports the missing certificate on the first read
    with requests.Session() as other:
        other.trust_env = False
        r = other.get(
            f"https://127.0.0.1:{port}/containerLogs/default/x/y",
            cert=stack.client_cert,
            verify=False,
            timeout=REQUEST_TIMEOUT,
        )
    assert r.status_code == 403


def test_a_pod_on_the_node_runs_with_a_kubelet_status(
    admin: requests.Session, stack: ApiServer, sleeper: RunningPod
) -> None:
    r = admin.get(pod_url(stack, sleeper.namespace, sleeper.name), timeout=REQUEST_TIMEOUT)
    status = r.json()["status"]
    assert status["phase"] == "Running"
    assert status["podIP"] == status["hostIP"] == "127.0.0.1"
    conditions = {c["type"]: c["status"] for c in status["conditions"]}
    assert conditions["Ready"] == conditions["ContainersReady"] == "True"
    (cs,) = status["containerStatuses"]
    assert cs["ready"] is True and cs["started"] is True and cs["restartCount"] == 0
    assert "startedAt" in cs["state"]["running"]


@pytest.mark.parametrize("transport", ["websocket", "spdy"])
def test_exec_separates_stdout_and_stderr_and_reports_the_exit_code(
    streamclient: Callable[..., subprocess.CompletedProcess[bytes]],
    sleeper: RunningPod,
    transport: str,
) -> None:
    flags = ["--spdy"] if transport == "spdy" else []
    script = "echo out; echo err >&2; echo out2; exit 3"
    done = streamclient("exec", f"--pod={sleeper.name}", *flags, "--", "sh", "-c", script)
    assert done.returncode == 3, done.stderr
    assert done.stdout == b"out\nout2\n"
    assert done.stderr == b"err\n"
    ok = streamclient("exec", f"--pod={sleeper.name}", *flags, "--", "true")
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, b"", b"")


def test_exec_of_a_killed_process_or_an_unknown_command(
    streamclient: Callable[..., subprocess.CompletedProcess[bytes]], sleeper: RunningPod
) -> None:
    killed = streamclient("exec", f"--pod={sleeper.name}", "--", "sh", "-c", "kill -9 $$")
    assert killed.returncode == 128 + 9  # as runc reports a signal
    unknown = streamclient("exec", f"--pod={sleeper.name}", "--", "no-such-command-kubeset")
    assert unknown.returncode == 255
    assert b"error executing command in container" in unknown.stderr
    assert b"executable file not found" in unknown.stderr


def websocket_requests(admin: requests.Session, server: ApiServer, path: str) -> int:
    """apiserver_websocket_streaming_requests_total for exec requests taking ``path``."""
    metrics = admin.get(f"{server.server}/metrics", timeout=REQUEST_TIMEOUT).text
    for line in metrics.splitlines():
        if line.startswith("apiserver_websocket_streaming_requests_total{") and (
            f'proxy_type="{path}"' in line and 'subresource="exec"' in line
        ):
            return int(float(line.rsplit(" ", 1)[1]))
    return 0


def test_websocket_exec_takes_the_expected_path(
    request: pytest.FixtureRequest,
    admin: requests.Session,
    stack: ApiServer,
    streamclient: Callable[..., subprocess.CompletedProcess[bytes]],
    sleeper: RunningPod,
) -> None:
    path = request.node.callspec.params["stack"]
    before = websocket_requests(admin, stack, path)
    assert streamclient("exec", f"--pod={sleeper.name}", "--", "true").returncode == 0
    assert websocket_requests(admin, stack, path) == before + 1


def test_exec_streams_stdin_through_cat_until_eof(
    streamclient: Callable[..., subprocess.CompletedProcess[bytes]], sleeper: RunningPod
) -> None:
    data = secrets.token_bytes(10 * MiB)
    done = streamclient("exec", f"--pod={sleeper.name}", "--stdin", "--", "cat", stdin=data)
    assert done.returncode == 0, done.stderr  # cat exited: stdin's end arrived
    assert done.stdout == data


def test_exec_moves_100_mib_of_stdout(
    streamclient: Callable[..., subprocess.CompletedProcess[bytes]], sleeper: RunningPod
) -> None:
    n = 100 * MiB
    done = streamclient(
        "exec", f"--pod={sleeper.name}", f"--bytes={n}", "--", "head", "-c", str(n), "/dev/zero"
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["bytes"] == n


def test_exec_with_a_tty_gets_the_terminal_size(
    streamclient: Callable[..., subprocess.CompletedProcess[bytes]], sleeper: RunningPod
) -> None:
    done = streamclient(
        "exec", f"--pod={sleeper.name}", "--tty", "--size=91x33", "--", "sh", "-c", "stty size"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == b"33 91"


def test_exec_runs_in_the_containers_working_dir_and_env(
    streamclient: Callable[..., subprocess.CompletedProcess[bytes]],
    pods: LocalPods,
    tmp_path: Path,
) -> None:
    pod = pods(["sleep", "3600"], working_dir=str(tmp_path), env={"GREETING": "hi"})
    done = streamclient("exec", f"--pod={pod.name}", "--", "sh", "-c", 'pwd; echo "$GREETING"')
    assert done.stdout.decode().split() == [str(tmp_path), "hi"]


def test_exec_and_logs_pick_the_named_container(
    streamclient: Callable[..., subprocess.CompletedProcess[bytes]],
    admin: requests.Session,
    stack: ApiServer,
    pods: LocalPods,
) -> None:
    pod = pods(
        ["sh", "-c", "echo from-main; exec sleep 3600"],
        sidecars={"side": ["sh", "-c", "echo from-side; exec sleep 3600"]},
    )
    done = streamclient(
        "exec", f"--pod={pod.name}", "--container=side", "--", "sh", "-c", "echo $$"
    )
    assert done.returncode == 0 and done.stdout.strip().isdigit(), done.stderr
    # follow until the line is there (the process may not have written it yet)
    for container, line in (("side", "from-side\n"), ("main", "from-main\n")):
        got = pod_log(
            admin, stack, pod, container=container, follow="true", limitBytes=str(len(line))
        )
        assert got == line


def test_exec_errors_missing_container_and_finished_pod(
    streamclient: Callable[..., subprocess.CompletedProcess[bytes]],
    admin: requests.Session,
    stack: ApiServer,
    pods: LocalPods,
    sleeper: RunningPod,
) -> None:
    missing = streamclient("exec", f"--pod={sleeper.name}", "--container=nope", "--", "true")
    assert missing.returncode == 255
    assert b"container nope is not valid for pod" in missing.stderr
    short = pods(["sh", "-c", "sleep 1"], name_prefix="short")
    wait_for_phase(admin, stack, short, "Succeeded")
    # (kubectl refuses a completed pod itself; through the API it is the kubelet's answer)
    finished = streamclient("exec", f"--pod={short.name}", "--", "true")
    assert finished.returncode == 255
    assert b'container not found ("main")' in finished.stderr
    # A pod on no node: the stack's own answer.
    name = f"unscheduled-{secrets.token_hex(4)}"
    manifest: dict[str, Any] = {
        "metadata": {"name": name},
        "spec": {"containers": [{"name": "c", "image": "x"}]},
    }
    admin.post(pod_url(stack, "default"), json=manifest, timeout=REQUEST_TIMEOUT).raise_for_status()
    try:
        pending = streamclient("exec", f"--pod={name}", "--", "true")
    finally:
        admin.delete(pod_url(stack, "default", name), timeout=REQUEST_TIMEOUT)
    assert pending.returncode == 255
    assert b"does not have a host assigned" in pending.stderr


def test_attach_joins_the_main_process(
    streamclient: Callable[..., subprocess.CompletedProcess[bytes]],
    admin: requests.Session,
    stack: ApiServer,
    pods: LocalPods,
) -> None:
    pod = pods(["cat"], name_prefix="cat", stdin=True, stdin_once=True)
    done = streamclient("exec", "--attach", "--stdin", f"--pod={pod.name}", stdin=b"to cat\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"to cat\n"
    # stdinOnce: the attach closed cat's stdin, so the container exits and the pod completes.
    final = wait_for_phase(admin, stack, pod, "Succeeded")
    (cs,) = final["status"]["containerStatuses"]
    assert cs["state"]["terminated"]["exitCode"] == 0
    assert pod_log(admin, stack, pod) == "to cat\n"


def test_attach_to_a_tty_container_drives_its_terminal(
    streamclient: Callable[..., subprocess.CompletedProcess[bytes]],
    admin: requests.Session,
    stack: ApiServer,
    pods: LocalPods,
) -> None:
    pod = pods(["sh"], name_prefix="tty", stdin=True, tty=True, restart_policy="Never")
    script = b"stty size; echo sum-$((40+2)); exit 4\n"
    done = streamclient(
        "exec", "--attach", "--stdin", "--tty", "--size=100x40", f"--pod={pod.name}", stdin=script
    )
    assert done.returncode == 0, done.stderr  # attach reports no exit code
    lines = done.stdout.decode().splitlines()  # the terminal echoes the input, then the output
    assert "40 100" in lines and "sum-42" in lines, lines
    final = wait_for_phase(admin, stack, pod, "Failed")
    assert final["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 4


@pytest.mark.parametrize("transport", ["websocket", "spdy"])
def test_port_forward_reaches_a_local_echo_server(
    streamclient: Callable[..., subprocess.CompletedProcess[bytes]],
    sleeper: RunningPod,
    echo_server: EchoServer,
    transport: str,
) -> None:
    flags = ["--spdy"] if transport == "spdy" else []
    done = streamclient(
        "port-forward",
        f"--pod={sleeper.name}",
        f"--ports={echo_server.port}",
        f"--bytes={MiB}",
        "--connections=20",
        *flags,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["bytes"] == 20 * MiB


def test_port_forward_listener_and_a_refused_port(
    apiserver_binary: Path,
    stack: ApiServer,
    streamclient: Callable[..., subprocess.CompletedProcess[bytes]],
    sleeper: RunningPod,
    echo_server: EchoServer,
) -> None:
    with subprocess.Popen(
        [
            str(apiserver_binary),
            "streamclient",
            "port-forward",
            f"--kubeconfig={stack.kubeconfig}",
            f"--pod={sleeper.name}",
            f"--ports={echo_server.port}",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None and proc.stdin is not None
        try:
            line = proc.stdout.readline().decode()
            assert line.startswith("PORTS="), line
            local, remote = line.removeprefix("PORTS=").strip().split(":")
            assert int(remote) == echo_server.port
            with socket.create_connection(("127.0.0.1", int(local)), timeout=30) as conn:
                conn.sendall(b"ping through the stack")
                conn.shutdown(socket.SHUT_WR)
                got = b""
                while chunk := conn.recv(4096):
                    got += chunk
            assert got == b"ping through the stack"
        finally:
            proc.stdin.close()
            proc.wait(30)
    # Nothing listens on the echo server's port once it is closed.
    echo_server.close()
    refused = streamclient(
        "port-forward", f"--pod={sleeper.name}", f"--ports={echo_server.port}", "--bytes=10"
    )
    assert refused.returncode == 255
    assert b"connection refused" in refused.stderr


def test_followed_logs_stream_until_the_container_exits(
    admin: requests.Session, stack: ApiServer, pods: LocalPods
) -> None:
    pod = pods(
        ["sh", "-c", "for i in 1 2 3 4 5; do echo line $i; sleep 0.3; done"], name_prefix="logs"
    )
    arrivals: list[tuple[float, str]] = []
    with admin.get(
        pod_url(stack, pod.namespace, pod.name) + "/log",
        params={"follow": "true"},
        stream=True,
        timeout=REQUEST_TIMEOUT,
    ) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            arrivals.append((time.monotonic(), line.decode()))
    assert [text for _, text in arrivals] == [f"line {i}" for i in range(1, 6)]
    assert arrivals[-1][0] - arrivals[0][0] > 0.5  # they came as written, not all at the end
    lines = pod_log(admin, stack, pod, tailLines="2", timestamps="true").splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == ["line 4", "line 5"]
    assert lines[0].split(" ", 1)[0].endswith("Z")
    assert pod_log(admin, stack, pod, limitBytes="9") == "line 1\nli"


def test_restart_policy_always_restarts_and_keeps_the_previous_log(
    admin: requests.Session, stack: ApiServer, pods: LocalPods
) -> None:
    pod = pods(["sh", "-c", "echo run; sleep 0.5; exit 1"], restart_policy="Always")
    restarted = wait_for_pod(
        admin,
        stack,
        pod.namespace,
        pod.name,
        lambda p: p["status"]["containerStatuses"][0]["restartCount"] >= 1,
        "restarted",
    )
    (cs,) = restarted["status"]["containerStatuses"]
    assert cs["lastState"]["terminated"]["exitCode"] == 1
    assert pod_log(admin, stack, pod, previous="true") == "run\n"


def test_a_container_that_cannot_start_fails_the_pod(
    admin: requests.Session, stack: ApiServer, kubelet_node: str
) -> None:
    name = f"nostart-{secrets.token_hex(4)}"
    manifest = pod_manifest(name, ["no-such-command-kubeset"])
    admin.post(pod_url(stack, "default"), json=manifest, timeout=REQUEST_TIMEOUT)
    try:
        final = wait_for_pod(
            admin,
            stack,
            "default",
            name,
            lambda p: p["status"].get("phase") == "Failed",
            "Failed",
        )
    finally:
        delete_pod(admin, stack, "default", name)
    terminated = final["status"]["containerStatuses"][0]["state"]["terminated"]
    assert (terminated["exitCode"], terminated["reason"]) == (128, "StartError")
    assert "executable file not found" in terminated["message"]


def test_deleting_a_pod_stops_its_processes(
    admin: requests.Session, stack: ApiServer, pods: LocalPods, tmp_path: Path
) -> None:
    pod = pods(["sh", "-c", "echo $$ > pid; exec sleep 3600"], working_dir=str(tmp_path))
    pid_file = tmp_path / "pid"
    deadline = time.monotonic() + 30
    while not pid_file.exists() or not pid_file.read_text().strip():
        assert time.monotonic() < deadline, "the container did not write its pid"
        time.sleep(0.05)
    pid = int(pid_file.read_text())
    os.kill(pid, 0)  # running
    r = admin.delete(pod_url(stack, pod.namespace, pod.name), timeout=REQUEST_TIMEOUT)
    r.raise_for_status()
    deadline = time.monotonic() + 30
    while (
        admin.get(pod_url(stack, pod.namespace, pod.name), timeout=REQUEST_TIMEOUT).status_code
        != 404
    ):
        assert time.monotonic() < deadline, "the pod was not removed after its deletion"
        time.sleep(0.1)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
