"""Resource descriptors: what a typed or dynamic client needs to know about one resource.

    PODS = ResourceDescriptor(
        ResourceInfo(group="", version="v1", kind="Pod", plural="pods", namespaced=True,
                     verbs=frozenset({"get", "list", "watch"})),
        model=Pod, list_model=PodList)
    client = ResourceClient(rest, "default", descriptor=PODS)

Plain frozen data (client-go's GroupVersionResource plus the Go types a gentype client is
instantiated with): generated clients declare one per resource; the dynamic client builds them
at run time from discovery, without creating classes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from pydantic import BaseModel

__all__ = ["ResourceDescriptor", "ResourceInfo"]


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


@dataclass(frozen=True, slots=True)
class ResourceDescriptor:
    """A resource's shape and the models its answers decode into."""

    info: ResourceInfo
    model: type[BaseModel]
    list_model: type[BaseModel] | None = None
    subresource_models: Mapping[str, type[BaseModel]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def subresource_model(self, subresource: str) -> type[BaseModel]:
        """The model of a subresource with a kind of its own (Scale, TokenRequest)."""
        model = self.subresource_models.get(subresource)
        if model is None:
            raise TypeError(
                f"{self.info.plural} declare no model for the {subresource!r} subresource"
            )
        return model

    def list_model_or_raise(self) -> type[BaseModel]:
        if self.list_model is None:
            raise TypeError(f"{self.info.plural} declare no list model")
        return self.list_model
