"""Kubeconfig loading with client-go's semantics (real files in temporary folders)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kubeset.config import (
    Config,
    ConfigError,
    default_kubeconfig_paths,
    load_kubeconfig,
)

from .conftest import WriteKubeconfig, b64, kubeconfig_doc

CA_PEM = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def simple(server: str = "https://k8s.example:6443", **user: object) -> dict[str, object]:
    return kubeconfig_doc(
        clusters={"c1": {"server": server}},
        users={"u1": dict(user) or {"token": "t1"}},
        contexts={"ctx1": {"cluster": "c1", "user": "u1"}},
        current="ctx1",
    )


# --------------------------------------------------------------------------- basics


def test_loads_current_context(write_kubeconfig: WriteKubeconfig) -> None:
    doc = kubeconfig_doc(
        clusters={
            "c1": {
                "server": "https://k8s.example:6443",
                "certificate-authority-data": b64(CA_PEM),
                "tls-server-name": "api.internal",
                "disable-compression": True,
            }
        },
        users={"u1": {"token": "abc"}},
        contexts={"ctx1": {"cluster": "c1", "user": "u1", "namespace": "team-a"}},
        current="ctx1",
    )
    cfg = load_kubeconfig(write_kubeconfig(doc=doc))
    assert cfg.host == "https://k8s.example:6443"
    assert cfg.ca_data == CA_PEM
    assert cfg.server_name == "api.internal"
    assert cfg.disable_compression is True
    assert cfg.bearer_token == "abc"
    assert cfg.namespace == "team-a"
    assert (cfg.qps, cfg.burst) == (5.0, 10)


def test_effective_namespace_default_and_override(write_kubeconfig: WriteKubeconfig) -> None:
    path = write_kubeconfig(doc=simple())
    assert load_kubeconfig(path).namespace == "default"
    assert load_kubeconfig(path, namespace="kube-system").namespace == "kube-system"


def test_context_cluster_user_overrides(write_kubeconfig: WriteKubeconfig) -> None:
    doc = kubeconfig_doc(
        clusters={"c1": {"server": "https://one"}, "c2": {"server": "https://two"}},
        users={"u1": {"token": "t1"}, "u2": {"token": "t2"}},
        contexts={
            "ctx1": {"cluster": "c1", "user": "u1"},
            "ctx2": {"cluster": "c2", "user": "u2", "namespace": "two"},
        },
        current="ctx1",
    )
    path = write_kubeconfig(doc=doc)
    cfg = load_kubeconfig(path, "ctx2")
    assert (cfg.host, cfg.bearer_token, cfg.namespace) == ("https://two", "t2", "two")
    cfg = load_kubeconfig(path, cluster="c2", user="u2")
    assert (cfg.host, cfg.bearer_token, cfg.namespace) == ("https://two", "t2", "default")


def test_impersonation_fields(write_kubeconfig: WriteKubeconfig) -> None:
    doc = simple(
        token="t",
        **{
            "as": "jane",
            "as-uid": "42",
            "as-groups": ["g1", "g2"],
            "as-user-extra": {"scopes": ["a", "b"]},
        },
    )
    cfg = load_kubeconfig(write_kubeconfig(doc=doc))
    imp = cfg.impersonate
    assert (imp.user, imp.uid, imp.groups, imp.extra) == (
        "jane",
        "42",
        ["g1", "g2"],
        {"scopes": ["a", "b"]},
    )


def test_path_prefix_in_server_is_kept(write_kubeconfig: WriteKubeconfig) -> None:
    path = write_kubeconfig(doc=simple(server="https://rancher.example/k8s/clusters/c-1"))
    assert load_kubeconfig(path).host == "https://rancher.example/k8s/clusters/c-1"


# --------------------------------------------------------------------------- KUBECONFIG merging


def test_kubeconfig_list_first_file_wins_whole_entries(
    write_kubeconfig: WriteKubeconfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write_kubeconfig(
        "a/config",
        doc=kubeconfig_doc(
            clusters={"shared": {"server": "https://first"}},
            users={"shared": {"token": "first-token"}},
            contexts={"main": {"cluster": "shared", "user": "shared"}},
        ),
    )
    second = write_kubeconfig(
        "b/config",
        doc=kubeconfig_doc(
            # same names: ignored whole (the CA and namespace must not be merged in)
            clusters={
                "shared": {"server": "https://second", "certificate-authority-data": b64(CA_PEM)},
                "only-second": {"server": "https://only-second"},
            },
            users={"shared": {"client-certificate-data": b64("x"), "client-key-data": b64("y")}},
            contexts={"main": {"cluster": "only-second", "user": "shared", "namespace": "ns2"}},
            current="main",
        ),
    )
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(first), str(second)]))
    cfg = load_kubeconfig()
    # current-context came from the second file (the first had none)
    assert cfg.host == "https://first"
    assert cfg.ca_data is None
    assert cfg.bearer_token == "first-token"
    assert cfg.cert_data is None and cfg.key_data is None
    assert cfg.namespace == "default"
    # a name only the second file defines is available
    assert load_kubeconfig(cluster="only-second").host == "https://only-second"


def test_first_non_empty_current_context_wins(
    write_kubeconfig: WriteKubeconfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    common = {
        "clusters": {"c1": {"server": "https://one"}, "c2": {"server": "https://two"}},
        "users": {"u": {"token": "t"}},
        "contexts": {
            "ctx1": {"cluster": "c1", "user": "u"},
            "ctx2": {"cluster": "c2", "user": "u"},
        },
    }
    a = write_kubeconfig("a", doc=kubeconfig_doc(current=""))
    b = write_kubeconfig("b", doc=kubeconfig_doc(current="ctx2", **common))
    c = write_kubeconfig("c", doc=kubeconfig_doc(current="ctx1"))
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join(map(str, [a, b, c])))
    assert load_kubeconfig().host == "https://two"


def test_kubeconfig_list_skips_empty_missing_and_duplicates(
    write_kubeconfig: WriteKubeconfig, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real = write_kubeconfig(doc=simple())
    missing = tmp_path / "missing"
    value = os.pathsep.join(["", str(missing), str(real), "", str(real)])
    monkeypatch.setenv("KUBECONFIG", value)
    assert default_kubeconfig_paths() == [str(missing), str(real)]
    assert load_kubeconfig().host == "https://k8s.example:6443"


def test_home_kubeconfig_when_env_unset(tmp_path: Path) -> None:
    home = Path(os.environ["HOME"])
    (home / ".kube").mkdir()
    import yaml

    (home / ".kube" / "config").write_text(yaml.safe_dump(simple(server="https://home")))
    assert default_kubeconfig_paths() == [str(home / ".kube" / "config")]
    assert load_kubeconfig().host == "https://home"


def test_explicit_path_loads_only_that_file(
    write_kubeconfig: WriteKubeconfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = write_kubeconfig("env", doc=simple(server="https://from-env"))
    explicit = write_kubeconfig(
        "explicit",
        doc=kubeconfig_doc(contexts={"x": {"cluster": "c1", "user": "u1"}}, current="x"),
    )
    monkeypatch.setenv("KUBECONFIG", str(env_file))
    # c1 exists only in the KUBECONFIG file: an explicit path must not see it
    with pytest.raises(ConfigError, match="no configuration has been provided"):
        load_kubeconfig(explicit)


def test_explicit_path_must_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError, match="does not exist") as info:
        load_kubeconfig(missing)
    assert str(missing) in str(info.value)


def test_no_kubeconfig_anywhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    with pytest.raises(ConfigError) as info:
        load_kubeconfig()
    assert str(info.value).startswith(
        "invalid configuration: no configuration has been provided, "
        "try setting KUBERNETES_MASTER environment variable"
    )


# --------------------------------------------------------------------------- relative paths


def test_relative_paths_resolve_against_defining_file(
    write_kubeconfig: WriteKubeconfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "kube" / "team"
    (folder / "certs").mkdir(parents=True)
    for name in ("ca.crt", "client.crt", "client.key"):
        (folder / "certs" / name).write_bytes(CA_PEM)
    (folder / "token").write_text("tok")
    doc = kubeconfig_doc(
        clusters={"c": {"server": "https://x", "certificate-authority": "certs/ca.crt"}},
        users={
            "u": {
                "client-certificate": "certs/client.crt",
                "client-key": "./certs/client.key",
                "tokenFile": "token",
            }
        },
        contexts={"ctx": {"cluster": "c", "user": "u"}},
        current="ctx",
    )
    path = write_kubeconfig("kube/team/config", doc=doc)
    # loaded from elsewhere (and through KUBECONFIG): still relative to the file's folder
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KUBECONFIG", str(path))
    cfg = load_kubeconfig()
    assert cfg.ca_file == str(folder / "certs" / "ca.crt")
    assert cfg.cert_file == str(folder / "certs" / "client.crt")
    assert os.path.normpath(str(cfg.key_file)) == str(folder / "certs" / "client.key")
    assert cfg.bearer_token_file == str(folder / "token")


def test_absolute_paths_are_kept(write_kubeconfig: WriteKubeconfig, tmp_path: Path) -> None:
    ca = tmp_path / "abs-ca.crt"
    ca.write_bytes(CA_PEM)
    doc = simple()
    doc["clusters"][0]["cluster"]["certificate-authority"] = str(ca)  # type: ignore[index]
    cfg = load_kubeconfig(write_kubeconfig("sub/config", doc=doc))
    assert cfg.ca_file == str(ca)


def test_exec_command_with_separator_is_relative_to_file(
    write_kubeconfig: WriteKubeconfig, tmp_path: Path
) -> None:
    def exec_doc(command: str) -> dict[str, object]:
        return simple(
            exec={
                "command": command,
                "apiVersion": "client.authentication.k8s.io/v1",
                "interactiveMode": "Never",
            }
        )

    cfg = load_kubeconfig(write_kubeconfig("k/config", doc=exec_doc("./bin/plugin")))
    assert cfg.exec_provider is not None
    assert os.path.normpath(cfg.exec_provider.command) == str(tmp_path / "k" / "bin" / "plugin")
    cfg = load_kubeconfig(write_kubeconfig("k/config2", doc=exec_doc("gke-gcloud-auth-plugin")))
    assert cfg.exec_provider is not None
    assert cfg.exec_provider.command == "gke-gcloud-auth-plugin"  # looked up on PATH


# --------------------------------------------------------------------------- users and auth


def test_data_fields_are_base64(write_kubeconfig: WriteKubeconfig) -> None:
    cert = b"-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----\n"
    key = b"-----BEGIN EC PRIVATE KEY-----\nKEY\n-----END EC PRIVATE KEY-----\n"
    doc = simple(**{"client-certificate-data": b64(cert), "client-key-data": b64(key)})
    cfg = load_kubeconfig(write_kubeconfig(doc=doc))
    assert (cfg.cert_data, cfg.key_data) == (cert, key)
    assert cfg.bearer_token is None


def test_missing_user_runs_without_credentials(write_kubeconfig: WriteKubeconfig) -> None:
    doc = kubeconfig_doc(
        clusters={"c": {"server": "https://x"}},
        users={"someone-else": {"token": "t"}},
        contexts={"ctx": {"cluster": "c", "user": "ghost"}},
        current="ctx",
    )
    cfg = load_kubeconfig(write_kubeconfig(doc=doc))
    assert cfg.host == "https://x"
    assert not (
        cfg.bearer_token
        or cfg.bearer_token_file
        or cfg.username
        or cfg.exec_provider
        or cfg.cert_data
    )


def test_missing_current_context_uses_client_go_wording(write_kubeconfig: WriteKubeconfig) -> None:
    doc = simple()
    doc["current-context"] = "gone"
    with pytest.raises(ConfigError) as info:
        load_kubeconfig(write_kubeconfig(doc=doc))
    assert "context was not found for specified context: gone" in str(info.value)
    assert str(info.value).startswith("invalid configuration: ")


def test_missing_explicit_context_uses_client_go_wording(write_kubeconfig: WriteKubeconfig) -> None:
    with pytest.raises(ConfigError, match='^context "gone" does not exist$'):
        load_kubeconfig(write_kubeconfig(doc=simple()), "gone")


def test_missing_cluster_uses_client_go_wording(write_kubeconfig: WriteKubeconfig) -> None:
    doc = kubeconfig_doc(
        clusters={"other": {"server": "https://x"}},
        users={"u": {"token": "t"}},
        contexts={"ctx": {"cluster": "gone", "user": "u"}},
        current="ctx",
    )
    path = write_kubeconfig(doc=doc)
    with pytest.raises(ConfigError) as info:
        load_kubeconfig(path)
    msg = str(info.value)
    assert msg.startswith("invalid configuration: no configuration has been provided")
    assert '"gone"' in msg  # and says which cluster is missing
    with pytest.raises(ConfigError, match='^cluster "gone" does not exist$'):
        load_kubeconfig(path, cluster="gone")
    with pytest.raises(ConfigError, match='^auth info "gone" does not exist$'):
        load_kubeconfig(path, user="gone")


def test_all_validation_errors_together(write_kubeconfig: WriteKubeconfig, tmp_path: Path) -> None:
    doc = kubeconfig_doc(
        clusters={
            "c": {
                "certificate-authority": str(tmp_path / "missing-ca.crt"),
                "proxy-url": "ftp://proxy:21",
            }
        },
        users={
            "u": {
                "token": "t",
                "username": "admin",
                "password": "pw",
                "client-certificate-data": b64("x"),
            }
        },
        contexts={"ctx": {"cluster": "c", "user": "u"}},
        current="ctx",
    )
    with pytest.raises(ConfigError) as info:
        load_kubeconfig(write_kubeconfig(doc=doc))
    errors = info.value.errors
    joined = str(info.value)
    expected = [
        'no server found for cluster "c"',
        'invalid \'proxy-url\' "ftp://proxy:21" for cluster "c"',
        "unable to read certificate-authority",
        "more than one authentication method found for u; found [token basicAuth], only one is allowed",
        "client-key-data or client-key must be specified for u",
        "client-certificate-data for u (in ",
    ]
    for part in expected:
        assert any(part in e for e in errors), part
        assert part in joined
    assert len(errors) == len(expected)


def test_token_with_basic_auth_is_an_error(write_kubeconfig: WriteKubeconfig) -> None:
    doc = simple(token="t", username="admin", password="pw")
    with pytest.raises(ConfigError, match=r"more than one authentication method found for u1"):
        load_kubeconfig(write_kubeconfig(doc=doc))


def test_insecure_with_ca_is_an_error_naming_cluster(write_kubeconfig: WriteKubeconfig) -> None:
    doc = simple()
    doc["clusters"][0]["cluster"].update(  # type: ignore[index]
        {"insecure-skip-tls-verify": True, "certificate-authority-data": b64(CA_PEM)}
    )
    with pytest.raises(ConfigError, match='cluster "c1".*insecure flag is not allowed'):
        load_kubeconfig(write_kubeconfig(doc=doc))


def test_insecure_alone_is_fine(write_kubeconfig: WriteKubeconfig) -> None:
    doc = simple()
    doc["clusters"][0]["cluster"]["insecure-skip-tls-verify"] = True  # type: ignore[index]
    assert load_kubeconfig(write_kubeconfig(doc=doc)).insecure is True


@pytest.mark.parametrize("url", ["http://proxy:3128", "https://proxy:3129", "socks5://proxy:1080"])
def test_proxy_url_supported_schemes(write_kubeconfig: WriteKubeconfig, url: str) -> None:
    doc = simple()
    doc["clusters"][0]["cluster"]["proxy-url"] = url  # type: ignore[index]
    assert load_kubeconfig(write_kubeconfig(doc=doc)).proxy_url == url


def test_proxy_url_bad_scheme_names_cluster_and_hides_password(
    write_kubeconfig: WriteKubeconfig,
) -> None:
    doc = simple()
    doc["clusters"][0]["cluster"]["proxy-url"] = "ftp://bob:hunter2@proxy:21"  # type: ignore[index]
    with pytest.raises(ConfigError) as info:
        load_kubeconfig(write_kubeconfig(doc=doc))
    msg = str(info.value)
    assert 'for cluster "c1"' in msg and "must be http, https, or socks5" in msg
    assert "hunter2" not in msg


def test_plain_http_server_gets_no_credentials(write_kubeconfig: WriteKubeconfig) -> None:
    # client-go only reads user credentials for TLS servers
    cfg = load_kubeconfig(write_kubeconfig(doc=simple(server="http://localhost:8080", token="t")))
    assert cfg.host == "http://localhost:8080"
    assert cfg.bearer_token is None


def test_token_and_token_file(write_kubeconfig: WriteKubeconfig, tmp_path: Path) -> None:
    (tmp_path / "tok").write_text("from-file")
    cfg = load_kubeconfig(write_kubeconfig(doc=simple(tokenFile="tok")))
    assert cfg.bearer_token_file == str(tmp_path / "tok")
    # read when the config is built, like client-go (an unreadable file fails here)
    assert cfg.bearer_token == "from-file"


def test_exec_fields(write_kubeconfig: WriteKubeconfig) -> None:
    doc = simple(
        exec={
            "command": "my-plugin",
            "args": ["get-token", "--x"],
            "env": [{"name": "FOO", "value": "bar"}],
            "apiVersion": "client.authentication.k8s.io/v1",
            "installHint": "install it",
            "interactiveMode": "Never",
        }
    )
    cfg = load_kubeconfig(write_kubeconfig(doc=doc))
    ex = cfg.exec_provider
    assert ex is not None
    assert (ex.command, ex.args, ex.env) == ("my-plugin", ["get-token", "--x"], {"FOO": "bar"})
    assert (ex.api_version, ex.install_hint, ex.interactive_mode) == (
        "client.authentication.k8s.io/v1",
        "install it",
        "Never",
    )
    assert ex.provide_cluster_info is False and ex.cluster is None


def test_exec_interactive_mode_defaults(write_kubeconfig: WriteKubeconfig) -> None:
    beta = simple(exec={"command": "p", "apiVersion": "client.authentication.k8s.io/v1beta1"})
    cfg = load_kubeconfig(write_kubeconfig("beta", doc=beta))
    assert cfg.exec_provider is not None and cfg.exec_provider.interactive_mode == "IfAvailable"
    v1 = simple(exec={"command": "p", "apiVersion": "client.authentication.k8s.io/v1"})
    with pytest.raises(ConfigError, match="interactiveMode must be specified for u1"):
        load_kubeconfig(write_kubeconfig("v1", doc=v1))


def test_exec_validation(write_kubeconfig: WriteKubeconfig) -> None:
    doc = simple(
        exec={
            "apiVersion": "client.authentication.k8s.io/v1alpha1",
            "env": [{"value": "x"}],
            "interactiveMode": "Sometimes",
        },
        **{"auth-provider": {"name": "oidc", "config": {"id-token": "x"}}},
    )
    with pytest.raises(ConfigError) as info:
        load_kubeconfig(write_kubeconfig(doc=doc))
    msg = str(info.value)
    for part in (
        "authProvider cannot be provided in combination with an exec plugin for u1",
        "command must be specified for u1",
        'invalid apiVersion "client.authentication.k8s.io/v1alpha1"',
        "env variable name must be specified for u1",
        'invalid interactiveMode for u1: "Sometimes"',
    ):
        assert part in msg


def test_exec_provide_cluster_info(write_kubeconfig: WriteKubeconfig, tmp_path: Path) -> None:
    (tmp_path / "ca.crt").write_bytes(CA_PEM)
    doc = kubeconfig_doc(
        clusters={
            "c": {
                "server": "https://k8s.example",
                "certificate-authority": "ca.crt",
                "tls-server-name": "api.internal",
                "proxy-url": "http://proxy:3128",
                "extensions": [
                    {
                        "name": "client.authentication.k8s.io/exec",
                        "extension": {"audience": "kube"},
                    },
                    {"name": "other", "extension": {"x": 1}},
                ],
            }
        },
        users={
            "u": {
                "exec": {
                    "command": "p",
                    "apiVersion": "client.authentication.k8s.io/v1",
                    "interactiveMode": "Never",
                    "provideClusterInfo": True,
                }
            }
        },
        contexts={"ctx": {"cluster": "c", "user": "u"}},
        current="ctx",
    )
    cfg = load_kubeconfig(write_kubeconfig(doc=doc))
    assert cfg.exec_provider is not None and cfg.exec_provider.cluster is not None
    info = cfg.exec_provider.cluster.to_json()
    assert info == {
        "server": "https://k8s.example",
        "tls-server-name": "api.internal",
        "certificate-authority-data": b64(CA_PEM),
        "proxy-url": "http://proxy:3128",
        "config": {"audience": "kube"},
    }


def test_auth_provider_is_loaded(write_kubeconfig: WriteKubeconfig) -> None:
    doc = simple(
        **{"auth-provider": {"name": "oidc", "config": {"id-token": "idt", "client-id": "k"}}}
    )
    cfg = load_kubeconfig(write_kubeconfig(doc=doc))
    assert cfg.auth_provider is not None
    assert cfg.auth_provider.name == "oidc" and cfg.auth_provider.config["id-token"] == "idt"


def test_certificate_data_that_is_not_pem(
    write_kubeconfig: WriteKubeconfig, tmp_path: Path
) -> None:
    not_pem = b64("just some bytes")
    doc = simple(**{"client-certificate-data": not_pem, "client-key-data": not_pem})
    doc["clusters"][0]["cluster"]["certificate-authority-data"] = not_pem  # type: ignore[index]
    path = write_kubeconfig(doc=doc)
    with pytest.raises(ConfigError) as info:
        load_kubeconfig(path)
    msg = str(info.value)
    assert f"certificate-authority-data (in {path}) holds no PEM certificate" in msg
    assert f"client-certificate-data for u1 (in {path}) holds no PEM certificate" in msg
    assert f"client-key-data for u1 (in {path}) holds no PEM private key" in msg
    garbage_ca = tmp_path / "garbage.crt"
    garbage_ca.write_text("garbage")
    doc = simple()
    doc["clusters"][0]["cluster"]["certificate-authority"] = str(garbage_ca)  # type: ignore[index]
    with pytest.raises(ConfigError, match=f"certificate-authority {garbage_ca} holds no PEM"):
        load_kubeconfig(write_kubeconfig("second", doc=doc))


def test_config_base_url() -> None:
    assert Config(host="k8s:6443").base_url == "http://k8s:6443"
    assert Config(host="k8s:6443", ca_data=b"x").base_url == "https://k8s:6443"
    assert Config(host="https://k8s:6443/").base_url == "https://k8s:6443"
