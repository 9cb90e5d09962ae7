"""kubeset's manifest loader (codegen/kubeyaml.py) against sigs.k8s.io/yaml itself, the library
kubectl reads manifests with: ``yamlcheck/`` (a ten-line Go program) prints the JSON it makes of a
document, and kubeset must make the same values.  Needs Go and the modules of yamlcheck/go.sum
(the e2e apiserver build fetches them); skipped without Go."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from kubeset.codegen.kubeyaml import load_all

HERE = Path(__file__).parent / "yamlcheck"

SCALARS = [
    "=",
    "==",
    "yes",
    "Yes",
    "YES",
    "y",
    "Y",
    "no",
    "n",
    "N",
    "on",
    "On",
    "off",
    "OFF",
    "true",
    "False",
    "~",
    "null",
    "Null",
    "",
    "0755",
    "0o17",
    "0o8",
    "08",
    "00",
    "-0",
    "0x1F",
    "0x_1F",
    "-0b11",
    "0b101",
    "1_000",
    "1__0",
    "+12",
    "12:30",
    "1:2:3",
    "2024-01-02",
    "2024-01-02T10:00:00Z",
    ".5",
    ".",
    "1e3",
    "1e3e",
    "0.5e+3",
    "1.0",
    "0.1.2",
    "9999999999999999999999",
    "18446744073709551615",
    "-9223372036854775809",
    "abc",
    "'0755'",
    '"yes"',
    "<<x",
    "0.",
    "1_0.5",
    "v1",  # .inf: not JSON, kubectl fails on it
]


@pytest.fixture(scope="module")
def yamlcheck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    go = shutil.which("go")
    if go is None:
        pytest.skip("Go not installed")
    binary = tmp_path_factory.mktemp("yamlcheck") / "yamlcheck"
    build = subprocess.run(
        [go, "build", "-o", str(binary), "."],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if build.returncode != 0:
        pytest.skip(f"cannot build yamlcheck (Go modules not available?): {build.stderr[-500:]}")
    return binary


def _same(a: object, b: object) -> bool:
    """Equal values; numbers as float when one side is (Go writes the float 1e19 as 10000000000000000000)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if (
        isinstance(a, float | int)
        and isinstance(b, float | int)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ):
        return float(a) == float(b) if isinstance(a, float) or isinstance(b, float) else a == b
    return type(a) is type(b) and a == b


def _go(binary: Path, text: str) -> object:
    proc = subprocess.run(
        [str(binary)], input=text, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.slow
def test_plain_scalars_match_sigs_k8s_io_yaml(yamlcheck: Path) -> None:
    doc = "".join(f"k{i}: {s}\n" for i, s in enumerate(SCALARS))
    theirs = _go(yamlcheck, doc)
    [ours] = load_all(doc)
    assert isinstance(theirs, dict)
    for i, scalar in enumerate(SCALARS):
        assert _same(ours[f"k{i}"], theirs[f"k{i}"]), (scalar, ours[f"k{i}"], theirs[f"k{i}"])
    assert ours.keys() == theirs.keys()


@pytest.mark.slow
def test_keys_lists_and_merges_match_sigs_k8s_io_yaml(yamlcheck: Path) -> None:
    doc = (
        "on: 1\nno: 2\n3: c\n0x10: d\n1.5: e\nbase: &b {x: 1, list: [yes, =, 010]}\n"
        "m: {<<: *b, z: 3}\nnested: {a: {b: [{c: off}]}}\n"
    )
    assert _same(load_all(doc), [_go(yamlcheck, doc)])
