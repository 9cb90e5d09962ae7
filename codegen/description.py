"""The normalized, spec-format-independent description of an API.

Loaders (Swagger 2.0, OpenAPI 3, CRD manifests) produce an ApiDescription; every
emitter (models, clients, scheme) reads only this.  Keep it plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["EXTERNAL_TYPE", "GVK", "ApiDescription", "ModelRef", "Resource", "Subresource"]

#: a definition carrying this key is not generated: its value names the Python class to use instead
EXTERNAL_TYPE = "x-kubeset-python-type"


@dataclass(frozen=True, order=True)
class ModelRef:
    """Where a generated model class lives, relative to the generated package."""

    module: str  # dotted, relative to the package root, e.g. "models.core.v1"
    name: str  # class name, e.g. "Pod"


@dataclass(frozen=True, order=True)
class GVK:
    group: str  # "" for core
    version: str
    kind: str

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


@dataclass
class Subresource:
    #: "status", "scale", "log", "eviction", "binding", "ephemeralcontainers", "resize", "token", ...
    name: str
    #: sorted Kubernetes verbs declared on the subresource path (get, update, patch, create, ...)
    verbs: tuple[str, ...]
    #: body model of the subresource when it is not the parent's (Scale, Eviction, TokenRequest, ...)
    model: ModelRef | None


@dataclass
class Resource:
    gvk: GVK
    plural: str
    namespaced: bool
    #: sorted: get list watch create update patch apply delete deletecollection
    verbs: tuple[str, ...]
    #: Go package short name used for module names: "core", "apps", "rbac", "apiextensions", ...
    package: str
    model: ModelRef
    list_model: ModelRef | None
    subresources: dict[str, Subresource] = field(default_factory=dict)


@dataclass
class ApiDescription:
    """All definitions (as JSON Schema dicts, already renamed) and all resources of one spec."""

    title: str
    version: str  # e.g. "v1.36.0" when known
    definitions: dict[str, dict[str, Any]]  # spec definition name -> JSON schema
    models: dict[str, ModelRef]  # spec definition name -> generated class
    gvks: dict[GVK, ModelRef]  # every x-kubernetes-group-version-kind -> class
    resources: list[Resource]
