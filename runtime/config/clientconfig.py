"""From a merged kubeconfig to a ``Config``: client-go's ``DirectClientConfig``.

Picks the context, its cluster and user (with ``--context``/``--cluster``/``--user``/
``--namespace``/``--server`` style overrides), validates them, and fills a
:class:`~kubeset.config.Config` the way client-go does (credentials only for TLS
servers, ``certificate-authority-data`` over ``certificate-authority``, exec cluster
info when ``provideClusterInfo`` is set)::

    from kubeset.config.clientconfig import rest_config_from
    from kubeset.config.merge import merge_kubeconfig_files

    cfg = rest_config_from(merge_kubeconfig_files(None), ConfigOverrides(context="prod"))
"""

from __future__ import annotations

import dataclasses
import os
import urllib.parse
from dataclasses import dataclass

from ..errors import ConfigError
from .kubeconfig import KubeconfigCluster, KubeconfigExec, KubeconfigUser
from .merge import MergedKubeconfig, default_kubeconfig_paths
from .restconfig import Config, ExecClusterInfo, ExecConfig, ImpersonationConfig, has_scheme
from .validate import EMPTY_CLUSTER, invalid_configuration, validate_cluster, validate_user

__all__ = [
    "EMPTY_CONFIG",
    "EXEC_CLUSTER_EXTENSION",
    "ConfigOverrides",
    "context_namespace",
    "describe_sources",
    "read_token_file",
    "rest_config_from",
]

EXEC_CLUSTER_EXTENSION = "client.authentication.k8s.io/exec"
EMPTY_CONFIG = (
    "no configuration has been provided, try setting KUBERNETES_MASTER environment variable"
)


def describe_sources(merged: MergedKubeconfig) -> str:
    """Which kubeconfig files were read (or looked for), for error messages."""
    if merged.files:
        return "loaded from " + ", ".join(merged.files)
    looked = default_kubeconfig_paths()
    return "no kubeconfig file found; looked for " + os.pathsep.join(looked)


@dataclass(frozen=True)
class ConfigOverrides:
    """What ``--context``, ``--cluster``, ``--user``, ``--namespace`` and ``--server``
    override in the merged kubeconfig (client-go's ``ConfigOverrides``)."""

    context: str | None = None
    cluster: str | None = None
    user: str | None = None
    namespace: str | None = None
    server: str | None = None


def context_namespace(merged: MergedKubeconfig, overrides: ConfigOverrides) -> str:
    """The namespace the kubeconfig itself sets (override or context), ``""`` if none."""
    if overrides.namespace:
        return overrides.namespace
    ctx = merged.contexts.get(overrides.context or merged.current_context)
    return ctx.namespace if ctx is not None else ""


def rest_config_from(merged: MergedKubeconfig, overrides: ConfigOverrides) -> Config:
    """client-go's ``DirectClientConfig.ClientConfig`` on the merged kubeconfig."""
    context = overrides.context
    context_name = context or merged.current_context
    ctx = merged.contexts.get(context_name) if context_name else None
    # user (client-go checks an explicitly named user first)
    uname = overrides.user or (ctx.user if ctx else "")
    user = merged.users.get(uname) if uname else None
    if overrides.user and user is None:
        raise ConfigError(f'auth info "{overrides.user}" does not exist')
    if context and ctx is None:
        raise ConfigError(f'context "{context}" does not exist')
    cname = overrides.cluster or (ctx.cluster if ctx else "")
    cluster = merged.clusters.get(cname) if cname else None
    if overrides.cluster and cluster is None:
        raise ConfigError(f'cluster "{overrides.cluster}" does not exist')
    cluster = dataclasses.replace(cluster) if cluster is not None else KubeconfigCluster(origin="")
    if overrides.server:
        cluster.server = overrides.server
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

    cfg = Config(host=_server_url(cluster.server))
    cfg.proxy_url = cluster.proxy_url or None
    cfg.disable_compression = cluster.disable_compression
    if user.impersonate:
        cfg.impersonate = ImpersonationConfig(
            user=user.impersonate,
            uid=user.impersonate_uid,
            groups=list(user.impersonate_groups),
            extra={k: list(v) for k, v in user.impersonate_extra.items()},
        )
    cfg.namespace = context_namespace(merged, overrides) or "default"
    # client-go decides "TLS or not" before any TLS setting applies: a server without a
    # scheme is plain http, and then neither the cluster's TLS settings nor any
    # credential is used (credentials are never sent in clear text)
    if not has_scheme(cfg.host):
        cfg.host = "http://" + cfg.host
    if urllib.parse.urlsplit(cfg.host).scheme != "https":
        return cfg
    cfg.ca_file = cluster.ca_file or None
    cfg.ca_data = cluster.ca_data or None
    cfg.insecure = cluster.insecure
    cfg.server_name = cluster.tls_server_name or None
    if cfg.ca_data:
        cfg.ca_file = None  # certificate-authority-data overrides
    _apply_credentials(cfg, uname, user)
    if user.exec is not None and not (
        cfg.cert_data or cfg.cert_file or cfg.bearer_token or cfg.username or cfg.password
    ):
        # client-go runs no exec plugin when a client certificate, a token or basic
        # auth is configured (exec's UpdateTransportConfig)
        cfg.exec_provider = _exec_config(user.exec, cname, cluster, cfg.host)
    return cfg


def _server_url(server: str) -> str:
    """The server URL with query and fragment dropped when it has a path (client-go)."""
    try:
        parts = urllib.parse.urlsplit(server)
        if parts.scheme and parts.netloc and len(parts.path) > 1:
            return urllib.parse.urlunsplit(parts._replace(query="", fragment=""))
    except ValueError:
        pass
    return server


def _apply_credentials(cfg: Config, uname: str, user: KubeconfigUser) -> None:
    if user.token:
        cfg.bearer_token = user.token
        cfg.bearer_token_file = user.token_file or None
    elif user.token_file:
        # client-go reads the file when the config is built: an unreadable file is an
        # error now, not at the first request (the transport re-reads it as it rotates)
        cfg.bearer_token = read_token_file(user.token_file, f"tokenFile of user {uname!r}")
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


def _exec_config(
    ex: KubeconfigExec, cname: str, cluster: KubeconfigCluster, host: str
) -> ExecConfig:
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
    return ExecConfig(
        command=ex.command,
        args=list(ex.args),
        env=dict(ex.env),
        api_version=ex.api_version,
        install_hint=ex.install_hint,
        provide_cluster_info=ex.provide_cluster_info,
        interactive_mode=ex.interactive_mode,
        cluster=info,
    )


def read_token_file(path: str, what: str) -> str:
    """The token in ``path`` (whitespace stripped); a ``ConfigError`` naming ``what`` and
    the file (never its content) when it cannot be read or is empty."""
    try:
        with open(path, "rb") as fh:
            token = fh.read().decode("utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{what}: cannot read the token file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{what}: the token file {path} is not UTF-8 text") from None
    if not token:
        raise ConfigError(f"{what}: the token file {path} is empty")
    return token
