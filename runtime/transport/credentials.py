"""Which credential a Config's requests carry, decided once per Config like client-go does.

    creds = Credentials(config)
    auth = creds.authorization()      # Authorization header value (or None) and what it came from
    if response.status_code == 401:
        creds.unauthorized(auth)      # an exec plugin credential is fetched anew next time

Precedence follows client-go's ``transport``: a token file (re-read as it rotates, falling back
to the inline token), an inline bearer token, basic auth, an exec plugin, an auth-provider
(oidc).  Independent of any HTTP library: transports ask for the header before each attempt.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass

from ..config import Config
from ..errors import ConfigError
from .auth import (
    CachedFileToken,
    ExecAuthenticator,
    ExecCredential,
    OIDCToken,
    auth_provider_token_source,
)

__all__ = ["Authorization", "Credentials"]


@dataclass(frozen=True, slots=True)
class Authorization:
    """The Authorization header of one attempt and the exec credential it came from (if any)."""

    header: str | None
    exec_credential: ExecCredential | None = None

    def __repr__(self) -> str:  # the header is a secret
        return f"Authorization(header={'<set>' if self.header else None})"


class Credentials:
    """The credential source of one Config (see the module docstring)."""

    def __init__(
        self,
        config: Config,
        *,
        on_client_cert: Callable[[tuple[bytes, bytes] | None], None] | None = None,
    ) -> None:
        """``on_client_cert`` is told of a client certificate an exec plugin hands out."""
        if (config.bearer_token_file or config.bearer_token) and (
            config.username or config.password
        ):
            raise ConfigError("username/password or bearer token may be set, but not both")
        if config.exec_provider is not None and config.auth_provider is not None:
            raise ConfigError("execProvider and authProvider cannot be used in combination")
        self.config = config
        self._on_client_cert = on_client_cert
        self._token_file: CachedFileToken | None = (
            CachedFileToken(config.bearer_token_file) if config.bearer_token_file else None
        )
        self._exec: ExecAuthenticator | None = (
            ExecAuthenticator(config.exec_provider) if config.exec_provider is not None else None
        )
        self._oidc: OIDCToken | None = (
            auth_provider_token_source(config.auth_provider)
            if config.auth_provider is not None
            else None
        )

    def __repr__(self) -> str:
        return "<Credentials>"

    def authorization(self) -> Authorization:
        """The credential for the next attempt (runs an exec plugin when its credential expired)."""
        cfg = self.config
        if self._token_file is not None:
            try:
                return Authorization("Bearer " + self._token_file.token())
            except ConfigError:
                if cfg.bearer_token:
                    return Authorization("Bearer " + cfg.bearer_token)
                raise
        if cfg.bearer_token:
            return Authorization("Bearer " + cfg.bearer_token)
        if cfg.username or cfg.password:
            raw = f"{cfg.username or ''}:{cfg.password or ''}".encode()
            return Authorization("Basic " + base64.b64encode(raw).decode("ascii"))
        if self._exec is not None:
            cred = self._exec.credentials()
            if self._on_client_cert is not None:
                self._on_client_cert(
                    (cred.cert_pem, cred.key_pem) if cred.cert_pem and cred.key_pem else None
                )
            return Authorization("Bearer " + cred.token if cred.token else None, cred)
        if self._oidc is not None:
            return Authorization("Bearer " + self._oidc.token())
        return Authorization(None)

    def unauthorized(self, used: Authorization) -> bool:
        """The server answered 401 to ``used``: forget an exec credential so the next attempt
        runs the plugin again.  True when a new credential may help (the attempt may be repeated)."""
        if used.exec_credential is None or self._exec is None:
            return False
        self._exec.invalidate(used.exec_credential)
        return True
