"""kubeset-gen --cluster: a package generated from what a live API server serves (/openapi/v3 per
group version) drives it, records the cluster by context and server version, and checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from kube_apiserver import ApiServer

USER_CODE = """
import sys
import kubeset
from live import Clientset, scheme
from live.models.core.v1 import ConfigMap

cs = Clientset(kubeset.load_kubeconfig(sys.argv[1]))
cms = cs.core_v1.config_maps("default")
cms.create(ConfigMap(metadata={"name": "from-live-spec"}, data={"k": "v"}))
got = cms.get("from-live-spec")
assert type(got) is ConfigMap and got.data == {"k": "v"}
assert scheme.model_for("apps/v1", "Deployment").__name__ == "Deployment"
cms.delete("from-live-spec")
import live
print(live.SOURCE, live.RELEASE)
"""


def _gen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kubeset.codegen", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_generate_from_a_live_cluster(apiserver: ApiServer, tmp_path: Path) -> None:
    out = tmp_path / "live"
    gen = _gen(
        "generate",
        "--cluster",
        "--kubeconfig",
        str(apiserver.kubeconfig),
        "--out",
        str(out),
        "--package",
        "live",
    )
    assert gen.returncode == 0, gen.stderr
    # the server serves only GA group versions by default: none of the release's alpha/beta ones
    clients = sorted(p.stem for p in (out / "clients").glob("*_v*.py"))
    assert "core_v1" in clients and "apps_v1" in clients
    assert not any("alpha" in c or "beta" in c for c in clients), clients
    script = tmp_path / "user_code.py"
    script.write_text(USER_CODE)
    run = subprocess.run(
        [sys.executable, str(script), str(apiserver.kubeconfig)],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split() == ["cluster:context=token", "None"]
    record = json.loads((out / "kubeset-gen.json").read_text())
    assert record["source"] == {"cluster": {"context": "token", "serverVersion": "v1.36.5"}}
    assert record["package"] == "live" and len(record["inputs"][0]["sha256"]) == 64
    assert apiserver.server not in "".join(
        p.read_text() for p in out.rglob("*.py")
    )  # no address committed
    # check: against the same cluster it is current; without a kubeconfig the input is missing (exit 2)
    ok = _gen("check", str(out), "--kubeconfig", str(apiserver.kubeconfig))
    assert ok.returncode == 0, ok.stderr
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    refused = subprocess.run(
        [sys.executable, "-m", "kubeset.codegen", "check", str(out)],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        env={**env, "HOME": str(tmp_path)},
    )
    assert refused.returncode == 2 and "the recorded cluster (context 'token')" in refused.stderr, (
        refused.stderr
    )
    assert "Traceback" not in refused.stderr


def test_cluster_errors_are_one_clear_line(apiserver: ApiServer, tmp_path: Path) -> None:
    missing = _gen(
        "generate",
        "--cluster",
        "--kubeconfig",
        str(tmp_path / "nope"),
        "--out",
        str(tmp_path / "x"),
    )
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert str(tmp_path / "nope") in missing.stderr
    # a kubeconfig whose user has no credentials: the server answers 401 (never a secret printed)
    cfg = apiserver.kubeconfig.read_text()
    anon = tmp_path / "anon"
    import yaml

    doc = yaml.safe_load(cfg)
    for u in doc["users"]:
        u["user"] = {}
    anon.write_text(yaml.safe_dump(doc))
    denied = _gen("generate", "--cluster", "--kubeconfig", str(anon), "--out", str(tmp_path / "y"))
    assert denied.returncode == 2 and "HTTP 401" in denied.stderr, denied.stderr
    assert len(denied.stderr.strip().splitlines()) == 1
