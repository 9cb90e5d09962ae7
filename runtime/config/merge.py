"""Merging kubeconfig files: client-go's ``KUBECONFIG`` precedence rules.

``$KUBECONFIG`` is a list separated by ``os.pathsep`` (empty entries skipped,
duplicates dropped, missing files skipped), else ``~/.kube/config``.  The first file
that defines a cluster, user or context name wins it whole; the first non-empty
``current-context`` wins::

    from kubeset.config.merge import merge_kubeconfig_files

    merged = merge_kubeconfig_files(None)      # $KUBECONFIG or ~/.kube/config
    merged.files                               # the files that were read
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from .kubeconfig import KubeconfigCluster, KubeconfigContext, KubeconfigUser
from .load import read_kubeconfig

__all__ = [
    "KUBECONFIG_ENV",
    "MergedKubeconfig",
    "default_kubeconfig_paths",
    "merge_kubeconfig_files",
]

KUBECONFIG_ENV = "KUBECONFIG"


def default_kubeconfig_paths() -> list[str]:
    """The files client-go would read: ``$KUBECONFIG`` (split on ``os.pathsep``, empty
    entries skipped, duplicates dropped) or ``~/.kube/config``."""
    env = os.environ.get(KUBECONFIG_ENV)
    if env:
        seen: list[str] = []
        for entry in env.split(os.pathsep):
            if entry and entry not in seen:
                seen.append(entry)
        return seen
    return [str(Path.home() / ".kube" / "config")]


@dataclass
class MergedKubeconfig:
    files: list[str] = field(default_factory=list)
    current_context: str = ""
    clusters: dict[str, KubeconfigCluster] = field(default_factory=dict)
    users: dict[str, KubeconfigUser] = field(default_factory=dict)
    contexts: dict[str, KubeconfigContext] = field(default_factory=dict)


def merge_kubeconfig_files(
    explicit: str | os.PathLike[str] | None, use_defaults: bool = True
) -> MergedKubeconfig:
    """client-go's ``ClientConfigLoadingRules.Load``: the first file that defines a
    name wins it whole; the first non-empty current-context wins."""
    merged = MergedKubeconfig()
    if explicit is not None and os.fspath(explicit) != "":
        path = os.fspath(explicit)
        if not os.path.exists(path):
            raise ConfigError(
                f'the kubeconfig file "{path}" does not exist (stat {path}: no such file or directory)'
            )
        paths = [path]
    elif use_defaults:
        paths = [p for p in default_kubeconfig_paths() if os.path.exists(p)]
    else:
        paths = []
    errors: list[str] = []
    for path in paths:
        try:
            parsed = read_kubeconfig(path)
        except ConfigError as exc:
            errors.extend(exc.errors)
            continue
        merged.files.append(path)
        if not merged.current_context and parsed.current_context:
            merged.current_context = parsed.current_context
        for name, cluster in parsed.clusters.items():
            merged.clusters.setdefault(name, cluster)
        for name, user in parsed.users.items():
            merged.users.setdefault(name, user)
        for name, context in parsed.contexts.items():
            merged.contexts.setdefault(name, context)
    if errors:
        raise ConfigError("; ".join(errors), errors=errors)
    return merged
