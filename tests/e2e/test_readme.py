"""The README's client tour runs as written against the real kube-apiserver."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from kube_apiserver import ApiServer

README = Path(__file__).resolve().parents[2] / "README.md"


def _tour() -> str:
    text = README.read_text()
    section = text.split("## Tour: clients", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "README has no python block in its client tour"
    return match.group(1)


def test_readme_client_tour_runs(apiserver: ApiServer, tmp_path: Path) -> None:
    script = tmp_path / "tour.py"
    script.write_text(_tour().replace("for page in", "for _page in"))
    env = {**os.environ, "KUBECONFIG": str(apiserver.kubeconfig)}
    result = subprocess.run(
        [sys.executable, str(script)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0] == "MODIFIED app", (
        lines
    )  # the patch, seen by the watch from the read's resourceVersion
    assert lines[-1] == "404 NotFound missing", lines
