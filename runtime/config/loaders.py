"""The entry points that build a ``Config``: kubeconfig, flags, or whatever applies.

* :func:`load_kubeconfig` - kubeconfig files with client-go's loading rules,
* :func:`build_config_from_flags` - client-go's ``BuildConfigFromFlags`` fallback order,
* :func:`load_config` - the usual case: the kubeconfig if there is one, else in-cluster::

    from kubeset.config import load_config

    cfg = load_config()                 # $KUBECONFIG, ~/.kube/config, or the pod's account
    cfg = load_config(context="prod")
"""

from __future__ import annotations

import logging
import os

from ..errors import ConfigError
from .clientconfig import EMPTY_CONFIG, rest_config_from
from .incluster import SERVICE_ACCOUNT_DIR, in_cluster_config, in_cluster_possible
from .merge import merge_kubeconfig_files
from .restconfig import Config

__all__ = ["build_config_from_flags", "load_config", "load_kubeconfig"]

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
    merged = merge_kubeconfig_files(path)
    return rest_config_from(
        merged,
        context=context,
        cluster_name=cluster,
        user_name=user,
        namespace=namespace,
        server=None,
    )


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
    return rest_config_from(
        merged,
        context=None,
        cluster_name=None,
        user_name=None,
        namespace=None,
        server=master_url or None,
    )


def load_config(
    context: str | None = None, *, service_account_dir: str | os.PathLike[str] | None = None
) -> Config:
    """The usual case: ``$KUBECONFIG`` or ``~/.kube/config``; when no kubeconfig
    configures anything and the process runs in a pod, the in-cluster config
    (client-go's deferred loading client config)."""
    try:
        return load_kubeconfig(context=context)
    except ConfigError as exc:
        folder = (
            os.fspath(service_account_dir)
            if service_account_dir is not None
            else SERVICE_ACCOUNT_DIR
        )
        if exc.errors == [EMPTY_CONFIG] and not context and in_cluster_possible(folder):
            return in_cluster_config(service_account_dir=folder)
        raise
