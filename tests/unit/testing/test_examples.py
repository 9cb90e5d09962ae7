"""client-go's examples (examples/) run unchanged against the fake, served over HTTP on
127.0.0.1 (they take a kubeconfig), as tests/e2e runs them against the real kube-apiserver."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from kubeset.testing.server import FakeServer

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.fixture(scope="module")
def kubeconfig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with FakeServer() as server:
        yield server.write_kubeconfig(tmp_path_factory.mktemp("fake") / "kubeconfig")


@pytest.mark.parametrize(
    "example", ["deployment", "service", "ingress", "replicaset", "pod", "statefulset"]
)
def test_examples_run_against_the_fake(example: str, kubeconfig: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / f"{example}.py"),
            "--kubeconfig",
            str(kubeconfig),
            "--namespace",
            "default",
            "--name",
            f"ex-{example}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "Deleted" in out and "watch:" in out and "DELETED" in out, out
