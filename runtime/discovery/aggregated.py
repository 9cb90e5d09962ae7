"""Aggregated discovery: ``apidiscovery.k8s.io/v2`` APIGroupDiscoveryList into discovery answers.

    answer = rest.get().abs_path("apis").accept(AGGREGATED_ACCEPT).do()
    if is_aggregated(answer.content_type):
        found = parse_aggregated([core_answer.content, answer.content])   # ServerResources

The documents decode into the generated ``kubeset.kubernetes.models.apidiscovery.v2`` models
and are converted into the frozen dataclasses of :mod:`.types`, the same answers the legacy
documents give.  A version whose ``freshness`` is ``Stale`` (its aggregated API server did not
answer) is reported as a :class:`~.types.GroupVersionFailure`; its resources are not used.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, cast

from kubeset.kubernetes.scheme import KINDS

from ..rest.result import decode_into
from ..serializers import Scheme
from .types import APIGroupInfo, APIResourceInfo, GroupVersionFailure, ServerResources

if TYPE_CHECKING:
    from kubeset.kubernetes.models.apidiscovery.v2 import (
        APIGroupDiscoveryList,
        APIResourceDiscovery,
    )

__all__ = ["AGGREGATED_ACCEPT", "is_aggregated", "parse_aggregated"]

# the models are imported on first use (through the scheme): importing the clientset, which
# names DiscoveryClient, loads no generated model
_SCHEME = Scheme("kubeset.kubernetes", KINDS)
_LIST = ("apidiscovery.k8s.io/v2", "APIGroupDiscoveryList")

AGGREGATED_ACCEPT = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
)


def is_aggregated(content_type: str) -> bool:
    """Whether an answer's Content-Type is the aggregated document (not a legacy fallback)."""
    return "as=APIGroupDiscoveryList" in content_type.replace(" ", "")


def _resources(res: APIResourceDiscovery, group_version: str) -> Iterable[APIResourceInfo]:
    namespaced = res.scope == "Namespaced"
    kind = res.response_kind
    yield APIResourceInfo(
        name=res.resource or "",
        group_version=group_version,
        kind=(kind.kind or "") if kind is not None else "",
        namespaced=namespaced,
        verbs=tuple(res.verbs or ()),
        singular_name=res.singular_resource or "",
        short_names=tuple(res.short_names or ()),
        categories=tuple(res.categories or ()),
        kind_group_version=_other_group_version(kind, group_version),
    )
    for sub in res.subresources or ():
        sub_kind = sub.response_kind
        yield APIResourceInfo(
            name=f"{res.resource}/{sub.subresource}",
            group_version=group_version,
            kind=(sub_kind.kind or "") if sub_kind is not None else "",
            namespaced=namespaced,
            verbs=tuple(sub.verbs or ()),
            kind_group_version=_other_group_version(sub_kind, group_version),
        )


def _other_group_version(kind: object, group_version: str) -> str:
    group = getattr(kind, "group", None) or ""
    version = getattr(kind, "version", None) or ""
    if not version:
        return ""
    kind_gv = f"{group}/{version}" if group else version
    return "" if kind_gv == group_version else kind_gv


def parse_aggregated(documents: Sequence[bytes]) -> ServerResources:
    """``/api`` and ``/apis`` aggregated documents (in that order) as one answer."""
    groups: list[APIGroupInfo] = []
    resources: list[APIResourceInfo] = []
    failed: list[GroupVersionFailure] = []
    model = cast("type[APIGroupDiscoveryList]", _SCHEME.model_for(*_LIST))
    for content in documents:
        doc = decode_into(model, content, what="aggregated discovery")
        for group in doc.items or ():
            name = (group.metadata.name if group.metadata is not None else None) or ""
            versions: list[str] = []
            for ver in group.versions or ():
                gv = f"{name}/{ver.version}" if name else str(ver.version or "")
                versions.append(gv)
                if ver.freshness == "Stale":
                    failed.append(
                        GroupVersionFailure(gv, "stale: its API server did not answer discovery")
                    )
                    continue
                for res in ver.resources or ():
                    resources.extend(_resources(res, gv))
            if versions:
                groups.append(APIGroupInfo(name, tuple(versions), versions[0]))
    return ServerResources(tuple(groups), tuple(resources), tuple(failed))
