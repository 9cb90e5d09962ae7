"""Exec credential plugins (client-go's ``plugin/pkg/client/auth/exec``), shared per process.

    auth = exec_authenticator(config.exec_provider)   # one authenticator per exec config + cluster
    token = auth.credentials().token                   # runs the plugin when the cached one expired

The plugin runs on first use; its credential is cached until its ``expirationTimestamp`` and
dropped after a 401; its install hint is shown at most ten times an hour, control characters
escaped; no plugin output ever reaches a message, a log record or a repr.
"""

from __future__ import annotations

import copy
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

from ...config import (
    EXEC_API_VERSIONS,
    EXEC_INTERACTIVE_MODES,
    Config,
    ExecConfig,
)
from ...errors import ExecPluginError

__all__ = [
    "INSTALL_HINT_INTERVAL",
    "INSTALL_HINT_THRESHOLD",
    "ExecAuthenticator",
    "ExecCredential",
    "Sometimes",
    "clean_install_hint",
    "exec_authenticator",
    "exec_config_key",
    "exec_plugin_applies",
]

log = logging.getLogger(__name__)


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
        # the install hint is shown at most 10 times an hour (client-go's "sometimes")
        self._hint_limiter = Sometimes(
            threshold=INSTALL_HINT_THRESHOLD, interval=INSTALL_HINT_INTERVAL, clock=self._clock
        )
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
            msg = f"exec: executable {cfg.command} not found{self._where()}"
            if self._hint_limiter.allow():
                msg += _INSTALL_HELP
                if cfg.install_hint:
                    msg += "\n\n" + clean_install_hint(cfg.install_hint)
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

# control characters other than tab, line feed, vertical tab, form feed and carriage
# return (C0 without U+0009..U+000D, DEL, C1)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def clean_install_hint(hint: str) -> str:
    """An install hint with its control characters shown as ``U+XXXX`` (so a hint cannot
    drive the terminal with escape sequences); tab through carriage return are kept."""
    return _CONTROL.sub(lambda m: f"U+{ord(m.group()):04X}", hint)


INSTALL_HINT_THRESHOLD = 10
INSTALL_HINT_INTERVAL = 3600.0  # seconds


class Sometimes:
    """Allows an action at most ``threshold`` times per ``interval`` seconds (a fixed
    window that starts at the first call, like client-go's ``sometimes``)."""

    def __init__(self, *, threshold: int, interval: float, clock: Callable[[], float]) -> None:
        self.threshold = threshold
        self.interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._window: float | None = None
        self._count = 0

    def allow(self) -> bool:
        with self._lock:
            now = self._clock()
            if self._window is None or now - self._window >= self.interval:
                self._window = now
                self._count = 0
            if self._count < self.threshold:
                self._count += 1
                return True
            return False


def exec_config_key(config: ExecConfig) -> tuple[object, ...]:
    """A hashable identity of an exec config and the cluster it is shown (client-go's
    exec cache key): equal keys mean one shared authenticator."""
    cluster = (
        json.dumps(config.cluster.to_json(), sort_keys=True, default=str)
        if config.cluster is not None
        else ""
    )
    return (
        config.command,
        tuple(config.args),
        tuple(sorted(config.env.items())),
        config.api_version,
        config.install_hint,
        config.provide_cluster_info,
        config.interactive_mode,
        cluster,
    )


_SHARED_EXEC: dict[tuple[object, ...], ExecAuthenticator] = {}
_SHARED_EXEC_LOCK = threading.Lock()


def exec_authenticator(config: ExecConfig) -> ExecAuthenticator:
    """The process-wide authenticator for ``config`` (client-go's ``GetAuthenticator``):
    every client built from the same exec config and cluster shares one plugin run and
    one credential cache, and a 401 seen by one client refreshes it for all."""
    key = exec_config_key(config)
    with _SHARED_EXEC_LOCK:
        found = _SHARED_EXEC.get(key)
        if found is None:
            found = ExecAuthenticator(copy.deepcopy(config))
            _SHARED_EXEC[key] = found
        return found


def exec_plugin_applies(config: Config) -> bool:
    """Whether the exec plugin of ``config`` is used at all: client-go runs none when a
    client certificate, a bearer token (or token file) or basic auth is configured."""
    if config.exec_provider is None:
        return False
    return not (
        config.cert_data
        or config.cert_file
        or config.bearer_token
        or config.bearer_token_file
        or config.username
        or config.password
    )
