"""``kubeset-gen`` / ``python -m kubeset.codegen``: generate, check and describe.

    kubeset-gen generate [--release 1.36 | --spec FILE|DIR|URL [--sha256 HEX]
                          | --cluster [--kubeconfig F] [--context C]] --out DIR
                         [--package kubeset.kubernetes] [--record openapi/kubernetes.json]
    kubeset-gen check --out generated/kubernetes      # exit 1 and list files on drift
    kubeset-gen describe [--release X | --spec S]     # the normalized resources as JSON

Errors in the input print one line ``kubeset-gen: error: ...`` and exit with status 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kubeset.codegen.errors import GenError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kubeset-gen", description="Generate kubeset packages from a Kubernetes OpenAPI spec."
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
        sp.add_argument("--sha256", help="expected sha256 of the spec file or download")

    g = sub.add_parser("generate", help="generate a package into --out")
    source_args(g)
    g.add_argument("--out", required=True, help="output folder, e.g. generated/kubernetes")
    g.add_argument(
        "--package",
        help="import name of the generated package (default: from --out, kubeset.<folder name>)",
    )
    g.add_argument(
        "--record", help="also write the spec record (release, source, sha256) to this JSON file"
    )

    c = sub.add_parser("check", help="regenerate into a temporary folder and compare with --out")
    source_args(c)
    c.add_argument("--out", required=True, help="the committed generated folder")
    c.add_argument(
        "--package", help="import name of the generated package (default: kubeset.<folder name>)"
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
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except GenError as e:
        print(f"kubeset-gen: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace) -> int:
    from kubeset.codegen.normalize import describe

    if args.command in ("generate", "check"):
        from kubeset.codegen import emit
    if args.command == "generate":
        loaded = _load(args)
        files = emit.generate(loaded, _package(args))
        emit.write_tree(files, Path(args.out))
        if args.record:
            Path(args.record).write_text(emit.record_text(loaded))
        print(f"kubeset-gen: wrote {len(files)} files to {args.out}", file=sys.stderr)
        return 0
    if args.command == "check":
        out = Path(args.out)
        if not out.is_dir():
            raise GenError(f"{out}: no generated package there (run make generate)")
        if args.spec or args.release or args.cluster:
            loaded = _load(args)
        else:
            loaded = emit.load_recorded(out)
        files = emit.generate(loaded, _package(args))
        problems = emit.compare_tree(files, out)
        if problems:
            print(
                f"kubeset-gen: {out} is stale ({len(problems)} files differ from a fresh generation; run make generate):",
                file=sys.stderr,
            )
            for line in problems:
                print(f"  {line}", file=sys.stderr)
            return 1
        print(f"kubeset-gen: {out} is up to date ({len(files)} files)", file=sys.stderr)
        return 0
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
