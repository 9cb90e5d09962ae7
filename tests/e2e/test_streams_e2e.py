"""kubeset's stream clients (kubeset.streams) through the real kube-apiserver and the kubelet stand-in.

exec, attach, port-forward and cp go kubeset -> kube-apiserver (v5/v4 WebSocket translated to
SPDY for exec and attach; port-forward's channel form proxied to the kubelet) -> the stand-in's
kubelet API -> k8s.io/cri-streaming -> a local process.  The pods' file system and loopback are
this host's.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import kubeset
import pytest
from faultproxy import FaultProxy
from kube_apiserver import ApiServer, LocalPods, RunningPod
from kubeset.dynamic import DynamicClient
from kubeset.errors import (
    ApiError,
    BadRequest,
    CommandFailed,
    ConnectionLost,
    Forbidden,
    NotFound,
    StreamError,
)
from kubeset.kubernetes import Clientset
from kubeset.kubernetes.clients.core_v1 import PodsClient
from kubeset.streams import Dialer, KeepAlive
from kubeset.streams.channels import V5
from readme_tours import run_tour
from streamhelpers import EchoServer, exchange, files, tree

pytestmark = pytest.mark.e2e

StartPod = Callable[..., RunningPod]
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def clientset(stack: ApiServer) -> Iterator[Clientset]:
    """A clientset of ``stack``: each test runs with streams translated at the apiserver and
    with streams proxied to the kubelet (tests/conftest.py)."""
    with Clientset(kubeset.load_kubeconfig(stack.kubeconfig)) as cs:
        yield cs


@pytest.fixture
def local_pod(stack_pods: LocalPods) -> LocalPods:
    return stack_pods


@pytest.fixture
def pods(clientset: Clientset) -> PodsClient:
    return clientset.core_v1.pods("default")


@pytest.fixture
def sleeper(local_pod: StartPod, tmp_path: Path) -> RunningPod:
    return local_pod(["sleep", "3600"], name_prefix="sleeper", working_dir=str(tmp_path))


def test_exit_codes_0_and_3(pods: PodsClient, sleeper: RunningPod) -> None:
    ok = pods.exec_run(sleeper.name, ["sh", "-c", "echo hello"], timeout=60)
    assert (ok.exit_code, ok.stdout, ok.stderr) == (0, b"hello\n", b"")
    three = pods.exec_run(sleeper.name, ["sh", "-c", "echo bad >&2; exit 3"], timeout=60)
    assert (three.exit_code, three.stdout, three.stderr) == (3, b"", b"bad\n")
    with pytest.raises(CommandFailed) as err:
        pods.exec_run(sleeper.name, ["sh", "-c", "exit 3"], timeout=60, check=True)
    assert err.value.exit_code == 3


def test_10_mib_of_stdin_echoed_by_cat_which_sees_eof(
    pods: PodsClient, sleeper: RunningPod
) -> None:
    data = os.urandom(10 * MiB)
    result = pods.exec_run(sleeper.name, ["cat"], stdin=data, timeout=120)
    assert result.exit_code == 0  # cat exited: stdin's end arrived (v5 close through the server)
    assert len(result.stdout) == len(data) and result.stdout == data


def test_stdout_and_stderr_interleaved_stay_apart(pods: PodsClient, sleeper: RunningPod) -> None:
    script = "for i in $(seq 1 500); do echo out$i; echo err$i >&2; done"
    result = pods.exec_run(sleeper.name, ["sh", "-c", script], timeout=60)
    assert result.stdout.decode().split() == [f"out{i}" for i in range(1, 501)]
    assert result.stderr.decode().split() == [f"err{i}" for i in range(1, 501)]


def test_100_mib_of_stdout_without_loss(pods: PodsClient, sleeper: RunningPod) -> None:
    line = b"0123456789abcde\n"
    result = pods.exec_run(
        sleeper.name, ["sh", "-c", f"yes 0123456789abcde | head -c {100 * MiB}"], timeout=300
    )
    assert result.exit_code == 0
    assert len(result.stdout) == 100 * MiB
    assert result.stdout == line * (100 * MiB // len(line))


def test_resize_reaches_a_tty_process(pods: PodsClient, sleeper: RunningPod) -> None:
    script = "read x; stty size; read y; stty size"
    with pods.exec(sleeper.name, ["sh", "-c", script], stdin=True, tty=True, timeout=60) as s:
        assert s.protocol == V5 and s.stdin is not None and s.stdout is not None
        assert s.stderr is None  # a terminal has one output
        s.stdout.timeout = 60
        s.resize(100, 30)
        s.stdin.write(b"one\n")
        seen = b""
        while b"30 100" not in seen:
            seen += s.stdout.read(4096)
        s.resize(132, 43)
        time.sleep(0.5)  # the size and the input travel on different SPDY streams to the kubelet
        s.stdin.write(b"two\n")
        assert s.wait(60) == 0
        seen += s.stdout.read()
    assert b"43 132" in seen.split(b"30 100", 1)[1]


def test_an_interactive_session_closes_stdin(pods: PodsClient, sleeper: RunningPod) -> None:
    with pods.exec(sleeper.name, ["sh", "-c", "cat; exit 7"], stdin=True, timeout=60) as s:
        assert s.stdin is not None and s.stdout is not None
        s.stdin.write(b"typed\n")
        s.close_stdin()
        assert s.stdout.read() == b"typed\n"
        assert s.wait(60) == 7


def test_attach_to_a_running_process(pods: PodsClient, local_pod: StartPod, tmp_path: Path) -> None:
    pod = local_pod(
        ["sh", "-c", "while read l; do echo got $l; done"],
        name_prefix="att",
        stdin=True,
        working_dir=str(tmp_path),
    )
    with pods.attach(pod.name, stdin=True, timeout=60) as s:
        assert s.stdin is not None and s.stdout is not None
        s.stdout.timeout = 60
        s.stdin.write(b"hello\n")
        assert s.stdout.readline() == b"got hello\n"
        s.stdin.write(b"again\n")
        assert s.stdout.readline() == b"got again\n"


def test_port_forward_3_ports_20_connections_each_1_mib_byte_exact(
    pods: PodsClient, sleeper: RunningPod, echoes: list[EchoServer]
) -> None:
    with pods.port_forward(sleeper.name, [f":{e.port}" for e in echoes], timeout=60) as pf:
        payloads = {(pf.local_port(e.port), i): os.urandom(MiB) for e in echoes for i in range(20)}
        results: dict[tuple[int, int], bytes] = {}

        def one(key: tuple[int, int]) -> None:
            results[key] = exchange(key[0], payloads[key])

        threads = [threading.Thread(target=one, args=(k,), daemon=True) for k in payloads]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        assert pf.errors == []
    assert len(results) == 60
    assert all(results[k] == payloads[k] for k in payloads)


def test_port_forward_in_process_and_nothing_listening(
    pods: PodsClient, sleeper: RunningPod, echoes: list[EchoServer]
) -> None:
    with pods.port_stream(sleeper.name, echoes[0].port, timeout=60) as s:
        s.settimeout(60)
        s.sendall(b"through the apiserver")
        got = b""
        while len(got) < 21:
            got += s.recv(100)
        assert got == b"through the apiserver"
    echoes[1].close()
    with pods.port_stream(sleeper.name, echoes[1].port, timeout=60) as s:
        s.settimeout(60)
        with pytest.raises(StreamError, match="connection refused"):
            s.recv(100)


def test_cp_a_tree_with_a_symlink_and_spaces_both_ways(
    pods: PodsClient, sleeper: RunningPod, tmp_path: Path
) -> None:
    local = tmp_path / "local" / "site"
    tree(local, blob=2 * MiB)
    inside = tmp_path / "in the pod"
    inside.mkdir()
    pods.cp_to(sleeper.name, local, str(inside), timeout=120)
    assert files(inside / "site") == files(local)  # the symlink arrives as a symlink
    back = tmp_path / "back"
    warnings = pods.cp_from(sleeper.name, str(inside / "site"), back, timeout=120)
    assert files(back) == {k: v for k, v in files(local).items() if k != "link"}
    assert warnings == [f"skipping symlink: {str(back / 'link')!r} -> 'data.bin'"]  # as kubectl
    kept = tmp_path / "kept"
    assert (
        pods.cp_from(sleeper.name, str(inside / "site"), kept, keep_symlinks=True, timeout=120)
        == []
    )
    assert files(kept) == files(local)


def test_exec_errors_are_api_errors(
    pods: PodsClient, sleeper: RunningPod, clientset: Clientset, stack: ApiServer
) -> None:
    with pytest.raises(BadRequest, match="not valid for pod"):
        pods.exec_run(sleeper.name, ["true"], container="nope", timeout=60)
    with pytest.raises(NotFound):
        pods.exec_run("no-such-pod", ["true"], timeout=60)
    # a forbidden pod: a service account without any role
    sa = clientset.core_v1.service_accounts("default")
    name = f"nobody-{os.urandom(3).hex()}"
    sa.create({"metadata": {"name": name}})
    try:
        token = sa.create_token(name, expiration_seconds=600).status.token
        config = dataclasses.replace(
            kubeset.load_kubeconfig(stack.kubeconfig), bearer_token=token, bearer_token_file=""
        )
        with Clientset(config) as nobody, pytest.raises(Forbidden) as err:
            nobody.core_v1.pods("default").exec_run(sleeper.name, ["true"], timeout=60)
        assert isinstance(err.value, ApiError) and err.value.status_code == 403
    finally:
        sa.delete(name)


def test_exec_into_a_pod_that_is_not_running(
    pods: PodsClient, local_pod: StartPod, tmp_path: Path
) -> None:
    pod = local_pod(["sh", "-c", "sleep 1"], name_prefix="short", working_dir=str(tmp_path))
    deadline = time.monotonic() + 60
    while pods.get(pod.name).status.phase != "Succeeded":
        assert time.monotonic() < deadline, "the pod did not complete"
        time.sleep(0.5)
    with pytest.raises(ApiError, match="container not found"):
        pods.exec_run(pod.name, ["true"], timeout=60)


def test_a_connection_cut_mid_stream_is_lost_within_the_keepalive(
    stack: ApiServer, sleeper: RunningPod
) -> None:
    with FaultProxy.to(stack.server) as proxy:
        config = dataclasses.replace(kubeset.load_kubeconfig(stack.kubeconfig), host=proxy.url)
        with Clientset(config) as cs:
            cs.rest.transport.stream_dialer = Dialer(  # type: ignore[attr-defined]
                config, keepalive=KeepAlive(period=0.5, timeout=3.0)
            )
            pods = cs.core_v1.pods("default")
            with pods.exec(sleeper.name, ["sh", "-c", "echo started; sleep 600"], timeout=60) as s:
                assert s.stdout is not None
                assert s.stdout.readline() == b"started\n"
                proxy.blackhole()
                with pytest.raises(ConnectionLost, match="keep-alive"):
                    s.wait(60)  # lost by the keep-alive's bound, long before the command's 600 s
            proxy.normal()
            with pods.exec(sleeper.name, ["sh", "-c", "echo started; sleep 600"], timeout=60) as s:
                assert s.stdout is not None
                assert s.stdout.readline() == b"started\n"
                proxy.cut()
                with pytest.raises(ConnectionLost):
                    s.wait(60)


def test_the_dynamic_clients_pods_exec_and_forward(
    stack: ApiServer, sleeper: RunningPod, echoes: list[EchoServer]
) -> None:
    with DynamicClient(kubeset.load_kubeconfig(stack.kubeconfig)) as dyn:
        pods = dyn.resource("", "v1", "pods").in_namespace("default")  # subresources discovered
        result = pods.exec_run(sleeper.name, ["sh", "-c", "echo dynamic; exit 3"], timeout=60)
        assert (result.exit_code, result.stdout) == (3, b"dynamic\n")
        with pods.port_stream(sleeper.name, echoes[0].port, timeout=60) as s:
            s.settimeout(60)
            s.sendall(b"dyn")
            got = b""
            while len(got) < 3:
                got += s.recv(10)
            assert got == b"dyn"
        with pytest.raises(ValueError, match="no exec subresource"):
            dyn.resource("apps", "v1", "deployments").in_namespace("default").exec_run(
                "x", ["true"]
            )


def test_the_readme_streams_tour_runs(
    stack: ApiServer, sleeper: RunningPod, echoes: list[EchoServer], tmp_path: Path
) -> None:
    inside = tmp_path / "pod-site"

    def edit(code: str) -> str:
        code = code.replace('"web"', repr(sleeper.name)).replace("8080", str(echoes[0].port))
        return code.replace('"/tmp/site"', repr(str(inside)))

    result = run_tour(stack, tmp_path, "## Tour: exec, cp and port-forward", edit=edit)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines() == [
        "3 b'hi\\n' b'oops\\n'",
        "b'to cat'",
        "b'hello you\\n' 0",
        "[]",
        "<h1>hi</h1>",
        "True",
        "b'ping'",
    ]
    assert (inside / "index.html").read_text() == "<h1>hi</h1>"


def test_followed_logs_arrive_line_by_line_until_the_container_exits(
    pods: PodsClient, local_pod: LocalPods, tmp_path: Path
) -> None:
    script = "for i in 1 2 3 4 5; do echo line$i; sleep 0.2; done"
    pod = local_pod(["sh", "-c", script], name_prefix="logs", working_dir=str(tmp_path))
    with pods.log_stream(pod.name, timeout=60) as lines:
        got = list(lines)  # ends when the container exits and the kubelet ends the stream
    assert got == [f"line{i}" for i in range(1, 6)]
    assert pods.log(pod.name, tail_lines=2) == "line4\nline5\n"
