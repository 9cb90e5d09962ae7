"""Resource descriptors: what generated code declares about each API resource.

A generated typed client is a small class carrying a :class:`ResourceInfo`;
the generic machinery that turns it into HTTP requests lives in this module.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ResourceInfo:
    """Group, version, kind and REST shape of one resource (client-go's GroupVersionResource + verbs)."""

    group: str  # "" for the core group
    version: str
    kind: str
    plural: str
    namespaced: bool
    verbs: frozenset[str]  # get list watch create update patch apply delete deletecollection
    subresources: frozenset[str] = frozenset()  # status scale log eviction binding ...
    list_kind: str | None = None

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def api_path(self) -> str:
        """The path prefix of this resource's group version: /api/v1 or /apis/apps/v1."""
        return f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
