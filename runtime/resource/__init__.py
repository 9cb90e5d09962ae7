"""Typed resource clients: descriptors, the generic client, verb and subresource mixins.

    from kubeset.resource import HasGet, HasList, ResourceDescriptor, ResourceInfo

A generated typed client is a list of mixins and a descriptor (client-go's ``gentype``)::

    class PodsClient(HasGet[Pod], HasList[PodList], HasWatch[Pod], HasStatus[Pod], ...):
        DESCRIPTOR = ResourceDescriptor(ResourceInfo(group="", version="v1", kind="Pod", ...),
                                        model=Pod, list_model=PodList)

- :mod:`.descriptor`: :class:`ResourceInfo`, :class:`ResourceDescriptor` (plain data).
- :mod:`.client`: :class:`ResourceClient`, where every request is built; option types.
- :mod:`.verbs`, :mod:`.subresources`, :mod:`.logs`: the mixins.
- :mod:`.clientset`: :class:`ClientsetBase`, :class:`GroupVersionClient`, :class:`LazyGroup`.
"""

from __future__ import annotations

from .client import (
    ApplyOptions,
    Body,
    PatchBody,
    PatchOptions,
    R,
    ResourceClient,
    UpdateOptions,
)
from .clientset import AsyncClientsetBase, ClientsetBase, GroupsBase, GroupVersionClient, LazyGroup
from .descriptor import ResourceDescriptor, ResourceInfo
from .logs import AsyncLogStream, HasLog, LogOptions, LogStream
from .streams import HasAttach, HasExec, HasPortForward
from .subresources import (
    HasApproval,
    HasBinding,
    HasEphemeralContainers,
    HasEviction,
    HasFinalize,
    HasResize,
    HasScale,
    HasStatus,
    HasToken,
)
from .verbs import (
    HasApply,
    HasCreate,
    HasDelete,
    HasDeleteCollection,
    HasGet,
    HasList,
    HasPatch,
    HasUpdate,
    HasWatch,
    ListOptions,
)

__all__ = [
    "ApplyOptions",
    "AsyncClientsetBase",
    "AsyncLogStream",
    "Body",
    "ClientsetBase",
    "GroupVersionClient",
    "GroupsBase",
    "HasApply",
    "HasApproval",
    "HasAttach",
    "HasBinding",
    "HasCreate",
    "HasDelete",
    "HasDeleteCollection",
    "HasEphemeralContainers",
    "HasEviction",
    "HasExec",
    "HasFinalize",
    "HasGet",
    "HasList",
    "HasLog",
    "HasPatch",
    "HasPortForward",
    "HasResize",
    "HasScale",
    "HasStatus",
    "HasToken",
    "HasUpdate",
    "HasWatch",
    "LazyGroup",
    "ListOptions",
    "LogOptions",
    "LogStream",
    "PatchBody",
    "PatchOptions",
    "R",
    "ResourceClient",
    "ResourceDescriptor",
    "ResourceInfo",
    "UpdateOptions",
]
