"""Every credential decision of one Config's requests, in one place (the transport asks per request).

creds = Credentials(config)
auth = creds.for_request(request.headers)     # Authorization and Impersonate-* lines
if response.status_code == 401 and creds.rejected(auth):
    ...                                        # an exec credential was dropped: send again once
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from ...config import (
    Config,
)
from ...errors import ConfigError
from .execplugin import ExecCredential, exec_authenticator, exec_plugin_applies
from .files import CachedFileToken, ClientCertFiles
from .impersonation import impersonation_headers
from .oidc import auth_provider_token_source

__all__ = ["Credentials", "RequestAuth"]

log = logging.getLogger(__name__)


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
