"""The REST client configuration: kubeset's ``rest.Config`` and its option types.

``Config`` says where one API server is and how to talk to it (TLS, credentials,
impersonation, proxy, rate limits).  It is inert data: the kubeconfig loaders
(:mod:`kubeset.config.loaders`) and :func:`~kubeset.config.in_cluster_config` build it,
:class:`kubeset.transport.Transport` turns it into an HTTP session.  ``repr``/``str``
of every class here redact secrets::

    from kubeset.config import Config, ImpersonationConfig

    cfg = Config(host="https://10.0.0.1:6443", bearer_token="...", ca_file="/etc/ca.crt")
    cfg = cfg.copy(impersonate=ImpersonationConfig(user="jane"))
    print(cfg)  # Config(host='https://10.0.0.1:6443', ca_file=..., bearer_token='--- REDACTED ---', ...)
"""

from __future__ import annotations

import base64
import dataclasses
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from ..flowcontrol import RateLimiter

__all__ = [
    "DEFAULT_BURST",
    "DEFAULT_QPS",
    "EXEC_API_VERSIONS",
    "EXEC_INTERACTIVE_MODES",
    "REDACTED",
    "AuthProviderConfig",
    "Config",
    "ExecClusterInfo",
    "ExecConfig",
    "ImpersonationConfig",
    "has_scheme",
    "redact_url",
    "resolve_timeout",
]

DEFAULT_QPS = 5.0
DEFAULT_BURST = 10

REDACTED = "--- REDACTED ---"


@dataclass
class ImpersonationConfig:
    """Who to act as (``Impersonate-*`` headers)."""

    user: str = ""
    uid: str = ""
    groups: list[str] = field(default_factory=list)
    extra: dict[str, list[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.user or self.uid or self.groups or self.extra)


@dataclass
class ExecClusterInfo:
    """The cluster as shown to an exec plugin when ``provideClusterInfo`` is set."""

    server: str = ""
    tls_server_name: str = ""
    insecure_skip_tls_verify: bool = False
    certificate_authority_data: bytes | None = None
    proxy_url: str = ""
    disable_compression: bool = False
    config: Any = None  # the cluster's "client.authentication.k8s.io/exec" extension

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"server": self.server}
        if self.tls_server_name:
            out["tls-server-name"] = self.tls_server_name
        if self.insecure_skip_tls_verify:
            out["insecure-skip-tls-verify"] = True
        if self.certificate_authority_data:
            out["certificate-authority-data"] = base64.b64encode(
                self.certificate_authority_data
            ).decode("ascii")
        if self.proxy_url:
            out["proxy-url"] = self.proxy_url
        if self.disable_compression:
            out["disable-compression"] = True
        if self.config is not None:
            out["config"] = self.config
        return out


EXEC_API_VERSIONS = (
    "client.authentication.k8s.io/v1",
    "client.authentication.k8s.io/v1beta1",
)
EXEC_INTERACTIVE_MODES = ("Never", "IfAvailable", "Always")


@dataclass
class ExecConfig:
    """An exec credential plugin (kubeconfig ``users[].user.exec``)."""

    command: str
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    api_version: str = "client.authentication.k8s.io/v1"
    install_hint: str = ""
    provide_cluster_info: bool = False
    interactive_mode: str = "IfAvailable"
    cluster: ExecClusterInfo | None = None

    def __repr__(self) -> str:
        env = {k: REDACTED for k in self.env}
        return (
            f"ExecConfig(command={self.command!r}, args=<{len(self.args)} args>, env={env!r}, "
            f"api_version={self.api_version!r}, provide_cluster_info={self.provide_cluster_info!r}, "
            f"interactive_mode={self.interactive_mode!r})"
        )

    __str__ = __repr__


@dataclass
class AuthProviderConfig:
    """A legacy auth-provider (``users[].user.auth-provider``); only ``oidc`` is supported.

    ``source_file`` and ``user`` say where refreshed tokens are written back (client-go's
    persister): the kubeconfig file that defined the user, and the user's name.  Empty
    ``source_file`` (a config built by hand or from memory): refreshed tokens are kept in
    memory only.
    """

    name: str
    config: dict[str, str] = field(default_factory=dict)
    source_file: str = ""
    user: str = ""

    def __repr__(self) -> str:
        where = (
            f", user={self.user!r}, source_file={self.source_file!r}" if self.source_file else ""
        )
        return f"AuthProviderConfig(name={self.name!r}, config=<{sorted(self.config)} redacted>{where})"

    __str__ = __repr__


_SECRET_FIELDS = frozenset({"bearer_token", "password", "key_data"})


@dataclass
class Config:
    """How to reach and authenticate to one API server (client-go's ``rest.Config``).

    ``host`` is the base URL with scheme and an optional path prefix
    (``https://10.0.0.1:6443`` or ``https://rancher.example/k8s/clusters/c-1``).
    A host without a scheme is taken as ``http://`` unless TLS settings are present
    (:attr:`base_url`); the kubeconfig loaders always store the scheme.
    ``qps``/``burst`` configure the client-side token bucket (``qps < 0`` disables it;
    0 means the default).  ``timeout`` is the default per-request timeout in seconds;
    ``0`` means no timeout (client-go's ``Timeout: 0``) and ``None`` kubeset's default
    (see the README's "differences from client-go").  ``user_agent`` ``None`` sends
    :func:`kubeset.config.default_user_agent` (``<program>/<version> (<os>/<arch>)
    kubeset/<version>``); set it, e.g. with ``build_user_agent("mytool", "1.2")``, to
    name your program in the API server's audit log.
    ``namespace`` is the effective namespace of the context the config came from.
    """

    host: str = ""
    # TLS
    ca_data: bytes | None = None
    ca_file: str | None = None
    cert_data: bytes | None = None
    cert_file: str | None = None
    key_data: bytes | None = None
    key_file: str | None = None
    insecure: bool = False
    server_name: str | None = None
    # authentication
    bearer_token: str | None = None
    bearer_token_file: str | None = None
    username: str | None = None
    password: str | None = None
    exec_provider: ExecConfig | None = None
    auth_provider: AuthProviderConfig | None = None
    impersonate: ImpersonationConfig = field(default_factory=ImpersonationConfig)
    # connection
    proxy_url: str | None = None
    qps: float = DEFAULT_QPS
    burst: int = DEFAULT_BURST
    rate_limiter: RateLimiter | None = None
    timeout: float | None = None
    user_agent: str | None = None
    disable_compression: bool = False
    # where it came from
    namespace: str = "default"

    def __repr__(self) -> str:
        parts = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in _SECRET_FIELDS:
                if value:
                    parts.append(f"{f.name}={REDACTED!r}")
                continue
            if f.name == "impersonate" and not value:
                continue
            if f.name == "cert_data" and value:
                # a certificate is public, but keep reprs short
                parts.append(f"cert_data=<{len(value)} bytes>")
                continue
            if f.name == "ca_data" and value:
                parts.append(f"ca_data=<{len(value)} bytes>")
                continue
            if value is None or value is False or value == "":
                continue
            if f.name == "proxy_url":
                value = redact_url(value)  # may carry a password
            parts.append(f"{f.name}={value!r}")
        return f"Config({', '.join(parts)})"

    __str__ = __repr__

    def copy(self, **changes: Any) -> Config:
        """A shallow copy with ``changes`` applied (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)

    @property
    def has_tls_settings(self) -> bool:
        return bool(
            self.ca_data
            or self.ca_file
            or self.cert_data
            or self.cert_file
            or self.insecure
            or self.server_name
        )

    @property
    def base_url(self) -> str:
        """``host`` as an absolute URL (client-go's ``DefaultServerURL``).

        A host without a scheme gets ``https://`` when TLS settings are present,
        else ``http://``; a trailing slash is dropped.
        """
        host = self.host.strip()
        if not host:
            raise ConfigError("host must be a URL or host:port pair; it is empty")
        if not has_scheme(host):
            scheme = "https://" if self.has_tls_settings else "http://"
            host = scheme + host
        return host.rstrip("/")


def resolve_timeout(value: float | None, default: float | None) -> float | None:
    """A timeout as the HTTP layer needs it: ``0`` means no timeout (``None``, as
    client-go's ``Timeout: 0``), ``None`` means ``default``, anything else is seconds.

    ``Config.timeout`` and a request's own timeout both go through this; a negative
    value is a ``ConfigError``.
    """
    if value is None:
        return default
    if value < 0:
        raise ConfigError(
            f"timeout must be 0 (no timeout) or a positive number of seconds, got {value!r}"
        )
    return None if value == 0 else float(value)


def has_scheme(host: str) -> bool:
    """Whether ``host`` is a URL with scheme and authority (``"10.0.0.1:6443"`` and
    ``"localhost:6443"`` are not, as in Go's ``url.Parse`` check in client-go)."""
    try:
        parsed = urllib.parse.urlsplit(host.strip())
    except ValueError:
        return False
    return bool(parsed.scheme and parsed.netloc)


def redact_url(url: str) -> str:
    """``url`` with its password (if any) replaced by ``REDACTED``."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if parts.password is not None:
        netloc = f"{parts.username or ''}:{REDACTED}@{parts.hostname or ''}"
        if parts.port is not None:
            netloc += f":{parts.port}"
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return url
