"""The dynamic client: any resource a cluster serves, CRDs included, without generated code.

    from kubeset.dynamic import DynamicClient, Unstructured

    dyn = DynamicClient(kubeset.load_config())
    cms = dyn.resource("", "v1", "configmaps").in_namespace("default")
    cms.create({"metadata": {"name": "x"}, "data": {"k": "v"}})
    for event in cms.watch(resource_version=rv): ...      # WatchEvent[Unstructured]
    results = apply_manifests(dyn, ["deploy/"], ManifestOptions(field_manager="me"))  # kubectl apply --server-side

- :mod:`.unstructured`: :class:`Unstructured`, :class:`UnstructuredList` (plain JSON, lossless).
- :mod:`.client`: :class:`DynamicClient`, :class:`DynamicResourceClient`.
- :mod:`.convert`: typed <-> dynamic through the generated scheme.
- :mod:`.manifests`: apply / delete YAML manifests (files, folders) server-side.
"""

from .client import DynamicClient, DynamicResourceClient, descriptor_for
from .convert import from_unstructured, to_unstructured
from .manifests import (
    ManifestDocument,
    ManifestOptions,
    ManifestResult,
    apply_manifests,
    delete_manifests,
    load_manifests,
)
from .unstructured import Unstructured, UnstructuredList

__all__ = [
    "DynamicClient",
    "DynamicResourceClient",
    "ManifestDocument",
    "ManifestOptions",
    "ManifestResult",
    "Unstructured",
    "UnstructuredList",
    "apply_manifests",
    "delete_manifests",
    "descriptor_for",
    "from_unstructured",
    "load_manifests",
    "to_unstructured",
]
