"""Every Python block of README.md and docs/**/*.md runs, against the fake cluster.

Each fenced ``python`` block is one test, run in file order in one namespace per file (a later
block may use what an earlier one defined, as a reader does).  ``kubeset.load_config()`` finds a
kubeconfig (``KUBECONFIG``) for a :class:`kubeset.testing.server.FakeServer` on 127.0.0.1, and
the blocks run in a folder holding ``deploy/web.yaml`` (a Deployment) for the manifest examples.
A block that defines ``test_*`` functions is a test file: each one is called with a fresh
``kube_fake``.  An HTML comment on the line before a block steers it:

    <!-- doc-example: skip REASON -->         not run (REASON is shown as the skip reason)
    <!-- doc-example: setup CODE -->          CODE runs first (names the prose leaves implicit)
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from kubeset.testing import FakeTransport
from kubeset.testing.server import FakeServer

PROJECT = Path(__file__).resolve().parents[2]
# docs/architecture.md is the maintainers' map, not the site: its blocks are schematics ("...")
NOT_EXAMPLES = {PROJECT / "docs" / "architecture.md"}
SOURCES = [
    PROJECT / "README.md",
    *sorted(p for p in (PROJECT / "docs").rglob("*.md") if p not in NOT_EXAMPLES),
]
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)\s*$")
DIRECTIVE = re.compile(r"^\s*<!-- doc-example: (?P<verb>skip|setup) (?P<arg>.*?) -->\s*$")
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
"""


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # of the opening fence, 1-based
    code: str
    skip: str | None
    setup: str | None

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(PROJECT).as_posix()}:{self.line}"


def blocks(path: Path) -> list[Block]:
    """The fenced ``python`` blocks of one Markdown file, dedented, with their directives."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or not m["lang"]:
            i += 1
            continue
        start, indent = i, m["indent"]
        i += 1
        body: list[str] = []
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i].removeprefix(indent))
            i += 1
        i += 1
        if m["lang"] != "python":
            continue
        d = DIRECTIVE.match(lines[start - 1]) if start else None
        found.append(
            Block(
                path=path,
                line=start + 1,
                code="\n".join(body) + "\n",
                skip=d["arg"] if d and d["verb"] == "skip" else None,
                setup=d["arg"] if d and d["verb"] == "setup" else None,
            )
        )
    return found


ALL = [b for path in SOURCES for b in blocks(path)]


class FileRun:
    """One Markdown file's namespace, fake server and folder, shared by its blocks in order."""

    def __init__(self, folder: Path) -> None:
        self.namespace: dict[str, Any] = {"__name__": "doc_example"}
        self.server = FakeServer(FakeTransport())
        self.kubeconfig = self.server.write_kubeconfig(folder / "kubeconfig")
        (folder / "deploy").mkdir()
        (folder / "deploy" / "web.yaml").write_text(DEPLOYMENT, encoding="utf-8")
        self.folder = folder

    def close(self) -> None:
        for value in list(self.namespace.values()):
            shutdown = getattr(value, "shutdown", None)  # informer factories the blocks started
            if callable(shutdown) and not isinstance(value, type):
                shutdown()
        self.server.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Path, FileRun]]:
    opened: dict[Path, FileRun] = {}
    yield opened
    for run in opened.values():
        run.close()


def run_block(block: Block, run: FileRun) -> None:
    code = (block.setup + "\n" if block.setup else "") + block.code
    before = set(run.namespace)
    exec(compile(code, block.id, "exec"), run.namespace)  # noqa: S102 (running the examples is the test)
    for name in sorted(set(run.namespace) - before):
        fn = run.namespace[name]
        if name.startswith("test_") and inspect.isfunction(fn):
            with FakeTransport() as fake:
                params = inspect.signature(fn).parameters
                fn(**({"kube_fake": fake} if "kube_fake" in params else {}))


@pytest.mark.parametrize("block", ALL, ids=[b.id for b in ALL])
def test_doc_example_runs(
    block: Block,
    runs: dict[Path, FileRun],
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if block.skip:
        pytest.skip(block.skip)
    run = runs.get(block.path)
    if run is None:
        run = runs[block.path] = FileRun(tmp_path_factory.mktemp("doc"))
    monkeypatch.setenv("KUBECONFIG", str(run.kubeconfig))
    monkeypatch.setenv("HOME", str(run.folder))  # the discovery cache stays in the test's folder
    monkeypatch.chdir(run.folder)
    run_block(block, run)


def test_the_collector_finds_the_readme_examples() -> None:
    readme = [b for b in ALL if b.path.name == "README.md"]
    assert len(readme) >= 5, [b.id for b in readme]
    assert all("```" not in b.code for b in ALL)
    assert not any("architecture" in b.id for b in ALL)
