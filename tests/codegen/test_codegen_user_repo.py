"""kubeset-gen in a user's own repository: the regeneration record, ``check`` from any folder, the
hint without the codegen extra, YAML as kubectl reads it, mixed manifests and bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kubeset.codegen.kubeyaml import load_all

GATEWAY = "gateway-api__httproutes.gateway.networking.k8s.io.yaml"
PROM = "prometheus-operator__prometheusrules.monitoring.coreos.com.yaml"

WIDGET = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
              op: {type: string, enum: [=, "!="], default: =}
"""


def gen(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kubeset.codegen", *args],
        check=False,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


@pytest.fixture()
def repo(tmp_path: Path, shared_dir: Path) -> Path:
    """A user repo: crds/ (a real CRD, one of ours, and a file mixing a CRD with a ConfigMap), src/."""
    root = tmp_path / "repo"
    (root / "crds").mkdir(parents=True)
    (root / "src").mkdir()
    shutil.copy(shared_dir / "crds" / GATEWAY, root / "crds" / GATEWAY)
    (root / "crds" / "widgets.yaml").write_text(
        WIDGET + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
    )
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    proc = gen("generate", "--spec", "crds", "--out", "src/mypkg", "--package", "mypkg", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert (
        "skipped crds/widgets.yaml: document 2 (v1 ConfigMap) is not a CustomResourceDefinition"
        in proc.stderr
    )
    return root


def test_record_is_relative_and_machine_independent(repo: Path) -> None:
    record = json.loads((repo / "src/mypkg/kubeset-gen.json").read_text())
    assert record["package"] == "mypkg"
    assert record["source"] == {"spec": "../../crds"}
    assert [i["path"] for i in record["inputs"]] == [
        f"../../crds/{GATEWAY}",
        "../../crds/widgets.yaml",
    ]
    assert all(len(i["sha256"]) == 64 for i in record["inputs"])
    assert record["kubeset"]
    for path in (repo / "src/mypkg").rglob("*"):
        if path.is_file():
            assert str(repo) not in path.read_text(), path  # no absolute paths anywhere


def test_check_passes_from_the_root_and_a_subfolder(repo: Path) -> None:
    ok = gen("check", "src/mypkg", cwd=repo)
    assert ok.returncode == 0, ok.stderr
    (repo / "docs").mkdir()
    ok = gen("check", "../src/mypkg", cwd=repo / "docs")
    assert ok.returncode == 0, ok.stderr
    assert "up to date" in ok.stderr
    ok = gen("check", "--out", "src/mypkg", cwd=repo)  # the older spelling, no --package needed
    assert ok.returncode == 0, ok.stderr
    umask = os.umask(0)
    os.umask(umask)
    assert (
        repo / "src/mypkg"
    ).stat().st_mode & 0o777 == 0o777 & ~umask  # an ordinary folder, not a 0700 temp one


def test_check_fails_naming_an_edited_generated_file(repo: Path) -> None:
    target = repo / "src/mypkg/models/example/v1.py"
    target.write_text(target.read_text().replace("class Widget(", "class Widgit(", 1))
    proc = gen("check", "src/mypkg", cwd=repo)
    assert proc.returncode == 1, proc.stderr
    assert "--- src/mypkg/models/example/v1.py\n" in proc.stdout
    assert "-class Widgit(" in proc.stdout and "+class Widget(" in proc.stdout
    assert "models/example/v1.py" in proc.stderr and "Traceback" not in proc.stderr


def test_check_fails_when_an_input_crd_changes(repo: Path) -> None:
    crd = repo / "crds/widgets.yaml"
    crd.write_text(
        crd.read_text().replace(
            "size: {type: integer}", "size: {type: integer}\n              color: {type: string}"
        )
    )
    proc = gen("check", "src/mypkg", cwd=repo)
    assert proc.returncode == 1
    assert (
        "src/mypkg/models/example/v1.py (regenerated)" in proc.stdout
        and "+    color: str | None = None" in proc.stdout
    )
    assert "--- src/mypkg/kubeset-gen.json" in proc.stdout  # the input's sha256 changed
    assert "kubeset-gen: input changed: ../../crds/widgets.yaml" in proc.stderr
    (repo / "crds/more.yaml").write_text(
        WIDGET.replace("widgets", "gizmos").replace("Widget", "Gizmo")
    )
    proc = gen("check", "src/mypkg", cwd=repo)
    assert proc.returncode == 1 and "kubeset-gen: input new: ../../crds/more.yaml" in proc.stderr


def test_check_fails_when_the_version_record_changes(repo: Path) -> None:
    record = repo / "src/mypkg/kubeset-gen.json"
    data = json.loads(record.read_text())
    data["kubeset"] = "0.0.1"
    record.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    proc = gen("check", "src/mypkg", cwd=repo)
    assert proc.returncode == 1
    assert '-  "kubeset": "0.0.1",' in proc.stdout and "src/mypkg/kubeset-gen.json" in proc.stderr


def test_check_exit_2_when_inputs_are_missing(repo: Path) -> None:
    shutil.rmtree(repo / "crds")
    proc = gen("check", "src/mypkg", cwd=repo)
    assert proc.returncode == 2
    assert proc.stderr.startswith("kubeset-gen: error: ") and "../../crds" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    (repo / "src/mypkg/kubeset-gen.json").unlink()
    proc = gen("check", "src/mypkg", cwd=repo)
    assert proc.returncode == 2 and "no regeneration record" in proc.stderr


def test_without_the_codegen_extra_one_line_and_exit_2(tmp_path: Path) -> None:
    """A jinja2 that cannot be imported stands in for an environment without the extra."""
    fake = tmp_path / "site"
    fake.mkdir()
    (fake / "jinja2.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'jinja2'\", name='jinja2')\n"
    )
    proc = gen(
        "generate",
        "--release",
        "1.36",
        "--out",
        str(tmp_path / "out"),
        cwd=tmp_path,
        env={"PYTHONPATH": str(fake)},
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "kubeset-gen: error: the generator needs the codegen extra: pip install 'kubeset[codegen]'"
    ]
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- YAML as kubectl reads it


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("=", "="),  # PyYAML's YAML 1.1 value tag; go-yaml: a plain string
        ("yes", True),
        ("On", True),
        ("y", True),
        ("NO", False),
        ("off", False),
        ("n", False),
        ("True", True),
        ("false", False),
        ("~", None),
        ("null", None),
        ("0755", 493),
        ("0o17", 15),
        ("0x1F", 31),
        ("-0b11", -3),
        ("1_000", 1000),
        ("08", 8.0),
        ("12:30", "12:30"),  # PyYAML: sexagesimal 750
        ("2024-01-02", "2024-01-02"),  # go-yaml v2 keeps timestamps as text in untyped data
        (".5", 0.5),
        ("1e3", 1000.0),
        ("-7", -7),
        ("'0755'", "0755"),
        ('"yes"', "yes"),
        ("abc", "abc"),
    ],
)
def test_scalars_resolve_like_go_yaml_v2(text: str, value: object) -> None:
    [doc] = load_all(f"v: {text}\n")
    assert doc == {"v": value} and type(doc["v"]) is type(value)


def test_mapping_keys_become_text_and_merges_work() -> None:
    [doc] = load_all("on: 1\n2: b\nbase: &b {x: 1}\nm: {<<: *b, y: 2, z: 3}\n")
    assert doc == {
        "true": 1,
        "2": "b",
        "base": {"x": 1},
        "m": {"x": 1, "true": 2, "z": 3},
    }  # y: is true


def test_a_bare_equals_sign_in_a_crd_generates(repo: Path) -> None:
    from kubeset.codegen.loader import load_spec

    loaded = load_spec(str(repo / "crds/widgets.yaml"))
    assert loaded.skipped == (
        f"{repo / 'crds/widgets.yaml'}: document 2 (v1 ConfigMap) is not a CustomResourceDefinition",
    )


# ---------------------------------------------------------------- bad input

BAD = {
    "not_yaml.yaml": ("a: [1, 2\n", ["not_yaml.yaml", "not YAML", "line"]),
    "not_crd.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
        ["not_crd.yaml", "no CustomResourceDefinition found", "v1 ConfigMap"],
    ),
    "no_schema.yaml": (
        WIDGET.split("    schema:")[0],
        [
            "no_schema.yaml",
            "widgets.example.com version v1: no schema",
            "spec.versions[0].schema.openAPIV3Schema",
        ],
    ),
    "bad_type.yaml": (
        WIDGET.replace("size: {type: integer}", "size: {type: decimal}"),
        [
            "bad_type.yaml",
            "spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.size",
            "type 'decimal' cannot be generated",
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_one_clear_line_exit_2_and_nothing_written(name: str, tmp_path: Path) -> None:
    text, needles = BAD[name]
    (tmp_path / name).write_text(text)
    out = tmp_path / "out"
    proc = gen("generate", "--spec", name, "--out", "out", "--package", "out", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("kubeset-gen: error: ") and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    for needle in needles:
        assert needle in proc.stderr, proc.stderr
    assert not out.exists()
    assert [
        p.name for p in tmp_path.iterdir() if p.name.startswith(".")
    ] == []  # no staging folder left


def test_two_crds_of_one_kind_name_both_files(tmp_path: Path) -> None:
    (tmp_path / "crds").mkdir()
    (tmp_path / "crds/a.yaml").write_text(WIDGET)
    (tmp_path / "crds/b.yaml").write_text(
        WIDGET.replace("widgets.example.com", "gadgets.example.com").replace(
            "plural: widgets", "plural: gadgets"
        )
    )
    # an existing generated package stays untouched on failure
    ok = gen("generate", "--spec", "crds/a.yaml", "--out", "out", "--package", "out", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    before = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    proc = gen("generate", "--spec", "crds", "--out", "out", "--package", "out", cwd=tmp_path)
    assert proc.returncode == 2
    assert (
        "crds/b.yaml" in proc.stderr
        and "kind Widget of example.com/v1 is also defined by crds/a.yaml" in proc.stderr
    )
    assert {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()} == before
