"""From a merged kubeconfig to a ``Config``: client-go's ``DirectClientConfig``.

Picks the context, its cluster and user (with ``--context``/``--cluster``/``--user``/
``--namespace``/``--server`` style overrides), validates them, and fills a
:class:`~kubeset.config.Config` the way client-go does (credentials only for TLS
servers, ``certificate-authority-data`` over ``certificate-authority``, exec cluster
info when ``provideClusterInfo`` is set)::

    from kubeset.config.clientconfig import rest_config_from
    from kubeset.config.merge import merge_kubeconfig_files

    cfg = rest_config_from(merge_kubeconfig_files(None), context="prod")
"""

from __future__ import annotations

import dataclasses
import os
import urllib.parse

from ..errors import ConfigError
from .kubeconfig import KubeconfigCluster, KubeconfigUser
from .merge import MergedKubeconfig, default_kubeconfig_paths
from .restconfig import Config, ExecClusterInfo, ExecConfig, ImpersonationConfig
from .validate import EMPTY_CLUSTER, invalid_configuration, validate_cluster, validate_user

__all__ = [
    "EMPTY_CONFIG",
    "EXEC_CLUSTER_EXTENSION",
    "describe_sources",
    "rest_config_from",
]

EXEC_CLUSTER_EXTENSION = "client.authentication.k8s.io/exec"
EMPTY_CONFIG = (
    "no configuration has been provided, try setting KUBERNETES_MASTER environment variable"
)


def describe_sources(merged: MergedKubeconfig) -> str:
    if merged.files:
        return "loaded from " + ", ".join(merged.files)
    looked = default_kubeconfig_paths()
    return "no kubeconfig file found; looked for " + os.pathsep.join(looked)


def rest_config_from(
    merged: MergedKubeconfig,
    *,
    context: str | None,
    cluster_name: str | None,
    user_name: str | None,
    namespace: str | None,
    server: str | None,
) -> Config:
    """client-go's ``DirectClientConfig.ClientConfig`` on the merged kubeconfig."""
    context_name = context or merged.current_context
    ctx = merged.contexts.get(context_name) if context_name else None
    # user (client-go checks an explicitly named user first)
    uname = user_name or (ctx.user if ctx else "")
    user = merged.users.get(uname) if uname else None
    if user_name and user is None:
        raise ConfigError(f'auth info "{user_name}" does not exist')
    if context and ctx is None:
        raise ConfigError(f'context "{context}" does not exist')
    cname = cluster_name or (ctx.cluster if ctx else "")
    cluster = merged.clusters.get(cname) if cname else None
    if cluster_name and cluster is None:
        raise ConfigError(f'cluster "{cluster_name}" does not exist')
    cluster = dataclasses.replace(cluster) if cluster is not None else KubeconfigCluster(origin="")
    if server:
        cluster.server = server
        cluster.tls_server_name = ""  # a --server override clears tls-server-name (client-go)
    user = user if user is not None else KubeconfigUser(origin="")  # a missing user: no credentials

    errors: list[str] = []
    if context_name and ctx is None:
        errors.append(f"context was not found for specified context: {context_name}")
    errors.extend(validate_user(uname, user))
    errors.extend(validate_cluster(cname, cluster))
    if errors == [EMPTY_CLUSTER]:
        detail = describe_sources(merged)
        if ctx is not None and cname and cname not in merged.clusters:
            detail = (
                f'context "{context_name}" names cluster "{cname}", which is not defined; ' + detail
            )
        raise ConfigError(
            f"invalid configuration: {EMPTY_CONFIG} ({detail})", errors=[EMPTY_CONFIG]
        )
    if errors:
        raise invalid_configuration(errors)

    host = cluster.server
    try:
        parts = urllib.parse.urlsplit(host)
        if parts.scheme and parts.netloc and len(parts.path) > 1:
            host = urllib.parse.urlunsplit(parts._replace(query="", fragment=""))
    except ValueError:
        pass
    cfg = Config(host=host)
    cfg.proxy_url = cluster.proxy_url or None
    cfg.disable_compression = cluster.disable_compression
    if user.impersonate:
        cfg.impersonate = ImpersonationConfig(
            user=user.impersonate,
            uid=user.impersonate_uid,
            groups=list(user.impersonate_groups),
            extra={k: list(v) for k, v in user.impersonate_extra.items()},
        )
    # client-go reads credentials only for TLS servers (never sends them in clear text)
    cfg.ca_file = cluster.ca_file or None
    cfg.ca_data = cluster.ca_data or None
    cfg.insecure = cluster.insecure
    cfg.server_name = cluster.tls_server_name or None
    if cfg.ca_data:
        cfg.ca_file = None  # certificate-authority-data overrides
    if urllib.parse.urlsplit(cfg.base_url).scheme == "https":
        if user.token:
            cfg.bearer_token = user.token
            cfg.bearer_token_file = user.token_file or None
        elif user.token_file:
            cfg.bearer_token_file = user.token_file
        if user.cert_file or user.cert_data:
            cfg.cert_data = user.cert_data or None
            cfg.cert_file = None if user.cert_data else user.cert_file or None
            cfg.key_data = user.key_data or None
            cfg.key_file = None if user.key_data else user.key_file or None
        if user.username or user.password:
            cfg.username = user.username
            cfg.password = user.password
        if user.auth_provider is not None:
            cfg.auth_provider = dataclasses.replace(
                user.auth_provider, config=dict(user.auth_provider.config)
            )
        if user.exec is not None:
            ex = user.exec
            info: ExecClusterInfo | None = None
            if ex.provide_cluster_info:
                ca = cluster.ca_data or None
                if ca is None and cluster.ca_file:
                    try:
                        with open(cluster.ca_file, "rb") as fh:
                            ca = fh.read()
                    except OSError as exc:
                        raise ConfigError(
                            f"unable to read certificate-authority {cluster.ca_file} for {cname} "
                            f"due to {exc.strerror}"
                        ) from None
                info = ExecClusterInfo(
                    server=host,
                    tls_server_name=cluster.tls_server_name,
                    insecure_skip_tls_verify=cluster.insecure,
                    certificate_authority_data=ca,
                    proxy_url=cluster.proxy_url,
                    disable_compression=cluster.disable_compression,
                    config=cluster.extensions.get(EXEC_CLUSTER_EXTENSION),
                )
            cfg.exec_provider = ExecConfig(
                command=ex.command,
                args=list(ex.args),
                env=dict(ex.env),
                api_version=ex.api_version,
                install_hint=ex.install_hint,
                provide_cluster_info=ex.provide_cluster_info,
                interactive_mode=ex.interactive_mode,
                cluster=info,
            )
    cfg.namespace = namespace or (ctx.namespace if ctx and ctx.namespace else "default")
    return cfg
