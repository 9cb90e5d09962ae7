"""Deploy tools on the command line against the real kube-apiserver, and the README's tour.

``python -m kubeset diff`` exits 0 with nothing to change, 1 with changes, 2 on an error
(kubectl diff's convention); ``apply --applyset --prune`` prints kubectl's ``pruned`` lines;
``apply --wait`` and ``wait`` print ``condition met`` or why not, bounded by ``--timeout``.
The library behaviour (both backends) is in tests/behaviour/test_deploy_tools.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import kubeset
import pytest
from kube_apiserver import ApiServer
from kubeset.dynamic import DynamicClient

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def ns(apiserver: ApiServer, tmp_path: Path) -> Iterator[str]:
    name = f"dt-{uuid.uuid4().hex[:6]}"
    config = kubeset.load_kubeconfig(apiserver.kubeconfig)
    with DynamicClient(config, cache_dir=str(tmp_path / "c")) as dyn:
        namespaces = dyn.resource("", "v1", "namespaces")
        namespaces.create({"metadata": {"name": name}})
        yield name
        namespaces.delete(name)


def kubeset_cli(
    apiserver: ApiServer, tmp_path: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kubeset", *args, "--kubeconfig", str(apiserver.kubeconfig)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "KUBECACHEDIR": str(tmp_path / "cache"),
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
        },
    )


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
    section = README.read_text().split("## Tour: deploy tools", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "README has no python block in its deploy tour"
    (tmp_path / "deploy").mkdir()
    for name in ("a", "b"):
        (tmp_path / "deploy" / f"{name}.yaml").write_text(cm(name, name))
    (tmp_path / "tour.py").write_text(match.group(1))
    env = {
        **os.environ,
        "KUBECONFIG": str(apiserver.kubeconfig),
        "KUBECACHEDIR": str(tmp_path / "cache"),
    }
    out = subprocess.run(
        [sys.executable, "tour.py"],
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.splitlines() == [
        "configmap/a created +++ merged/v1.ConfigMap.default.a",
        "configmap/b created +++ merged/v1.ConfigMap.default.b",
        "['configmap/a created', 'configmap/b created']",
        "['configmap/a condition met', 'configmap/b condition met']",
        "['configmap/a unchanged', 'configmap/b pruned']",
        "error: job.batch/migrate in default not ready (ready): not found",
    ]
