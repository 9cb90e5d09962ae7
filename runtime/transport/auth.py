"""Credential sources used by the transport: token files, exec plugins, auth-providers.

Everything here follows client-go (``transport/token_source.go``,
``plugin/pkg/client/auth/exec``): a token file is re-read at most once a minute so
rotated tokens are picked up; an exec plugin is run on first use, its credential is
cached until its ``expirationTimestamp`` and thrown away after a 401; the removed
``gcp``/``azure`` auth-providers fail with client-go's "use an exec plugin" message.

No secret value (token, password, key, plugin output) is ever put in an exception
message, a log record or a repr.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import json
import logging
import os
import re
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from ..config import (
    EXEC_API_VERSIONS,
    EXEC_INTERACTIVE_MODES,
    AuthProviderConfig,
    ExecConfig,
)
from ..errors import ConfigError, ExecPluginError

__all__ = [
    "CachedFileToken",
    "ExecAuthenticator",
    "ExecCredential",
    "ExecPluginError",
    "OIDCToken",
    "auth_provider_token_source",
]

log = logging.getLogger(__name__)

TOKEN_FILE_PERIOD = 60.0  # seconds between re-reads of a token file (client-go: 1 minute)


class CachedFileToken:
    """A bearer token read from a file, re-read at most every ``period`` seconds.

    When a re-read fails the previous token keeps being used (and the read is tried
    again on the next call), like client-go's caching file token source.
    """

    def __init__(
        self,
        path: str,
        *,
        period: float = TOKEN_FILE_PERIOD,
        clock: Callable[[], float] | None = None,
        field: str = "tokenFile",
    ) -> None:
        self.path = path
        self.period = period
        self._clock = clock or (lambda: time.monotonic())
        self._field = field
        self._token: str | None = None
        self._next_read = 0.0
        self._lock = threading.Lock()
        self.reads = 0  # how many times the file was read (for tests and debugging)

    def __repr__(self) -> str:
        return f"CachedFileToken(path={self.path!r}, period={self.period!r})"

    def token(self) -> str:
        with self._lock:
            now = self._clock()
            if self._token is not None and now < self._next_read:
                return self._token
            try:
                self.reads += 1
                with open(self.path, "rb") as fh:
                    raw = fh.read()
                try:
                    token = raw.decode("utf-8").strip()
                except UnicodeDecodeError:
                    raise ConfigError(
                        f"{self._field} {self.path}: the token file is not UTF-8 text"
                    ) from None
                if not token:
                    raise ConfigError(
                        f"{self._field} {self.path}: read an empty token from the file"
                    )
            except (OSError, ConfigError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) else str(exc)
                if self._token is not None:
                    log.warning(
                        "could not re-read the token file %s (%s); using the previous token",
                        self.path,
                        reason,
                    )
                    return self._token
                if isinstance(exc, ConfigError):
                    raise
                raise ConfigError(
                    f"{self._field} {self.path}: cannot read the token file: {reason}"
                ) from None
            self._token = token
            self._next_read = now + self.period
            return token


# --------------------------------------------------------------------------- exec plugins


@dataclass(eq=False)
class ExecCredential:
    """What an exec plugin returned: a bearer token and/or a client certificate."""

    token: str | None = None
    cert_pem: bytes | None = None
    key_pem: bytes | None = None
    expires_at: float | None = None  # seconds since the epoch (UTC)

    def __repr__(self) -> str:
        return (
            f"ExecCredential(token={'<redacted>' if self.token else None}, "
            f"client_certificate={'<present>' if self.cert_pem else None}, "
            f"expires_at={self.expires_at!r})"
        )

    __str__ = __repr__


_SAFE_VALUE = re.compile(r"^[A-Za-z0-9./_-]{1,100}$")


def _show(value: object) -> str:
    """A value from plugin output, shown only when it cannot be a secret."""
    if isinstance(value, str) and _SAFE_VALUE.match(value) and len(value) < 64:
        return repr(value)
    return f"<a {type(value).__name__}>"


def _parse_rfc3339(value: str) -> float:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = _dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError("no time zone")
    return parsed.timestamp()


def _stdin_is_terminal() -> bool:
    try:
        return os.isatty(0)
    except OSError:  # pragma: no cover - closed fd 0
        return False


class ExecAuthenticator:
    """Runs an exec credential plugin (``client.authentication.k8s.io/v1`` or ``v1beta1``).

    ``credentials()`` returns the cached credential while it is valid, else runs the
    plugin.  ``invalidate(cred)`` drops ``cred`` after the server answered 401 so the
    next call runs the plugin again.  The plugin's stderr goes to this process's stderr;
    its stdin is this process's stdin only in interactive mode.
    """

    def __init__(
        self,
        config: ExecConfig,
        *,
        user: str = "",
        clock: Callable[[], float] | None = None,
        stdin_is_terminal: Callable[[], bool] | None = None,
        stdin: int | IO[Any] | None = None,
    ) -> None:
        if not config.command:
            raise ExecPluginError("exec plugin: command must be specified")
        if config.api_version not in EXEC_API_VERSIONS:
            raise ExecPluginError(
                f'exec plugin: invalid apiVersion "{config.api_version}"; supported: '
                + ", ".join(EXEC_API_VERSIONS)
            )
        if config.interactive_mode not in EXEC_INTERACTIVE_MODES:
            raise ExecPluginError(
                f'exec plugin: invalid interactiveMode "{config.interactive_mode}"; '
                "expected Never, IfAvailable or Always"
            )
        self.config = config
        self.user = user
        self._clock = clock or (lambda: time.time())
        self._is_terminal = stdin_is_terminal or _stdin_is_terminal
        self._stdin = stdin  # None: inherit this process's stdin (interactive mode only)
        self._cached: ExecCredential | None = None
        self._lock = threading.Lock()
        self.runs = 0  # how many times the plugin ran

    def __repr__(self) -> str:
        return f"ExecAuthenticator(command={self.config.command!r}, runs={self.runs})"

    def _where(self) -> str:
        return f" (user {self.user!r})" if self.user else ""

    def credentials(self) -> ExecCredential:
        with self._lock:
            cred = self._cached
            if cred is not None and (cred.expires_at is None or self._clock() < cred.expires_at):
                return cred
            cred = self._run()
            self._cached = cred
            return cred

    def invalidate(self, cred: ExecCredential) -> bool:
        """Forget ``cred`` (the server rejected it); True when it was the cached one."""
        with self._lock:
            if self._cached is cred:
                self._cached = None
                return True
            return False

    def _interactive(self) -> bool:
        mode = self.config.interactive_mode
        if mode == "Never":
            return False
        terminal = self._is_terminal()
        if mode == "Always" and not terminal:
            raise ExecPluginError(
                "exec plugin cannot support interactive mode: standard input is not a terminal "
                f"(plugin {self.config.command}{self._where()} has interactiveMode Always)"
            )
        return terminal

    def exec_info(self, interactive: bool) -> dict[str, Any]:
        spec: dict[str, Any] = {"interactive": interactive}
        if self.config.provide_cluster_info and self.config.cluster is not None:
            spec["cluster"] = self.config.cluster.to_json()
        return {"apiVersion": self.config.api_version, "kind": "ExecCredential", "spec": spec}

    def _run(self) -> ExecCredential:
        cfg = self.config
        interactive = self._interactive()
        env = dict(os.environ)
        env.update(cfg.env)
        env["KUBERNETES_EXEC_INFO"] = json.dumps(self.exec_info(interactive))
        stdin: int | IO[Any] | None
        if interactive:
            stdin = self._stdin  # None: inherited
        else:
            stdin = subprocess.DEVNULL
        self.runs += 1
        try:
            proc = subprocess.run(
                [cfg.command, *cfg.args],
                env=env,
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=None,  # passed through to our stderr, like client-go
                check=False,
            )
        except FileNotFoundError:
            msg = f"exec: executable {cfg.command} not found{self._where()}" + _INSTALL_HELP
            if cfg.install_hint:
                msg += "\n\n" + _clean_hint(cfg.install_hint)
            raise ExecPluginError(msg) from None
        except PermissionError:
            raise ExecPluginError(
                f"exec: executable {cfg.command} could not be run{self._where()}: permission denied"
            ) from None
        except OSError as exc:
            raise ExecPluginError(
                f"exec: executable {cfg.command} could not be run{self._where()}: {exc.strerror}"
            ) from None
        if proc.returncode != 0:
            raise ExecPluginError(
                f"exec: executable {cfg.command} failed with exit code {proc.returncode}"
                f"{self._where()}"
            )
        return self._decode(proc.stdout)

    def _decode(self, stdout: bytes) -> ExecCredential:
        cfg = self.config
        who = f"exec plugin {cfg.command}{self._where()}"
        try:
            doc = json.loads(stdout)
        except (ValueError, UnicodeDecodeError):
            raise ExecPluginError(
                f"{who}: decoding stdout: the output ({len(stdout)} bytes) is not JSON; "
                "expected an ExecCredential object"
            ) from None
        if not isinstance(doc, dict):
            raise ExecPluginError(
                f"{who}: decoding stdout: expected an ExecCredential object, got a "
                f"{type(doc).__name__}"
            )
        api_version = doc.get("apiVersion")
        if api_version != cfg.api_version:
            raise ExecPluginError(
                f"{who}: exec plugin is configured to use API version {cfg.api_version}, "
                f"plugin returned version {_show(api_version)}"
            )
        if doc.get("kind") != "ExecCredential":
            raise ExecPluginError(
                f"{who}: decoding stdout: kind is {_show(doc.get('kind'))}, expected 'ExecCredential'"
            )
        status = doc.get("status")
        if status is None:
            raise ExecPluginError(f"{who}: exec plugin didn't return a status field")
        if not isinstance(status, dict):
            raise ExecPluginError(f"{who}: status must be an object, got a {type(status).__name__}")
        token = status.get("token")
        cert = status.get("clientCertificateData")
        key = status.get("clientKeyData")
        for name, value in (
            ("token", token),
            ("clientCertificateData", cert),
            ("clientKeyData", key),
        ):
            if value is not None and not isinstance(value, str):
                raise ExecPluginError(
                    f"{who}: status.{name} must be a string, got a {type(value).__name__}"
                )
        if not token and not cert and not key:
            raise ExecPluginError(f"{who}: exec plugin didn't return a token or cert/key pair")
        if bool(cert) != bool(key):
            raise ExecPluginError(f"{who}: exec plugin returned only certificate or key, not both")
        expires_at: float | None = None
        exp = status.get("expirationTimestamp")
        if exp is not None:
            if not isinstance(exp, str):
                raise ExecPluginError(
                    f"{who}: status.expirationTimestamp must be an RFC 3339 string, got a "
                    f"{type(exp).__name__}"
                )
            try:
                expires_at = _parse_rfc3339(exp)
            except ValueError:
                raise ExecPluginError(
                    f"{who}: status.expirationTimestamp is not an RFC 3339 time"
                ) from None
        return ExecCredential(
            token=token or None,
            cert_pem=cert.encode("utf-8") if cert else None,
            key_pem=key.encode("utf-8") if key else None,
            expires_at=expires_at,
        )


_INSTALL_HELP = (
    "\n\nIt looks like you are trying to use a client-go credential plugin that is not "
    "installed.\n\nTo learn more about this feature, consult the documentation available at:\n"
    "      https://kubernetes.io/docs/reference/access-authn-authz/authentication/"
    "#client-go-credential-plugins"
)

_ANSI = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean_hint(hint: str) -> str:
    """Drop control characters (ANSI escapes) from an install hint, like client-go."""
    return _ANSI.sub(lambda m: f"U+{ord(m.group()):04X}", hint)


# --------------------------------------------------------------------------- auth providers

GCP_REMOVED = (
    "The gcp auth plugin has been removed.\n"
    'Please use the "gke-gcloud-auth-plugin" kubectl/client-go credential plugin instead.\n'
    "See https://cloud.google.com/blog/products/containers-kubernetes/kubectl-auth-changes-in-gke "
    "for further details"
)
AZURE_REMOVED = (
    "The azure auth plugin has been removed.\n"
    "Please use the https://github.com/Azure/kubelogin kubectl/client-go credential plugin "
    "instead.\n"
    "See https://kubernetes.io/docs/reference/access-authn-authz/authentication/"
    "#client-go-credential-plugins for further details"
)


def _jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT (not verified: only to notice an expired id-token)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, binascii.Error):
        return None
    if isinstance(claims, dict) and isinstance(claims.get("exp"), int | float):
        return float(claims["exp"])
    return None


class OIDCToken:
    """The ``oidc`` auth-provider: uses its ``id-token``; refreshing is not supported.

    An expired id-token (per its ``exp`` claim) is an error saying so, never a silent
    unauthenticated request.
    """

    def __init__(
        self,
        provider: AuthProviderConfig,
        *,
        user: str = "",
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._id_token = provider.config.get("id-token", "")
        self._can_refresh = bool(provider.config.get("refresh-token"))
        self._user = user
        self._clock = clock or (lambda: time.time())
        if not self._id_token:
            raise ConfigError(
                f"the oidc auth-provider{self._for()} has no id-token; kubeset cannot fetch or "
                "refresh OIDC tokens itself: log in again with your OIDC tool or use an exec "
                "plugin such as kubelogin (https://github.com/int128/kubelogin)"
            )

    def _for(self) -> str:
        return f" of user {self._user!r}" if self._user else ""

    def __repr__(self) -> str:
        return "OIDCToken(id_token=<redacted>)"

    def token(self) -> str:
        exp = _jwt_expiry(self._id_token)
        if exp is not None and self._clock() >= exp:
            what = (
                "and refreshing it"
                if self._can_refresh
                else "and there is no refresh-token; refreshing"
            )
            raise ConfigError(
                f"the oidc id-token{self._for()} has expired {what} is not supported by "
                "kubeset: log in again with your OIDC tool or use an exec plugin such as "
                "kubelogin (https://github.com/int128/kubelogin)"
            )
        return self._id_token


def auth_provider_token_source(provider: AuthProviderConfig, *, user: str = "") -> OIDCToken:
    """The token source for a kubeconfig auth-provider, or client-go's error for it."""
    if provider.name == "gcp":
        raise ConfigError(GCP_REMOVED)
    if provider.name == "azure":
        raise ConfigError(AZURE_REMOVED)
    if provider.name == "oidc":
        return OIDCToken(provider, user=user)
    raise ConfigError(f'no Auth Provider found for name "{provider.name}"')
