"""``python -m kubeset``: apply, diff, wait for or delete manifests, with kubectl-like output.

    python -m kubeset apply -f deploy/ [-f extra.yaml] [-n NAMESPACE] [--dry-run]
                            [--field-manager NAME] [--force-conflicts] [--kubeconfig PATH]
                            [--context NAME] [--applyset [RESOURCE[.GROUP]/]NAME [--prune]
                            [--applyset-tooling kubectl/v1.36.0]] [--wait [--timeout 5m]]
    python -m kubeset diff -f deploy/ [--applyset NAME]   # exit 0: no change, 1: changes, 2: errors
    python -m kubeset wait -f deploy/ [--for ready|delete|condition=NAME[=VALUE]] [--timeout 60s]
    python -m kubeset delete -f deploy/

One line per object (``deployment.apps/web created``, ``configmap/old pruned``,
``deployment.apps/web condition met``) on stdout, errors (naming the file and the document, or
what was not ready and why) on stderr; the exit status is 1 when anything failed.  ``diff``
prints a unified diff of YAML per changed object and exits as ``kubectl diff`` does.  The
default namespace is ``-n``, else the kubeconfig context's.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from .config import load_config, load_kubeconfig
from .dynamic.applyset import DEFAULT_TOOLING
from .dynamic.client import DynamicClient
from .dynamic.diff import diff_manifests
from .dynamic.manifests import (
    ManifestOptions,
    ManifestResult,
    apply_manifests,
    delete_manifests,
    load_manifests,
)
from .dynamic.wait import ObjectReference, WaitResult, parse_condition, wait_for
from .errors import KubesetError, WaitError

__all__ = ["main", "parse_duration"]

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)?$")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """Seconds of ``30``, ``30s``, ``5m``, ``1h``, ``500ms`` (kubectl's ``--timeout``)."""
    found = _DURATION.match(text.strip())
    if found is None or float(found[1]) <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive duration (30s, 5m, 1h)")
    return float(found[1]) * _UNIT[found[2] or "s"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kubeset", description="apply, diff, wait for or delete manifests"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, what in (
        ("apply", "apply manifests server-side"),
        ("diff", "show what apply would change (exit 0: nothing, 1: changes, 2: errors)"),
        ("wait", "wait for what manifests name to be ready, deleted or in a condition"),
        ("delete", "delete what manifests name"),
    ):
        cmd = commands.add_parser(name, help=what)
        cmd.add_argument(
            "-f", "--filename", action="append", required=True, help="file or folder (repeatable)"
        )
        cmd.add_argument("-n", "--namespace", help="namespace of namespaced objects that name none")
        cmd.add_argument(
            "--kubeconfig", help="kubeconfig file (default $KUBECONFIG, ~/.kube/config)"
        )
        cmd.add_argument("--context", help="kubeconfig context")
        if name in ("apply", "delete"):
            cmd.add_argument(
                "--dry-run", action="store_true", help="ask the server to persist nothing"
            )
        if name in ("apply", "diff"):
            cmd.add_argument(
                "--field-manager", default="kubeset", help="field manager (default kubeset)"
            )
            cmd.add_argument(
                "--force-conflicts", action="store_true", help="take fields from other managers"
            )
            cmd.add_argument(
                "--applyset",
                help="ApplySet parent: NAME (a Secret), configmaps/NAME or RESOURCE.GROUP/NAME",
            )
            cmd.add_argument(
                "--applyset-tooling",
                default=DEFAULT_TOOLING,
                help=f"the parent's tooling annotation (default {DEFAULT_TOOLING});"
                " kubectl/<version> takes over a set kubectl applied",
            )
        if name == "apply":
            cmd.add_argument(
                "--prune",
                action="store_true",
                help="delete the ApplySet's objects no longer in the manifests",
            )
            cmd.add_argument(
                "--wait", action="store_true", help="then wait until every object is ready"
            )
        if name == "wait":
            cmd.add_argument(
                "--for",
                dest="condition",
                default="ready",
                help="ready (default), delete, condition=NAME[=VALUE]",
            )
        if name in ("apply", "wait"):
            cmd.add_argument(
                "--timeout",
                type=parse_duration,
                default=300.0,
                help="how long to wait (30s, 5m; default 5m)",
            )
    return parser


def _print(results: Sequence[ManifestResult | WaitResult]) -> bool:
    """Print each result's line (errors on stderr); whether all were ok."""
    ok = True
    for result in results:
        if result.ok:
            print(result.line())
        else:
            ok = False
            print(result.line(), file=sys.stderr)
    return ok


def _wait(
    dyn: DynamicClient,
    objects: Sequence[ObjectReference | Mapping[str, Any]],
    condition: str,
    timeout: float,
) -> bool:
    try:
        results = wait_for(dyn, objects, condition=condition, timeout=timeout)
    except WaitError as e:
        results = [r for r in e.results if isinstance(r, WaitResult)]
        _print(results)
        print(f"error: {str(e).splitlines()[0]}", file=sys.stderr)
        return False
    return _print(results)


def _run(args: argparse.Namespace, dyn: DynamicClient, options: ManifestOptions) -> int:
    if args.command == "diff":
        found = diff_manifests(dyn, args.filename, options)
        for d in found:
            if d.diff:
                sys.stdout.write(d.diff)
            if not d.ok:
                print(d.line(), file=sys.stderr)
        return 2 if any(not d.ok for d in found) else 1 if any(d.differs for d in found) else 0
    if args.command == "wait":
        docs = load_manifests(args.filename)
        bad = [doc for doc in docs if doc.error is not None]
        for doc in bad:
            print(f"error: {doc.error}", file=sys.stderr)
        objects: list[dict[str, Any]] = [dict(doc.obj or {}) for doc in docs if doc.error is None]
        for obj in objects:
            meta = obj.setdefault("metadata", {})
            if not meta.get("namespace") and options.namespace:
                obj["metadata"] = {**meta, "namespace": options.namespace}
        condition = str(parse_condition(args.condition))
        return 0 if _wait(dyn, objects, condition, args.timeout) and not bad else 1
    run = apply_manifests if args.command == "apply" else delete_manifests
    results = run(dyn, args.filename, options)
    ok = _print(results)
    if ok and args.command == "apply" and args.wait and not args.dry_run:
        applied = [r for r in results if r.action != "pruned"]
        ok = _wait(dyn, applied, "ready", args.timeout)
    return 0 if ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "wait":
            parse_condition(args.condition)
        config = (
            load_kubeconfig(args.kubeconfig, context=args.context)
            if args.kubeconfig
            else load_config(args.context)
        )
        options = ManifestOptions(
            field_manager=getattr(args, "field_manager", "kubeset"),
            namespace=args.namespace or config.namespace or None,
            dry_run=getattr(args, "dry_run", False),
            force=getattr(args, "force_conflicts", False),
            applyset=getattr(args, "applyset", None),
            prune=getattr(args, "prune", False),
            tooling=getattr(args, "applyset_tooling", DEFAULT_TOOLING),
        )
        with DynamicClient(config) as dyn:
            return _run(args, dyn, options)
    except (KubesetError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2 if args.command == "diff" else 1


if __name__ == "__main__":
    sys.exit(main())
