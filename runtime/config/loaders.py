"""The entry points that build a ``Config``: kubeconfig, flags, or whatever applies.

* :func:`load_kubeconfig` - kubeconfig files with client-go's loading rules,
* :func:`build_config_from_flags` - client-go's ``BuildConfigFromFlags`` fallback order,
* :func:`load_config` - the usual case: the kubeconfig if there is one, else in-cluster,
* :func:`config_from_kubeconfig_bytes` / :func:`config_from_kubeconfig_dict` - a
  kubeconfig held in memory (client-go's ``RESTConfigFromKubeConfig``)::

    from kubeset.config import load_config

    cfg = load_config()                 # $KUBECONFIG, ~/.kube/config, or the pod's account
    cfg = load_config(context="prod")
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigError
from .clientconfig import EMPTY_CONFIG, ConfigOverrides, context_namespace, rest_config_from
from .incluster import (
    SERVICE_ACCOUNT_DIR,
    in_cluster_config,
    in_cluster_namespace,
    in_cluster_possible,
)
from .kubeconfig import KubeconfigFile, KubeconfigSource
from .load import parse_kubeconfig, parse_kubeconfig_document
from .merge import MergedKubeconfig, merge_kubeconfig_files
from .restconfig import Config

__all__ = [
    "MEMORY_ORIGIN",
    "build_config_from_flags",
    "config_from_kubeconfig_bytes",
    "config_from_kubeconfig_dict",
    "load_config",
    "load_kubeconfig",
]

MEMORY_ORIGIN = "in-memory kubeconfig"

log = logging.getLogger(__name__)


def load_kubeconfig(
    path: str | os.PathLike[str] | None = None,
    context: str | None = None,
    *,
    cluster: str | None = None,
    user: str | None = None,
    namespace: str | None = None,
) -> Config:
    """Load a kubeconfig the way kubectl and client-go do.

    ``path`` given: only that file, which must exist.  Otherwise ``$KUBECONFIG`` (a list
    separated by ``os.pathsep``; empty entries skipped, duplicates dropped, missing
    files skipped) or ``~/.kube/config``; the first file defining a cluster, user or
    context name wins it whole, the first non-empty ``current-context`` wins.

    ``context``/``cluster``/``user``/``namespace`` override the current context and its
    parts (like ``--context``, ``--cluster``, ``--user``, ``--namespace``).  The returned
    config's ``namespace`` is the effective namespace ("default" when unset).

    Raises :class:`ConfigError` naming the file and field for unreadable or malformed
    files, and with client-go's wording for a missing context or cluster; all
    validation problems are reported together.
    """
    overrides = ConfigOverrides(context=context, cluster=cluster, user=user, namespace=namespace)
    return rest_config_from(merge_kubeconfig_files(path), overrides)


def build_config_from_flags(
    master_url: str = "",
    kubeconfig_path: str | os.PathLike[str] = "",
    *,
    service_account_dir: str | os.PathLike[str] | None = None,
) -> Config:
    """client-go's ``clientcmd.BuildConfigFromFlags``.

    Neither given: the in-cluster config; if that fails, the "default config", which
    in client-go means *no* kubeconfig file (it does not read ``$KUBECONFIG`` or
    ``~/.kube/config``; use :func:`load_config` for that), so it fails with
    "no configuration has been provided".  ``kubeconfig_path`` given: only that file
    (it must exist).  ``master_url`` given: it overrides the server of the current
    context.
    """
    path = os.fspath(kubeconfig_path) if kubeconfig_path else ""
    if not path and not master_url:
        log.warning(
            "Neither --kubeconfig nor --master was specified.  Using the inClusterConfig.  "
            "This might not work."
        )
        try:
            return in_cluster_config(service_account_dir=service_account_dir)
        except ConfigError as exc:
            log.warning("error creating inClusterConfig, falling back to default config: %s", exc)
    merged = merge_kubeconfig_files(path or None, use_defaults=False)
    return rest_config_from(merged, ConfigOverrides(server=master_url or None))


def load_config(
    context: str | None = None, *, service_account_dir: str | os.PathLike[str] | None = None
) -> Config:
    """The usual case: ``$KUBECONFIG`` or ``~/.kube/config``; when no kubeconfig
    configures anything and the process runs in a pod, the in-cluster config
    (client-go's deferred loading client config).

    Inside a pod, when the kubeconfig's context sets no namespace, the namespace is the
    pod's (``POD_NAMESPACE``, else the service account's ``namespace`` file), as in
    client-go's ``DeferredLoadingClientConfig.Namespace``.
    """
    folder = (
        os.fspath(service_account_dir) if service_account_dir is not None else SERVICE_ACCOUNT_DIR
    )
    overrides = ConfigOverrides(context=context)
    try:
        merged = merge_kubeconfig_files(None)
        cfg = rest_config_from(merged, overrides)
    except ConfigError as exc:
        if exc.errors == [EMPTY_CONFIG] and not context and in_cluster_possible(folder):
            return in_cluster_config(service_account_dir=folder)
        raise
    if not context_namespace(merged, overrides) and in_cluster_possible(folder):
        cfg.namespace = in_cluster_namespace(folder)
    return cfg


def config_from_kubeconfig_bytes(
    data: bytes | str,
    *,
    context: str | None = None,
    base_dir: str | os.PathLike[str] | None = None,
) -> Config:
    """A ``Config`` from the text of a kubeconfig held in memory (client-go's
    ``RESTConfigFromKubeConfig``), e.g. one read from a Secret.

    Relative paths in it (``certificate-authority: ca.crt``, ``tokenFile``, an exec
    ``command`` with a path separator) are an error unless ``base_dir`` says which folder
    they are relative to.  Refreshed oidc tokens are kept in memory only.
    """
    return _from_parsed(parse_kubeconfig(data, _memory_source(base_dir)), context)


def config_from_kubeconfig_dict(
    doc: Mapping[str, Any],
    *,
    context: str | None = None,
    base_dir: str | os.PathLike[str] | None = None,
) -> Config:
    """Like :func:`config_from_kubeconfig_bytes`, for a kubeconfig already decoded into a
    dict (``yaml.safe_load`` output, or built in code)."""
    plain = dict(doc) if isinstance(doc, Mapping) else doc  # anything else: a clear error
    return _from_parsed(parse_kubeconfig_document(plain, _memory_source(base_dir)), context)


def _memory_source(base_dir: str | os.PathLike[str] | None) -> KubeconfigSource:
    folder = os.path.abspath(os.fspath(base_dir)) if base_dir is not None else None
    return KubeconfigSource(origin=MEMORY_ORIGIN, base_dir=folder)


def _from_parsed(parsed: KubeconfigFile, context: str | None) -> Config:
    merged = MergedKubeconfig(
        files=[parsed.path],
        current_context=parsed.current_context,
        clusters=parsed.clusters,
        users=parsed.users,
        contexts=parsed.contexts,
    )
    return rest_config_from(merged, ConfigOverrides(context=context))
