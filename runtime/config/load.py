"""Loading one kubeconfig: reading a file and parsing its YAML into the file types.

Every problem in a file is collected and reported together, naming the file and the
field (``users[0].user.token: expected a string, got a number``); YAML errors never
quote the document (it may hold secrets)::

    from kubeset.config.load import read_kubeconfig

    parsed = read_kubeconfig("/home/me/.kube/config")   # a KubeconfigFile
"""

from __future__ import annotations

import base64
import binascii
import os
from typing import Any

from ..errors import ConfigError
from .kubeconfig import (
    KubeconfigCluster,
    KubeconfigContext,
    KubeconfigExec,
    KubeconfigFile,
    KubeconfigSource,
    KubeconfigUser,
)
from .restconfig import AuthProviderConfig

__all__ = ["parse_kubeconfig", "parse_kubeconfig_document", "read_kubeconfig"]


class _Reader:
    """Typed access to one parsed kubeconfig document, collecting every problem."""

    def __init__(self, source: KubeconfigSource) -> None:
        self.source = source
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
        return self.absolute(self.string(m, key, where), f"{where}.{key}")

    def absolute(self, value: str, where: str) -> str:
        """``value`` made absolute against the base folder; an error without one."""
        if not value or os.path.isabs(value):
            return value
        if self.source.base_dir is None:
            self.error(
                where,
                f"relative path {value!r} in a kubeconfig held in memory; pass base_dir= "
                "to say which folder it is relative to, or use an absolute path",
            )
            return ""
        return os.path.join(self.source.base_dir, value)


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


def parse_kubeconfig(text: bytes | str, source: KubeconfigSource) -> KubeconfigFile:
    """Parse the YAML (or JSON) text of one kubeconfig."""
    import yaml  # type: ignore[import-untyped, unused-ignore]

    if not text.strip():
        return KubeconfigFile(path=source.origin)
    try:
        # libyaml's safe loader when PyYAML was built with it (about 10x faster)
        loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
        doc = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source.describe()}: {_yaml_error(exc)}") from None
    except (UnicodeDecodeError, ValueError):
        raise ConfigError(f"{source.describe()}: the file is not UTF-8 text") from None
    return parse_kubeconfig_document(doc, source)


def parse_kubeconfig_document(doc: object, source: KubeconfigSource) -> KubeconfigFile:
    """Read one kubeconfig already decoded into Python objects (a dict)."""
    where_file = source.describe()
    path = source.origin
    result = KubeconfigFile(path=path)
    if doc is None:
        return result
    if not isinstance(doc, dict):
        raise ConfigError(
            f"{where_file}: expected a kubeconfig (a mapping with clusters, users and "
            f"contexts) at the top level, got {_type_name(doc)}"
        )
    r = _Reader(source)
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
        cluster = KubeconfigCluster(origin=path)
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
        user = KubeconfigUser(origin=path)
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
                name=r.string(provider, "name", f"{where}.auth-provider"),
                config=conf,
                source_file=source.path,
                user=name,
            )
        exec_body = r.mapping(body.get("exec"), f"{where}.exec")
        if exec_body is not None:
            ew = f"{where}.exec"
            ex = KubeconfigExec()
            ex.command = r.string(exec_body, "command", ew)
            # a command with a path separator is a file relative to this kubeconfig;
            # a bare name is looked up on PATH
            if ex.command and os.sep in ex.command:
                ex.command = r.absolute(ex.command, f"{ew}.command")
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
        result.contexts[name] = KubeconfigContext(
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


def read_kubeconfig(path: str) -> KubeconfigFile:
    """Read and parse the kubeconfig file ``path``."""
    try:
        with open(path, "rb") as fh:
            text = fh.read()
    except IsADirectoryError:
        raise ConfigError(f'error loading config file "{path}": is a directory') from None
    except OSError as exc:
        raise ConfigError(f'error loading config file "{path}": {exc.strerror}') from None
    return parse_kubeconfig(text, KubeconfigSource.file(path))
