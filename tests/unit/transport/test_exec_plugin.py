"""Exec credential plugins: real plugin scripts run by the transport, checked on the wire."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path

import pytest
from kubeset.config import Config, ExecClusterInfo, ExecConfig
from kubeset.transport import Transport
from kubeset.transport.auth import ExecAuthenticator, ExecPluginError

from .conftest import PKI, Recorded, Server

V1 = "client.authentication.k8s.io/v1"
V1BETA1 = "client.authentication.k8s.io/v1beta1"

# The plugin: counts its runs in $STATE/runs, records argv/env/exec-info/stdin in
# $STATE/run-<n>.json, and prints what $STATE/mode asks for.
PLUGIN = textwrap.dedent(
    """\
    import json, os, sys
    state = os.environ["STATE"]
    runs_file = os.path.join(state, "runs")
    n = int(open(runs_file).read()) + 1 if os.path.exists(runs_file) else 1
    open(runs_file, "w").write(str(n))
    info = json.loads(os.environ.get("KUBERNETES_EXEC_INFO", "null"))
    stdin = ""
    if info and info["spec"].get("interactive"):
        stdin = sys.stdin.readline().strip()
    elif not sys.stdin.closed:
        stdin = sys.stdin.read()
    json.dump({"argv": sys.argv[1:], "foo": os.environ.get("FOO"), "info": info, "stdin": stdin},
              open(os.path.join(state, "run-%d.json" % n), "w"))
    mode = open(os.path.join(state, "mode")).read().strip() if os.path.exists(os.path.join(state, "mode")) else "token"
    api = os.environ.get("API_VERSION", "client.authentication.k8s.io/v1")
    sys.stderr.write("plugin-stderr-line run %d\\n" % n)
    if mode == "token":
        status = {"token": "plugin-token-%d" % n}
        exp = os.environ.get("EXPIRES")
        if exp:
            status["expirationTimestamp"] = exp
        print(json.dumps({"apiVersion": api, "kind": "ExecCredential", "status": status}))
    elif mode == "stdin-token":
        print(json.dumps({"apiVersion": api, "kind": "ExecCredential", "status": {"token": stdin}}))
    elif mode == "cert":
        which = ["alice", "bob"][min(n, 2) - 1]
        cert = open(os.path.join(state, which + ".crt")).read()
        key = open(os.path.join(state, which + ".key")).read()
        print(json.dumps({"apiVersion": api, "kind": "ExecCredential",
                          "status": {"clientCertificateData": cert, "clientKeyData": key}}))
    elif mode == "garbage":
        print("SECRET-GARBAGE-OUTPUT not json {")
    elif mode == "list":
        print("[1, 2]")
    elif mode == "fail":
        print("SECRET-ON-STDOUT")
        sys.stderr.write("plugin failed: SECRET-ON-STDERR\\n")
        sys.exit(3)
    elif mode == "wrong-version":
        print(json.dumps({"apiVersion": "client.authentication.k8s.io/v9", "kind": "ExecCredential",
                          "status": {"token": "SECRET-TOKEN-X"}}))
    elif mode == "no-status":
        print(json.dumps({"apiVersion": api, "kind": "ExecCredential"}))
    elif mode == "empty-status":
        print(json.dumps({"apiVersion": api, "kind": "ExecCredential", "status": {}}))
    elif mode == "cert-only":
        print(json.dumps({"apiVersion": api, "kind": "ExecCredential",
                          "status": {"clientCertificateData": "x"}}))
    elif mode == "token-not-string":
        print(json.dumps({"apiVersion": api, "kind": "ExecCredential", "status": {"token": 12}}))
    elif mode == "bad-expiry":
        print(json.dumps({"apiVersion": api, "kind": "ExecCredential",
                          "status": {"token": "SECRET-TOKEN-Y", "expirationTimestamp": "tomorrow"}}))
    """
)


class Plugin:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "kube-plugin"
        self.path.write_text(f"#!{sys.executable}\n" + PLUGIN)
        self.path.chmod(0o755)

    def mode(self, mode: str) -> None:
        (self.folder / "mode").write_text(mode)

    @property
    def runs(self) -> int:
        f = self.folder / "runs"
        return int(f.read_text()) if f.exists() else 0

    def run_record(self, n: int) -> dict[str, object]:
        return json.loads((self.folder / f"run-{n}.json").read_text())  # type: ignore[no-any-return]

    def exec_config(self, **kw: object) -> ExecConfig:
        env = {"STATE": str(self.folder)}
        env.update(kw.pop("env", {}))  # type: ignore[arg-type]
        base: dict[str, object] = {
            "command": str(self.path),
            "api_version": V1,
            "interactive_mode": "Never",
            "env": env,
        }
        base.update(kw)
        return ExecConfig(**base)  # type: ignore[arg-type]


@pytest.fixture
def plugin(tmp_path: Path) -> Plugin:
    return Plugin(tmp_path / "plugin")


def _cfg(server: Server, pki: PKI, exec_provider: ExecConfig) -> Config:
    return Config(host=server.url, ca_data=pki.ca_pem, exec_provider=exec_provider, qps=-1)


def test_exec_token_args_env_and_exec_info(server: Server, pki: PKI, plugin: Plugin) -> None:
    ex = plugin.exec_config(args=["get-token", "--cluster=prod"], env={"FOO": "bar"})
    with Transport(_cfg(server, pki, ex)) as t:
        t.request("GET", server.url + "/api")
    assert server.requests[0].header("Authorization") == "Bearer plugin-token-1"
    rec = plugin.run_record(1)
    assert rec["argv"] == ["get-token", "--cluster=prod"]
    assert rec["foo"] == "bar"
    assert rec["info"] == {
        "apiVersion": V1,
        "kind": "ExecCredential",
        "spec": {"interactive": False},
    }


def test_exec_provide_cluster_info(server: Server, pki: PKI, plugin: Plugin) -> None:
    cluster = ExecClusterInfo(
        server=server.url, certificate_authority_data=pki.ca_pem, config={"audience": "kube"}
    )
    ex = plugin.exec_config(provide_cluster_info=True, cluster=cluster)
    with Transport(_cfg(server, pki, ex)) as t:
        t.request("GET", server.url + "/api")
    spec = plugin.run_record(1)["info"]["spec"]  # type: ignore[index]
    assert spec["cluster"]["server"] == server.url
    assert spec["cluster"]["config"] == {"audience": "kube"}
    import base64

    assert base64.b64decode(spec["cluster"]["certificate-authority-data"]) == pki.ca_pem


def test_exec_v1beta1(server: Server, pki: PKI, plugin: Plugin) -> None:
    ex = plugin.exec_config(api_version=V1BETA1, env={"API_VERSION": V1BETA1})
    with Transport(_cfg(server, pki, ex)) as t:
        assert t.request("GET", server.url + "/api").status_code == 200
    assert server.requests[0].header("Authorization") == "Bearer plugin-token-1"
    assert plugin.run_record(1)["info"]["apiVersion"] == V1BETA1  # type: ignore[index]


def test_exec_credential_cached_until_expiry(server: Server, pki: PKI, plugin: Plugin) -> None:
    ex = plugin.exec_config(env={"EXPIRES": "2999-01-01T00:00:00Z"})
    with Transport(_cfg(server, pki, ex)) as t:
        for _ in range(3):
            t.request("GET", server.url + "/api")
    assert plugin.runs == 1
    assert {r.header("Authorization") for r in server.requests} == {"Bearer plugin-token-1"}


def test_exec_expired_credential_is_refetched(server: Server, pki: PKI, plugin: Plugin) -> None:
    ex = plugin.exec_config(env={"EXPIRES": "2001-01-01T00:00:00Z"})
    with Transport(_cfg(server, pki, ex)) as t:
        t.request("GET", server.url + "/a")
        t.request("GET", server.url + "/b")
    assert plugin.runs == 2
    assert [r.header("Authorization") for r in server.requests] == [
        "Bearer plugin-token-1",
        "Bearer plugin-token-2",
    ]


def test_exec_expiry_with_injected_clock(plugin: Plugin) -> None:
    now = [1000.0]
    auth = ExecAuthenticator(
        plugin.exec_config(env={"EXPIRES": "1970-01-01T00:20:00Z"}), clock=lambda: now[0]
    )
    first = auth.credentials()
    now[0] = 1199.0
    assert auth.credentials() is first
    now[0] = 1200.0  # at expirationTimestamp (1200 s after the epoch): run again
    assert auth.credentials() is not first
    assert auth.runs == 2


def _reject(token: str) -> object:
    def respond(req: Recorded) -> tuple[int, dict[str, str], bytes]:
        if req.header("Authorization") == f"Bearer {token}":
            return 401, {"Content-Type": "application/json"}, b'{"kind":"Status","code":401}'
        return 200, {}, b"{}"

    return respond


def test_exec_refetched_after_401_and_request_retried_once(
    server: Server, pki: PKI, plugin: Plugin
) -> None:
    server.respond = _reject("plugin-token-1")  # type: ignore[assignment]
    with Transport(_cfg(server, pki, plugin.exec_config())) as t:
        resp = t.request("POST", server.url + "/api/v1/x", data=b"payload")
    assert resp.status_code == 200
    assert plugin.runs == 2
    assert [r.header("Authorization") for r in server.requests] == [
        "Bearer plugin-token-1",
        "Bearer plugin-token-2",
    ]
    assert [r.body for r in server.requests] == [b"payload", b"payload"]


def test_exec_second_401_is_returned_not_looped(server: Server, pki: PKI, plugin: Plugin) -> None:
    server.respond = lambda req: (401, {}, b"{}")
    with Transport(_cfg(server, pki, plugin.exec_config())) as t:
        resp = t.request("GET", server.url + "/api")
    assert resp.status_code == 401
    assert len(server.requests) == 2 and plugin.runs == 2


def test_static_token_401_is_not_retried(server: Server, pki: PKI) -> None:
    server.respond = lambda req: (401, {}, b"{}")
    with Transport(Config(host=server.url, ca_data=pki.ca_pem, bearer_token="t", qps=-1)) as t:
        assert t.request("GET", server.url + "/api").status_code == 401
    assert len(server.requests) == 1


def _cert_files(plugin: Plugin, pki: PKI) -> None:
    (plugin.folder / "alice.crt").write_bytes(pki.client_cert_pem)
    (plugin.folder / "alice.key").write_bytes(pki.client_key_pem)
    (plugin.folder / "bob.crt").write_bytes(pki.bob_cert_pem)
    (plugin.folder / "bob.key").write_bytes(pki.bob_key_pem)


def test_exec_client_certificate(mtls_server: Server, pki: PKI, plugin: Plugin) -> None:
    _cert_files(plugin, pki)
    plugin.mode("cert")
    with Transport(_cfg(mtls_server, pki, plugin.exec_config())) as t:
        assert t.request("GET", mtls_server.url + "/api").status_code == 200
    assert mtls_server.requests[0].client_cn == "alice"
    assert mtls_server.requests[0].header("Authorization") is None


def test_exec_client_certificate_rotated_after_401(
    mtls_server: Server, pki: PKI, plugin: Plugin
) -> None:
    _cert_files(plugin, pki)
    plugin.mode("cert")
    mtls_server.respond = lambda req: (401 if req.client_cn == "alice" else 200, {}, b"{}")
    with Transport(_cfg(mtls_server, pki, plugin.exec_config())) as t:
        assert t.request("GET", mtls_server.url + "/api").status_code == 200
    assert [r.client_cn for r in mtls_server.requests] == ["alice", "bob"]


def test_exec_missing_command_with_install_hint(server: Server, pki: PKI, tmp_path: Path) -> None:
    ex = ExecConfig(
        command="kubeset-no-such-plugin",
        api_version=V1,
        interactive_mode="Never",
        install_hint="Install it with: brew install \x1b[1mthe-plugin\x1b[0m",
    )
    with Transport(_cfg(server, pki, ex)) as t, pytest.raises(ExecPluginError) as info:
        t.request("GET", server.url + "/api")
    msg = str(info.value)
    assert "exec: executable kubeset-no-such-plugin not found" in msg
    assert "Install it with: brew install" in msg
    assert "\x1b" not in msg  # escape sequences from the kubeconfig are neutralised
    assert server.requests == []


def test_exec_failure_exit_code_and_stderr_passthrough(
    server: Server, pki: PKI, plugin: Plugin, capfd: pytest.CaptureFixture[str]
) -> None:
    plugin.mode("fail")
    with (
        Transport(_cfg(server, pki, plugin.exec_config())) as t,
        pytest.raises(ExecPluginError) as info,
    ):
        t.request("GET", server.url + "/api")
    msg = str(info.value)
    assert f"exec: executable {plugin.path} failed with exit code 3" in msg
    assert "SECRET-ON-STDOUT" not in msg and "SECRET-ON-STDERR" not in msg
    err = capfd.readouterr().err
    assert "plugin failed: SECRET-ON-STDERR" in err  # stderr went to our stderr
    assert server.requests == []


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("garbage", "decoding stdout"),
        ("list", "expected an ExecCredential object, got a list"),
        ("wrong-version", "plugin returned version 'client.authentication.k8s.io/v9'"),
        ("no-status", "exec plugin didn't return a status field"),
        ("empty-status", "exec plugin didn't return a token or cert/key pair"),
        ("cert-only", "exec plugin returned only certificate or key, not both"),
        ("token-not-string", "status.token must be a string"),
        ("bad-expiry", "status.expirationTimestamp is not an RFC 3339 time"),
    ],
)
def test_exec_bad_output(plugin: Plugin, mode: str, expected: str) -> None:
    plugin.mode(mode)
    auth = ExecAuthenticator(plugin.exec_config(), user="dev")
    with pytest.raises(ExecPluginError) as info:
        auth.credentials()
    msg = str(info.value)
    assert expected in msg
    assert str(plugin.path) in msg and "'dev'" in msg
    assert "SECRET" not in msg
    assert info.value.__cause__ is None


def test_interactive_never_gives_no_stdin(plugin: Plugin) -> None:
    read_fd, write_fd = os.pipe()
    os.write(write_fd, b"typed-by-user\n")
    os.close(write_fd)
    auth = ExecAuthenticator(
        plugin.exec_config(interactive_mode="Never"), stdin_is_terminal=lambda: True, stdin=read_fd
    )
    auth.credentials()
    os.close(read_fd)
    rec = plugin.run_record(1)
    assert rec["stdin"] == ""
    assert rec["info"]["spec"]["interactive"] is False  # type: ignore[index]


@pytest.mark.parametrize("mode", ["IfAvailable", "Always"])
def test_interactive_with_terminal_passes_stdin(plugin: Plugin, mode: str) -> None:
    plugin.mode("stdin-token")
    read_fd, write_fd = os.pipe()
    os.write(write_fd, b"typed-by-user\n")
    os.close(write_fd)
    auth = ExecAuthenticator(
        plugin.exec_config(interactive_mode=mode), stdin_is_terminal=lambda: True, stdin=read_fd
    )
    cred = auth.credentials()
    os.close(read_fd)
    assert cred.token == "typed-by-user"
    assert plugin.run_record(1)["info"]["spec"]["interactive"] is True  # type: ignore[index]


def test_interactive_if_available_without_terminal(plugin: Plugin) -> None:
    auth = ExecAuthenticator(
        plugin.exec_config(interactive_mode="IfAvailable"), stdin_is_terminal=lambda: False
    )
    auth.credentials()
    assert plugin.run_record(1)["info"]["spec"]["interactive"] is False  # type: ignore[index]


def test_interactive_always_without_terminal_is_an_error(plugin: Plugin) -> None:
    auth = ExecAuthenticator(
        plugin.exec_config(interactive_mode="Always"), stdin_is_terminal=lambda: False
    )
    with pytest.raises(ExecPluginError, match="standard input is not a terminal"):
        auth.credentials()
    assert plugin.runs == 0


def test_exec_from_kubeconfig_end_to_end(
    server: Server, pki: PKI, plugin: Plugin, tmp_path: Path
) -> None:
    import yaml
    from kubeset.config import load_kubeconfig

    ca = tmp_path / "ca.crt"
    ca.write_bytes(pki.ca_pem)
    doc = {
        "clusters": [
            {"name": "c", "cluster": {"server": server.url, "certificate-authority": "ca.crt"}}
        ],
        "users": [
            {
                "name": "u",
                "user": {
                    "exec": {
                        "command": "./plugin/kube-plugin",
                        "apiVersion": V1,
                        "interactiveMode": "Never",
                        "provideClusterInfo": True,
                        "env": [{"name": "STATE", "value": str(plugin.folder)}],
                    }
                },
            }
        ],
        "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "ctx",
    }
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(doc))
    with Transport(load_kubeconfig(path).copy(qps=-1)) as t:
        assert t.request("GET", server.url + "/api").status_code == 200
    assert server.requests[0].header("Authorization") == "Bearer plugin-token-1"
    spec = plugin.run_record(1)["info"]["spec"]  # type: ignore[index]
    assert spec["cluster"]["server"] == server.url


def test_exec_plugin_runs_once_for_concurrent_requests(
    server: Server, pki: PKI, plugin: Plugin
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with Transport(_cfg(server, pki, plugin.exec_config())) as t, ThreadPoolExecutor(8) as pool:
        codes = list(
            pool.map(lambda i: t.request("GET", server.url + f"/api/{i}").status_code, range(24))
        )
    assert codes == [200] * 24
    assert plugin.runs == 1
    assert {r.header("Authorization") for r in server.requests} == {"Bearer plugin-token-1"}
