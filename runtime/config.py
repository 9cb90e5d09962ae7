"""Client configuration: kubeset's ``rest.Config`` plus the ``clientcmd`` loaders.

``Config`` says where the API server is and how to talk to it (TLS, credentials,
impersonation, proxy, rate limits).  It is built by

* :func:`load_kubeconfig` - kubeconfig files with client-go's loading rules
  (``KUBECONFIG`` list merging, relative paths, validation),
* :func:`in_cluster_config` - the service account of a pod,
* :func:`build_config_from_flags` - client-go's ``BuildConfigFromFlags`` fallback order,
* :func:`load_config` - the usual case: the kubeconfig if there is one, else in-cluster,

or by hand.  A ``Config`` is inert data; :class:`kubeset.transport.Transport` turns it
into an HTTP session.  ``repr``/``str`` of every class here redact secrets.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import ipaddress
import logging
import os
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .flowcontrol import RateLimiter

__all__ = [
    "AuthProviderConfig",
    "Config",
    "ConfigError",
    "ExecClusterInfo",
    "ExecConfig",
    "ImpersonationConfig",
    "RateLimiter",
    "build_config_from_flags",
    "default_kubeconfig_paths",
    "in_cluster_config",
    "load_config",
    "load_kubeconfig",
]

log = logging.getLogger(__name__)

DEFAULT_QPS = 5.0
DEFAULT_BURST = 10

_REDACTED = "--- REDACTED ---"


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
        env = {k: _REDACTED for k in self.env}
        return (
            f"ExecConfig(command={self.command!r}, args=<{len(self.args)} args>, env={env!r}, "
            f"api_version={self.api_version!r}, provide_cluster_info={self.provide_cluster_info!r}, "
            f"interactive_mode={self.interactive_mode!r})"
        )

    __str__ = __repr__


@dataclass
class AuthProviderConfig:
    """A legacy auth-provider (``users[].user.auth-provider``); only ``oidc`` is supported."""

    name: str
    config: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"AuthProviderConfig(name={self.name!r}, config=<{sorted(self.config)} redacted>)"

    __str__ = __repr__


_SECRET_FIELDS = frozenset({"bearer_token", "password", "key_data"})


@dataclass
class Config:
    """How to reach and authenticate to one API server (client-go's ``rest.Config``).

    ``host`` is the base URL with scheme and an optional path prefix
    (``https://10.0.0.1:6443`` or ``https://rancher.example/k8s/clusters/c-1``).
    ``qps``/``burst`` configure the client-side token bucket (``qps < 0`` disables it;
    0 means the default).  ``timeout`` is the default per-request timeout in seconds.
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
                    parts.append(f"{f.name}={_REDACTED!r}")
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
                value = _redact_url(value)  # may carry a password
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
        parsed = urllib.parse.urlsplit(host)
        if not parsed.scheme or not parsed.netloc:
            scheme = "https://" if self.has_tls_settings else "http://"
            host = scheme + host
        return host.rstrip("/")


# =========================================================================== kubeconfig files

KUBECONFIG_ENV = "KUBECONFIG"
SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
EXEC_CLUSTER_EXTENSION = "client.authentication.k8s.io/exec"

_EMPTY_CONFIG = (
    "no configuration has been provided, try setting KUBERNETES_MASTER environment variable"
)
_EMPTY_CLUSTER = "cluster has no server defined"
_PEM_CERT = b"-----BEGIN CERTIFICATE-----"
_PEM_KEY = b"PRIVATE KEY-----"


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
class _Cluster:
    origin: str
    server: str = ""
    tls_server_name: str = ""
    insecure: bool = False
    ca_file: str = ""
    ca_data: bytes = b""
    proxy_url: str = ""
    disable_compression: bool = False
    extensions: dict[str, Any] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (
            self.server
            or self.tls_server_name
            or self.insecure
            or self.ca_file
            or self.ca_data
            or self.proxy_url
            or self.disable_compression
            or self.extensions
        )


@dataclass
class _Exec:
    command: str = ""
    args: list[str] = field(default_factory=list)
    env: list[tuple[str, str]] = field(default_factory=list)
    api_version: str = ""
    install_hint: str = ""
    provide_cluster_info: bool = False
    interactive_mode: str = ""


@dataclass
class _User:
    origin: str
    cert_file: str = ""
    cert_data: bytes = b""
    key_file: str = ""
    key_data: bytes = b""
    token: str = ""
    token_file: str = ""
    impersonate: str = ""
    impersonate_uid: str = ""
    impersonate_groups: list[str] = field(default_factory=list)
    impersonate_extra: dict[str, list[str]] = field(default_factory=dict)
    username: str = ""
    password: str = ""
    auth_provider: AuthProviderConfig | None = None
    exec: _Exec | None = None

    def __repr__(self) -> str:  # never show credentials
        return f"_User(origin={self.origin!r})"


@dataclass
class _Context:
    origin: str
    cluster: str = ""
    user: str = ""
    namespace: str = ""


@dataclass
class _KubeconfigFile:
    path: str
    current_context: str = ""
    clusters: dict[str, _Cluster] = field(default_factory=dict)
    users: dict[str, _User] = field(default_factory=dict)
    contexts: dict[str, _Context] = field(default_factory=dict)


class _Reader:
    """Typed access to one parsed kubeconfig document, collecting every problem."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.base = os.path.dirname(os.path.abspath(path))
        self.errors: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def mapping(self, value: Any, where: str) -> dict[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(where, f"expected a mapping, got {_type_name(value)}")
            return None
        return value

    def items(self, value: Any, where: str) -> list[dict[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(where, f"expected a list, got {_type_name(value)}")
            return []
        out = []
        for i, item in enumerate(value):
            m = self.mapping(item, f"{where}[{i}]")
            if m is not None:
                out.append(m)
            elif item is None:
                self.error(f"{where}[{i}]", "expected a mapping, got null")
        return out

    def string(self, m: dict[str, Any], key: str, where: str) -> str:
        value = m.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.error(f"{where}.{key}", f"expected a string, got {_type_name(value)}")
            return ""
        return value

    def boolean(self, m: dict[str, Any], key: str, where: str) -> bool:
        value = m.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.error(f"{where}.{key}", f"expected true or false, got {_type_name(value)}")
            return False
        return value

    def strings(self, m: dict[str, Any], key: str, where: str) -> list[str]:
        value = m.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(f"{where}.{key}", "expected a list of strings")
            return []
        return list(value)

    def data(self, m: dict[str, Any], key: str, where: str) -> bytes:
        value = m.get(key)
        if value is None or value == "":
            return b""
        if not isinstance(value, str):
            self.error(f"{where}.{key}", f"expected a base64 string, got {_type_name(value)}")
            return b""
        try:
            return base64.b64decode("".join(value.split()), validate=True)
        except (binascii.Error, ValueError):
            self.error(f"{where}.{key}", "is not valid base64")
            return b""

    def path_field(self, m: dict[str, Any], key: str, where: str) -> str:
        """A file reference, made absolute against the folder of this kubeconfig."""
        value = self.string(m, key, where)
        if value and not os.path.isabs(value):
            value = os.path.join(self.base, value)
        return value


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _yaml_error(exc: Exception) -> str:
    """A YAML error without the document snippet (it may hold secrets)."""
    reason = getattr(exc, "reason", None)
    position = getattr(exc, "position", None)
    if reason is not None and position is not None:  # yaml.reader.ReaderError
        return f"the file is not valid text: {reason} (byte {position})"
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or "invalid YAML"
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return f"invalid YAML: {problem} (line {mark.line + 1}, column {mark.column + 1})"
    return f"invalid YAML: {problem}"


def _parse_kubeconfig(path: str, text: bytes) -> _KubeconfigFile:
    import yaml  # type: ignore[import-untyped, unused-ignore]

    where_file = f'error loading config file "{path}"'
    result = _KubeconfigFile(path=path)
    if not text.strip():
        return result
    try:
        # libyaml's safe loader when PyYAML was built with it (about 10x faster)
        loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
        doc = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where_file}: {_yaml_error(exc)}") from None
    except (UnicodeDecodeError, ValueError):
        raise ConfigError(f"{where_file}: the file is not UTF-8 text") from None
    if doc is None:
        return result
    if not isinstance(doc, dict):
        raise ConfigError(
            f"{where_file}: expected a kubeconfig (a mapping with clusters, users and "
            f"contexts) at the top level, got {_type_name(doc)}"
        )
    r = _Reader(path)
    cur = doc.get("current-context")
    if cur is not None and not isinstance(cur, str):
        r.error("current-context", f"expected a string, got {_type_name(cur)}")
    elif cur:
        result.current_context = cur

    def names(section: str, inner: str) -> list[tuple[str, dict[str, Any], str]]:
        out: list[tuple[str, dict[str, Any], str]] = []
        seen: set[str] = set()
        for i, item in enumerate(r.items(doc.get(section), section)):
            where = f"{section}[{i}]"
            name = r.string(item, "name", where)
            if "name" in item and isinstance(item.get("name"), str) and name in seen:
                r.error(f"{where}.name", f'duplicate name "{name}" in {section}')
                continue
            seen.add(name)
            body = r.mapping(item.get(inner), f"{where}.{inner}") or {}
            out.append((name, body, f"{where}.{inner}"))
        return out

    for name, body, where in names("clusters", "cluster"):
        cluster = _Cluster(origin=path)
        cluster.server = r.string(body, "server", where)
        cluster.tls_server_name = r.string(body, "tls-server-name", where)
        cluster.insecure = r.boolean(body, "insecure-skip-tls-verify", where)
        cluster.ca_file = r.path_field(body, "certificate-authority", where)
        cluster.ca_data = r.data(body, "certificate-authority-data", where)
        cluster.proxy_url = r.string(body, "proxy-url", where)
        cluster.disable_compression = r.boolean(body, "disable-compression", where)
        for j, ext in enumerate(r.items(body.get("extensions"), f"{where}.extensions")):
            ext_name = r.string(ext, "name", f"{where}.extensions[{j}]")
            cluster.extensions[ext_name] = ext.get("extension")
        result.clusters[name] = cluster

    for name, body, where in names("users", "user"):
        user = _User(origin=path)
        user.cert_file = r.path_field(body, "client-certificate", where)
        user.cert_data = r.data(body, "client-certificate-data", where)
        user.key_file = r.path_field(body, "client-key", where)
        user.key_data = r.data(body, "client-key-data", where)
        user.token = r.string(body, "token", where)
        user.token_file = r.path_field(body, "tokenFile", where)
        user.impersonate = r.string(body, "as", where)
        user.impersonate_uid = r.string(body, "as-uid", where)
        user.impersonate_groups = r.strings(body, "as-groups", where)
        extra = r.mapping(body.get("as-user-extra"), f"{where}.as-user-extra") or {}
        for key, values in extra.items():
            if isinstance(values, str):
                values = [values]
            if (
                not isinstance(key, str)
                or not isinstance(values, list)
                or not all(isinstance(v, str) for v in values)
            ):
                r.error(
                    f"{where}.as-user-extra", "expected a mapping of strings to lists of strings"
                )
                continue
            user.impersonate_extra[key] = list(values)
        user.username = r.string(body, "username", where)
        user.password = r.string(body, "password", where)
        provider = r.mapping(body.get("auth-provider"), f"{where}.auth-provider")
        if provider is not None:
            pconf = r.mapping(provider.get("config"), f"{where}.auth-provider.config") or {}
            conf: dict[str, str] = {}
            for key, value in pconf.items():
                if not isinstance(value, str):
                    r.error(f"{where}.auth-provider.config.{key}", "expected a string")
                    continue
                conf[str(key)] = value
            user.auth_provider = AuthProviderConfig(
                name=r.string(provider, "name", f"{where}.auth-provider"), config=conf
            )
        exec_body = r.mapping(body.get("exec"), f"{where}.exec")
        if exec_body is not None:
            ew = f"{where}.exec"
            ex = _Exec()
            ex.command = r.string(exec_body, "command", ew)
            # a command with a path separator is a file relative to this kubeconfig;
            # a bare name is looked up on PATH
            if ex.command and os.sep in ex.command and not os.path.isabs(ex.command):
                ex.command = os.path.join(r.base, ex.command)
            ex.args = r.strings(exec_body, "args", ew)
            for k, var in enumerate(r.items(exec_body.get("env"), f"{ew}.env")):
                ex.env.append(
                    (
                        r.string(var, "name", f"{ew}.env[{k}]"),
                        r.string(var, "value", f"{ew}.env[{k}]"),
                    )
                )
            ex.api_version = r.string(exec_body, "apiVersion", ew)
            ex.install_hint = r.string(exec_body, "installHint", ew)
            ex.provide_cluster_info = r.boolean(exec_body, "provideClusterInfo", ew)
            ex.interactive_mode = r.string(exec_body, "interactiveMode", ew)
            if not ex.interactive_mode and ex.api_version in (
                "client.authentication.k8s.io/v1beta1",
                "client.authentication.k8s.io/v1alpha1",
            ):
                ex.interactive_mode = "IfAvailable"  # client-go's default for these versions
            user.exec = ex
        result.users[name] = user

    for name, body, where in names("contexts", "context"):
        result.contexts[name] = _Context(
            origin=path,
            cluster=r.string(body, "cluster", where),
            user=r.string(body, "user", where),
            namespace=r.string(body, "namespace", where),
        )

    if r.errors:
        raise ConfigError(
            f"{where_file}: " + "; ".join(r.errors),
            errors=[f"{where_file}: {e}" for e in r.errors],
        )
    return result


def _read_kubeconfig(path: str) -> _KubeconfigFile:
    try:
        with open(path, "rb") as fh:
            text = fh.read()
    except IsADirectoryError:
        raise ConfigError(f'error loading config file "{path}": is a directory') from None
    except OSError as exc:
        raise ConfigError(f'error loading config file "{path}": {exc.strerror}') from None
    return _parse_kubeconfig(path, text)


@dataclass
class _Merged:
    files: list[str] = field(default_factory=list)
    current_context: str = ""
    clusters: dict[str, _Cluster] = field(default_factory=dict)
    users: dict[str, _User] = field(default_factory=dict)
    contexts: dict[str, _Context] = field(default_factory=dict)


def _load_files(explicit: str | os.PathLike[str] | None, use_defaults: bool = True) -> _Merged:
    """client-go's ``ClientConfigLoadingRules.Load``: the first file that defines a
    name wins it whole; the first non-empty current-context wins."""
    merged = _Merged()
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
            parsed = _read_kubeconfig(path)
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


def _redact_url(url: str) -> str:
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if parts.password is not None:
        netloc = f"{parts.username or ''}:{_REDACTED}@{parts.hostname or ''}"
        if parts.port is not None:
            netloc += f":{parts.port}"
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return url


def _proxy_url_problem(url: str) -> str | None:
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError as exc:
        return str(exc)
    if parts.scheme not in ("http", "https", "socks5"):
        return f'unsupported scheme "{parts.scheme}", must be http, https, or socks5'
    if not parts.hostname:
        return "no host"
    return None


def _validate_cluster(name: str, cluster: _Cluster) -> list[str]:
    if cluster.is_empty():
        return [_EMPTY_CLUSTER]
    errs: list[str] = []
    if not cluster.server:
        errs.append(
            f'no server found for cluster "{name}"'
            if name
            else "default cluster has no server defined"
        )
    if cluster.proxy_url:
        problem = _proxy_url_problem(cluster.proxy_url)
        if problem:
            errs.append(
                f'invalid \'proxy-url\' "{_redact_url(cluster.proxy_url)}" for cluster "{name}": {problem}'
            )
    if cluster.ca_file and cluster.ca_data:
        errs.append(
            f"certificate-authority-data and certificate-authority are both specified for {name}. "
            "certificate-authority-data will override."
        )
    if cluster.ca_data and _PEM_CERT not in cluster.ca_data:
        errs.append(
            f"unable to load root certificates for cluster {name}: certificate-authority-data "
            f"(in {cluster.origin}) holds no PEM certificate"
        )
    elif cluster.ca_file:
        try:
            with open(cluster.ca_file, "rb") as fh:
                if _PEM_CERT not in fh.read():
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


def _validate_user(name: str, user: _User) -> list[str]:
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
        if user.cert_data and _PEM_CERT not in user.cert_data:
            errs.append(
                f"client-certificate-data for {name} (in {user.origin}) holds no PEM certificate"
            )
        if user.key_data and _PEM_KEY not in user.key_data:
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
    if (user.impersonate_groups or user.impersonate_extra) and not user.impersonate:
        errs.append(f"requesting groups or user-extra for {name} without impersonating a user")
    return errs


def _invalid(errors: list[str]) -> ConfigError:
    if len(errors) == 1:
        return ConfigError(f"invalid configuration: {errors[0]}", errors=errors)
    return ConfigError(f"invalid configuration: [{', '.join(errors)}]", errors=errors)


def _where(merged: _Merged) -> str:
    if merged.files:
        return "loaded from " + ", ".join(merged.files)
    looked = default_kubeconfig_paths()
    return "no kubeconfig file found; looked for " + os.pathsep.join(looked)


def _config_from(
    merged: _Merged,
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
    cluster = dataclasses.replace(cluster) if cluster is not None else _Cluster(origin="")
    if server:
        cluster.server = server
        cluster.tls_server_name = ""  # a --server override clears tls-server-name (client-go)
    user = user if user is not None else _User(origin="")  # a missing user: no credentials

    errors: list[str] = []
    if context_name and ctx is None:
        errors.append(f"context was not found for specified context: {context_name}")
    errors.extend(_validate_user(uname, user))
    errors.extend(_validate_cluster(cname, cluster))
    if errors == [_EMPTY_CLUSTER]:
        detail = _where(merged)
        if ctx is not None and cname and cname not in merged.clusters:
            detail = (
                f'context "{context_name}" names cluster "{cname}", which is not defined; ' + detail
            )
        raise ConfigError(
            f"invalid configuration: {_EMPTY_CONFIG} ({detail})", errors=[_EMPTY_CONFIG]
        )
    if errors:
        raise _invalid(errors)

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
    merged = _load_files(path)
    return _config_from(
        merged,
        context=context,
        cluster_name=cluster,
        user_name=user,
        namespace=namespace,
        server=None,
    )


# =========================================================================== in-cluster


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
    namespace = os.environ.get("POD_NAMESPACE", "")
    if not namespace:
        try:
            with open(os.path.join(folder, "namespace"), encoding="utf-8") as fh:
                namespace = fh.read().strip()
        except (OSError, UnicodeDecodeError):
            namespace = ""
    return Config(
        host="https://" + netloc,
        ca_file=ca_file,
        bearer_token=token or None,
        bearer_token_file=token_file,
        namespace=namespace or "default",
    )


def _in_cluster_possible(folder: str = SERVICE_ACCOUNT_DIR) -> bool:
    return (
        bool(os.environ.get("KUBERNETES_SERVICE_HOST"))
        and bool(os.environ.get("KUBERNETES_SERVICE_PORT"))
        and os.path.isfile(os.path.join(folder, "token"))
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
    merged = _load_files(path or None, use_defaults=False)
    return _config_from(
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
        if exc.errors == [_EMPTY_CONFIG] and not context and _in_cluster_possible(folder):
            return in_cluster_config(service_account_dir=folder)
        raise
