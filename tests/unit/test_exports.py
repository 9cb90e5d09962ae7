"""kubeset's lazy exports: what type checkers see is what runs."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import kubeset

INIT = Path(__file__).resolve().parents[2] / "runtime" / "__init__.py"


def _type_checking_imports() -> dict[str, tuple[str, str]]:
    """name -> (module, asname) for every import in the TYPE_CHECKING block."""
    tree = ast.parse(INIT.read_text())
    block = next(n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING")
    found = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom)
        for alias in node.names:
            found[alias.name] = (node.module or "", alias.asname or "")
    return found


def test_every_export_is_visible_to_type_checkers_as_a_re_export() -> None:
    imports = _type_checking_imports()
    exports = kubeset._EXPORTS
    assert set(imports) == set(exports)
    for name, (module, asname) in imports.items():
        assert module == exports[name], name
        # strict mypy only treats `import X as X` as a public re-export
        assert asname == name, f"{name}: write `{name} as {name}`"


def test_every_export_resolves_at_run_time() -> None:
    for name, module in kubeset._EXPORTS.items():
        assert getattr(kubeset, name) is getattr(importlib.import_module(f"kubeset.{module}"), name), name
    assert set(kubeset._EXPORTS) <= set(dir(kubeset))


def test_import_kubeset_loads_no_runtime_module() -> None:
    code = "import sys, kubeset; print(sorted(m for m in sys.modules if m.startswith(('kubeset.', 'pydantic', 'requests'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['kubeset._version']"
