"""examples/controller.py against the real kube-apiserver, through a FaultProxy: it converges,
repairs what is deleted or edited, survives its watch connections being cut, releases its Lease."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import kubeset
import pytest
import yaml
from faultproxy import FaultProxy
from kube_apiserver import ApiServer
from kubeset.errors import NotFound
from kubeset.kubernetes import Clientset

pytestmark = pytest.mark.e2e
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "controller.py"
LIVENESS = 60.0


def until(predicate: Any, what: str, timeout: float = LIVENESS) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        time.sleep(0.1)


def kubeconfig_via(apiserver: ApiServer, url: str, path: Path) -> Path:
    cfg = yaml.safe_load(apiserver.kubeconfig.read_text())
    for cluster in cfg["clusters"]:
        cluster["cluster"]["server"] = url
    path.write_text(yaml.safe_dump(cfg))
    path.chmod(0o600)
    return path


def test_example_controller_converges_and_survives_watch_restarts(
    apiserver: ApiServer, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:8]
    selector = f"kubeset-example-test={tag}"
    cs = Clientset(kubeset.load_kubeconfig(apiserver.kubeconfig))
    namespaces = [f"ctl-{tag}-{i}" for i in range(6)]

    def make_ns(name: str) -> None:
        cs.core_v1.namespaces().create(
            {"metadata": {"name": name, "labels": {"kubeset-example-test": tag}}}
        )

    def converged(names: list[str]) -> bool:
        for name in names:
            try:
                cm = cs.core_v1.config_maps(name).get("kubeset-example")
            except NotFound:
                return False
            uid = cs.core_v1.namespaces().get(name).metadata.uid
            if cm.data != {"namespace": name, "uid": uid}:
                return False
        return True

    for name in namespaces[:3]:
        make_ns(name)
    with FaultProxy.to(apiserver.server) as proxy:
        kubeconfig = kubeconfig_via(apiserver, proxy.url, tmp_path / "kubeconfig")
        proc = subprocess.Popen(
            [
                sys.executable,
                str(EXAMPLE),
                "--kubeconfig",
                str(kubeconfig),
                "--namespace-selector",
                selector,
                "--lease-name",
                f"ctl-{tag}",
                "--identity",
                "ctl-a",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            until(lambda: converged(namespaces[:3]), "a ConfigMap in each namespace")
            # the watches restart: connections cut while things change
            assert proxy.cut() >= 2
            make_ns(namespaces[3])
            cs.core_v1.config_maps(namespaces[0]).delete("kubeset-example")
            cs.core_v1.config_maps(namespaces[1]).patch(
                "kubeset-example", {"data": {"namespace": "tampered"}}
            )
            until(lambda: converged(namespaces[:4]), "repaired after the cut")
            # disconnected for a while, then back
            proxy.block()
            make_ns(namespaces[4])
            cs.core_v1.config_maps(namespaces[2]).delete("kubeset-example")
            time.sleep(2)
            proxy.unblock()
            make_ns(namespaces[5])
            until(lambda: converged(namespaces), "converged after the outage")
            lease = cs.coordination_v1.leases("default").get(f"ctl-{tag}")
            assert lease.spec is not None and lease.spec.holder_identity == "ctl-a"
        finally:
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=LIVENESS)
    assert proc.returncode == 0, out
    assert "leading as ctl-a" in out and "caches synced" in out, out
    assert "stopped leading" in out, out
    assert apiserver.token not in out
    lease = cs.coordination_v1.leases("default").get(f"ctl-{tag}")
    assert lease.spec is not None and lease.spec.holder_identity == ""  # released
    for name in namespaces:
        cs.core_v1.namespaces().delete(name)
    cs.close()
