"""exec and attach against the in-process channel-protocol server (local processes)."""

from __future__ import annotations

import pytest
from kubeset.config import Config, ImpersonationConfig
from kubeset.discovery.restmapper import RESTMapping
from kubeset.dynamic import DynamicClient
from kubeset.errors import CommandFailed, ConnectionLost, Forbidden, NotFound, StreamError
from kubeset.kubernetes.clients.core_v1 import PodsClient
from kubeset.streams import Dialer, KeepAlive
from kubeset.streams.channels import V4, V5

from .conftest import pods_of
from .wsserver import SilentServer, StreamServer, server_frame


def test_exit_codes_are_results(pods: PodsClient) -> None:
    ok = pods.exec_run("p", ["sh", "-c", "echo hello"], timeout=30)
    assert (ok.exit_code, ok.stdout, ok.stderr) == (0, b"hello\n", b"")
    three = pods.exec_run("p", ["sh", "-c", "echo oops >&2; exit 3"], timeout=30)
    assert (three.exit_code, three.stderr) == (3, b"oops\n")
    with pytest.raises(CommandFailed) as err:
        pods.exec_run("p", ["sh", "-c", "echo oops >&2; exit 3"], timeout=30, check=True)
    assert err.value.exit_code == 3 and err.value.stderr == b"oops\n" and "oops" in str(err.value)


def test_10_mib_of_stdin_comes_back_byte_for_byte_and_cat_sees_eof(pods: PodsClient) -> None:
    data = bytes(range(256)) * (10 * 1024 * 1024 // 256)
    result = pods.exec_run("p", ["cat"], stdin=data, timeout=60)
    assert result.exit_code == 0  # cat ended: the v5 close reached it
    assert len(result.stdout) == len(data) and result.stdout == data


def test_stdout_and_stderr_interleaved_are_kept_apart(pods: PodsClient) -> None:
    script = "for i in $(seq 1 300); do echo out$i; echo err$i >&2; done"
    result = pods.exec_run("p", ["sh", "-c", script], timeout=30)
    assert result.stdout.decode().split() == [f"out{i}" for i in range(1, 301)]
    assert result.stderr.decode().split() == [f"err{i}" for i in range(1, 301)]


def test_the_request_asks_v5_then_v4_and_carries_the_query(
    server: StreamServer, pods: PodsClient
) -> None:
    pods.exec_run("p", ["sh", "-c", "true"], container="main", timeout=30)
    path, query, headers = server.requests[-1]
    assert path == "/api/v1/namespaces/default/pods/p/exec"
    assert query["command"] == ["sh", "-c", "true"] and query["container"] == ["main"]
    assert query["stdout"] == ["true"] and query["stdin"] == ["false"]
    assert headers["Sec-WebSocket-Protocol"] == f"{V5}, {V4}"


def test_an_interactive_session_closes_stdin_and_reports_the_exit(pods: PodsClient) -> None:
    with pods.exec("p", ["sh", "-c", "cat; exit 4"], stdin=True, timeout=30) as s:
        assert s.protocol == V5 and s.stdin is not None and s.stdout is not None
        s.stdin.write(b"line one\n")
        s.close_stdin()
        assert s.stdout.read() == b"line one\n"
        assert s.wait(30) == 4 and s.exit_code == 4


def test_resize_reaches_the_server(server: StreamServer, pods: PodsClient) -> None:
    with pods.exec("p", ["sh", "-c", "read x"], stdin=True, tty=True, timeout=30) as s:
        assert s.stderr is None  # a terminal merges stderr
        s.resize(120, 40)
        assert s.stdin is not None
        s.stdin.write(b"go\n")
        assert s.wait(30) == 0
    assert server.resizes == [{"Width": 120, "Height": 40}]
    assert server.requests[-1][1]["tty"] == ["true"]


def test_a_v4_server_cannot_close_stdin_and_says_so() -> None:
    srv = StreamServer(protocols=(V4,))
    try:
        pods = pods_of(srv.url)
        assert pods.exec_run("p", ["sh", "-c", "echo v4"], timeout=30).stdout == b"v4\n"
        with pytest.raises(StreamError, match="cannot close stdin"):
            pods.exec_run("p", ["cat"], stdin=b"x", timeout=30)
        with pods.exec("p", ["cat"], stdin=True, timeout=30) as s:
            assert s.protocol == V4
            with pytest.raises(StreamError, match=V5):
                s.close_stdin()
    finally:
        srv.close()


def test_upgrade_refusals_are_api_errors() -> None:
    srv = StreamServer(deny={"secret": 403, "gone": 404})
    try:
        pods = pods_of(srv.url)
        with pytest.raises(Forbidden) as err:
            pods.exec_run("secret", ["true"], timeout=30)
        assert err.value.path == "/api/v1/namespaces/default/pods/secret/exec"
        with pytest.raises(NotFound):
            pods.exec("gone", ["true"], timeout=30)
    finally:
        srv.close()


def test_credentials_and_impersonation_travel_with_the_upgrade(server: StreamServer) -> None:
    pods = pods_of(
        server.url,
        bearer_token="s3cret",
        impersonate=ImpersonationConfig(user="bob", groups=["a", "b"]),
    )
    pods.exec_run("p", ["true"], timeout=30)
    headers = server.requests[-1][2]
    assert headers["Authorization"] == "Bearer s3cret"
    assert headers["Impersonate-User"] == "bob"
    assert headers.get_all("Impersonate-Group") == ["a", "b"]
    assert "kubeset" in headers["User-Agent"]


def _fast_keepalive(url: str) -> PodsClient:
    pods = pods_of(url)
    transport = pods.rest.transport
    transport.stream_dialer = Dialer(  # type: ignore[attr-defined]
        Config(host=url), keepalive=KeepAlive(period=0.05, timeout=0.5)
    )
    return pods


def test_a_silent_connection_is_lost_after_the_keepalive_bound() -> None:
    srv = SilentServer()
    try:
        pods = _fast_keepalive(srv.url)
        with (
            pods.exec("p", ["sleep", "100"], timeout=5) as s,
            pytest.raises(ConnectionLost, match="keep-alive"),
        ):
            s.wait(10)  # lost after the 0.5 s keep-alive bound, long before this wait's 10 s
    finally:
        srv.close()


def test_a_connection_cut_mid_stream_is_lost_not_ended() -> None:
    srv = SilentServer(server_frame(b"\x01partial"), cut=True)
    try:
        pods = _fast_keepalive(srv.url)
        with pods.exec("p", ["yes"], timeout=5) as s:
            assert s.stdout is not None
            assert s.stdout.read(7) == b"partial"
            with pytest.raises(ConnectionLost):
                s.stdout.read()
            with pytest.raises(ConnectionLost):
                s.wait(5)
        with pytest.raises(ConnectionLost):
            pods.exec_run("p", ["yes"], timeout=5)
    finally:
        srv.close()


def test_attach_to_a_running_process(server: StreamServer, pods: PodsClient) -> None:
    server.start_attachable("att", ["sh", "-c", "while read l; do echo got $l; done; exit 5"])
    with pods.attach("att", stdin=True, timeout=30) as s:
        assert s.stdin is not None and s.stdout is not None
        s.stdin.write(b"hello\n")
        assert s.stdout.readline() == b"got hello\n"
        s.close_stdin()
        assert s.wait(30) == 5
    assert server.requests[-1][0].endswith("/pods/att/attach")


def test_frames_that_come_with_the_upgrade_answer_are_answered() -> None:
    status = b'\x03{"kind":"Status","status":"Success"}'
    srv = SilentServer(server_frame(status) + server_frame((1000).to_bytes(2, "big"), opcode=0x8))
    try:
        pods = pods_of(srv.url)
        assert pods.exec_run("p", ["true"], timeout=10).exit_code == 0
        assert srv.received[:1] == b"\x88"  # the close was answered, not left to time out
    finally:
        srv.close()


def test_the_dynamic_client_execs_too(server: StreamServer) -> None:
    dyn = DynamicClient(Config(host=server.url))
    pods = dyn.resource("", "v1", "pods", namespaced=True, kind="Pod").in_namespace("default")
    assert pods.exec_run("p", ["sh", "-c", "echo dyn; exit 2"], timeout=30).exit_code == 2
    assert server.requests[-1][0] == "/api/v1/namespaces/default/pods/p/exec"
    mapping = RESTMapping(
        "apps", "v1", "Deployment", "deployments", True, subresources=("scale", "status")
    )
    deployments = dyn.for_mapping(mapping, "default")
    with pytest.raises(ValueError, match="deployments have no exec subresource"):
        deployments.exec_run("web", ["true"])
