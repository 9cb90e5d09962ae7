"""``kubeset-gen`` / ``python -m kubeset.codegen``: generate, check and describe.

    kubeset-gen generate [--release 1.36 | --spec FILE|DIR|URL [--sha256 HEX]
                          | --cluster [--kubeconfig F] [--context C] [--group G ...]] --out DIR
                         [--package kubeset.kubernetes] [--record openapi/kubernetes.json]
    kubeset-gen check src/mypkg            # regenerate from src/mypkg/kubeset-gen.json and diff
    kubeset-gen describe [--release X | --spec S]     # the normalized resources as JSON

Exit status: 0 success (check: current); 1 check found the package stale (a unified diff on
stdout); 2 bad input, missing inputs or the ``codegen`` extra not installed (one line
``kubeset-gen: error: ...`` on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kubeset.codegen.errors import GenError

__all__ = ["main"]

#: the modules of the ``codegen`` extra (pyproject.toml [project.optional-dependencies])
EXTRA_MODULES = frozenset({"jinja2", "datamodel_code_generator"})
EXTRA_HINT = (
    "kubeset-gen: error: the generator needs the codegen extra: pip install 'kubeset[codegen]'"
)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kubeset-gen",
        description="Generate kubeset packages from a Kubernetes OpenAPI spec or CRDs.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    def source_args(sp: argparse.ArgumentParser) -> None:
        g = sp.add_mutually_exclusive_group()
        g.add_argument(
            "--release", help="Kubernetes release, e.g. 1.36 (default: the pinned release)"
        )
        g.add_argument(
            "--spec",
            help="spec file (Swagger 2.0 / OpenAPI 3 JSON, CRD YAML), directory of OpenAPI 3 documents or CRDs, or URL",
        )
        g.add_argument(
            "--cluster",
            action="store_true",
            help="the /openapi/v2 of a live API server (kubeconfig as kubectl finds it)",
        )
        sp.add_argument("--kubeconfig", help="with --cluster: this kubeconfig file")
        sp.add_argument("--context", help="with --cluster: this kubeconfig context")
        sp.add_argument(
            "--group",
            action="append",
            default=[],
            metavar="GROUP",
            help="with --cluster: only this API group's custom resources (repeatable)",
        )
        sp.add_argument("--sha256", help="expected sha256 of the spec file or download")

    g = sub.add_parser("generate", help="generate a package into --out")
    source_args(g)
    g.add_argument("--out", required=True, help="output folder, e.g. src/mypkg")
    g.add_argument(
        "--package", help="import name of the generated package (default: kubeset.<folder name>)"
    )
    g.add_argument(
        "--record", help="also write the spec record (release, source, sha256) to this JSON file"
    )

    c = sub.add_parser(
        "check", help="regenerate a package from its record and diff it with the folder"
    )
    c.add_argument(
        "package_dir",
        nargs="?",
        metavar="PKGDIR",
        help="the generated package folder (holds kubeset-gen.json)",
    )
    c.add_argument("--out", help="the same as PKGDIR (older spelling)")
    c.add_argument(
        "--kubeconfig", help="for a package generated with --cluster: this kubeconfig file"
    )

    d = sub.add_parser("describe", help="print the normalized resources of a spec as JSON")
    source_args(d)
    return p


def _package(args: argparse.Namespace) -> str:
    return str(args.package or f"kubeset.{Path(args.out).resolve().name}")


def _load(args: argparse.Namespace) -> Any:
    from kubeset.codegen.loader import load

    return load(
        args.spec,
        args.release,
        args.sha256,
        cluster=args.cluster,
        kubeconfig=args.kubeconfig,
        context=args.context,
        groups=tuple(args.group),
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except GenError as e:
        print(f"kubeset-gen: error: {e}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as e:
        if (e.name or "").split(".")[0] in EXTRA_MODULES:
            print(EXTRA_HINT, file=sys.stderr)
            return 2
        raise
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace) -> int:
    from kubeset.codegen import emit
    from kubeset.codegen.normalize import describe

    if args.command == "generate":
        loaded = _load(args)
        out = Path(args.out)
        files = emit.generate(loaded, _package(args), out=out)
        emit.write_tree(files, out)
        if args.record:
            Path(args.record).write_text(
                json.dumps(emit.record_for_openapi(loaded), indent=2, sort_keys=True) + "\n"
            )
        for line in loaded.skipped:
            print(f"kubeset-gen: skipped {line}", file=sys.stderr)
        print(f"kubeset-gen: wrote {len(files)} files to {args.out}", file=sys.stderr)
        return 0
    if args.command == "check":
        return _check(args, emit)
    if args.command == "describe":
        api = describe(_load(args))
        rows: list[dict[str, Any]] = []
        for r in api.resources:
            rows.append(
                {
                    "apiVersion": r.gvk.api_version,
                    "kind": r.gvk.kind,
                    "plural": r.plural,
                    "namespaced": r.namespaced,
                    "verbs": list(r.verbs),
                    "package": r.package,
                    "model": f"{r.model.module}.{r.model.name}",
                    "list": f"{r.list_model.module}.{r.list_model.name}" if r.list_model else None,
                    "subresources": {s.name: list(s.verbs) for s in r.subresources.values()},
                }
            )
        json.dump(rows, sys.stdout, indent=1)
        print()
        return 0
    raise AssertionError(args.command)


def _check(args: argparse.Namespace, emit: Any) -> int:
    from kubeset.codegen.record import RECORD_FILE, changed_inputs, load_recorded, read_record

    given = args.package_dir or args.out
    if not given:
        raise GenError("check: name the generated package folder, e.g. kubeset-gen check src/mypkg")
    folder = Path(given)
    record = read_record(folder)
    loaded = load_recorded(record, kubeconfig=args.kubeconfig)
    files = emit.generate(loaded, record.package, out=folder)
    changed = emit.changed_files(files, folder)
    if not changed:
        print(f"kubeset-gen: {given} is up to date ({len(files)} files)", file=sys.stderr)
        return 0
    sys.stdout.writelines(emit.diff_tree(files, folder, label=folder.as_posix()))
    for line in changed_inputs(record, files[RECORD_FILE]):
        print(f"kubeset-gen: input {line}", file=sys.stderr)
    shown = ", ".join(f"{folder.as_posix()}/{rel}" for rel in changed[:5]) + (
        ", ..." if len(changed) > 5 else ""
    )
    print(
        f"kubeset-gen: {given} is stale: {len(changed)} files differ from a regeneration ({shown}); "
        "regenerate it",
        file=sys.stderr,
    )
    return 1
