"""examples/controller.py against the real kube-apiserver, through a FaultProxy: it converges,
repairs what is deleted or edited, survives its watch connections being cut, releases its Lease,
and stops working when cut off before a standby can take over."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
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
from kubeset.leaderelection import LeaderCallbacks, LeaderElectionConfig, LeaderElector, LeaseLock

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


def start_controller(
    kubeconfig: Path, selector: str, lease: str, *options: str
) -> subprocess.Popen[str]:
    """examples/controller.py as identity ctl-a, its output (stdout and stderr) piped."""
    command = [sys.executable, str(EXAMPLE), "--kubeconfig", str(kubeconfig)]
    command += ["--namespace-selector", selector, "--lease-name", lease, "--identity", "ctl-a"]
    return subprocess.Popen(
        [*command, *options], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


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
        proc = start_controller(kubeconfig, selector, f"ctl-{tag}")
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


def test_example_controller_stops_working_before_another_replica_can_lead(
    apiserver: ApiServer, tmp_path: Path
) -> None:
    """Its connection black-holed, the controller stops its workers within the renew deadline
    and exits with status 1; a replica reaching the server takes over only afterwards."""
    tag = uuid.uuid4().hex[:8]
    cs = Clientset(kubeset.load_kubeconfig(apiserver.kubeconfig))
    name = f"ctl-{tag}-0"
    cs.core_v1.namespaces().create({"metadata": {"name": name, "labels": {"kubeset-cut": tag}}})
    lines: list[tuple[float, str]] = []
    with FaultProxy.to(apiserver.server) as proxy:
        kubeconfig = kubeconfig_via(apiserver, proxy.url, tmp_path / "kubeconfig")
        proc = start_controller(
            kubeconfig,
            f"kubeset-cut={tag}",
            f"ctl-{tag}",
            *("--lease-duration", "4", "--renew-deadline", "3", "--retry-period", "0.5"),
        )
        assert proc.stdout is not None
        stdout = proc.stdout

        def read() -> None:
            for line in stdout:
                lines.append((time.monotonic(), line.rstrip("\n")))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            until(lambda: any(text == "caches synced" for _, text in lines), "it works")
            until(lambda: _has_configmap(cs, name), "it reconciles")
            took_over: list[float] = []
            lock = LeaseLock(cs.coordination_v1.leases("default"), f"ctl-{tag}", identity="ctl-b")
            standby = LeaderElector(
                LeaderElectionConfig(
                    lock=lock,
                    callbacks=LeaderCallbacks(
                        on_started_leading=lambda _: took_over.append(time.monotonic()),
                        on_stopped_leading=lambda: None,
                    ),
                    lease_duration=4,
                    renew_deadline=3,
                    retry_period=0.5,
                )
            )
            runner = threading.Thread(target=standby.run, daemon=True)
            runner.start()
            time.sleep(1.0)
            assert not took_over  # the controller leads and renews
            cut = time.monotonic()
            proxy.blackhole()  # silent: no answers, no FIN
            until(lambda: took_over, "the standby takes over")
            rc = proc.wait(LIVENESS)
            reader.join(LIVENESS)
            standby.stop()
            runner.join(LIVENESS)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(LIVENESS)
    out = "\n".join(text for _, text in lines)
    assert rc == 1, out
    seen = {text: at for at, text in lines}
    assert "stopped leading" in seen and "workers stopped" in seen, out
    assert "leadership lost; exiting" in seen, out
    # read by this process before the standby started leading: printed before, for sure
    # (the callback and the workers' end race each other: both come before the takeover)
    assert cut < max(seen["stopped leading"], seen["workers stopped"]) < took_over[0], (
        seen,
        cut,
        took_over,
    )
    print(
        f"stopped leading {seen['stopped leading'] - cut:.2f} s, workers stopped "
        f"{seen['workers stopped'] - cut:.2f} s, standby leading {took_over[0] - cut:.2f} s "
        "after the black hole"
    )
    assert apiserver.token not in out
    cs.core_v1.namespaces().delete(name)
    cs.close()


def _has_configmap(cs: Clientset, namespace: str) -> bool:
    try:
        cs.core_v1.config_maps(namespace).get("kubeset-example")
    except NotFound:
        return False
    return True
