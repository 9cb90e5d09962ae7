"""Headers every request of a Config carries: the User-Agent and impersonation.

    single, repeated = impersonation_headers(config)   # Impersonate-User / -Group / -Extra-*

Independent of any HTTP library; the transports add these to each request.
"""

from __future__ import annotations

import platform
import sys

from .._version import __version__
from ..config import Config
from ..errors import ConfigError

__all__ = ["default_user_agent", "escape_extra_key", "impersonation_headers"]


def default_user_agent() -> str:
    """``kubeset/<version> (python <x.y.z>; <os>/<arch>)``."""
    py = ".".join(str(p) for p in sys.version_info[:3])
    system = platform.system().lower() or "unknown"
    machine = platform.machine().lower() or "unknown"
    return f"kubeset/{__version__} (python {py}; {system}/{machine})"


_HEADER_TOKEN = set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def escape_extra_key(key: str) -> str:
    """Percent-encode an Impersonate-Extra key like client-go (legal header chars kept)."""
    out = []
    for byte in key.encode("utf-8"):
        ch = chr(byte)
        if ch in _HEADER_TOKEN and ch != "%":
            out.append(ch)
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def impersonation_headers(config: Config) -> tuple[dict[str, str], list[tuple[str, str]]]:
    imp = config.impersonate
    single: dict[str, str] = {}
    multi: list[tuple[str, str]] = []
    if not imp:
        return single, multi
    if (imp.groups or imp.extra or imp.uid) and not imp.user:
        raise ConfigError(
            "impersonation: groups, uid or extra are requested without impersonating a user"
        )
    single["Impersonate-User"] = imp.user
    if imp.uid:
        single["Impersonate-Uid"] = imp.uid
    for group in imp.groups:
        multi.append(("Impersonate-Group", group))
    for key in sorted(imp.extra):
        for value in imp.extra[key]:
            multi.append((f"Impersonate-Extra-{escape_extra_key(key)}", value))
    return single, multi
