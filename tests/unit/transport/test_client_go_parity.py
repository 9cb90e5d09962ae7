"""Where kubeset used to differ from client-go (issue 10): one test per behaviour.

Requests go to the local HTTPS (or plain HTTP) server of conftest.py; the oidc issuer
is a second local HTTPS server with a certificate from the test CA.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubeset.config import (
    AuthProviderConfig,
    Config,
    ConfigError,
    ExecClusterInfo,
    ExecConfig,
    ImpersonationConfig,
    build_user_agent,
    load_kubeconfig,
)
from kubeset.transport import Transport
from kubeset.transport.auth import (
    ClientCertFiles,
    Credentials,
    ExecAuthenticator,
    ExecPluginError,
    OIDCToken,
    RequestAuth,
    clean_install_hint,
    exec_authenticator,
    exec_plugin_applies,
    impersonation_headers,
)

from .conftest import PKI, Recorded, Server
from .test_exec_plugin import V1, Plugin


@pytest.fixture
def plugin(tmp_path: Path) -> Plugin:
    return Plugin(tmp_path / "plugin")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _kubeconfig(path: Path, server: str, user: dict[str, Any], **cluster: Any) -> Path:
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": server, **cluster}}],
        "users": [{"name": "u", "user": user}],
        "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "ctx",
    }
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


# --------------------------------------------------------------------------- server URL


def test_server_without_scheme_is_plain_http_without_tls_settings_or_credentials(
    plain_server: Server, pki: PKI, tmp_path: Path, plugin: Plugin
) -> None:
    host_port = f"127.0.0.1:{plain_server.port}"
    path = _kubeconfig(
        tmp_path / "config",
        host_port,
        {"token": "SECRET-TOKEN-plain"},
        **{"certificate-authority-data": _b64(pki.ca_pem), "tls-server-name": "kube.test"},
    )
    cfg = load_kubeconfig(path)
    assert cfg.host == f"http://{host_port}"  # the scheme is decided here, stored in host
    assert cfg.ca_data is None and cfg.server_name is None
    assert cfg.bearer_token is None
    with Transport(cfg) as t:
        assert t.request("GET", cfg.host + "/api").status_code == 200
    assert plain_server.requests[0].header("Authorization") is None


# --------------------------------------------------------------------------- precedence


def test_client_certificate_means_no_exec_plugin_and_no_plugin_token(
    mtls_server: Server, pki: PKI, tmp_path: Path, plugin: Plugin
) -> None:
    path = _kubeconfig(
        tmp_path / "config",
        mtls_server.url,
        {
            "client-certificate-data": _b64(pki.client_cert_pem),
            "client-key-data": _b64(pki.client_key_pem),
            "exec": {
                "command": str(plugin.path),
                "apiVersion": V1,
                "interactiveMode": "Never",
                "env": [{"name": "STATE", "value": str(plugin.folder)}],
            },
        },
        **{"certificate-authority-data": _b64(pki.ca_pem)},
    )
    cfg = load_kubeconfig(path)
    assert cfg.exec_provider is None
    with Transport(cfg) as t:
        assert t.request("GET", mtls_server.url + "/api").status_code == 200
    assert mtls_server.requests[0].client_cn == "alice"
    assert mtls_server.requests[0].header("Authorization") is None
    assert plugin.runs == 0
    # the same rule for a Config built by hand (the transport asks exec_plugin_applies)
    exec_cfg = plugin.exec_config()
    assert not exec_plugin_applies(
        Config(host="https://x", cert_file="c", key_file="k", exec_provider=exec_cfg)
    )
    assert not exec_plugin_applies(
        Config(host="https://x", bearer_token="t", exec_provider=exec_cfg)
    )
    assert exec_plugin_applies(Config(host="https://x", exec_provider=exec_cfg))


# --------------------------------------------------------------------------- exec plugins


def test_exec_authenticator_shared_per_process_per_config_and_cluster(plugin: Plugin) -> None:
    first = exec_authenticator(plugin.exec_config())
    second = exec_authenticator(plugin.exec_config())  # an equal config from another client
    assert first is second
    assert first.credentials().token == second.credentials().token == "plugin-token-1"
    assert plugin.runs == 1
    other_cluster = plugin.exec_config(
        provide_cluster_info=True, cluster=ExecClusterInfo(server="https://other:6443")
    )
    third = exec_authenticator(other_cluster)
    assert third is not first
    assert third.credentials().token == "plugin-token-2"
    # a 401 seen by one client refreshes the credential for every client sharing it
    assert first.invalidate(first.credentials())
    assert second.credentials().token == "plugin-token-3"
    assert plugin.runs == 3


def test_install_hint_shown_at_most_10_times_an_hour() -> None:
    now = [1000.0]
    auth = ExecAuthenticator(
        ExecConfig(
            command="kubeset-no-such-plugin",
            api_version=V1,
            interactive_mode="Never",
            install_hint="brew install the-plugin",
        ),
        clock=lambda: now[0],
    )

    def message() -> str:
        with pytest.raises(ExecPluginError) as info:
            auth.credentials()
        return str(info.value)

    shown = ["brew install the-plugin" in message() for _ in range(12)]
    assert shown == [True] * 10 + [False] * 2
    assert "exec: executable kubeset-no-such-plugin not found" in message()
    now[0] += 3600
    assert "brew install the-plugin" in message()


def test_install_hint_control_characters_escaped_tab_through_cr_kept() -> None:
    hint = "a\x1b[31mred\x07\tb\nc\x0bd\x0ce\rf\x7fg\x85h"
    assert clean_install_hint(hint) == "aU+001B[31mredU+0007\tb\nc\x0bd\x0ce\rfU+007FgU+0085h"


# --------------------------------------------------------------------------- files on disk


def test_client_cert_files_reread_at_most_once_a_second_when_they_rotate(
    tmp_path: Path, pki: PKI
) -> None:
    cert, key = tmp_path / "client.crt", tmp_path / "client.key"
    cert.write_bytes(pki.client_cert_pem)
    key.write_bytes(pki.client_key_pem)
    now = [0.0]
    files = ClientCertFiles(str(cert), str(key), clock=lambda: now[0])
    assert files.current() == ((pki.client_cert_pem, pki.client_key_pem), False)
    cert.write_bytes(pki.bob_cert_pem)
    key.write_bytes(pki.bob_key_pem)
    now[0] = 0.5
    assert files.current() == ((pki.client_cert_pem, pki.client_key_pem), False)  # not yet
    assert files.reads == 1
    now[0] = 1.0
    assert files.current() == ((pki.bob_cert_pem, pki.bob_key_pem), True)  # rotated
    now[0] = 2.5
    assert files.current() == ((pki.bob_cert_pem, pki.bob_key_pem), False)
    assert files.reads == 3
    key.unlink()
    now[0] = 4.0
    with pytest.raises(ConfigError, match="client-key .*client.key: cannot read the file"):
        files.current()


def test_unreadable_token_file_is_an_error_when_the_config_is_built(tmp_path: Path) -> None:
    path = _kubeconfig(tmp_path / "config", "https://k8s.example:6443", {"tokenFile": "missing"})
    with pytest.raises(ConfigError) as info:
        load_kubeconfig(path)
    assert str(tmp_path / "missing") in str(info.value)
    assert "tokenFile of user 'u'" in str(info.value)


# --------------------------------------------------------------------------- oidc

ID_SECRET_OLD = "SECRET-ID-OLD"
REFRESH_OLD = "SECRET-REFRESH-OLD-r1"
REFRESH_NEW = "SECRET-REFRESH-NEW-r2"
CLIENT_SECRET = "SECRET-CLIENT-s3"


def _jwt(exp: float, tag: str = "") -> str:
    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part({'sub': 'me', 'exp': int(exp), 'tag': tag})}.c2ln"


def _issue(issuer: Server, new_id: str, *, status: int = 200) -> None:
    def respond(req: Recorded) -> tuple[int, dict[str, str], bytes]:
        if req.path == "/dex/.well-known/openid-configuration":
            doc = {"issuer": issuer.url + "/dex", "token_endpoint": issuer.url + "/dex/token"}
            return 200, {"Content-Type": "application/json"}, json.dumps(doc).encode()
        if req.path == "/dex/token" and status == 200:
            body = {"id_token": new_id, "refresh_token": REFRESH_NEW, "token_type": "bearer"}
            return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()
        if req.path == "/dex/token":
            body = {"error": "invalid_grant", "error_description": f"bad {REFRESH_OLD}"}
            return status, {"Content-Type": "application/json"}, json.dumps(body).encode()
        return 404, {}, b""

    issuer.respond = respond  # type: ignore[method-assign]


def _oidc_kubeconfig(
    tmp_path: Path, server: Server, issuer: Server, pki: PKI, id_token: str
) -> Path:
    path = _kubeconfig(
        tmp_path / "config",
        server.url,
        {
            "auth-provider": {
                "name": "oidc",
                "config": {
                    "idp-issuer-url": issuer.url + "/dex",
                    "client-id": "kubeset",
                    "client-secret": CLIENT_SECRET,
                    "id-token": id_token,
                    "refresh-token": REFRESH_OLD,
                    "idp-certificate-authority-data": _b64(pki.ca_pem),
                },
            },
            "x-unknown-field": "kept",
        },
        **{"certificate-authority-data": _b64(pki.ca_pem)},
    )
    path.chmod(0o640)
    return path


def test_oidc_issuer_url_and_client_id_are_required() -> None:
    with pytest.raises(ConfigError, match="^Must provide idp-issuer-url"):
        OIDCToken(AuthProviderConfig("oidc", {"client-id": "k", "id-token": "x"}))
    with pytest.raises(ConfigError, match="^Must provide client-id"):
        OIDCToken(AuthProviderConfig("oidc", {"idp-issuer-url": "https://i", "id-token": "x"}))


def test_oidc_id_token_within_10s_of_expiry_is_refreshed_and_written_back(
    server: Server, issuer: Server, pki: PKI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    new_id = _jwt(time.time() + 3600, "new")
    _issue(issuer, new_id)
    path = _oidc_kubeconfig(tmp_path, server, issuer, pki, _jwt(time.time() + 5, "old"))
    cfg = load_kubeconfig(path)
    with Transport(cfg) as t:
        assert t.request("GET", server.url + "/api").status_code == 200
        assert t.request("GET", server.url + "/api").status_code == 200
    assert [r.header("Authorization") for r in server.requests] == [f"Bearer {new_id}"] * 2
    # discovery, then the refresh-token grant with the client's basic auth; once
    assert [(r.method, r.path) for r in issuer.requests] == [
        ("GET", "/dex/.well-known/openid-configuration"),
        ("POST", "/dex/token"),
    ]
    grant = urllib.parse.parse_qs(issuer.requests[1].body.decode())
    assert grant == {"grant_type": ["refresh_token"], "refresh_token": [REFRESH_OLD]}
    basic = base64.b64encode(f"kubeset:{CLIENT_SECRET}".encode()).decode()
    assert issuer.requests[1].header("Authorization") == f"Basic {basic}"
    # written back atomically to the file that held them, permissions kept
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    user = yaml.safe_load(path.read_text())["users"][0]["user"]
    assert user["auth-provider"]["config"]["id-token"] == new_id
    assert user["auth-provider"]["config"]["refresh-token"] == REFRESH_NEW
    assert user["auth-provider"]["config"]["client-id"] == "kubeset"
    assert user["x-unknown-field"] == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["config"]  # no temporary file left
    for secret in (REFRESH_OLD, REFRESH_NEW, CLIENT_SECRET, new_id):
        assert secret not in caplog.text


def test_oidc_id_token_valid_beyond_10s_is_used_as_is(
    server: Server, issuer: Server, pki: PKI, tmp_path: Path
) -> None:
    old = _jwt(time.time() + 30, "old")
    _issue(issuer, _jwt(time.time() + 3600, "new"))
    path = _oidc_kubeconfig(tmp_path, server, issuer, pki, old)
    before = path.read_text()
    with Transport(load_kubeconfig(path)) as t:
        t.request("GET", server.url + "/api")
    assert server.requests[0].header("Authorization") == f"Bearer {old}"
    assert issuer.requests == [] and path.read_text() == before


def test_oidc_refresh_failure_names_the_error_code_but_no_secret(
    server: Server, issuer: Server, pki: PKI, tmp_path: Path
) -> None:
    _issue(issuer, "unused", status=400)
    path = _oidc_kubeconfig(tmp_path, server, issuer, pki, _jwt(time.time() - 60, "old"))
    with Transport(load_kubeconfig(path)) as t, pytest.raises(ConfigError) as info:
        t.request("GET", server.url + "/api")
    msg = str(info.value)
    assert "failed to refresh token" in msg and "HTTP 400 (invalid_grant)" in msg
    for secret in (REFRESH_OLD, CLIENT_SECRET, ID_SECRET_OLD):
        assert secret not in msg and secret not in repr(info.value)
    assert server.requests == []


def test_oidc_write_back_failure_is_logged_without_secrets_and_tokens_stay_in_use(
    server: Server, issuer: Server, pki: PKI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    new_id = _jwt(time.time() + 3600, "new")
    _issue(issuer, new_id)
    path = _oidc_kubeconfig(tmp_path, server, issuer, pki, _jwt(time.time() - 60, "old"))
    cfg = load_kubeconfig(path)
    path.write_text("users: []\n")  # the user disappeared from the file meanwhile
    with caplog.at_level(logging.WARNING), Transport(cfg) as t:
        assert t.request("GET", server.url + "/api").status_code == 200
    assert server.requests[0].header("Authorization") == f"Bearer {new_id}"
    assert "could not persist new tokens for user 'u'" in caplog.text
    for secret in (REFRESH_OLD, REFRESH_NEW, CLIENT_SECRET, new_id):
        assert secret not in caplog.text


# --------------------------------------------------------------------------- impersonation


def test_as_uid_without_as_is_an_error_naming_uid(tmp_path: Path) -> None:
    path = _kubeconfig(tmp_path / "config", "https://k8s.example:6443", {"as-uid": "1234"})
    with pytest.raises(ConfigError, match="requesting uid, groups or user-extra for u without"):
        load_kubeconfig(path)
    with pytest.raises(ConfigError, match="uid, groups or extra are requested without"):
        impersonation_headers(ImpersonationConfig(uid="1234"))


def test_caller_impersonate_user_header_replaces_config_impersonation() -> None:
    imp = ImpersonationConfig(
        user="jane", uid="42", groups=["a", "b"], extra={"scopes.example/x y": ["v1", "v2"]}
    )
    assert impersonation_headers(imp) == [
        ("Impersonate-User", "jane"),
        ("Impersonate-Uid", "42"),
        ("Impersonate-Group", "a"),
        ("Impersonate-Group", "b"),
        ("Impersonate-Extra-scopes.example%2Fx%20y", "v1"),
        ("Impersonate-Extra-scopes.example%2Fx%20y", "v2"),
    ]
    assert impersonation_headers(imp, {"Impersonate-User": "bob"}) == []
    assert impersonation_headers(imp, {"impersonate-user": "bob", "Accept": "x"}) == []
    assert impersonation_headers(imp, {"Impersonate-Group": "c"})[0] == ("Impersonate-User", "jane")
    assert impersonation_headers(ImpersonationConfig()) == []


# --------------------------------------------------------------------------- user agent


def test_user_agent_names_the_program_and_can_be_set(server: Server, pki: PKI) -> None:
    agent = build_user_agent("my-controller", "1.4.2")
    assert agent.startswith("my-controller/1.4.2 (")
    assert agent.endswith(f") kubeset/{__import__('kubeset').__version__}")
    with Transport(Config(host=server.url, ca_data=pki.ca_pem, user_agent=agent)) as t:
        t.request("GET", server.url + "/api")
    assert server.requests[0].header("User-Agent") == agent


# --------------------------------------------------------------------------- Credentials (the transport's seam)


def _exec_kubeconfig(tmp_path: Path, plugin: Plugin, **user: Any) -> Path:
    return _kubeconfig(
        tmp_path / "config",
        "https://k8s.example:6443",
        {
            "exec": {
                "command": str(plugin.path),
                "apiVersion": V1,
                "interactiveMode": "Never",
                "env": [{"name": "STATE", "value": str(plugin.folder)}],
            },
            **user,
        },
    )


def test_credentials_of_two_clients_share_one_exec_plugin_run(
    tmp_path: Path, plugin: Plugin
) -> None:
    path = _exec_kubeconfig(tmp_path, plugin)
    first, second = Credentials(load_kubeconfig(path)), Credentials(load_kubeconfig(path))
    auth = first.for_request()
    assert auth.headers == [("Authorization", "Bearer plugin-token-1")]
    assert second.for_request().headers == auth.headers
    assert plugin.runs == 1
    assert first.rejected(auth)  # a 401: the next request of every client gets a new one
    assert second.for_request().headers == [("Authorization", "Bearer plugin-token-2")]
    assert plugin.runs == 2
    assert not first.rejected(RequestAuth(headers=[]))  # no exec credential: nothing to drop


def test_credentials_never_run_exec_plugin_beside_a_client_certificate(
    tmp_path: Path, plugin: Plugin, pki: PKI
) -> None:
    cfg = Config(
        host="https://x",
        cert_data=pki.client_cert_pem,
        key_data=pki.client_key_pem,
        exec_provider=plugin.exec_config(),
    )
    creds = Credentials(cfg)
    assert creds.exec is None
    assert creds.for_request().headers == []
    assert plugin.runs == 0


def test_credentials_caller_impersonate_user_replaces_config_impersonation() -> None:
    cfg = Config(
        host="https://x",
        bearer_token="t",
        impersonate=ImpersonationConfig(user="jane", groups=["g"]),
    )
    creds = Credentials(cfg)
    assert creds.for_request().headers == [
        ("Authorization", "Bearer t"),
        ("Impersonate-User", "jane"),
        ("Impersonate-Group", "g"),
    ]
    assert creds.for_request({"Impersonate-User": "bob"}).headers == [("Authorization", "Bearer t")]
    assert creds.for_request({"Authorization": "Bearer mine"}).headers[0] == (
        "Impersonate-User",
        "jane",
    )
    with pytest.raises(ConfigError, match="uid, groups or extra are requested without"):
        Credentials(Config(host="https://x", impersonate=ImpersonationConfig(uid="1")))


def test_credentials_report_rotated_client_certificate_files(tmp_path: Path, pki: PKI) -> None:
    cert, key = tmp_path / "c.crt", tmp_path / "c.key"
    cert.write_bytes(pki.client_cert_pem)
    key.write_bytes(pki.client_key_pem)
    creds = Credentials(Config(host="https://x", cert_file=str(cert), key_file=str(key)))
    now = [0.0]
    assert creds.cert_files is not None
    creds.cert_files = ClientCertFiles(str(cert), str(key), clock=lambda: now[0])
    assert creds.for_request().client_cert is None  # the TLS context already has it
    cert.write_bytes(pki.bob_cert_pem)
    key.write_bytes(pki.bob_key_pem)
    now[0] = 1.0
    assert creds.for_request().client_cert == (pki.bob_cert_pem, pki.bob_key_pem)
    assert creds.for_request().client_cert is None


def test_credentials_of_two_clients_share_one_oidc_refresh(
    server: Server, issuer: Server, pki: PKI, tmp_path: Path
) -> None:
    new_id = _jwt(time.time() + 3600, "new")
    _issue(issuer, new_id)
    path = _oidc_kubeconfig(tmp_path, server, issuer, pki, _jwt(time.time() - 60, "old"))
    first, second = Credentials(load_kubeconfig(path)), Credentials(load_kubeconfig(path))
    assert first.for_request().headers == [("Authorization", f"Bearer {new_id}")]
    assert second.for_request().headers == [("Authorization", f"Bearer {new_id}")]
    assert [r.path for r in issuer.requests].count("/dex/token") == 1
