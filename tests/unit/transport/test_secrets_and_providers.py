"""No secret in reprs, exception messages or logs; auth-providers (gcp, azure, oidc)."""

from __future__ import annotations

import base64
import json
import logging
import time
from pathlib import Path

import pytest
import yaml
from kubeset.config import (
    AuthProviderConfig,
    Config,
    ConfigError,
    ExecConfig,
    load_kubeconfig,
)
from kubeset.transport import Transport
from kubeset.transport.auth import ExecAuthenticator, ExecCredential, ExecPluginError

from .conftest import PKI, Server

TOKEN = "SECRET-TOKEN-a1b2c3"
PASSWORD = "SECRET-PASSWORD-d4e5"
ENV_SECRET = "SECRET-ENV-f6g7"
ID_TOKEN_SECRET = "SECRET-REFRESH-h8i9"


def _jwt(exp: float) -> str:
    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part({'sub': 'me', 'exp': int(exp)})}.c2lnbmF0dXJl"


def _secrets(pki: PKI) -> list[str]:
    key_body = pki.client_key_pem.decode().splitlines()[1]  # a line of the key itself
    return [TOKEN, PASSWORD, ENV_SECRET, ID_TOKEN_SECRET, key_body]


def _assert_clean(text: str, pki: PKI) -> None:
    for secret in _secrets(pki):
        assert secret not in text


def test_reprs_hide_secrets(pki: PKI) -> None:
    cfg = Config(
        host="https://x",
        bearer_token=TOKEN,
        username="admin",
        password=PASSWORD,
        cert_data=pki.client_cert_pem,
        key_data=pki.client_key_pem,
        exec_provider=ExecConfig(command="p", env={"API_KEY": ENV_SECRET}),
        auth_provider=AuthProviderConfig(
            "oidc", {"id-token": TOKEN, "refresh-token": ID_TOKEN_SECRET}
        ),
        proxy_url=f"http://proxyuser:{PASSWORD}@proxy:3128",
    )
    for text in (repr(cfg), str(cfg), f"{cfg}", repr(cfg.exec_provider), repr(cfg.auth_provider)):
        _assert_clean(text, pki)
    assert "REDACTED" in repr(cfg)
    assert "admin" in repr(cfg)  # non-secret fields stay visible
    cred = ExecCredential(token=TOKEN, cert_pem=pki.client_cert_pem, key_pem=pki.client_key_pem)
    _assert_clean(repr(cred), pki)


def test_loaded_config_repr_hides_secrets(tmp_path: Path, pki: PKI) -> None:
    doc = {
        "clusters": [{"name": "c", "cluster": {"server": "https://x"}}],
        "users": [
            {
                "name": "u",
                "user": {
                    "client-certificate-data": base64.b64encode(pki.client_cert_pem).decode(),
                    "client-key-data": base64.b64encode(pki.client_key_pem).decode(),
                    "token": TOKEN,
                },
            }
        ],
        "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "ctx",
    }
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(doc))
    _assert_clean(repr(load_kubeconfig(path)), pki)


def test_validation_errors_hide_secrets(tmp_path: Path, pki: PKI) -> None:
    doc = {
        "clusters": [
            {
                "name": "c",
                "cluster": {"server": "https://x", "proxy-url": f"gopher://u:{PASSWORD}@p"},
            }
        ],
        "users": [
            {
                "name": "u",
                "user": {
                    "token": TOKEN,
                    "username": "admin",
                    "password": PASSWORD,
                    "client-key-data": "!!" + TOKEN,
                },
            }
        ],
        "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "ctx",
    }
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(ConfigError) as info:
        load_kubeconfig(path)
    _assert_clean(str(info.value), pki)
    _assert_clean(repr(info.value), pki)
    doc["users"][0]["user"].pop("client-key-data")  # type: ignore[index]
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(ConfigError) as info:
        load_kubeconfig(path)
    assert "more than one authentication method" in str(info.value)
    _assert_clean(str(info.value), pki)


def test_full_flows_log_no_secrets(
    server: Server,
    pki: PKI,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    import sys

    plugin = tmp_path / "plugin.py"
    plugin.write_text(
        f"#!{sys.executable}\n"
        "import json, os\n"
        "assert os.environ['API_KEY']\n"
        f"print(json.dumps({{'apiVersion': 'client.authentication.k8s.io/v1', 'kind': 'ExecCredential', "
        f"'status': {{'token': '{TOKEN}'}}}}))\n"
    )
    plugin.chmod(0o755)
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN)
    configs = [
        Config(host=server.url, ca_data=pki.ca_pem, bearer_token=TOKEN),
        Config(host=server.url, ca_data=pki.ca_pem, bearer_token_file=str(token_file)),
        Config(host=server.url, ca_data=pki.ca_pem, username="admin", password=PASSWORD),
        Config(
            host=server.url,
            ca_data=pki.ca_pem,
            cert_data=pki.client_cert_pem,
            key_data=pki.client_key_pem,
        ),
        Config(
            host=server.url,
            ca_data=pki.ca_pem,
            exec_provider=ExecConfig(
                command=str(plugin), env={"API_KEY": ENV_SECRET}, interactive_mode="Never"
            ),
        ),
    ]
    server.respond = lambda req: (401, {}, b"{}")  # also exercise the exec retry path
    with caplog.at_level(logging.DEBUG):
        for cfg in configs:
            with Transport(cfg) as t:
                t.request("GET", server.url + "/api")
                _assert_clean(repr(t), pki)
    assert caplog.records  # urllib3 / kubeset did log at DEBUG
    _assert_clean(caplog.text, pki)
    out = capfd.readouterr()
    _assert_clean(out.out + out.err, pki)


def test_exec_errors_hide_plugin_output(tmp_path: Path, pki: PKI) -> None:
    import sys

    plugin = tmp_path / "plugin.py"
    plugin.write_text(f"#!{sys.executable}\nprint('{TOKEN} this is not json')\n")
    plugin.chmod(0o755)
    auth = ExecAuthenticator(
        ExecConfig(command=str(plugin), env={"X": ENV_SECRET}, interactive_mode="Never")
    )
    with pytest.raises(ExecPluginError) as info:
        auth.credentials()
    _assert_clean(str(info.value) + repr(info.value) + repr(auth), pki)


# --------------------------------------------------------------------------- auth providers


def test_gcp_auth_provider_points_to_exec_plugin() -> None:
    cfg = Config(host="https://x", auth_provider=AuthProviderConfig("gcp", {"access-token": TOKEN}))
    with pytest.raises(ConfigError) as info:
        Transport(cfg)
    msg = str(info.value)
    assert "The gcp auth plugin has been removed" in msg
    assert "gke-gcloud-auth-plugin" in msg
    assert TOKEN not in msg


def test_azure_auth_provider_points_to_exec_plugin() -> None:
    cfg = Config(host="https://x", auth_provider=AuthProviderConfig("azure", {}))
    with pytest.raises(ConfigError, match="The azure auth plugin has been removed") as info:
        Transport(cfg)
    assert "kubelogin" in str(info.value)


def test_unknown_auth_provider() -> None:
    with pytest.raises(ConfigError, match='no Auth Provider found for name "keystone"'):
        Transport(Config(host="https://x", auth_provider=AuthProviderConfig("keystone", {})))


OIDC_REQUIRED = {"idp-issuer-url": "https://issuer.invalid", "client-id": "kubeset"}


def test_oidc_id_token_is_sent(server: Server, pki: PKI) -> None:
    id_token = _jwt(time.time() + 3600)
    provider = AuthProviderConfig(
        "oidc", {**OIDC_REQUIRED, "id-token": id_token, "refresh-token": ID_TOKEN_SECRET}
    )
    with Transport(Config(host=server.url, ca_data=pki.ca_pem, auth_provider=provider)) as t:
        t.request("GET", server.url + "/api")
    assert server.requests[0].header("Authorization") == f"Bearer {id_token}"


def test_oidc_expired_id_token_is_a_clear_error(server: Server, pki: PKI) -> None:
    # expired and no refresh-token (refreshing is tested in test_client_go_parity.py)
    id_token = _jwt(time.time() - 60)
    provider = AuthProviderConfig("oidc", {**OIDC_REQUIRED, "id-token": id_token})
    with (
        Transport(Config(host=server.url, ca_data=pki.ca_pem, auth_provider=provider)) as t,
        pytest.raises(
            ConfigError, match="No valid id-token, and cannot refresh without refresh-token"
        ) as info,
    ):
        t.request("GET", server.url + "/api")
    assert id_token not in str(info.value) and ID_TOKEN_SECRET not in str(info.value)
    assert server.requests == []  # no silent unauthenticated request


def test_oidc_without_issuer_is_a_clear_error() -> None:
    # client-go's message; without an id-token kubeset refreshes (test_client_go_parity.py)
    provider = AuthProviderConfig("oidc", {"refresh-token": ID_TOKEN_SECRET, "client-id": "k"})
    with pytest.raises(ConfigError, match="Must provide idp-issuer-url") as info:
        Transport(Config(host="https://x", auth_provider=provider))
    assert ID_TOKEN_SECRET not in str(info.value)


def test_exec_and_auth_provider_together_is_an_error() -> None:
    cfg = Config(
        host="https://x",
        exec_provider=ExecConfig(command="p"),
        auth_provider=AuthProviderConfig("oidc", {"id-token": "x"}),
    )
    with pytest.raises(
        ConfigError, match="execProvider and authProvider cannot be used in combination"
    ):
        Transport(cfg)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"command": ""}, "command must be specified"),
        ({"api_version": "client.authentication.k8s.io/v1alpha1"}, "invalid apiVersion"),
        ({"interactive_mode": "Sometimes"}, "invalid interactiveMode"),
    ],
)
def test_hand_built_exec_config_is_validated(kw: dict[str, str], message: str) -> None:
    base = {
        "command": "p",
        "api_version": "client.authentication.k8s.io/v1",
        "interactive_mode": "Never",
    }
    base.update(kw)
    with pytest.raises(ExecPluginError, match=message):
        Transport(Config(host="https://x", exec_provider=ExecConfig(**base)))  # type: ignore[arg-type]
