"""``python -m kubeset``: apply or delete manifests server-side, with kubectl-like output.

    python -m kubeset apply -f deploy/ [-f extra.yaml] [-n NAMESPACE] [--dry-run]
                            [--field-manager NAME] [--force-conflicts] [--kubeconfig PATH]
                            [--context NAME]
    python -m kubeset delete -f deploy/

One line per object (``deployment.apps/web created``) on stdout, errors (naming the file and
the document) on stderr; the exit status is 1 when any document failed.  The default namespace
is ``-n``, else the kubeconfig context's.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .config import load_config, load_kubeconfig
from .dynamic.client import DynamicClient
from .dynamic.manifests import ManifestOptions, apply_manifests, delete_manifests
from .errors import KubesetError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kubeset", description="apply or delete manifests server-side"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, what in (
        ("apply", "apply manifests server-side"),
        ("delete", "delete what manifests name"),
    ):
        cmd = commands.add_parser(name, help=what)
        cmd.add_argument(
            "-f", "--filename", action="append", required=True, help="file or folder (repeatable)"
        )
        cmd.add_argument("-n", "--namespace", help="namespace of namespaced objects that name none")
        cmd.add_argument("--dry-run", action="store_true", help="ask the server to persist nothing")
        cmd.add_argument(
            "--field-manager", default="kubeset", help="field manager (default kubeset)"
        )
        cmd.add_argument(
            "--force-conflicts", action="store_true", help="take fields from other managers"
        )
        cmd.add_argument(
            "--kubeconfig", help="kubeconfig file (default $KUBECONFIG, ~/.kube/config)"
        )
        cmd.add_argument("--context", help="kubeconfig context")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = (
            load_kubeconfig(args.kubeconfig, context=args.context)
            if args.kubeconfig
            else load_config(args.context)
        )
    except KubesetError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    options = ManifestOptions(
        field_manager=args.field_manager,
        namespace=args.namespace or config.namespace or None,
        dry_run=args.dry_run,
        force=args.force_conflicts,
    )
    run = apply_manifests if args.command == "apply" else delete_manifests
    failed = False
    with DynamicClient(config) as dyn:
        for result in run(dyn, args.filename, options):
            if result.ok:
                print(result.line())
            else:
                failed = True
                print(result.line(), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
