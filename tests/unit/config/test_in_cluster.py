"""in_cluster_config, build_config_from_flags and load_config fallback order."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from kubeset.config import (
    ConfigError,
    build_config_from_flags,
    in_cluster_config,
    load_config,
)

from .conftest import WriteKubeconfig, kubeconfig_doc

CA_PEM = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def kubeconfig(server: str = "https://from-kubeconfig") -> dict[str, object]:
    return kubeconfig_doc(
        clusters={"c": {"server": server}},
        users={"u": {"token": "kc-token"}},
        contexts={"ctx": {"cluster": "c", "user": "u", "namespace": "kc-ns"}},
        current="ctx",
    )


def test_in_cluster_config(sa_dir: Path, in_pod: None) -> None:
    cfg = in_cluster_config(service_account_dir=sa_dir)
    assert cfg.host == "https://10.96.0.1:443"
    assert cfg.bearer_token == "sa-token-1"
    assert cfg.bearer_token_file == str(sa_dir / "token")  # re-read as it rotates
    assert cfg.ca_file == str(sa_dir / "ca.crt")
    assert cfg.namespace == "payments"


def test_in_cluster_ipv6_host_is_bracketed(sa_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "fd00:10:96::1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "6443")
    assert in_cluster_config(service_account_dir=sa_dir).host == "https://[fd00:10:96::1]:6443"


def test_in_cluster_pod_namespace_env_wins(
    sa_dir: Path, in_pod: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POD_NAMESPACE", "from-env")
    assert in_cluster_config(service_account_dir=sa_dir).namespace == "from-env"


def test_in_cluster_no_namespace_file(sa_dir: Path, in_pod: None) -> None:
    (sa_dir / "namespace").unlink()
    assert in_cluster_config(service_account_dir=sa_dir).namespace == "default"


def test_in_cluster_missing_ca_logs_and_continues(
    sa_dir: Path, in_pod: None, caplog: pytest.LogCaptureFixture
) -> None:
    (sa_dir / "ca.crt").unlink()
    with caplog.at_level(logging.ERROR):
        cfg = in_cluster_config(service_account_dir=sa_dir)
    assert cfg.ca_file is None
    assert "ca.crt" in caplog.text


def test_in_cluster_requires_env(sa_dir: Path) -> None:
    with pytest.raises(
        ConfigError, match="KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined"
    ):
        in_cluster_config(service_account_dir=sa_dir)


def test_in_cluster_missing_token(sa_dir: Path, in_pod: None) -> None:
    (sa_dir / "token").unlink()
    with pytest.raises(ConfigError, match="cannot read the service account token") as info:
        in_cluster_config(service_account_dir=sa_dir)
    assert str(sa_dir / "token") in str(info.value)


def test_flags_neither_given_uses_in_cluster(
    sa_dir: Path, in_pod: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        cfg = build_config_from_flags("", "", service_account_dir=sa_dir)
    assert cfg.host == "https://10.96.0.1:443"
    assert "Neither --kubeconfig nor --master was specified" in caplog.text


def test_flags_neither_given_not_in_cluster_falls_back_to_empty_default(
    write_kubeconfig: WriteKubeconfig, monkeypatch: pytest.MonkeyPatch, sa_dir: Path
) -> None:
    # client-go's "default config" here is empty loading rules: KUBECONFIG is NOT read
    monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(doc=kubeconfig())))
    with pytest.raises(ConfigError, match="no configuration has been provided"):
        build_config_from_flags("", "", service_account_dir=sa_dir)


def test_flags_kubeconfig_path(
    write_kubeconfig: WriteKubeconfig, sa_dir: Path, in_pod: None
) -> None:
    path = write_kubeconfig(doc=kubeconfig())
    cfg = build_config_from_flags("", str(path), service_account_dir=sa_dir)
    assert (cfg.host, cfg.bearer_token) == ("https://from-kubeconfig", "kc-token")


def test_flags_master_url_overrides_server(write_kubeconfig: WriteKubeconfig) -> None:
    path = write_kubeconfig(doc=kubeconfig())
    cfg = build_config_from_flags("https://master:6443", str(path))
    assert (cfg.host, cfg.bearer_token) == ("https://master:6443", "kc-token")


def test_flags_master_url_only(sa_dir: Path, in_pod: None) -> None:
    # not in-cluster (a master URL was given) and no kubeconfig: just the server
    cfg = build_config_from_flags("https://master:6443", "", service_account_dir=sa_dir)
    assert cfg.host == "https://master:6443"
    assert cfg.bearer_token is None


def test_flags_missing_kubeconfig_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        build_config_from_flags("", str(tmp_path / "missing"))


def test_load_config_prefers_kubeconfig(
    write_kubeconfig: WriteKubeconfig, monkeypatch: pytest.MonkeyPatch, sa_dir: Path, in_pod: None
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(doc=kubeconfig())))
    cfg = load_config(service_account_dir=sa_dir)
    assert (cfg.host, cfg.namespace) == ("https://from-kubeconfig", "kc-ns")


def test_load_config_falls_back_to_in_cluster(sa_dir: Path, in_pod: None) -> None:
    cfg = load_config(service_account_dir=sa_dir)
    assert (cfg.host, cfg.namespace) == ("https://10.96.0.1:443", "payments")


def test_load_config_neither(sa_dir: Path) -> None:
    with pytest.raises(ConfigError, match="no configuration has been provided"):
        load_config(service_account_dir=sa_dir)


def test_load_config_broken_kubeconfig_is_not_masked(
    write_kubeconfig: WriteKubeconfig, monkeypatch: pytest.MonkeyPatch, sa_dir: Path, in_pod: None
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(text="- not a kubeconfig\n")))
    with pytest.raises(ConfigError, match="got a list"):
        load_config(service_account_dir=sa_dir)
