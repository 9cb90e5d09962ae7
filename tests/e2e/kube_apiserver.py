"""Build, start and stop the real kube-apiserver (v1.36, with embedded etcd) of the e2e tests.

The server is the Go program in ``tests/e2e/apiserver`` (k8s.io/kubernetes used as a library),
built by ``make e2e-apiserver`` into the git-ignored ``.cache/e2e`` and reused while its sources
are unchanged.  One server runs per test session (``apiserver`` fixture); it is stopped with
SIGTERM at the end and removes its temporary folder itself.

Environment:
  KUBESET_E2E=required  a missing Go toolchain, a failed build or a failed start FAILS the tests
                        (.ci/run sets this).  Without it they are skipped with the reason.
  KUBESET_E2E=skip      skip the end-to-end tests (e.g. for a quick local unit run).
  KUBESET_E2E_APISERVER_ARGS  extra kube-apiserver flags, space separated
                        (e.g. "--feature-gates=SomeAlphaFeature=true --runtime-config=api/all=true").
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import fcntl
import os
import selectors
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

E2E_DIR = Path(__file__).resolve().parent
PROJECT = E2E_DIR.parent.parent
SERVER_SRC = E2E_DIR / "apiserver"
CACHE = PROJECT / ".cache" / "e2e"
BINARY = CACHE / "kube-apiserver-e2e"

MODE = os.environ.get("KUBESET_E2E", "").strip().lower()
REQUIRED = MODE == "required"
BUILD_TIMEOUT = float(os.environ.get("KUBESET_E2E_BUILD_TIMEOUT", "3600"))
READY_TIMEOUT = float(os.environ.get("KUBESET_E2E_READY_TIMEOUT", "120"))
STOP_TIMEOUT = 60.0
EXTRA_ARGS = os.environ.get("KUBESET_E2E_APISERVER_ARGS", "").strip()
LOG_TAIL_LINES = 60
KUBELET_NODE = "kubeset-node"  # the kubelet stand-in's node (tests/e2e/apiserver/kubelet.go)
POD_TIMEOUT = 60.0  # seconds for a pod on the stand-in to be Running, or to be gone
REQUEST_TIMEOUT = 30.0


def unavailable(reason: str) -> None:
    """Skip, or fail when KUBESET_E2E=required."""
    if REQUIRED:
        pytest.fail(f"KUBESET_E2E=required, but {reason}", pytrace=False)
    pytest.skip(reason)


@dataclasses.dataclass(frozen=True)
class ApiServer:
    """A running kube-apiserver and the credentials the kubeconfig holds (token not in repr)."""

    kubeconfig: Path
    server: str  # https://127.0.0.1:PORT
    ca_file: Path  # serving CA (PEM)
    token: str = dataclasses.field(repr=False)  # admin (system:masters) bearer token
    client_cert: tuple[str, str] = dataclasses.field(repr=False)  # (cert file, key file), admin
    log_file: Path
    pid: int
    startup_seconds: float


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"(no log: {exc})"
    return "\n".join(text.splitlines()[-lines:])


def build_server(log_dir: Path) -> Path:
    """Build (or reuse) the server binary; return its path."""
    if MODE in ("skip", "0", "off", "no", "false"):
        pytest.skip(f"end-to-end tests disabled by KUBESET_E2E={MODE}")
    go = shutil.which(os.environ.get("GO", "go"))
    if go is None:
        unavailable(
            "no Go toolchain on PATH: the e2e tests build a real kube-apiserver from "
            "tests/e2e/apiserver (install Go >= 1.26)"
        )
    make = shutil.which("make")
    if make is None:
        unavailable("`make` not found: it builds the e2e kube-apiserver (make e2e-apiserver)")
    CACHE.mkdir(parents=True, exist_ok=True)
    build_log = log_dir / "build.log"
    # Several test sessions on one machine may build at once: one builds, the others wait.
    with open(CACHE / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with open(build_log, "wb") as out:
            try:
                proc = subprocess.run(
                    [str(make), "--no-print-directory", "-C", str(PROJECT), "e2e-apiserver"],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    timeout=BUILD_TIMEOUT,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                unavailable(
                    f"building the e2e kube-apiserver took longer than {BUILD_TIMEOUT:.0f}s"
                    f"; build log tail:\n{log_tail(build_log)}"
                )
        if proc.returncode != 0:
            unavailable(
                f"building the e2e kube-apiserver failed (make e2e-apiserver, exit "
                f"{proc.returncode}); build log tail:\n{log_tail(build_log)}"
            )
    if not os.access(BINARY, os.X_OK):
        unavailable(f"make e2e-apiserver succeeded but {BINARY} is not an executable")
    return BINARY


def stop(proc: subprocess.Popen[bytes]) -> int:
    """SIGTERM, wait; SIGKILL as a last resort.  Returns the exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdin is not None:
        proc.stdin.close()
    if proc.stdout is not None:
        proc.stdout.close()
    return proc.returncode


def peak_rss_mib(pid: int) -> float | None:
    """Peak resident memory (VmHWM) of a running process, in MiB (Linux only)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return None


def start_server(
    binary: Path,
    log_file: Path,
    extra_args: str | None = None,
    harness_args: Sequence[str] = (),
) -> tuple[subprocess.Popen[bytes], Path, float]:
    """Start the server; return (process, kubeconfig path, seconds to ready).

    ``extra_args``: kube-apiserver flags for this server (default: KUBESET_E2E_APISERVER_ARGS).
    ``harness_args``: flags of the harness itself (e.g. ``--kubelet-websockets``).

    Fails (or skips) with the tail of the server's log when it does not come up in time.
    """
    started = time.monotonic()
    args = EXTRA_ARGS if extra_args is None else extra_args
    with open(log_file, "wb") as log:
        proc = subprocess.Popen(
            [str(binary), "--exit-on-stdin-eof", *harness_args]
            + ([f"--apiserver-args={args}"] if args else []),
            # stdin stays open while we live: if this process dies, the server sees EOF and exits.
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=True,  # a Ctrl-C in the terminal is not sent to it twice
        )
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    line = b""
    deadline = started + READY_TIMEOUT
    failure = ""
    try:
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                failure = f"not ready within {READY_TIMEOUT:.0f}s"
                break
            if not sel.select(timeout=min(remaining, 1.0)):
                if proc.poll() is not None:
                    failure = f"exited with code {proc.returncode} before ready"
                    break
                continue
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                code = stop(proc)
                failure = f"exited with code {code} before ready"
                break
            line += chunk
    finally:
        sel.close()
    if failure:
        stop(proc)
        unavailable(
            f"the e2e kube-apiserver did not come up: {failure}; server log "
            f"({log_file}) tail:\n{log_tail(log_file)}"
        )
    text = line.decode().strip()
    if not text.startswith("KUBECONFIG="):
        stop(proc)
        unavailable(f"unexpected first line from the e2e kube-apiserver: {text[:200]!r}")
    return proc, Path(text.removeprefix("KUBECONFIG=")), time.monotonic() - started


def read_kubeconfig(kubeconfig: Path, out_dir: Path) -> dict[str, object]:
    """Pull server, CA, token and client certificate out of the kubeconfig into files."""
    cfg = yaml.safe_load(kubeconfig.read_text())
    contexts = {c["name"]: c["context"] for c in cfg["contexts"]}
    users = {u["name"]: u["user"] for u in cfg["users"]}
    clusters = {c["name"]: c["cluster"] for c in cfg["clusters"]}
    token_ctx, cert_ctx = contexts["token"], contexts["client-cert"]
    cluster = clusters[token_ctx["cluster"]]
    out_dir.mkdir(parents=True, exist_ok=True)

    def write(name: str, b64: str) -> str:
        path = out_dir / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(base64.b64decode(b64))
        return str(path)

    cert_user = users[cert_ctx["user"]]
    return {
        "server": cluster["server"],
        "ca_file": Path(write("ca.crt", cluster["certificate-authority-data"])),
        "token": users[token_ctx["user"]]["token"],
        "client_cert": (
            write("client.crt", cert_user["client-certificate-data"]),
            write("client.key", cert_user["client-key-data"]),
        ),
    }


# --- the kubelet stand-in: pods that run --------------------------------------------------


def admin_session(server: ApiServer) -> requests.Session:
    """A `requests` session with the admin token that trusts the server's CA (and nothing else)."""
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override Session.verify
    session.verify = str(server.ca_file)
    session.headers["Authorization"] = f"Bearer {server.token}"
    return session


@dataclasses.dataclass(frozen=True)
class RunningPod:
    """A pod on the stand-in's node whose container ``container`` runs (a local process)."""

    namespace: str
    name: str
    uid: str
    container: str


def pod_manifest(
    name: str,
    command: list[str],
    *,
    container: str = "main",
    stdin: bool = False,
    stdin_once: bool = False,
    tty: bool = False,
    restart_policy: str = "Never",
    working_dir: str | None = None,
    env: dict[str, str] | None = None,
    sidecars: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """A pod bound to the stand-in's node whose container runs ``command`` on this host;
    ``sidecars`` (name -> command) adds more containers after it (same folder and env)."""
    spec: dict[str, Any] = {
        "name": container,
        "image": "kubeset-e2e/local-process",  # never pulled: the command runs on the host
        "command": command,
        "stdin": stdin,
        "stdinOnce": stdin_once,
        "tty": tty,
    }
    if working_dir is not None:
        spec["workingDir"] = working_dir
    if env:
        spec["env"] = [{"name": k, "value": v} for k, v in env.items()]
    containers = [spec]
    for other, other_command in (sidecars or {}).items():
        sidecar = {k: v for k, v in spec.items() if k in ("image", "workingDir", "env")}
        containers.append({"name": other, "command": other_command, **sidecar})
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "nodeName": KUBELET_NODE,
            "restartPolicy": restart_policy,
            "terminationGracePeriodSeconds": 5,
            "containers": containers,
        },
    }


def pod_url(server: ApiServer, namespace: str, name: str = "") -> str:
    base = f"{server.server}/api/v1/namespaces/{namespace}/pods"
    return f"{base}/{name}" if name else base


def wait_for_pod(
    session: requests.Session,
    server: ApiServer,
    namespace: str,
    name: str,
    done: Callable[[dict[str, Any]], bool],
    what: str,
    timeout: float = POD_TIMEOUT,
) -> dict[str, Any]:
    """Poll the pod until ``done(pod)``; fail with its last status after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        r = session.get(pod_url(server, namespace, name), timeout=REQUEST_TIMEOUT)
        r.raise_for_status()
        last = r.json()
        if done(last):
            return last
        time.sleep(0.1)
    pytest.fail(
        f"pod {namespace}/{name} not {what} within {timeout}s; status: {last.get('status')}"
    )


def container_running(pod: dict[str, Any], container: str) -> bool:
    status = pod.get("status") or {}
    for cs in status.get("containerStatuses") or []:
        if cs["name"] == container and "running" in (cs.get("state") or {}):
            return status.get("phase") == "Running"
    return False


def run_pod(
    session: requests.Session,
    server: ApiServer,
    manifest: dict[str, Any],
    namespace: str = "default",
) -> RunningPod:
    """Create the pod and wait until all its containers run."""
    r = session.post(pod_url(server, namespace), json=manifest, timeout=REQUEST_TIMEOUT)
    r.raise_for_status()
    created = r.json()
    name = created["metadata"]["name"]
    names = [c["name"] for c in created["spec"]["containers"]]
    wait_for_pod(
        session,
        server,
        namespace,
        name,
        lambda p: all(container_running(p, c) for c in names),
        "Running",
    )
    container = names[0]
    return RunningPod(namespace, name, created["metadata"]["uid"], container)


def delete_pod(
    session: requests.Session,
    server: ApiServer,
    namespace: str,
    name: str,
    timeout: float = POD_TIMEOUT,
) -> None:
    """Delete gracefully and wait until the stand-in has stopped it and it is gone."""
    r = session.delete(pod_url(server, namespace, name), timeout=REQUEST_TIMEOUT)
    if r.status_code == 404:
        return
    r.raise_for_status()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (
            session.get(pod_url(server, namespace, name), timeout=REQUEST_TIMEOUT).status_code
            == 404
        ):
            return
        time.sleep(0.1)
    pytest.fail(f"pod {namespace}/{name} still there {timeout}s after its deletion")


def stream_client(
    binary: Path,
    server: ApiServer,
    args: list[str],
    *,
    stdin: bytes | None = None,
    timeout: float = 120.0,
) -> subprocess.CompletedProcess[bytes]:
    """Run client-go's exec/attach/port-forward (``<binary> streamclient ...``, see
    tests/e2e/apiserver/streamclient.go) with the server's kubeconfig."""
    sub, rest = args[0], args[1:]
    return subprocess.run(
        [str(binary), "streamclient", sub, f"--kubeconfig={server.kubeconfig}", *rest],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=timeout,
        check=False,
    )


class LocalPods:
    """Creates pods on the stand-in's node that run a command on this host; ``close()`` deletes
    them all (stopping their processes).  The ``local_pod`` fixture is one of these."""

    def __init__(self, server: ApiServer) -> None:
        self.server = server
        self.session = admin_session(server)
        self.created: list[RunningPod] = []

    def __call__(
        self, command: list[str], name_prefix: str = "p", namespace: str = "default", **options: Any
    ) -> RunningPod:
        """Create the pod (``options`` as in pod_manifest) and wait until it runs."""
        name = f"{name_prefix}-{uuid.uuid4().hex[:8]}"
        manifest = pod_manifest(name, command, **options)
        try:
            pod = run_pod(self.session, self.server, manifest, namespace)
        except BaseException:
            delete_pod(self.session, self.server, namespace, name)
            raise
        self.created.append(pod)
        return pod

    def close(self) -> None:
        try:
            for pod in self.created:
                delete_pod(self.session, self.server, pod.namespace, pod.name)
        finally:
            self.session.close()


def running_server(
    proc: subprocess.Popen[bytes], kubeconfig: Path, seconds: float, log_file: Path
) -> ApiServer:
    """The ApiServer of a server start_server started (credentials go next to its log)."""
    creds = read_kubeconfig(kubeconfig, log_file.parent / "creds")
    return ApiServer(
        kubeconfig=kubeconfig, log_file=log_file, pid=proc.pid, startup_seconds=seconds, **creds
    )  # type: ignore[arg-type]


@contextlib.contextmanager
def another_server(
    binary: Path, work: Path, harness_args: Sequence[str] = (), extra_args: str | None = None
) -> Iterator[ApiServer]:
    """A server of its own (other harness flags, other kube-apiserver flags ``extra_args``) for
    a module; stopped on exit."""
    work.mkdir(parents=True, exist_ok=True)
    log_file = work / "apiserver.log"
    proc, kubeconfig, seconds = start_server(binary, log_file, extra_args, harness_args)
    try:
        yield running_server(proc, kubeconfig, seconds, log_file)
    finally:
        stop(proc)
