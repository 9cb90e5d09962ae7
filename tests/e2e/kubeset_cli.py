"""Running ``python -m kubeset`` against the real kube-apiserver, isolated from the user's files.

    out = kubeset_cli(apiserver, tmp_path, "apply", "-f", "deploy/", "-n", ns)
    assert out.returncode == 0, out.stderr

``--kubeconfig`` names the server; ``HOME`` and the discovery cache are in ``tmp_path``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kube_apiserver import ApiServer

__all__ = ["kubeset_cli"]


def kubeset_cli(
    apiserver: ApiServer, tmp_path: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """``python -m kubeset ARGS --kubeconfig <the server's>``, its output captured as text."""
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
