"""The kubeconfig file types: what one kubeconfig file says, field by field.

These are the parsed form of one file (client-go's ``clientcmd/api`` types), before
merging and validation.  Paths in them are already absolute; ``origin`` names the file
(or in-memory source) each entry came from, for error messages::

    from kubeset.config.load import read_kubeconfig

    parsed = read_kubeconfig("/home/me/.kube/config")
    parsed.clusters["prod"].server        # 'https://10.0.0.1:6443'
    parsed.users["me"]                    # KubeconfigUser(origin='/home/me/.kube/config')
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from .restconfig import AuthProviderConfig

__all__ = [
    "KubeconfigCluster",
    "KubeconfigContext",
    "KubeconfigExec",
    "KubeconfigFile",
    "KubeconfigSource",
    "KubeconfigUser",
]


@dataclass(frozen=True)
class KubeconfigSource:
    """Where a kubeconfig document came from.

    ``origin`` names it in messages (a file path, or a label for one held in memory);
    ``base_dir`` is the folder relative paths in it are resolved against (``None``:
    relative paths are an error); ``path`` is the file it was read from, ``""`` for
    one held in memory (nothing is ever written back to it).
    """

    origin: str
    base_dir: str | None
    path: str = ""

    @classmethod
    def file(cls, path: str) -> KubeconfigSource:
        return cls(origin=path, base_dir=os.path.dirname(os.path.abspath(path)), path=path)

    def describe(self) -> str:
        """The prefix of every problem found in this document."""
        if self.path:
            return f'error loading config file "{self.path}"'
        return f"error loading {self.origin}"


@dataclass
class KubeconfigCluster:
    """One ``clusters[].cluster`` entry."""

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
class KubeconfigExec:
    """One ``users[].user.exec`` entry (``env`` kept as name/value pairs, in order)."""

    command: str = ""
    args: list[str] = field(default_factory=list)
    env: list[tuple[str, str]] = field(default_factory=list)
    api_version: str = ""
    install_hint: str = ""
    provide_cluster_info: bool = False
    interactive_mode: str = ""


@dataclass
class KubeconfigUser:
    """One ``users[].user`` entry (its repr never shows credentials)."""

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
    exec: KubeconfigExec | None = None

    def __repr__(self) -> str:  # never show credentials
        return f"KubeconfigUser(origin={self.origin!r})"


@dataclass
class KubeconfigContext:
    """One ``contexts[].context`` entry."""

    origin: str
    cluster: str = ""
    user: str = ""
    namespace: str = ""


@dataclass
class KubeconfigFile:
    """One parsed kubeconfig: its named clusters, users and contexts."""

    path: str
    current_context: str = ""
    clusters: dict[str, KubeconfigCluster] = field(default_factory=dict)
    users: dict[str, KubeconfigUser] = field(default_factory=dict)
    contexts: dict[str, KubeconfigContext] = field(default_factory=dict)
