"""The resources a fake cluster serves, found from the generated package's typed clients.

    table = ResourceTable.builtin()                 # every DESCRIPTOR of kubeset.kubernetes.clients
    kind = table.lookup("apps", "v1", "deployments")
    kind.info.namespaced, kind.model_key            # True, "models.apps.v1.Deployment"

A :class:`Kind` is a descriptor's :class:`~kubeset.resource.ResourceInfo` plus what the fake
needs besides: the model's key in the generated ``patchmeta.FIELDS`` and, for CRDs, the schema
whose structural defaults are applied on writes.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..resource.descriptor import ResourceDescriptor, ResourceInfo

__all__ = ["GENERATED_PACKAGE", "GENERATION", "Kind", "ResourceTable"]

GENERATED_PACKAGE = "kubeset.kubernetes"

GENERATION: frozenset[tuple[str, str]] = frozenset(
    {
        ("", "pods"),
        ("", "replicationcontrollers"),
        ("apps", "deployments"),
        ("apps", "replicasets"),
        ("apps", "statefulsets"),
        ("apps", "daemonsets"),
        ("batch", "jobs"),
        ("batch", "cronjobs"),
        ("policy", "poddisruptionbudgets"),
        ("apiextensions.k8s.io", "customresourcedefinitions"),
        ("admissionregistration.k8s.io", "validatingadmissionpolicies"),
    }
)
"""Built-in (group, plural)s whose objects have metadata.generation (custom resources all do);
services, nodes, namespaces, configmaps ... have none."""


@dataclass(frozen=True, slots=True)
class Kind:
    """One served resource (group, version, plural) and how the fake treats it."""

    info: ResourceInfo
    model_key: str = ""  # "models.core.v1.Pod" ("" for CRDs: no strategic merge)
    generation: bool = False  # metadata.generation counts changes outside metadata and status
    schema: Mapping[str, Any] | None = None  # a CRD version's openAPIV3Schema
    crd: bool = False
    crd_names: Mapping[str, Any] | None = None  # a CRD's spec.names (discovery's short names ...)
    storage_version: str = ""  # a CRD's storage version (its storage version hash)
    # scale subresource: (specReplicasPath, statusReplicasPath, labelSelectorPath) of a CRD
    scale_paths: tuple[str, str, str] = (".spec.replicas", ".status.replicas", "")

    @property
    def store_key(self) -> tuple[str, str]:
        """Objects are stored per (group, plural), shared by every version served."""
        return (self.info.group, self.info.plural)


def _kind_of(descriptor: ResourceDescriptor) -> Kind:
    model = descriptor.model
    prefix = GENERATED_PACKAGE + "."
    module = model.__module__
    key = f"{module[len(prefix) :]}.{model.__name__}" if module.startswith(prefix) else ""
    return Kind(
        info=descriptor.info,
        model_key=key,
        generation=(descriptor.info.group, descriptor.info.plural) in GENERATION,
    )


@dataclass
class ResourceTable:
    """(group, version, plural) -> :class:`Kind`, mutable as CRDs come and go."""

    kinds: dict[tuple[str, str, str], Kind] = field(default_factory=dict)

    _builtin: Any = None
    _builtin_lock = threading.Lock()

    @classmethod
    def builtin(cls) -> ResourceTable:
        """Every resource with a typed client in the generated package (imported once)."""
        with cls._builtin_lock:
            if cls._builtin is None:
                cls._builtin = dict(_scan())
        return cls(dict(cls._builtin))

    def add(self, kind: Kind) -> None:
        i = kind.info
        self.kinds[(i.group, i.version, i.plural)] = kind

    def remove(self, group: str, plural: str) -> None:
        for key in [k for k in self.kinds if k[0] == group and k[2] == plural]:
            del self.kinds[key]

    def lookup(self, group: str, version: str, plural: str) -> Kind | None:
        return self.kinds.get((group, version, plural))

    def by_kind(self, api_version: str, kind: str) -> Kind | None:
        group, _, version = api_version.rpartition("/")
        for k in self.kinds.values():
            if k.info.group == group and k.info.version == version and k.info.kind == kind:
                return k
        return None

    def group_versions(self) -> dict[str, list[Kind]]:
        out: dict[str, list[Kind]] = {}
        for k in self.kinds.values():
            out.setdefault(k.info.api_version, []).append(k)
        return out


def _scan() -> Iterator[tuple[tuple[str, str, str], Kind]]:
    package = importlib.import_module(f"{GENERATED_PACKAGE}.clients")
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        for value in vars(module).values():
            descriptor = getattr(value, "DESCRIPTOR", None)
            if isinstance(value, type) and isinstance(descriptor, ResourceDescriptor):
                i = descriptor.info
                yield (i.group, i.version, i.plural), _kind_of(descriptor)
