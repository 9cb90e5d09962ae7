"""Auth-providers: oidc id-tokens refreshed through the issuer and written back to the kubeconfig.

    source = auth_provider_token_source(config.auth_provider, cluster=config.host)
    token = source.token()      # refreshed (discovery document + refresh token) when near expiry

client-go's ``plugin/pkg/client/auth/oidc``: an id-token within 10 s of its expiry counts as
expired; new tokens are persisted to the kubeconfig file that held them; one source per process
and provider, so a rotated refresh token is spent once.  The removed ``gcp``/``azure`` providers
fail with client-go's "use an exec plugin" message.  No token appears in errors or logs.
"""

from __future__ import annotations

import base64
import binascii
import http.client
import json
import logging
import re
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from ...config import (
    AuthProviderConfig,
)
from ...config.persist import persist_auth_provider_config
from ...config.restconfig import redact_url
from ...errors import ConfigError

__all__ = [
    "AZURE_REMOVED",
    "GCP_REMOVED",
    "OIDC_EXPIRY_DELTA",
    "OIDC_HTTP_TIMEOUT",
    "OIDCToken",
    "auth_provider_token_source",
]

log = logging.getLogger(__name__)


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
