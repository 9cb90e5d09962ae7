"""Helpers for kubeconfig tests: write real kubeconfig files into temporary folders."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

WriteKubeconfig = Callable[..., Path]


def kubeconfig_doc(
    *,
    clusters: dict[str, dict[str, Any]] | None = None,
    users: dict[str, dict[str, Any]] | None = None,
    contexts: dict[str, dict[str, Any]] | None = None,
    current: str | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {"apiVersion": "v1", "kind": "Config"}
    if clusters is not None:
        doc["clusters"] = [{"name": n, "cluster": c} for n, c in clusters.items()]
    if users is not None:
        doc["users"] = [{"name": n, "user": u} for n, u in users.items()]
    if contexts is not None:
        doc["contexts"] = [{"name": n, "context": c} for n, c in contexts.items()]
    if current is not None:
        doc["current-context"] = current
    return doc


@pytest.fixture
def write_kubeconfig(tmp_path: Path) -> WriteKubeconfig:
    def write(name: str = "config", doc: Any = None, *, text: str | None = None, **kw: Any) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            text = yaml.safe_dump(doc if doc is not None else kubeconfig_doc(**kw), sort_keys=False)
        path.write_text(text)
        return path

    return write


def b64(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode()
    return base64.b64encode(data).decode()


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's ~/.kube/config or a real service account."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in (
        "KUBECONFIG",
        "KUBERNETES_SERVICE_HOST",
        "KUBERNETES_SERVICE_PORT",
        "POD_NAMESPACE",
        "KUBERNETES_MASTER",
    ):
        monkeypatch.delenv(name, raising=False)


SA_CA_PEM = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


@pytest.fixture
def sa_dir(tmp_path: Path) -> Path:
    """A service account folder: token, CA and namespace ``payments``."""
    folder = tmp_path / "serviceaccount"
    folder.mkdir()
    (folder / "token").write_text("sa-token-1\n")
    (folder / "ca.crt").write_bytes(SA_CA_PEM)
    (folder / "namespace").write_text("payments\n")
    return folder


@pytest.fixture
def in_pod(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment of a pod (the service host and port)."""
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")
