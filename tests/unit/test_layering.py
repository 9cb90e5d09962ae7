"""The runtime's import graph: no cycles, and every layer imports only from layers below it.

Read from the source (no imports run): every module of ``runtime/`` and the kubeset modules it
imports at module level (imports only for type checkers do not count).  Importing ``a.b.c``
initializes ``a`` and ``a.b`` too, so those are edges as well, except a package the importing
module lives in (Python is already importing it).  ``LAYERS`` is the table of
docs/architecture.md: a new top-level module or package must be placed in it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

RUNTIME = Path(__file__).resolve().parents[2] / "runtime"


def _module_name(path: Path) -> str:
    parts = ["kubeset", *path.relative_to(RUNTIME).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports that run when the module is imported (not in functions or TYPE_CHECKING blocks)."""
    todo: list[ast.stmt] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and not _is_type_checking(node):
            todo.extend(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            todo.extend(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                todo.extend(handler.body)


def _imported(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join([*base, node.module] if node.module else base)
    else:
        target = node.module or ""
    # "from pkg import name" may import the submodule pkg.name
    return [target] + [f"{target}.{alias.name}" for alias in node.names]


def import_graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in RUNTIME.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 2)}
        for node in _top_level_imports(ast.parse(path.read_text(), str(path))):
            for target in _imported(name, is_package, node):
                parts = target.split(".")
                for i in range(1, len(parts) + 1):
                    prefix = ".".join(parts[:i])
                    if prefix in files and prefix not in ancestors:
                        graph[name].add(prefix)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph[v]:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


# kubeset.<unit> -> its layer; a unit may import units of its own layer or lower ones
LAYERS: dict[str, int] = {
    "_version": 0,
    "clock": 0,
    "steps": 0,
    "_codec": 0,
    "errors": 0,
    "flowcontrol": 0,
    "model": 1,
    "codec": 2,
    "serializers": 2,
    "config": 3,
    "transport": 4,
    "rest": 5,
    "watch": 5,
    "discovery": 6,
    "streams": 6,
    "resource": 7,
    "dynamic": 8,
    "cache": 8,
    "workqueue": 8,
    "leaderelection": 8,
    "testing": 8,
    "__main__": 9,
}


def _unit(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def test_every_layer_imports_only_its_own_or_lower_layers() -> None:
    graph = import_graph()
    units = {_unit(m) for m in graph} - {""}
    assert units <= set(LAYERS), f"place {sorted(units - set(LAYERS))} in LAYERS"
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if _unit(module)
        for target in targets
        if _unit(target) and LAYERS[_unit(target)] > LAYERS[_unit(module)]
    )
    assert upward == []
    # the two lowest layers above errors stay free of the client layers
    assert all(
        _unit(t) in ("model", "errors", "_version")
        for m, targets in graph.items()
        if _unit(m) == "model"
        for t in targets
    )


def test_the_runtime_has_no_import_cycle() -> None:
    graph = import_graph()
    assert (
        "kubeset.rest.client" in graph and "kubeset.transport.base" in graph["kubeset.rest.client"]
    )
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_requests_is_imported_by_the_session_transport_only() -> None:
    users = sorted(
        {
            _module_name(path)
            for path in RUNTIME.rglob("*.py")
            for node in _top_level_imports(ast.parse(path.read_text()))
            if isinstance(node, ast.Import)
            and any(alias.name.split(".")[0] in ("requests", "urllib3") for alias in node.names)
            or isinstance(node, ast.ImportFrom)
            and (node.module or "").split(".")[0] in ("requests", "urllib3")
        }
    )
    assert users == ["kubeset.transport.session"]
