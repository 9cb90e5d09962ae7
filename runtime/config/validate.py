"""Validating a resolved kubeconfig cluster and user, with client-go's messages.

Each function returns the list of problems (empty when valid) so that all of them can
be reported together; :func:`invalid_configuration` wraps them in one ``ConfigError``::

    from kubeset.config.validate import invalid_configuration, validate_cluster

    problems = validate_cluster("prod", cluster)
    if problems:
        raise invalid_configuration(problems)
"""

from __future__ import annotations

import urllib.parse

from ..errors import ConfigError
from .kubeconfig import KubeconfigCluster, KubeconfigUser
from .restconfig import EXEC_API_VERSIONS, EXEC_INTERACTIVE_MODES, redact_url

__all__ = [
    "EMPTY_CLUSTER",
    "PEM_CERT",
    "PEM_KEY",
    "invalid_configuration",
    "proxy_url_problem",
    "validate_cluster",
    "validate_user",
]

EMPTY_CLUSTER = "cluster has no server defined"
PEM_CERT = b"-----BEGIN CERTIFICATE-----"
PEM_KEY = b"PRIVATE KEY-----"


def proxy_url_problem(url: str) -> str | None:
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError as exc:
        return str(exc)
    if parts.scheme not in ("http", "https", "socks5"):
        return f'unsupported scheme "{parts.scheme}", must be http, https, or socks5'
    if not parts.hostname:
        return "no host"
    return None


def validate_cluster(name: str, cluster: KubeconfigCluster) -> list[str]:
    if cluster.is_empty():
        return [EMPTY_CLUSTER]
    errs: list[str] = []
    if not cluster.server:
        errs.append(
            f'no server found for cluster "{name}"'
            if name
            else "default cluster has no server defined"
        )
    if cluster.proxy_url:
        problem = proxy_url_problem(cluster.proxy_url)
        if problem:
            errs.append(
                f'invalid \'proxy-url\' "{redact_url(cluster.proxy_url)}" for cluster "{name}": {problem}'
            )
    if cluster.ca_file and cluster.ca_data:
        errs.append(
            f"certificate-authority-data and certificate-authority are both specified for {name}. "
            "certificate-authority-data will override."
        )
    if cluster.ca_data and PEM_CERT not in cluster.ca_data:
        errs.append(
            f"unable to load root certificates for cluster {name}: certificate-authority-data "
            f"(in {cluster.origin}) holds no PEM certificate"
        )
    elif cluster.ca_file:
        try:
            with open(cluster.ca_file, "rb") as fh:
                if PEM_CERT not in fh.read():
                    errs.append(
                        f"unable to load root certificates for cluster {name}: "
                        f"certificate-authority {cluster.ca_file} holds no PEM certificate"
                    )
        except OSError as exc:
            errs.append(
                f"unable to read certificate-authority {cluster.ca_file} for {name} due to {exc.strerror}"
            )
    if cluster.insecure and (cluster.ca_file or cluster.ca_data):
        errs.append(
            f'insecure-skip-tls-verify and a certificate authority are both specified for cluster "{name}": '
            "specifying a root certificates file with the insecure flag is not allowed"
        )
    return errs


def validate_user(name: str, user: KubeconfigUser) -> list[str]:
    errs: list[str] = []
    methods: list[str] = []
    if user.token:
        methods.append("token")
    if user.username or user.password:
        methods.append("basicAuth")
    if user.cert_file or user.cert_data:
        if user.cert_file and user.cert_data:
            errs.append(
                f"client-cert-data and client-cert are both specified for {name}. "
                "client-cert-data will override."
            )
        if user.key_file and user.key_data:
            errs.append(
                f"client-key-data and client-key are both specified for {name}; "
                "client-key-data will override"
            )
        if not user.key_file and not user.key_data:
            errs.append(
                f"client-key-data or client-key must be specified for {name} to use the "
                "clientCert authentication method."
            )
        for what, path in (("client-cert", user.cert_file), ("client-key", user.key_file)):
            if path:
                try:
                    with open(path, "rb"):
                        pass
                except OSError as exc:
                    errs.append(f"unable to read {what} {path} for {name} due to {exc.strerror}")
        if user.cert_data and PEM_CERT not in user.cert_data:
            errs.append(
                f"client-certificate-data for {name} (in {user.origin}) holds no PEM certificate"
            )
        if user.key_data and PEM_KEY not in user.key_data:
            errs.append(f"client-key-data for {name} (in {user.origin}) holds no PEM private key")
    if user.exec is not None:
        ex = user.exec
        if user.auth_provider is not None:
            errs.append(
                f"authProvider cannot be provided in combination with an exec plugin for {name}"
            )
        if not ex.command:
            errs.append(f"command must be specified for {name} to use exec authentication plugin")
        if not ex.api_version:
            errs.append(
                f"apiVersion must be specified for {name} to use exec authentication plugin"
            )
        elif ex.api_version not in EXEC_API_VERSIONS:
            errs.append(
                f'exec plugin: invalid apiVersion "{ex.api_version}" for {name}; supported: '
                + ", ".join(EXEC_API_VERSIONS)
            )
        for var_name, _ in ex.env:
            if not var_name:
                errs.append(
                    f"env variable name must be specified for {name} to use exec authentication plugin"
                )
        if not ex.interactive_mode:
            errs.append(
                f"interactiveMode must be specified for {name} to use exec authentication plugin"
            )
        elif ex.interactive_mode not in EXEC_INTERACTIVE_MODES:
            errs.append(f'invalid interactiveMode for {name}: "{ex.interactive_mode}"')
    if len(methods) > 1:
        errs.append(
            f"more than one authentication method found for {name}; found [{' '.join(methods)}], "
            "only one is allowed"
        )
    if (
        user.impersonate_uid or user.impersonate_groups or user.impersonate_extra
    ) and not user.impersonate:
        errs.append(f"requesting uid, groups or user-extra for {name} without impersonating a user")
    return errs


def invalid_configuration(errors: list[str]) -> ConfigError:
    if len(errors) == 1:
        return ConfigError(f"invalid configuration: {errors[0]}", errors=errors)
    return ConfigError(f"invalid configuration: [{', '.join(errors)}]", errors=errors)
