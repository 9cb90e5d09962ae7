"""The model and codec layers import downwards only: model imports no other kubeset layer;
codec imports model and errors, never the client layers (rest, transport, config, ...)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RUNTIME = Path(__file__).resolve().parents[3] / "runtime"
ALLOWED = {
    "model": {"model"},
    "codec": {"codec", "model", "errors", "_codec"},
}


def _kubeset_imports(path: Path, package: str) -> set[str]:
    """The top-level kubeset modules a file of ``kubeset.<package>`` imports (``model``, ``rest``, ...)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                parts = (node.module or "").split(".")
                if parts[0] == "kubeset" and len(parts) > 1:
                    found.add(parts[1])
            elif node.level == 1:  # inside the package itself
                found.add(package)
            else:  # from .. import x / from ..x import y
                found |= (
                    {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
                )
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("kubeset.")}
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_layer_imports_only_what_lies_below_it(package: str) -> None:
    files = sorted((RUNTIME / package).glob("*.py"))
    assert files
    for path in files:
        imported = _kubeset_imports(path, package)
        assert imported <= ALLOWED[package], (
            f"{package}/{path.name} imports {sorted(imported - ALLOWED[package])}"
        )


def test_the_check_sees_imports() -> None:
    assert _kubeset_imports(RUNTIME / "codec" / "plan.py", "codec") == {"model"}
    assert _kubeset_imports(RUNTIME / "codec" / "scheme.py", "codec") == {"errors", "codec"}
