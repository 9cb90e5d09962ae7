"""mypy and pyright on sample user code: the typed clients are typed for real.

``samples/clients_ok.py`` and ``samples/models_ok.py`` (Go-shaped models: no None checks on
lists, maps, metadata, spec, status, items; pyright strict) must check cleanly (its ``assert_type`` calls pin what both checkers
infer: ``pods.get()`` is a ``Pod``, ``.list()`` a ``PodList``, a watch event's ``object`` a
``Pod``, ...); ``samples/clients_bad.py`` and ``samples/models_bad.py`` must get an error on exactly the lines marked ``# E``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = Path(__file__).parent / "samples"
BIN = Path(sys.executable).parent
OK = SAMPLES / "clients_ok.py"
BAD = SAMPLES / "clients_bad.py"
# sample pairs: (code that must check cleanly, code with an error on every "# E" line)
PAIRS = {
    "async": (SAMPLES / "async_ok.py", SAMPLES / "async_bad.py"),
    "clients": (OK, BAD),
    "dynamic": (SAMPLES / "dynamic_ok.py", SAMPLES / "dynamic_bad.py"),
    "models": (SAMPLES / "models_ok.py", SAMPLES / "models_bad.py"),
}

pytestmark = pytest.mark.skipif(
    not (Path(__file__).resolve().parents[2] / "generated/kubernetes/clientset.py").exists(),
    reason="generated clients not present (make generate)",
)


def _marked_lines(path: Path) -> set[int]:
    return {
        i for i, line in enumerate(path.read_text().splitlines(), 1) if re.search(r"#\s*E:", line)
    }


def _mypy(path: Path) -> dict[int, list[str]]:
    proc = subprocess.run(
        [str(BIN / "mypy"), "--strict", "--no-incremental", "--show-error-codes", path.name],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=path.parent,
    )
    errors: dict[int, list[str]] = {}
    for line in proc.stdout.splitlines():
        m = re.match(rf"{re.escape(path.name)}:(\d+): error: (.*)", line)
        if m:
            errors.setdefault(int(m.group(1)), []).append(m.group(2))
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and not errors):
        pytest.fail(f"mypy did not run: {proc.stdout[-2000:]} {proc.stderr[-2000:]}")
    return errors


def _pyright(path: Path) -> dict[int, list[str]]:
    proc = subprocess.run(
        [str(BIN / "pyright"), "--outputjson", "--pythonpath", sys.executable, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        pytest.fail(f"pyright did not run: {proc.stdout[-2000:]} {proc.stderr[-2000:]}")
    errors: dict[int, list[str]] = {}
    for diag in report.get("generalDiagnostics", []):
        if diag.get("severity") == "error":
            errors.setdefault(diag["range"]["start"]["line"] + 1, []).append(diag["message"])
    return errors


CHECKERS = {"mypy": _mypy, "pyright": _pyright}


@pytest.mark.parametrize("sample", sorted(PAIRS))
@pytest.mark.parametrize("checker", sorted(CHECKERS))
def test_correct_user_code_checks_cleanly_with_the_expected_types(
    checker: str, sample: str
) -> None:
    errors = CHECKERS[checker](PAIRS[sample][0])
    assert errors == {}, f"{checker} reported errors on correct code: {errors}"


@pytest.mark.parametrize("sample", sorted(PAIRS))
@pytest.mark.parametrize("checker", sorted(CHECKERS))
def test_mistakes_are_reported_on_exactly_the_marked_lines(checker: str, sample: str) -> None:
    bad = PAIRS[sample][1]
    errors = CHECKERS[checker](bad)
    expected = _marked_lines(bad)
    assert expected, "the bad sample has no marked lines"
    missing = sorted(expected - set(errors))
    unexpected = {line: msgs for line, msgs in errors.items() if line not in expected}
    assert not missing, f"{checker} accepted mistakes on lines {missing}"
    assert not unexpected, f"{checker} reported errors on unmarked lines: {unexpected}"


@pytest.mark.parametrize("checker", ["mypy", "pyright"])
def test_the_runtime_itself_type_checks(checker: str) -> None:
    """The handwritten runtime is clean under both checkers (mypy --strict)."""
    runtime = Path(__file__).resolve().parents[2] / "runtime"
    if checker == "mypy":
        cmd = [
            str(BIN / "mypy"),
            "--strict",
            "--no-incremental",
            "--show-error-codes",
            "-p",
            "kubeset",
            "--exclude",
            "kubeset/(kubernetes|codegen)/",
        ]
    else:
        cmd = [str(BIN / "pyright"), "--pythonpath", sys.executable, str(runtime)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
