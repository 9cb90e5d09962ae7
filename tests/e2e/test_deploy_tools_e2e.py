"""Deploy tools on the command line against the real kube-apiserver, and the README's tour.

``python -m kubeset diff`` exits 0 with nothing to change, 1 with changes, 2 on an error
(kubectl diff's convention); ``apply --applyset --prune`` prints kubectl's ``pruned`` lines;
``apply --wait`` and ``wait`` print ``condition met`` or why not, bounded by ``--timeout``.
With kubectl on PATH, kubectl and kubeset prune each other's ApplySets (kubectl's own
``--applyset``, KUBECTL_APPLYSET=true).  The library behaviour (both backends) is in
tests/behaviour/test_deploy_tools.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import kubeset
import pytest
from kube_apiserver import ApiServer
from kubeset.dynamic import DynamicClient
from kubeset.dynamic.applyset import (
    GROUP_KINDS_ANNOTATION,
    ID_LABEL,
    NAMESPACES_ANNOTATION,
    PART_OF_LABEL,
    TOOLING_ANNOTATION,
    applyset_id,
)
from kubeset_cli import kubeset_cli
from readme_tours import run_tour

pytestmark = pytest.mark.e2e


@pytest.fixture
def ns(apiserver: ApiServer, tmp_path: Path) -> Iterator[str]:
    name = f"dt-{uuid.uuid4().hex[:6]}"
    config = kubeset.load_kubeconfig(apiserver.kubeconfig)
    with DynamicClient(config, cache_dir=str(tmp_path / "c")) as dyn:
        namespaces = dyn.resource("", "v1", "namespaces")
        namespaces.create({"metadata": {"name": name}})
        yield name
        namespaces.delete(name)


def cm(name: str, value: str) -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\ndata: {{v: '{value}'}}\n"


def test_diff_exit_codes_prune_and_wait_on_the_command_line(
    apiserver: ApiServer, ns: str, tmp_path: Path
) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "a.yaml").write_text(cm("a", "1"))
    (app / "b.yaml").write_text(cm("b", "1"))
    common = ["-f", str(app), "-n", ns]

    new = kubeset_cli(apiserver, tmp_path, "diff", *common, "--applyset", "app")
    assert new.returncode == 1, new.stderr
    assert f"+++ merged/v1.ConfigMap.{ns}.a\n" in new.stdout
    assert "+    applyset.kubernetes.io/part-of: applyset-" in new.stdout

    applied = kubeset_cli(
        apiserver,
        tmp_path,
        "apply",
        *common,
        "--applyset",
        "app",
        "--prune",
        "--wait",
        "--timeout",
        "30s",
    )
    assert applied.returncode == 0, applied.stderr
    assert applied.stdout.splitlines() == [
        "configmap/a created",
        "configmap/b created",
        "configmap/a condition met",
        "configmap/b condition met",
    ]
    same = kubeset_cli(apiserver, tmp_path, "diff", *common, "--applyset", "app")
    assert (same.returncode, same.stdout, same.stderr) == (0, "", "")

    (app / "a.yaml").write_text(cm("a", "2"))
    changed = kubeset_cli(apiserver, tmp_path, "diff", *common, "--applyset", "app")
    assert changed.returncode == 1
    assert "-  v: '1'\n+  v: '2'\n" in changed.stdout and "b\n" not in changed.stdout

    (app / "b.yaml").unlink()
    pruned = kubeset_cli(apiserver, tmp_path, "apply", *common, "--applyset", "app", "--prune")
    assert pruned.returncode == 0, pruned.stderr
    assert pruned.stdout.splitlines() == ["configmap/a configured", "configmap/b pruned"]

    (app / "c.yaml").write_text("apiVersion: v1\nkind: Nothing\nmetadata: {name: x}\n")
    broken = kubeset_cli(apiserver, tmp_path, "diff", *common)
    assert broken.returncode == 2 and "c.yaml document 1" in broken.stderr
    (app / "c.yaml").unlink()

    (app / "job.yaml").write_text(
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: once}\nspec:\n  template:\n"
        "    spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}\n"
    )
    kubeset_cli(apiserver, tmp_path, "apply", "-f", str(app / "job.yaml"), "-n", ns)
    waited = kubeset_cli(
        apiserver,
        tmp_path,
        "wait",
        "-f",
        str(app / "job.yaml"),
        "-n",
        ns,
        "--for",
        "condition=Complete",
        "--timeout",
        "2s",
    )
    assert waited.returncode == 1
    assert waited.stderr.splitlines() == [
        f"error: job.batch/once in {ns} not ready (condition=Complete=True): no Complete condition yet",
        "error: timed out after 2s waiting for 1 of 1 objects:",
    ]
    bad = kubeset_cli(apiserver, tmp_path, "wait", *common, "--for", "jsonpath={.x}")
    assert bad.returncode == 1 and "expected ready, delete or condition" in bad.stderr


def test_readme_deploy_tour_runs(apiserver: ApiServer, tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    for name in ("a", "b"):
        (tmp_path / "deploy" / f"{name}.yaml").write_text(cm(name, name))
    out = run_tour(apiserver, tmp_path, "## Tour: deploy tools")
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.splitlines() == [
        "configmap/a created +++ merged/v1.ConfigMap.default.a",
        "configmap/b created +++ merged/v1.ConfigMap.default.b",
        "['configmap/a created', 'configmap/b created']",
        "['configmap/a condition met', 'configmap/b condition met']",
        "['configmap/a unchanged', 'configmap/b pruned']",
        "error: job.batch/migrate in default not ready (ready): not found",
    ]


def kubectl(apiserver: ApiServer, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    found = shutil.which("kubectl")
    assert found is not None
    return subprocess.run(
        [found, *args, "--kubeconfig", str(apiserver.kubeconfig)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "KUBECTL_APPLYSET": "true",
            "KUBECACHEDIR": str(tmp_path / "kubectl-cache"),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp_path),
        },
    )


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on PATH")
def test_kubectl_and_kubeset_prune_each_others_applysets(
    apiserver: ApiServer, ns: str, tmp_path: Path
) -> None:
    app = tmp_path / "app"
    app.mkdir()
    for name in ("a", "b", "c"):
        (app / f"{name}.yaml").write_text(cm(name, "1"))
    config = kubeset.load_kubeconfig(apiserver.kubeconfig)
    with DynamicClient(config, cache_dir=str(tmp_path / "c")) as dyn:
        cms = dyn.resource("", "v1", "configmaps").in_namespace(ns)
        secrets = dyn.resource("", "v1", "secrets").in_namespace(ns)

        # kubectl writes a set; kubeset reads kubectl's parent as its own would be
        flags = ["-f", str(app), "-n", ns, "--server-side", "--prune"]
        by_kubectl = kubectl(apiserver, tmp_path, "apply", *flags, "--applyset", "theirs")
        assert by_kubectl.returncode == 0, by_kubectl.stderr
        parent = secrets.get("theirs")
        set_id = applyset_id(name="theirs", namespace=ns, kind="Secret", group="")
        assert parent.labels == {ID_LABEL: set_id}
        tooling = parent.annotations[TOOLING_ANNOTATION]
        assert tooling.startswith("kubectl/v")
        assert parent.annotations[GROUP_KINDS_ANNOTATION] == "ConfigMap"
        assert parent.annotations[NAMESPACES_ANNOTATION] == ""
        assert {o.name for o in cms.list_all(label_selector=f"{PART_OF_LABEL}={set_id}")} == {
            "a",
            "b",
            "c",
        }

        # kubeset refuses kubectl's set under its own name, prunes it under kubectl's
        (app / "c.yaml").unlink()
        ours = ["-f", str(app), "-n", ns, "--applyset", "theirs", "--prune"]
        refused = kubeset_cli(apiserver, tmp_path, "apply", *ours)
        assert refused.returncode == 1 and "managed by 'kubectl'" in refused.stderr
        taken = kubeset_cli(apiserver, tmp_path, "apply", *ours, "--applyset-tooling", tooling)
        assert taken.returncode == 0, taken.stderr
        assert taken.stdout.splitlines()[-1] == "configmap/c pruned"
        assert secrets.get("theirs").annotations[TOOLING_ANNOTATION] == tooling

        # and kubectl prunes what kubeset applied in kubectl's set
        (app / "b.yaml").unlink()
        by_kubectl = kubectl(apiserver, tmp_path, "apply", *flags, "--applyset", "theirs")
        assert by_kubectl.returncode == 0, by_kubectl.stderr
        assert "configmap/b pruned" in by_kubectl.stdout
        assert {o.name for o in cms.list_all(label_selector=f"{PART_OF_LABEL}={set_id}")} == {"a"}

        # a set kubeset owns: kubectl refuses it by the tooling annotation, as kubeset does
        (app / "d.yaml").write_text(cm("d", "1"))
        mine = ["apply", "-f", str(app / "d.yaml"), "-n", ns, "--prune", "--applyset", "mine"]
        applied = kubeset_cli(apiserver, tmp_path, *mine)
        assert applied.returncode == 0, applied.stderr
        refused = kubectl(apiserver, tmp_path, *mine, "--server-side")
        assert refused.returncode != 0
        assert 'managed by tooling "kubeset" instead of "kubectl"' in refused.stderr
