"""Client configuration: kubeset's ``rest.Config`` plus the ``clientcmd`` loaders.

``Config`` says where the API server is and how to talk to it.  It is built by
:func:`load_kubeconfig`, :func:`in_cluster_config`, :func:`build_config_from_flags`,
:func:`load_config` (the usual case), or by hand::

    from kubeset.config import load_config

    cfg = load_config()                 # $KUBECONFIG, ~/.kube/config, else in-cluster
    print(cfg.host, cfg.namespace)

One module per concern:

=================  ===========================================================
``restconfig``     ``Config`` and its option types (exec, impersonation, ...)
``kubeconfig``     the kubeconfig file types (one parsed file)
``load``           reading and parsing one kubeconfig file
``merge``          ``$KUBECONFIG`` list merging (client-go's precedence)
``validate``       validation of a cluster and a user, client-go's messages
``clientconfig``   merged kubeconfig + overrides -> ``Config``
``incluster``      the pod's service account
``loaders``        ``load_kubeconfig``, ``build_config_from_flags``, ``load_config``,
                   ``config_from_kubeconfig_bytes``/``_dict``
``useragent``      the default User-Agent naming the program
``persist``        writing refreshed oidc tokens back to their kubeconfig file
=================  ===========================================================
"""

from __future__ import annotations

from ..errors import ConfigError
from ..flowcontrol import RateLimiter
from .clientconfig import EXEC_CLUSTER_EXTENSION
from .incluster import SERVICE_ACCOUNT_DIR, in_cluster_config
from .loaders import (
    build_config_from_flags,
    config_from_kubeconfig_bytes,
    config_from_kubeconfig_dict,
    load_config,
    load_kubeconfig,
)
from .merge import KUBECONFIG_ENV, default_kubeconfig_paths
from .restconfig import (
    DEFAULT_BURST,
    DEFAULT_QPS,
    EXEC_API_VERSIONS,
    EXEC_INTERACTIVE_MODES,
    AuthProviderConfig,
    Config,
    ExecClusterInfo,
    ExecConfig,
    ImpersonationConfig,
    resolve_timeout,
)
from .useragent import build_user_agent, default_user_agent

__all__ = [
    "DEFAULT_BURST",
    "DEFAULT_QPS",
    "EXEC_API_VERSIONS",
    "EXEC_CLUSTER_EXTENSION",
    "EXEC_INTERACTIVE_MODES",
    "KUBECONFIG_ENV",
    "SERVICE_ACCOUNT_DIR",
    "AuthProviderConfig",
    "Config",
    "ConfigError",
    "ExecClusterInfo",
    "ExecConfig",
    "ImpersonationConfig",
    "RateLimiter",
    "build_config_from_flags",
    "build_user_agent",
    "config_from_kubeconfig_bytes",
    "config_from_kubeconfig_dict",
    "default_kubeconfig_paths",
    "default_user_agent",
    "in_cluster_config",
    "load_config",
    "load_kubeconfig",
    "resolve_timeout",
]
