"""CachedDiscoveryClient: discovery answers kept in memory and on disk (kubectl's discovery cache).

    discovery = CachedDiscoveryClient(DiscoveryClient(rest))      # ~/.kube/cache/discovery/<host>
    discovery.server_groups_and_resources()   # from memory, else a fresh disk file, else the server
    discovery.invalidate()                    # the next call asks the server (and rewrites the file)
    adisc = CachedDiscoveryClient(DiscoveryClient(async_rest))   # asyncio: the same, awaited
    await adisc.server_groups_and_resources()

The disk cache lives under the user's kube cache folder (``$KUBECACHEDIR`` or ``~/.kube/cache``)
in ``discovery/<host>_<port>/``, one file per server, written atomically (a private temporary
file renamed over the old one) with owner-only permissions; a file older than ``ttl`` seconds,
unreadable or not understood is ignored.  A second process reuses the file.  Over an asyncio
discovery client the calls are awaited: the same decisions (:mod:`kubeset.steps`), the disk
read and written in a worker thread, one task at a time asking the server.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import time
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any, Generic, overload

from ..rest.aio import AsyncRequest
from ..rest.request import Request
from ..steps import Awaited, Blocking, StackLock, Steps, drive
from .client import DiscoveryClient, preferred_steps
from .types import (
    APIGroupInfo,
    APIResourceInfo,
    GroupVersionFailure,
    R,
    ServerResources,
    ServerVersion,
)

__all__ = ["DEFAULT_TTL", "CachedDiscoveryClient", "default_cache_dir"]

DEFAULT_TTL = 6 * 3600.0  # kubectl's discovery cache TTL
_FILE = "kubeset-discovery.json"
_FORMAT = 1


def default_cache_dir(host: str) -> Path:
    """``<kube cache folder>/discovery/<host>_<port>`` for a server URL (as kubectl names it)."""
    base = os.environ.get("KUBECACHEDIR") or str(Path.home() / ".kube" / "cache")
    name = re.sub(r"^https?://", "", host).rstrip("/")
    name = re.sub(r"[^\w.-]", "_", name)  # "127.0.0.1:6443" -> "127.0.0.1_6443"
    return Path(base) / "discovery" / name


def _to_json(found: ServerResources) -> bytes:
    return json.dumps({"format": _FORMAT, **asdict(found)}, separators=(",", ":")).encode()


def _from_json(data: Any) -> ServerResources | None:
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        return None
    try:
        return ServerResources(
            groups=tuple(
                APIGroupInfo(g["name"], tuple(g["versions"]), g["preferred_version"])
                for g in data["groups"]
            ),
            resources=tuple(
                APIResourceInfo(
                    name=str(r["name"]),
                    group_version=str(r["group_version"]),
                    kind=str(r["kind"]),
                    namespaced=bool(r["namespaced"]),
                    verbs=tuple(r["verbs"]),
                    singular_name=str(r["singular_name"]),
                    short_names=tuple(r["short_names"]),
                    categories=tuple(r["categories"]),
                    kind_group_version=str(r["kind_group_version"]),
                )
                for r in data["resources"]
            ),
            failed=tuple(GroupVersionFailure(**f) for f in data["failed"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


class CachedDiscoveryClient(Generic[R]):
    """A :class:`DiscoveryClient` whose answers are kept in memory and on disk for ``ttl`` s.

    ``cache_dir=None`` places the file under the user's kube cache folder; ``disk=False`` keeps
    the answers in memory only.  ``fresh`` is True when the answers held were read from the
    server by this process (a RESTMapper miss then has nothing newer to ask for).  Over a
    ``DiscoveryClient[AsyncRequest]`` every call is awaited.
    """

    def __init__(
        self,
        discovery: DiscoveryClient[R],
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        ttl: float = DEFAULT_TTL,
        disk: bool = True,
    ) -> None:
        self.discovery = discovery
        self.is_async = discovery.is_async
        self.ttl = ttl
        self.cache_dir: Path | None = None
        if disk:
            self.cache_dir = (
                Path(cache_dir) if cache_dir is not None else default_cache_dir(discovery.rest.host)
            )
        self._lock = StackLock()
        self._resources: ServerResources | None = None
        self._version: ServerVersion | None = None
        self._skip_disk = False
        self.fresh = False

    @property
    def cache_file(self) -> Path | None:
        return self.cache_dir / _FILE if self.cache_dir is not None else None

    # -- the procedures (kubeset.steps) ----------------------------------------------------
    def _version_steps(self) -> Steps[ServerVersion]:
        if self._version is None:
            self._version = yield from self.discovery.version_steps()
        return self._version

    def _everything_steps(self) -> Steps[ServerResources]:
        """From memory, else from a fresh disk file, else from the server (then saved)."""
        if self._resources is not None:
            return self._resources
        found = None if self._skip_disk else (yield Blocking(self._read_disk))
        if found is None:
            found = yield from self.discovery.everything_steps()
            self.fresh = True
            self._skip_disk = False
            yield Blocking(partial(self._write_disk, found))
        self._resources = found
        return found

    def _groups_steps(self) -> Steps[list[APIGroupInfo]]:
        return list((yield from self._everything_steps()).groups)

    def _group_version_steps(self, group_version: str) -> Steps[list[APIResourceInfo]]:
        found = yield from self._everything_steps()
        return list(found.for_group_version(group_version))

    # -- the calls -------------------------------------------------------------------------
    @overload
    def server_version(self: CachedDiscoveryClient[Request]) -> ServerVersion: ...
    @overload
    def server_version(self: CachedDiscoveryClient[AsyncRequest]) -> Awaited[ServerVersion]: ...
    def server_version(self) -> Any:
        return drive(self.is_async, self._version_steps(), self._lock)

    @overload
    def server_groups(self: CachedDiscoveryClient[Request]) -> list[APIGroupInfo]: ...
    @overload
    def server_groups(
        self: CachedDiscoveryClient[AsyncRequest],
    ) -> Awaited[list[APIGroupInfo]]: ...
    def server_groups(self) -> Any:
        return drive(self.is_async, self._groups_steps(), self._lock)

    @overload
    def server_resources_for_group_version(
        self: CachedDiscoveryClient[Request], group_version: str
    ) -> list[APIResourceInfo]: ...
    @overload
    def server_resources_for_group_version(
        self: CachedDiscoveryClient[AsyncRequest], group_version: str
    ) -> Awaited[list[APIResourceInfo]]: ...
    def server_resources_for_group_version(self, group_version: str) -> Any:
        return drive(self.is_async, self._group_version_steps(group_version), self._lock)

    @overload
    def server_preferred_resources(
        self: CachedDiscoveryClient[Request],
    ) -> list[APIResourceInfo]: ...
    @overload
    def server_preferred_resources(
        self: CachedDiscoveryClient[AsyncRequest],
    ) -> Awaited[list[APIResourceInfo]]: ...
    def server_preferred_resources(self) -> Any:
        return drive(self.is_async, preferred_steps(self._everything_steps()), self._lock)

    @overload
    def server_groups_and_resources(self: CachedDiscoveryClient[Request]) -> ServerResources: ...
    @overload
    def server_groups_and_resources(
        self: CachedDiscoveryClient[AsyncRequest],
    ) -> Awaited[ServerResources]: ...
    def server_groups_and_resources(self) -> Any:
        """From memory, else from a fresh disk file, else from the server (then saved)."""
        return drive(self.is_async, self._everything_steps(), self._lock)

    def invalidate(self) -> None:
        """Forget the answers: the next call asks the server and rewrites the disk file."""
        with self._lock.thread:
            self._resources = None
            self._version = None
            self._skip_disk = True
            self.fresh = False

    # -- disk ---------------------------------------------------------------------------
    def _read_disk(self) -> ServerResources | None:
        path = self.cache_file
        if path is None:
            return None
        try:
            if time.time() - path.stat().st_mtime > self.ttl:
                return None
            return _from_json(json.loads(path.read_bytes()))
        except (OSError, ValueError):
            return None

    def _write_disk(self, found: ServerResources) -> None:
        if self.cache_dir is None:
            return
        try:
            self.cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.cache_dir, prefix=".discovery-", suffix=".tmp")
        except OSError:
            return  # a read-only home: the memory cache still works
        try:
            with os.fdopen(fd, "wb") as f:  # mkstemp files are 0600
                f.write(_to_json(found))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.cache_dir / _FILE)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    def __repr__(self) -> str:
        return f"<CachedDiscoveryClient {self.cache_dir or 'memory only'}>"
