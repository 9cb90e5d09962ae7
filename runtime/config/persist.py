"""Writing refreshed auth-provider tokens back into the kubeconfig file that held them.

client-go's ``AuthProviderConfigPersister``: after an oidc refresh the new id-token
(and refresh-token) replace the old ones in the user's ``auth-provider.config`` in the
file that defined the user.  The file is rewritten atomically (a temporary file in the
same folder, then ``os.replace``; through a symlink, the link's target) with the
permissions (and, when allowed, the owner) it had; everything else in it (other users,
unknown fields) is kept, comments are not.  Errors name the file and the user, never a
token::

    from kubeset.config.persist import persist_auth_provider_config

    persist_auth_provider_config("/home/me/.kube/config", "me", {"id-token": "...", ...})
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigError

__all__ = ["persist_auth_provider_config"]


def persist_auth_provider_config(path: str, user: str, config: Mapping[str, str]) -> None:
    """Set ``users[name=user].user.auth-provider.config`` in ``path`` to ``config``."""
    import yaml  # type: ignore[import-untyped, unused-ignore]

    what = f"could not persist new tokens for user {user!r} to {path}"
    target = os.path.realpath(path)  # a symlinked kubeconfig keeps its link
    try:
        with open(target, "rb") as fh:
            info = os.fstat(fh.fileno())
            doc = yaml.safe_load(fh.read())
    except OSError as exc:
        raise ConfigError(f"{what}: {exc.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError, ValueError):
        raise ConfigError(f"{what}: the file is no longer valid YAML") from None
    provider = _provider_of(doc, user)
    if provider is None:
        raise ConfigError(f"{what}: the file no longer defines that user's auth-provider")
    provider["config"] = dict(config)
    text = yaml.safe_dump(doc, sort_keys=False, default_flow_style=False).encode("utf-8")
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".kubeconfig-", dir=os.path.dirname(target))
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), stat.S_IMODE(info.st_mode))
            try:
                os.fchown(out.fileno(), info.st_uid, info.st_gid)  # possible as root only
            except OSError:
                pass
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
        tmp = ""
    except OSError as exc:
        raise ConfigError(f"{what}: {exc.strerror}") from None
    finally:
        if tmp:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _provider_of(doc: Any, user: str) -> dict[str, Any] | None:
    if not isinstance(doc, dict) or not isinstance(doc.get("users"), list):
        return None
    for item in doc["users"]:
        if isinstance(item, dict) and item.get("name") == user:
            body = item.get("user")
            if isinstance(body, dict) and isinstance(body.get("auth-provider"), dict):
                provider: dict[str, Any] = body["auth-provider"]
                return provider
    return None
