"""Config-side behaviours where kubeset used to differ from client-go (issue 10)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from kubeset.config import (
    ConfigError,
    config_from_kubeconfig_bytes,
    config_from_kubeconfig_dict,
    default_user_agent,
    load_config,
)
from kubeset.config.persist import persist_auth_provider_config
from kubeset.config.restconfig import resolve_timeout
from kubeset.config.useragent import program_name

from .conftest import WriteKubeconfig, kubeconfig_doc

CA_PEM = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def _doc(namespace: str | None = None, **cluster: object) -> dict[str, object]:
    context: dict[str, object] = {"cluster": "c", "user": "u"}
    if namespace is not None:
        context["namespace"] = namespace
    return kubeconfig_doc(
        clusters={"c": {"server": "https://k8s.example:6443", **cluster}},
        users={"u": {"token": "kc-token"}},
        contexts={"ctx": context},
        current="ctx",
    )


# --------------------------------------------------------------------------- namespace in a pod


@pytest.mark.usefixtures("in_pod")
def test_load_config_in_pod_takes_pod_namespace_when_context_sets_none(
    write_kubeconfig: WriteKubeconfig, monkeypatch: pytest.MonkeyPatch, sa_dir: Path
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(doc=_doc())))
    cfg = load_config(service_account_dir=sa_dir)
    assert (cfg.host, cfg.namespace) == ("https://k8s.example:6443", "payments")
    monkeypatch.setenv("POD_NAMESPACE", "from-downward-api")  # client-go checks it first
    assert load_config(service_account_dir=sa_dir).namespace == "from-downward-api"


@pytest.mark.usefixtures("in_pod")
def test_load_config_in_pod_keeps_namespace_the_context_sets_even_default(
    write_kubeconfig: WriteKubeconfig, monkeypatch: pytest.MonkeyPatch, sa_dir: Path
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(doc=_doc(namespace="default"))))
    assert load_config(service_account_dir=sa_dir).namespace == "default"


def test_load_config_outside_pod_defaults_namespace(
    write_kubeconfig: WriteKubeconfig, monkeypatch: pytest.MonkeyPatch, sa_dir: Path
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(doc=_doc())))
    assert load_config(service_account_dir=sa_dir).namespace == "default"


# --------------------------------------------------------------------------- config from memory


def test_config_from_kubeconfig_bytes_and_dict() -> None:
    doc = _doc(namespace="team-a")
    for cfg in (
        config_from_kubeconfig_bytes(yaml.safe_dump(doc).encode()),
        config_from_kubeconfig_bytes(yaml.safe_dump(doc)),
        config_from_kubeconfig_dict(doc),
    ):
        assert (cfg.host, cfg.bearer_token, cfg.namespace) == (
            "https://k8s.example:6443",
            "kc-token",
            "team-a",
        )


def test_config_from_memory_relative_path_is_an_error_without_base_dir(tmp_path: Path) -> None:
    doc = _doc(**{"certificate-authority": "ca.crt"})
    with pytest.raises(ConfigError) as info:
        config_from_kubeconfig_dict(doc)
    msg = str(info.value)
    assert "in-memory kubeconfig" in msg and "clusters[0].cluster.certificate-authority" in msg
    assert "relative path 'ca.crt'" in msg and "base_dir=" in msg
    (tmp_path / "ca.crt").write_bytes(CA_PEM)
    cfg = config_from_kubeconfig_dict(doc, base_dir=tmp_path)
    assert cfg.ca_file == str(tmp_path / "ca.crt")


def test_config_from_memory_bad_yaml_names_the_source() -> None:
    with pytest.raises(ConfigError, match="error loading in-memory kubeconfig: invalid YAML"):
        config_from_kubeconfig_bytes(b"clusters: [\n")


# --------------------------------------------------------------------------- user agent


def test_default_user_agent_names_the_program() -> None:
    assert program_name("/usr/local/bin/my-controller") == "my-controller"
    assert program_name("/src/tool.py") == "tool"
    assert program_name("/site-packages/mypkg/__main__.py") == "mypkg"
    assert program_name("-c") == "python"
    agent = default_user_agent()
    assert re.fullmatch(
        r"[A-Za-z0-9._+~-]+/[A-Za-z0-9._+~-]+ \([a-z0-9_]+/[a-z0-9_]+\) kubeset/\S+", agent
    ), agent
    assert agent.startswith(program_name() + "/")


# --------------------------------------------------------------------------- timeouts


def test_timeout_zero_means_no_timeout_and_none_the_default() -> None:
    assert resolve_timeout(0, 60.0) is None
    assert resolve_timeout(0.0, None) is None
    assert resolve_timeout(None, 60.0) == 60.0
    assert resolve_timeout(None, None) is None
    assert resolve_timeout(2, 60.0) == 2.0
    with pytest.raises(ConfigError, match="timeout must be 0 .* got -1"):
        resolve_timeout(-1, 60.0)


# --------------------------------------------------------------------------- oidc write-back


def test_persist_auth_provider_config_keeps_symlink_mode_and_other_users(tmp_path: Path) -> None:
    doc = kubeconfig_doc(
        users={
            "me": {"auth-provider": {"name": "oidc", "config": {"id-token": "old"}}},
            "other": {"token": "t", "x-extra": {"kept": True}},
        }
    )
    real = tmp_path / "real-config"
    real.write_text(yaml.safe_dump(doc, sort_keys=False))
    real.chmod(0o600)
    link = tmp_path / "config"
    link.symlink_to(real)
    persist_auth_provider_config(str(link), "me", {"id-token": "new", "refresh-token": "r"})
    assert link.is_symlink() and (real.stat().st_mode & 0o777) == 0o600
    users = {u["name"]: u["user"] for u in yaml.safe_load(real.read_text())["users"]}
    assert users["me"]["auth-provider"] == {
        "name": "oidc",
        "config": {"id-token": "new", "refresh-token": "r"},
    }
    assert users["other"] == {"token": "t", "x-extra": {"kept": True}}
    with pytest.raises(ConfigError) as info:
        persist_auth_provider_config(str(link), "ghost", {"id-token": "SECRET-NEW"})
    assert "user 'ghost'" in str(info.value) and "SECRET-NEW" not in str(info.value)


def test_config_from_kubeconfig_dict_rejects_a_non_mapping_clearly() -> None:
    with pytest.raises(
        ConfigError, match="error loading in-memory kubeconfig: expected a kubeconfig"
    ):
        config_from_kubeconfig_dict(["not", "a", "mapping"])  # type: ignore[arg-type]
