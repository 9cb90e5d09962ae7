"""In-cluster configuration: the service account of the pod this process runs in.

client-go's ``rest.InClusterConfig``: the API server from ``KUBERNETES_SERVICE_HOST``/
``KUBERNETES_SERVICE_PORT``, the service account token (re-read as it rotates), its CA
and namespace::

    from kubeset.config import in_cluster_config

    cfg = in_cluster_config()      # raises ConfigError outside a pod
"""

from __future__ import annotations

import ipaddress
import logging
import os

from ..errors import ConfigError
from .restconfig import Config

__all__ = [
    "SERVICE_ACCOUNT_DIR",
    "in_cluster_config",
    "in_cluster_namespace",
    "in_cluster_possible",
]

log = logging.getLogger(__name__)

SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


def in_cluster_config(*, service_account_dir: str | os.PathLike[str] | None = None) -> Config:
    """The config of a pod's service account (client-go's ``rest.InClusterConfig``).

    Host from ``KUBERNETES_SERVICE_HOST``/``KUBERNETES_SERVICE_PORT`` (IPv6 bracketed),
    the token file re-read as it rotates, ``ca.crt`` as CA (when readable) and the
    namespace from ``POD_NAMESPACE`` or the ``namespace`` file.  ``service_account_dir``
    replaces ``/var/run/secrets/kubernetes.io/serviceaccount`` (tests).
    """
    folder = (
        os.fspath(service_account_dir) if service_account_dir is not None else SERVICE_ACCOUNT_DIR
    )
    host = os.environ.get("KUBERNETES_SERVICE_HOST", "")
    port = os.environ.get("KUBERNETES_SERVICE_PORT", "")
    if not host or not port:
        raise ConfigError(
            "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and "
            "KUBERNETES_SERVICE_PORT must be defined"
        )
    token_file = os.path.join(folder, "token")
    try:
        with open(token_file, "rb") as fh:
            token = fh.read().decode("utf-8").strip()
    except OSError as exc:
        raise ConfigError(
            f"in-cluster configuration: cannot read the service account token {token_file}: {exc.strerror}"
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(
            f"in-cluster configuration: the service account token {token_file} is not UTF-8 text"
        ) from None
    ca_file: str | None = os.path.join(folder, "ca.crt")
    try:
        with open(str(ca_file), "rb") as fh:
            if b"-----BEGIN CERTIFICATE-----" not in fh.read():
                raise OSError(0, "no PEM certificate in the file")
    except OSError as exc:
        log.error("expected to load the root CA from %s, but got: %s", ca_file, exc.strerror)
        ca_file = None
    try:
        is_ipv6 = isinstance(ipaddress.ip_address(host), ipaddress.IPv6Address)
    except ValueError:
        is_ipv6 = ":" in host
    netloc = f"[{host}]:{port}" if is_ipv6 else f"{host}:{port}"
    return Config(
        host="https://" + netloc,
        ca_file=ca_file,
        bearer_token=token or None,
        bearer_token_file=token_file,
        namespace=in_cluster_namespace(folder),
    )


def in_cluster_namespace(folder: str = SERVICE_ACCOUNT_DIR) -> str:
    """The pod's namespace: ``POD_NAMESPACE``, else the service account's ``namespace``
    file, else ``"default"`` (client-go's in-cluster ``Namespace``)."""
    namespace = os.environ.get("POD_NAMESPACE", "")
    if not namespace:
        try:
            with open(os.path.join(folder, "namespace"), encoding="utf-8") as fh:
                namespace = fh.read().strip()
        except (OSError, UnicodeDecodeError):
            namespace = ""
    return namespace or "default"


def in_cluster_possible(folder: str = SERVICE_ACCOUNT_DIR) -> bool:
    """Whether this looks like a pod: service host and port set, a token file present."""
    return (
        bool(os.environ.get("KUBERNETES_SERVICE_HOST"))
        and bool(os.environ.get("KUBERNETES_SERVICE_PORT"))
        and os.path.isfile(os.path.join(folder, "token"))
    )
