"""The server's own contract: kubeconfig contents, clean stop on SIGTERM, and the in-process
controllers (default service account, namespace deletion, garbage collection).  Plain `requests`."""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
import yaml
from kube_apiserver import STOP_TIMEOUT, ApiServer, log_tail, start_server

pytestmark = pytest.mark.e2e

TIMEOUT = 30


@pytest.fixture(scope="module")
def admin(apiserver: ApiServer) -> Iterator[requests.Session]:
    with requests.Session() as s:
        s.trust_env = False  # REQUESTS_CA_BUNDLE would override Session.verify
        s.verify = str(apiserver.ca_file)
        s.headers["Authorization"] = f"Bearer {apiserver.token}"
        yield s


def eventually(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    pytest.fail(f"{what}: not within {timeout}s")


def test_kubeconfig_has_token_and_client_cert_contexts(apiserver: ApiServer) -> None:
    cfg = yaml.safe_load(apiserver.kubeconfig.read_text())
    contexts = {c["name"]: c["context"] for c in cfg["contexts"]}
    assert set(contexts) == {"token", "client-cert"}
    assert cfg["current-context"] == "token"
    users = {u["name"]: u["user"] for u in cfg["users"]}
    assert set(users[contexts["token"]["user"]]) == {"token"}
    assert set(users[contexts["client-cert"]["user"]]) == {
        "client-certificate-data",
        "client-key-data",
    }
    (cluster,) = cfg["clusters"]
    assert cluster["cluster"]["server"].startswith("https://127.0.0.1:")
    assert "certificate-authority-data" in cluster["cluster"]
    # Only the owner may read it: it holds credentials.
    assert apiserver.kubeconfig.stat().st_mode & 0o077 == 0


def test_stops_cleanly_on_sigterm_and_removes_its_files(
    apiserver_binary: Path, tmp_path: Path
) -> None:
    log_file = tmp_path / "apiserver.log"
    proc, kubeconfig, _ = start_server(apiserver_binary, log_file)
    try:
        workdir = kubeconfig.parent
        assert workdir.is_dir() and kubeconfig.is_file()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(STOP_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == 0, log_tail(log_file)
    assert not workdir.exists(), f"{workdir} left behind"
    log = log_file.read_text()
    assert "kube-apiserver stopped" in log and "etcd stopped" in log


def test_exits_when_its_parent_goes_away(apiserver_binary: Path, tmp_path: Path) -> None:
    """A test run killed with SIGKILL leaves no server behind: stdin EOF stops it."""
    log_file = tmp_path / "apiserver.log"
    proc, kubeconfig, _ = start_server(apiserver_binary, log_file)
    try:
        assert proc.stdin is not None
        proc.stdin.close()  # what the kernel does when the parent dies
        code = proc.wait(STOP_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == 0, log_tail(log_file)
    assert not kubeconfig.parent.exists()
    assert "shutting down (stdin closed)" in log_file.read_text()


def test_new_namespace_gets_default_service_account_and_can_be_deleted(
    apiserver: ApiServer, admin: requests.Session
) -> None:
    name = f"kubeset-e2e-{uuid.uuid4().hex[:8]}"
    ns_url = f"{apiserver.server}/api/v1/namespaces"
    r = admin.post(
        ns_url,
        json={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
        timeout=TIMEOUT,
    )
    assert r.status_code == 201, r.text
    eventually(
        lambda: (
            admin.get(f"{ns_url}/{name}/serviceaccounts/default", timeout=TIMEOUT).status_code
            == 200
        ),
        "service account 'default' created in the new namespace",
    )
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "inside"}}
    r = admin.post(f"{ns_url}/{name}/configmaps", json=cm, timeout=TIMEOUT)
    assert r.status_code == 201, r.text
    # With its service account in place the ServiceAccount admission plugin admits pods
    # (bound to no node, it stays Pending: there is no scheduler).
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "inside"},
        "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]},
    }
    r = admin.post(f"{ns_url}/{name}/pods", json=pod, timeout=TIMEOUT)
    assert r.status_code == 201, r.text
    assert r.json()["spec"]["serviceAccountName"] == "default"
    assert r.json()["status"]["phase"] == "Pending"

    r = admin.delete(f"{ns_url}/{name}", timeout=TIMEOUT)
    assert r.status_code == 200, r.text
    # The namespace controller empties it and removes the finalizer.
    eventually(
        lambda: admin.get(f"{ns_url}/{name}", timeout=TIMEOUT).status_code == 404,
        f"namespace {name} deleted",
    )


def test_garbage_collector_deletes_dependents(
    apiserver: ApiServer, admin: requests.Session
) -> None:
    base = f"{apiserver.server}/api/v1/namespaces/default/configmaps"
    owner_name = f"owner-{uuid.uuid4().hex[:8]}"
    r = admin.post(
        base,
        json={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": owner_name}},
        timeout=TIMEOUT,
    )
    assert r.status_code == 201, r.text
    owner = r.json()["metadata"]
    ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": owner_name, "uid": owner["uid"]}
    dependent = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"{owner_name}-dependent", "ownerReferences": [ref]},
    }
    r = admin.post(base, json=dependent, timeout=TIMEOUT)
    assert r.status_code == 201, r.text

    # Foreground deletion: the owner stays (with a finalizer) until the dependent is gone.
    r = admin.delete(
        f"{base}/{owner_name}", json={"propagationPolicy": "Foreground"}, timeout=TIMEOUT
    )
    assert r.status_code in (200, 202), r.text
    eventually(
        lambda: admin.get(f"{base}/{owner_name}-dependent", timeout=TIMEOUT).status_code == 404,
        "dependent garbage-collected",
    )
    eventually(
        lambda: admin.get(f"{base}/{owner_name}", timeout=TIMEOUT).status_code == 404,
        "owner deleted after its dependent (foreground)",
    )
