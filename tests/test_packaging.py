"""One distribution, three folders: runtime/ -> kubeset, codegen/ -> kubeset.codegen,
generated/kubernetes/ -> kubeset.kubernetes; both the wheel and the editable install work."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
FOLDERS = {
    "runtime": "kubeset",
    "codegen": "kubeset/codegen",
    "generated/kubernetes": "kubeset/kubernetes",
}


def _expected_members() -> set[str]:
    members = set()
    for folder, target in FOLDERS.items():
        base = PROJECT / folder
        for path in base.rglob("*.py"):
            if "__pycache__" in path.parts:
                continue
            members.add(f"{target}/{path.relative_to(base).as_posix()}")
    return members


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Build from a clean copy: an in-tree build/ could carry stale files into the wheel.
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE", "MANIFEST.in"):
        shutil.copy2(PROJECT / name, src / name)
    for folder in ("runtime", "codegen", "generated"):
        shutil.copytree(
            PROJECT / folder,
            src / folder,
            ignore=shutil.ignore_patterns("__pycache__", "*.so", "target"),
        )
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(src),
        ],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("kubeset-*.whl")
    return found


def test_wheel_maps_every_folder_and_ships_py_typed(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = _expected_members() - names
    assert not missing, f"files missing from the wheel: {sorted(missing)[:10]}"
    assert "kubeset/py.typed" in names
    assert not any(n.startswith(("runtime/", "codegen/", "generated/", "tests/")) for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert (
        "kubeset-gen = kubeset.codegen.cli:main"
        in zipfile.ZipFile(wheel).read(entry_points).decode()
    )


def test_wheel_carries_the_compiled_decoder_but_not_its_sources(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert not any("/_codec/" in n or n.endswith((".rs", "Cargo.toml")) for n in names)
    assert "kubeset/_codec.pyi" in names
    built = [n for n in names if n.startswith("kubeset/_codec.") and n.endswith(".so")]
    if os.environ.get("KUBESET_NATIVE") == "required":
        assert len(built) == 1 and built[0].startswith("kubeset/_codec.cpython-"), built
    assert len(built) <= 1, built


def test_wheel_imports_without_the_source_tree(wheel: Path) -> None:
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import kubeset, kubeset.codegen, kubeset.kubernetes;"
        "print(kubeset.__file__); print(kubeset.kubernetes.__file__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(wheel)], capture_output=True, text=True, check=True
    )
    lines = result.stdout.split()
    assert all(line.startswith(str(wheel)) for line in lines), lines


def test_editable_install_resolves_statically() -> None:
    """The editable install is a tree of links (so mypy and pyright can follow it), not an import hook."""
    import kubeset

    init = Path(kubeset.__file__)
    assert init.resolve() == (PROJECT / "runtime" / "__init__.py").resolve()
    assert not any("__editable__" in type(f).__module__ for f in sys.meta_path)
    codegen = init.parent / "codegen"
    assert (codegen / "__init__.py").resolve() == (PROJECT / "codegen" / "__init__.py").resolve()
