"""kubeset.config + kubeset.transport against the real kube-apiserver.

The server's own answer (a SelfSubjectReview: "who am I?") checks that the kubeconfig the
e2e server writes (with client-go) loads, and that every credential kind and the
impersonation headers reach a real authenticator intact.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from kube_apiserver import ApiServer
from kubeset.config import (
    ExecConfig,
    ImpersonationConfig,
    config_from_kubeconfig_bytes,
    config_from_kubeconfig_dict,
    load_kubeconfig,
)
from kubeset.rest import RESTClient
from kubeset.transport import TokenBucketRateLimiter, Transport

pytestmark = pytest.mark.e2e

REVIEW = b'{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}'


def whoami(t: Transport, host: str) -> dict[str, Any]:
    resp = t.request(
        "POST",
        host + "/apis/authentication.k8s.io/v1/selfsubjectreviews",
        data=REVIEW,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    body = resp.read()
    assert resp.status_code == 201, body
    return json.loads(body)["status"]["userInfo"]  # type: ignore[no-any-return]


def test_token_context(apiserver: ApiServer) -> None:
    cfg = load_kubeconfig(apiserver.kubeconfig, "token")
    assert cfg.host == apiserver.server and cfg.namespace == "default"
    with Transport(cfg) as t:
        user = whoami(t, cfg.host)
    assert "system:masters" in user["groups"]


def test_client_certificate_context_from_memory(apiserver: ApiServer) -> None:
    cfg = load_kubeconfig(apiserver.kubeconfig, "client-cert")
    assert cfg.key_data and not cfg.key_file  # key material only in memory
    with Transport(cfg) as t:
        user = whoami(t, cfg.host)
    assert "system:masters" in user["groups"]
    assert any(k.endswith("credential-id") for k in user.get("extra", {}))


def test_impersonation(apiserver: ApiServer) -> None:
    cfg = load_kubeconfig(apiserver.kubeconfig, "token")
    cfg.impersonate = ImpersonationConfig(
        user="jane", groups=["devs", "ops,team"], extra={"scopes": ["view", "edit"]}
    )
    with Transport(cfg) as t:
        user = whoami(t, cfg.host)
    assert user["username"] == "jane"
    assert user["groups"][:2] == ["devs", "ops,team"]
    assert user["extra"] == {"scopes": ["view", "edit"]}


def test_wrong_token_is_401(apiserver: ApiServer) -> None:
    cfg = load_kubeconfig(apiserver.kubeconfig, "token").copy(bearer_token="not-a-token")
    with Transport(cfg) as t:
        assert t.request("GET", cfg.host + "/api", timeout=30).status_code == 401


def test_exec_plugin_token(apiserver: ApiServer, tmp_path: Path) -> None:
    plugin = tmp_path / "plugin"
    plugin.write_text(
        f"#!{sys.executable}\n"
        "import json, os\n"
        "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1', "
        "'kind': 'ExecCredential', 'status': {'token': os.environ['THE_TOKEN']}}))\n"
    )
    plugin.chmod(0o755)
    cfg = load_kubeconfig(apiserver.kubeconfig, "token").copy(
        bearer_token=None,
        exec_provider=ExecConfig(
            command=str(plugin), env={"THE_TOKEN": apiserver.token}, interactive_mode="Never"
        ),
    )
    with Transport(cfg) as t:
        assert "system:masters" in whoami(t, cfg.host)["groups"]


def test_kubeconfig_list_merge_with_the_real_file(
    apiserver: ApiServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = yaml.safe_load(apiserver.kubeconfig.read_text())
    token_ctx = next(c["context"] for c in real["contexts"] if c["name"] == "token")
    # a second file that redefines the "token" context (ignored: the first file wins it)
    # and adds its own context using the first file's cluster and user
    extra = {
        "contexts": [
            {"name": "token", "context": {"cluster": "nowhere", "user": "nobody"}},
            {
                "name": "mine",
                "context": {
                    "cluster": token_ctx["cluster"],
                    "user": token_ctx["user"],
                    "namespace": "kube-system",
                },
            },
        ],
        "current-context": "mine",
    }
    second = tmp_path / "second"
    second.write_text(yaml.safe_dump(extra))
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(apiserver.kubeconfig), str(second)]))
    cfg = load_kubeconfig()  # current-context "token" comes from the first file
    assert cfg.namespace == "default"
    with Transport(cfg) as t:
        assert "system:masters" in whoami(t, cfg.host)["groups"]
    mine = load_kubeconfig(context="mine")
    assert mine.namespace == "kube-system"
    with Transport(mine) as t:
        assert "system:masters" in whoami(t, mine.host)["groups"]


def test_rate_limiter_on_real_requests(apiserver: ApiServer) -> None:
    sleeps: list[float] = []
    limiter = TokenBucketRateLimiter(5, 10, sleep=lambda s: sleeps.append(s))
    cfg = load_kubeconfig(apiserver.kubeconfig, "token").copy(rate_limiter=limiter)
    with RESTClient(cfg) as rest:
        for _ in range(12):
            assert rest.get().abs_path("version").do().status_code == 200
    # burst of 10 without waiting, then the 11th and 12th had to wait
    assert len(sleeps) == 2
    assert all(s > 0 for s in sleeps)


def test_config_from_kubeconfig_bytes(apiserver: ApiServer) -> None:
    data = apiserver.kubeconfig.read_bytes()
    cfg = config_from_kubeconfig_bytes(data, context="token", base_dir=apiserver.kubeconfig.parent)
    assert cfg.host == apiserver.server
    with Transport(cfg) as t:
        assert "system:masters" in whoami(t, cfg.host)["groups"]


def test_client_certificate_wins_over_exec_plugin(apiserver: ApiServer) -> None:
    doc = yaml.safe_load(apiserver.kubeconfig.read_text())
    ctx = next(c["context"] for c in doc["contexts"] if c["name"] == "client-cert")
    user = next(u["user"] for u in doc["users"] if u["name"] == ctx["user"])
    # a plugin that cannot run: client-go never runs it when a client certificate is set
    user["exec"] = {
        "command": "kubeset-no-such-plugin",
        "apiVersion": "client.authentication.k8s.io/v1",
        "interactiveMode": "Never",
    }
    cfg = config_from_kubeconfig_dict(
        doc, context="client-cert", base_dir=apiserver.kubeconfig.parent
    )
    assert cfg.exec_provider is None
    with Transport(cfg) as t:
        info = whoami(t, cfg.host)
    assert "system:masters" in info["groups"]
    assert any(k.endswith("credential-id") for k in info.get("extra", {}))
