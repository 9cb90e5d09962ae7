"""Credentials the transport puts on requests: token files, exec plugins, auth-providers, impersonation.

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

    from kubeset.transport.auth import exec_authenticator

    auth = exec_authenticator(config.exec_provider)   # shared per process
    token = auth.credentials().token

No secret value (token, password, key, plugin output) is ever put in an exception
message, a log record or a repr.

Modules: :mod:`.files` (token file, client certificate files), :mod:`.execplugin`, :mod:`.oidc`,
:mod:`.impersonation`, :mod:`.credentials` (:class:`Credentials`, the per-request decision).
"""

from __future__ import annotations

from ...errors import ExecPluginError
from .credentials import Credentials, RequestAuth
from .execplugin import (
    ExecAuthenticator,
    ExecCredential,
    Sometimes,
    clean_install_hint,
    exec_authenticator,
    exec_config_key,
    exec_plugin_applies,
)
from .files import CachedFileToken, ClientCertFiles
from .impersonation import escape_extra_key, impersonation_headers
from .oidc import OIDCToken, auth_provider_token_source

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
