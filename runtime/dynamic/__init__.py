"""The dynamic client: any resource a cluster serves, CRDs included, without generated code.

    from kubeset.dynamic import DynamicClient, Unstructured

    dyn = DynamicClient(kubeset.load_config())
    cms = dyn.resource("", "v1", "configmaps").in_namespace("default")
    cms.create({"metadata": {"name": "x"}, "data": {"k": "v"}})
    for event in cms.watch(resource_version=rv): ...      # WatchEvent[Unstructured]
    results = apply_manifests(dyn, ["deploy/"], ManifestOptions(field_manager="me"))  # kubectl apply --server-side
    diff_manifests(dyn, "deploy/")                     # kubectl diff
    ManifestOptions(applyset="secrets/app", prune=True, namespace="prod")  # kubectl --prune --applyset
    wait_for(dyn, results, timeout=120)                # kubectl rollout status / wait

- :mod:`.unstructured`: :class:`Unstructured`, :class:`UnstructuredList` (plain JSON, lossless).
- :mod:`.client`: :class:`DynamicClient`, :class:`DynamicResourceClient`.
- :mod:`.convert`: typed <-> dynamic through the generated scheme.
- :mod:`.manifests`: apply / delete YAML manifests (files, folders) server-side.
- :mod:`.diff`: what an apply would change (dry-run apply vs live), Secrets masked.
- :mod:`.applyset`: ApplySets (KEP-3659) as kubectl records them; pruning their dropped members.
- :mod:`.wait`: readiness per kind, conditions, deletion; waited for with watches.
"""

from .applyset import ApplySet, ApplySetParent, applyset_id, parse_parent_ref
from .client import DynamicClient, DynamicResourceClient, descriptor_for
from .convert import from_unstructured, to_unstructured
from .diff import DiffResult, diff_manifests
from .manifests import (
    ManifestDocument,
    ManifestOptions,
    ManifestResult,
    apply_manifests,
    delete_manifests,
    load_manifests,
)
from .unstructured import Unstructured, UnstructuredList
from .wait import WaitResult, judge, wait_for

__all__ = [
    "ApplySet",
    "ApplySetParent",
    "DiffResult",
    "DynamicClient",
    "DynamicResourceClient",
    "ManifestDocument",
    "ManifestOptions",
    "ManifestResult",
    "Unstructured",
    "UnstructuredList",
    "WaitResult",
    "apply_manifests",
    "applyset_id",
    "delete_manifests",
    "descriptor_for",
    "diff_manifests",
    "from_unstructured",
    "judge",
    "load_manifests",
    "parse_parent_ref",
    "to_unstructured",
    "wait_for",
]
