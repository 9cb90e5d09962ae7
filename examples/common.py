"""Helpers shared by the examples: command line, retry on conflict, printing watch events."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any, TypeVar

import kubeset
from kubeset.config import Config
from kubeset.errors import Conflict
from kubeset.watch import Watch

T = TypeVar("T")


def parse_args(description: str, default_name: str) -> tuple[Config, argparse.Namespace]:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--kubeconfig", help="kubeconfig file (default: $KUBECONFIG or ~/.kube/config)"
    )
    parser.add_argument("--context", help="kubeconfig context (default: the current one)")
    parser.add_argument("--namespace", "-n", help="namespace (default: the context's)")
    parser.add_argument(
        "--name", default=default_name, help=f"object name (default: {default_name})"
    )
    args = parser.parse_args()
    config = kubeset.load_kubeconfig(args.kubeconfig, args.context)
    args.namespace = args.namespace or config.namespace or "default"
    return config, args


def retry_on_conflict(update: Callable[[], T], attempts: int = 5) -> T:
    """client-go's retry.RetryOnConflict: re-run ``update`` (which re-reads) on 409 Conflict."""
    for attempt in range(attempts):
        try:
            return update()
        except Conflict:
            if attempt == attempts - 1:
                raise
            time.sleep(0.1 * (attempt + 1))
    raise AssertionError("unreachable")


def print_events(watch: Watch[Any], until: str = "DELETED") -> list[str]:
    """Print the watch's events until one of type ``until``; returns the event types seen."""
    seen: list[str] = []
    with watch:
        for event in watch:
            if event.type == "BOOKMARK":
                continue
            meta = event.object.metadata
            print(f"  watch: {event.type} {meta.name} (resourceVersion {meta.resource_version})")
            seen.append(event.type)
            if event.type == until:
                break
    return seen
