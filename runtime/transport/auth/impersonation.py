"""Impersonation headers of one request (client-go's impersonating round tripper).

    impersonation_headers(config.impersonate, request.headers)   # [("Impersonate-User", "jane"), ...]

A caller that sets ``Impersonate-User`` itself replaces the config's impersonation entirely;
groups and extra values repeat their header line.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from ...config import (
    ImpersonationConfig,
)
from ...errors import ConfigError

__all__ = ["escape_extra_key", "impersonation_headers"]

log = logging.getLogger(__name__)


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
