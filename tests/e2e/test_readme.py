"""The README's client tour runs as written against the real kube-apiserver."""

from __future__ import annotations

from pathlib import Path

from kube_apiserver import ApiServer
from readme_tours import run_tour


def test_readme_client_tour_runs(apiserver: ApiServer, tmp_path: Path) -> None:
    result = run_tour(
        apiserver,
        tmp_path,
        "## Tour: clients",
        edit=lambda code: code.replace("for page in", "for _page in"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0] == "MODIFIED app", (
        lines
    )  # the patch, seen by the watch from the read's resourceVersion
    assert lines[-1] == "404 NotFound missing", lines
