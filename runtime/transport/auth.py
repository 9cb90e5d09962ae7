"""Credential sources used by the transport: token files, exec plugins, auth-providers.

Everything here follows client-go (``transport/token_source.go``,
``plugin/pkg/client/auth/exec``, ``plugin/pkg/client/auth/oidc``): a token file is
re-read at most once a minute so rotated tokens are picked up; client certificate and
key files at most once a second (:class:`ClientCertFiles`); an exec plugin is run on
first use, its credential is cached until its ``expirationTimestamp`` and thrown away
after a 401, and one authenticator (one run, one cache) serves every client of the
process with the same exec config and cluster (:func:`exec_authenticator`); the oidc
auth-provider refreshes its id-token through the issuer and writes the new tokens back
to the kubeconfig; the removed ``gcp``/``azure`` auth-providers fail with client-go's
"use an exec plugin" message.  :func:`impersonation_headers` computes the
``Impersonate-*`` headers of one request::

    from kubeset.auth import exec_authenticator

    auth = exec_authenticator(config.exec_provider)   # shared per process
    token = auth.credentials().token

No secret value (token, password, key, plugin output) is ever put in an exception
message, a log record or a repr.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime as _dt
import http.client
import json
import logging
import os
import re
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from ..config import (
    EXEC_API_VERSIONS,
    EXEC_INTERACTIVE_MODES,
    AuthProviderConfig,
    Config,
    ExecConfig,
    ImpersonationConfig,
)
from ..config.persist import persist_auth_provider_config
from ..config.restconfig import redact_url
from ..errors import ConfigError, ExecPluginError

__all__ = [
    "CachedFileToken",
    "ClientCertFiles",
    "Credentials",
    "ExecAuthenticator",
    "ExecCredential",
    "ExecPluginError",
    "OIDCToken",
    "RequestAuth",
    "Sometimes",
    "auth_provider_token_source",
    "clean_install_hint",
    "escape_extra_key",
    "exec_authenticator",
    "exec_config_key",
    "exec_plugin_applies",
    "impersonation_headers",
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


CERT_FILE_PERIOD = 1.0  # seconds between re-reads of client certificate files (client-go)


class ClientCertFiles:
    """A client certificate and key read from files, re-read when they rotate.

    client-go reloads ``client-certificate``/``client-key`` files for new TLS
    connections, at most once a second, so long-running controllers pick up renewed
    certificates.  :meth:`current` is the hook the transport calls before it opens a
    connection (in practice: before each request): it returns the PEM pair and whether
    it differs from the pair the previous call returned; on ``changed`` the transport
    builds a new TLS context with the pair (new connections use it, connections in
    flight finish with the old one).  Like client-go, a pair that cannot be read is an
    error (``ConfigError`` naming the file, never its content).
    """

    def __init__(
        self,
        cert_file: str,
        key_file: str,
        *,
        period: float = CERT_FILE_PERIOD,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.cert_file = cert_file
        self.key_file = key_file
        self.period = period
        self._clock = clock or (lambda: time.monotonic())
        self._lock = threading.Lock()
        self._pair = self._read()
        self._next_read = self._clock() + period
        self.reads = 1  # how many times the files were read (for tests and debugging)

    def __repr__(self) -> str:
        return f"ClientCertFiles(cert_file={self.cert_file!r}, key_file={self.key_file!r})"

    def _read(self) -> tuple[bytes, bytes]:
        pair: list[bytes] = []
        for what, path in (("client-certificate", self.cert_file), ("client-key", self.key_file)):
            try:
                with open(path, "rb") as fh:
                    pair.append(fh.read())
            except OSError as exc:
                raise ConfigError(f"{what} {path}: cannot read the file: {exc.strerror}") from None
        return pair[0], pair[1]

    def current(self) -> tuple[tuple[bytes, bytes], bool]:
        """``((cert_pem, key_pem), changed)``; the files are read at most once a period."""
        with self._lock:
            now = self._clock()
            if now < self._next_read:
                return self._pair, False
            self.reads += 1
            pair = self._read()
            self._next_read = now + self.period
            changed = pair != self._pair
            self._pair = pair
            return pair, changed


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


OIDC_EXPIRY_DELTA = 10.0  # an id-token this close to its expiry counts as expired (client-go)
OIDC_HTTP_TIMEOUT = 30.0  # seconds, for the issuer's discovery document and token endpoint
_OIDC_MAX_BODY = 1 << 20
_OAUTH_ERROR_CODE = re.compile(r"^[a-z_]{1,40}$")


class OIDCToken:
    """The ``oidc`` auth-provider (client-go's ``plugin/pkg/client/auth/oidc``).

    ``idp-issuer-url`` and ``client-id`` are required.  :meth:`token` returns the
    ``id-token`` while it is more than 10 s from its ``exp``; otherwise it refreshes:
    the token endpoint comes from the issuer's ``/.well-known/openid-configuration``,
    the ``refresh-token`` (and ``client-id``/``client-secret`` as HTTP basic auth) buys
    a new id-token (and maybe a new refresh-token), which are written back to the
    kubeconfig file that defined the user (:mod:`kubeset.config.persist`).  The issuer
    is trusted through ``idp-certificate-authority(-data)`` when given, else the
    system's CAs.  No token ever appears in an error, a log record or a repr.
    """

    def __init__(
        self,
        provider: AuthProviderConfig,
        *,
        user: str = "",
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._user = provider.user or user
        self._source_file = provider.source_file
        for required in ("idp-issuer-url", "client-id"):
            if not provider.config.get(required):
                raise ConfigError(f"Must provide {required}{self._for()}")
        self._cfg = dict(provider.config)
        self._clock = clock or (lambda: time.time())
        self._lock = threading.Lock()
        self._ssl = self._issuer_tls()
        self.refreshes = 0  # how many times the id-token was refreshed

    def _for(self) -> str:
        return f" (oidc auth-provider of user {self._user!r})" if self._user else ""

    def __repr__(self) -> str:
        return f"OIDCToken(issuer={self._cfg.get('idp-issuer-url')!r}, id_token=<redacted>)"

    def _issuer_tls(self) -> ssl.SSLContext:
        data = self._cfg.get("idp-certificate-authority-data", "")
        path = self._cfg.get("idp-certificate-authority", "")
        try:
            if data:
                try:
                    pem = base64.b64decode("".join(data.split()), validate=True)
                except (binascii.Error, ValueError):
                    raise ConfigError(
                        f"idp-certificate-authority-data is not valid base64{self._for()}"
                    ) from None
                return ssl.create_default_context(cadata=pem.decode("ascii", "replace"))
            if path:
                return ssl.create_default_context(cafile=path)
            return ssl.create_default_context()
        except (OSError, ssl.SSLError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or "unusable"
            raise ConfigError(
                f"idp-certificate-authority{'-data' if data else ' ' + path}: "
                f"no usable CA certificate ({reason}){self._for()}"
            ) from None

    def _valid(self, id_token: str) -> bool:
        exp = _jwt_expiry(id_token)
        if exp is None:
            raise ConfigError(f"the oidc id-token is not a valid JWT{self._for()}")
        return self._clock() + OIDC_EXPIRY_DELTA < exp

    def token(self) -> str:
        """A valid id-token, refreshed through the issuer when it is (about to be) expired."""
        with self._lock:
            id_token = self._cfg.get("id-token", "")
            if id_token and self._valid(id_token):
                return id_token
            refresh_token = self._cfg.get("refresh-token", "")
            if not refresh_token:
                raise ConfigError(
                    "No valid id-token, and cannot refresh without refresh-token"
                    f"{self._for()}: log in again with your OIDC tool"
                )
            new = self._refresh(refresh_token)
            self._cfg = new
            self.refreshes += 1
            if self._source_file:
                try:
                    persist_auth_provider_config(self._source_file, self._user, new)
                except ConfigError as exc:
                    # deliberate: the new tokens stay in use (a rotated refresh-token
                    # would otherwise be lost); the message holds no token
                    log.warning("oidc: %s", exc)
            return new["id-token"]

    def _refresh(self, refresh_token: str) -> dict[str, str]:
        issuer = self._cfg["idp-issuer-url"]
        discovery = issuer.rstrip("/") + "/.well-known/openid-configuration"
        status, doc = self._call(urllib.request.Request(discovery, method="GET"))
        if status != 200:
            raise ConfigError(
                f"oidc: failed to query metadata endpoint {redact_url(discovery)}: "
                f"HTTP {status}{self._for()}"
            )
        token_url = doc.get("token_endpoint") if isinstance(doc, dict) else None
        if not isinstance(token_url, str) or not token_url:
            raise ConfigError(
                f"oidc: discovery object doesn't contain a token_endpoint{self._for()}"
            )
        client = urllib.parse.quote(self._cfg["client-id"], safe="")
        secret = urllib.parse.quote(self._cfg.get("client-secret", ""), safe="")
        basic = base64.b64encode(f"{client}:{secret}".encode()).decode("ascii")
        form = urllib.parse.urlencode(
            {"grant_type": "refresh_token", "refresh_token": refresh_token}
        ).encode("ascii")
        request = urllib.request.Request(
            token_url,
            data=form,
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
                "Authorization": "Basic " + basic,
            },
        )
        status, body = self._call(request)
        if status != 200:
            code = body.get("error") if isinstance(body, dict) else None
            shown = f" ({code})" if isinstance(code, str) and _OAUTH_ERROR_CODE.match(code) else ""
            raise ConfigError(
                f"failed to refresh token: the token endpoint answered HTTP {status}{shown}"
                f"{self._for()}"
            )
        id_token = body.get("id_token") if isinstance(body, dict) else None
        if not isinstance(id_token, str) or not id_token:
            raise ConfigError(
                'token response did not contain an id_token, either the scope "openid" '
                "wasn't requested upon login, or the provider doesn't support id_tokens as "
                f"part of the refresh response{self._for()}"
            )
        new = dict(self._cfg)
        new["id-token"] = id_token
        rotated = body.get("refresh_token")
        if isinstance(rotated, str) and rotated and rotated != refresh_token:
            new["refresh-token"] = rotated
        return new

    def _call(self, request: urllib.request.Request) -> tuple[int, Any]:
        """Send ``request`` to the issuer: (status, decoded JSON body or None)."""
        opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=self._ssl))
        where = redact_url(request.full_url)
        try:
            try:
                with opener.open(request, timeout=OIDC_HTTP_TIMEOUT) as response:
                    status, raw = response.status, response.read(_OIDC_MAX_BODY)
            except urllib.error.HTTPError as exc:
                status, raw = exc.code, exc.read(_OIDC_MAX_BODY)
                exc.close()
        except urllib.error.URLError as exc:
            reason = exc.reason
            text = reason.strerror if isinstance(reason, OSError) and reason.strerror else reason
            raise ConfigError(f"oidc: cannot reach {where}: {text}{self._for()}") from None
        except (OSError, http.client.HTTPException) as exc:
            raise ConfigError(
                f"oidc: cannot reach {where}: {type(exc).__name__}{self._for()}"
            ) from None
        try:
            return status, json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            if status == 200:
                raise ConfigError(f"oidc: the answer of {where} is not JSON{self._for()}") from None
            return status, None


_SHARED_OIDC: dict[tuple[str, ...], OIDCToken] = {}
_SHARED_OIDC_LOCK = threading.Lock()


def auth_provider_token_source(
    provider: AuthProviderConfig, *, user: str = "", cluster: str = ""
) -> OIDCToken:
    """The token source for a kubeconfig auth-provider, or client-go's error for it.

    oidc token sources are shared per process (client-go caches them per cluster, issuer
    and client id) so that clients built from the same kubeconfig refresh once and all
    see the new tokens: a rotated refresh-token would otherwise be spent by the first
    client and rejected for the others.  The key also holds the tokens the config
    started with, so a config loaded after a refresh gets a source of its own.
    """
    if provider.name == "gcp":
        raise ConfigError(GCP_REMOVED)
    if provider.name == "azure":
        raise ConfigError(AZURE_REMOVED)
    if provider.name != "oidc":
        raise ConfigError(f'no Auth Provider found for name "{provider.name}"')
    conf = provider.config
    key = (
        cluster,
        provider.source_file,
        provider.user or user,
        *(conf.get(k, "") for k in sorted(conf)),
        *sorted(conf),
    )
    with _SHARED_OIDC_LOCK:
        found = _SHARED_OIDC.get(key)
        if found is None:
            found = OIDCToken(provider, user=user)
            _SHARED_OIDC[key] = found
        return found


# --------------------------------------------------------------------------- impersonation

_HEADER_TOKEN = frozenset(
    "!#$&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)


def escape_extra_key(key: str) -> str:
    """An ``Impersonate-Extra-`` key percent-encoded like client-go's
    ``headerKeyEscape``: legal header token characters except ``%`` are kept."""
    return "".join(
        chr(byte) if chr(byte) in _HEADER_TOKEN else f"%{byte:02X}" for byte in key.encode("utf-8")
    )


def impersonation_headers(
    impersonate: ImpersonationConfig, request_headers: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """The ``Impersonate-*`` header lines to add to one request (in order; groups and
    extra values repeat their header).

    Empty when the config impersonates nobody, or when the caller already set
    ``Impersonate-User`` on the request: like client-go's impersonating round tripper,
    the caller's impersonation then replaces the config's entirely.  A uid, groups or
    extra without a user is a ``ConfigError``.
    """
    if not impersonate:
        return []
    if not impersonate.user:
        raise ConfigError(
            "impersonation: uid, groups or extra are requested without impersonating a user"
        )
    if request_headers and any(k.lower() == "impersonate-user" for k in request_headers):
        return []
    out = [("Impersonate-User", impersonate.user)]
    if impersonate.uid:
        out.append(("Impersonate-Uid", impersonate.uid))
    out.extend(("Impersonate-Group", group) for group in impersonate.groups)
    for key in sorted(impersonate.extra):
        name = "Impersonate-Extra-" + escape_extra_key(key)
        out.extend((name, value) for value in impersonate.extra[key])
    return out


# --------------------------------------------------------------------------- per request


@dataclass(frozen=True)
class RequestAuth:
    """What :meth:`Credentials.for_request` decided for one request.

    ``headers``: the ``Authorization`` and ``Impersonate-*`` lines to add (in order;
    impersonation groups and extra repeat their header).  ``exec_credential``: the
    exec-plugin credential used, to hand to :meth:`Credentials.rejected` after a 401.
    ``client_cert``: the PEM pair new connections must present when it is not the one
    the TLS context was built with (``None``: keep the current context).
    """

    headers: list[tuple[str, str]]
    exec_credential: ExecCredential | None = None
    client_cert: tuple[bytes, bytes] | None = None


class Credentials:
    """Every credential decision for requests made with one ``Config``, in one place.

    Built once per transport; :meth:`for_request` is called before each request with the
    caller's headers.  It follows client-go: a caller-set ``Authorization`` header wins;
    a bearer token (the token file re-read as it rotates, the token as fallback), else
    basic auth, else the exec plugin (only when no client certificate, token or basic
    auth is configured; shared per process), else the oidc auth-provider (shared per
    process); the config's impersonation unless the caller set ``Impersonate-User``;
    client certificate and key *files* re-read at most once a second, a rotated pair
    reported in ``client_cert``; an exec plugin's certificate likewise.
    """

    def __init__(self, config: Config) -> None:
        if (config.bearer_token_file or config.bearer_token) and (
            config.username or config.password
        ):
            raise ConfigError("username/password or bearer token may be set, but not both")
        if config.exec_provider is not None and config.auth_provider is not None:
            raise ConfigError("execProvider and authProvider cannot be used in combination")
        impersonation_headers(config.impersonate)  # a uid, groups or extra without a user
        self.config = config
        self.token_file = (
            CachedFileToken(config.bearer_token_file) if config.bearer_token_file else None
        )
        self.exec = (
            exec_authenticator(config.exec_provider)
            if config.exec_provider is not None and exec_plugin_applies(config)
            else None
        )
        self.oidc = (
            auth_provider_token_source(config.auth_provider, cluster=config.host)
            if config.auth_provider is not None
            else None
        )
        self.cert_files = (
            ClientCertFiles(config.cert_file, config.key_file)
            if config.cert_file and config.key_file and not config.cert_data and not config.key_data
            else None
        )
        self._exec_cert: tuple[bytes, bytes] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Credentials(host={self.config.host!r})"

    def _authorization(self) -> tuple[str | None, ExecCredential | None]:
        cfg = self.config
        if self.token_file is not None:
            try:
                return "Bearer " + self.token_file.token(), None
            except ConfigError:
                if cfg.bearer_token:
                    return "Bearer " + cfg.bearer_token, None
                raise
        if cfg.bearer_token:
            return "Bearer " + cfg.bearer_token, None
        if cfg.username or cfg.password:
            raw = f"{cfg.username or ''}:{cfg.password or ''}".encode()
            return "Basic " + base64.b64encode(raw).decode("ascii"), None
        if self.exec is not None:
            cred = self.exec.credentials()
            return ("Bearer " + cred.token if cred.token else None), cred
        if self.oidc is not None:
            return "Bearer " + self.oidc.token(), None
        return None, None

    def _client_cert(self, cred: ExecCredential | None) -> tuple[bytes, bytes] | None:
        pair: tuple[bytes, bytes] | None = None
        if self.cert_files is not None:
            current, changed = self.cert_files.current()
            pair = current if changed else None
        elif cred is not None and cred.cert_pem and cred.key_pem:
            with self._lock:
                candidate = (cred.cert_pem, cred.key_pem)
                if candidate != self._exec_cert:
                    self._exec_cert = candidate
                    pair = candidate
        return pair

    def for_request(self, request_headers: Mapping[str, str] | None = None) -> RequestAuth:
        """The credentials of one request; raises ``ConfigError``/``ExecPluginError``
        when they cannot be obtained (then nothing must be sent)."""
        headers: list[tuple[str, str]] = []
        cred: ExecCredential | None = None
        caller_auth = request_headers is not None and any(
            k.lower() == "authorization" for k in request_headers
        )
        if not caller_auth:
            value, cred = self._authorization()
            if value is not None:
                headers.append(("Authorization", value))
        headers.extend(impersonation_headers(self.config.impersonate, request_headers))
        return RequestAuth(
            headers=headers, exec_credential=cred, client_cert=self._client_cert(cred)
        )

    def rejected(self, auth: RequestAuth) -> bool:
        """The server answered 401 to a request sent with ``auth``: drop an exec-plugin
        credential so the next request fetches a new one.  True when it was dropped (a
        replay with a fresh credential can succeed; kubeset replays once, see README)."""
        if auth.exec_credential is None or self.exec is None:
            return False
        self.exec.invalidate(auth.exec_credential)
        return True
