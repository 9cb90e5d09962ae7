"""Running a README tour's Python block as a script against the real kube-apiserver.

    out = run_tour(apiserver, tmp_path, "## Tour: deploy tools")
    assert out.returncode == 0, out.stderr[-3000:]

The block is the first ```python block after the heading; it runs in ``tmp_path`` (where the
test put the files it reads) with ``KUBECONFIG`` naming the server and its discovery cache in
``tmp_path/cache``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from kube_apiserver import ApiServer

__all__ = ["README", "run_tour", "tour_code"]

README = Path(__file__).resolve().parents[2] / "README.md"


def tour_code(heading: str) -> str:
    """The first Python block of the README section under ``heading``."""
    section = README.read_text().split(heading, 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, f"README has no python block under {heading!r}"
    return match.group(1)


def run_tour(
    apiserver: ApiServer,
    tmp_path: Path,
    heading: str,
    *,
    edit: Callable[[str], str] = lambda code: code,
) -> subprocess.CompletedProcess[str]:
    """Run the tour's block (changed by ``edit`` first) as ``tmp_path/tour.py``."""
    (tmp_path / "tour.py").write_text(edit(tour_code(heading)))
    env = {
        **os.environ,
        "KUBECONFIG": str(apiserver.kubeconfig),
        "KUBECACHEDIR": str(tmp_path / "cache"),
    }
    return subprocess.run(
        [sys.executable, "tour.py"],
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
