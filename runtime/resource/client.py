"""ResourceClient: the base of every typed and dynamic resource client.

    client = ResourceClient(rest, "default", descriptor=PODS)
    client.read("web-0")                        # GET .../pods/web-0, decoded into the model
    client.read("web-0", "status")              # any subresource through the same call

It builds each request once for every verb and subresource (client-go's ``gentype``): the
resource's shape comes from a :class:`~kubeset.resource.descriptor.ResourceDescriptor` held by
the instance (a generated client's class declares a default one, ``DESCRIPTOR``).  The verb
and subresource mixins (:mod:`.verbs`, :mod:`.subresources`) only name and type these calls.

``ResourceClient[R]``: ``R`` is the request type of its REST client, :class:`~kubeset.rest.request.Request`
by default or :class:`~kubeset.rest.aio.AsyncRequest` for an asyncio client; the same requests
are built for both, and each request sends itself the way its client does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Generic, NotRequired, Required, TypedDict, Unpack

from pydantic import BaseModel
from typing_extensions import TypeVar

from ..discovery.types import R
from ..rest.aio import AsyncRESTClient
from ..rest.client import RESTClientBase
from ..rest.meta import meta_value
from ..rest.request import PatchType, RequestBuilder
from .descriptor import ResourceDescriptor, ResourceInfo

__all__ = [
    "ApplyOptions",
    "Body",
    "PatchBody",
    "PatchOptions",
    "R",
    "ResourceClient",
    "UpdateOptions",
    "delete_options",
    "object_meta",
    "with_type_meta",
    "write_params",
]

Body = BaseModel | Mapping[str, Any]
"""A request body: a model (only the fields set are sent) or plain JSON data."""
PatchBody = BaseModel | Mapping[str, Any] | Sequence[Mapping[str, Any]]
"""A patch: a merge / strategic-merge document (dict or partial model) or a JSON patch (list)."""

_APPLY = PatchType.APPLY.value

B = TypeVar("B", bound=RequestBuilder[Any])


class UpdateOptions(TypedDict, total=False):
    """Options of a write (create, update, a subresource's update)."""

    dry_run: bool  # validate and answer, persist nothing
    field_manager: str | None  # who owns the written fields
    field_validation: str | None  # "Strict", "Warn" or "Ignore" for unknown/duplicate fields
    timeout: float | None  # client-side seconds: the deadline of the whole call


class PatchOptions(UpdateOptions, total=False):
    """Options of a patch: ``patch_type`` defaults to JSON patch for a list, merge patch otherwise
    (``PatchType.STRATEGIC_MERGE`` for built-in kinds)."""

    patch_type: PatchType | str | None


class ApplyOptions(TypedDict, total=False):
    """Options of a server-side apply: ``force`` takes fields over from other managers."""

    field_manager: Required[str]
    force: NotRequired[bool]
    dry_run: NotRequired[bool]
    timeout: NotRequired[float | None]  # client-side seconds: the deadline of the whole call


def object_meta(obj: Any) -> tuple[str, str]:
    """(name, namespace) of a model or dict."""
    if isinstance(obj, (BaseModel, Mapping)):
        return str(meta_value(obj, "name") or ""), str(meta_value(obj, "namespace") or "")
    raise TypeError(f"expected a model or a dict, got {type(obj).__name__}")


def write_params(
    req: B,
    dry_run: bool = False,
    field_manager: str | None = None,
    field_validation: str | None = None,
    timeout: float | None = None,
) -> B:
    """The write options of ``req`` (its query parameters and its client-side deadline)."""
    if dry_run:
        req.param("dryRun", "All")
    req.timeout(timeout)
    return req.param("fieldManager", field_manager).param("fieldValidation", field_validation)


def delete_options(
    grace_period_seconds: int | None,
    propagation_policy: str | None,
    preconditions: Mapping[str, Any] | BaseModel | None,
    dry_run: bool,
) -> dict[str, Any] | None:
    opts: dict[str, Any] = {}
    if grace_period_seconds is not None:
        opts["gracePeriodSeconds"] = grace_period_seconds
    if propagation_policy is not None:
        if propagation_policy not in ("Orphan", "Background", "Foreground"):
            raise ValueError(
                f"propagation_policy {propagation_policy!r} must be 'Orphan', 'Background' or 'Foreground'"
            )
        opts["propagationPolicy"] = propagation_policy
    if preconditions is not None:
        if isinstance(preconditions, BaseModel):
            opts["preconditions"] = preconditions.model_dump(
                mode="json", by_alias=True, exclude_unset=True
            )
        else:
            pre = dict(preconditions)
            # accept snake_case keys too
            if "resource_version" in pre:
                pre["resourceVersion"] = pre.pop("resource_version")
            opts["preconditions"] = pre
    if dry_run:
        opts["dryRun"] = ["All"]
    if not opts:
        return None
    return {"apiVersion": "v1", "kind": "DeleteOptions", **opts}


def with_type_meta(obj: Any, info: ResourceInfo) -> Any:
    """The body of a write of the resource itself: apiVersion and kind always present."""
    if isinstance(obj, BaseModel):
        data = obj.model_dump(mode="json", by_alias=True, exclude_unset=True)
    elif isinstance(obj, Mapping):
        data = dict(obj)
    else:
        raise TypeError(f"expected a {info.kind} model or a dict, got {type(obj).__name__}")
    if data.get("apiVersion") and data.get("kind"):
        return data
    return {
        "apiVersion": data.get("apiVersion") or info.api_version,
        "kind": data.get("kind") or info.kind,
        **data,
    }


class ResourceClient(Generic[R]):
    """A REST client, a namespace and a resource descriptor: every verb's request is built here.

    For a namespaced resource an empty namespace means "all namespaces" (list, watch only).
    ``descriptor`` defaults to the class's ``DESCRIPTOR`` (generated clients declare one).
    The REST client is a :class:`~kubeset.rest.client.RESTClient` or an
    :class:`~kubeset.rest.aio.AsyncRESTClient` (``is_async``).
    """

    DESCRIPTOR: ClassVar[ResourceDescriptor | None] = None

    __slots__ = ("descriptor", "is_async", "namespace", "rest")

    def __init__(
        self,
        rest: RESTClientBase[R, Any],
        namespace: str | None = "",
        *,
        descriptor: ResourceDescriptor | None = None,
    ) -> None:
        found = descriptor or type(self).DESCRIPTOR
        if found is None:
            raise TypeError(f"{type(self).__name__} needs a ResourceDescriptor (descriptor=...)")
        self.descriptor = found
        self.rest = rest
        self.is_async = isinstance(rest, AsyncRESTClient)
        self.namespace = (namespace or "") if found.info.namespaced else ""

    @property
    def info(self) -> ResourceInfo:
        return self.descriptor.info

    @property
    def model(self) -> type[BaseModel]:
        return self.descriptor.model

    def __repr__(self) -> str:
        info = self.descriptor.info
        where = f" namespace={self.namespace!r}" if info.namespaced else ""
        return f"<{type(self).__name__} {info.api_version}/{info.plural}{where}>"

    # -- requests ---------------------------------------------------------------------
    def _namespace_for(self, obj: Any = None, *, required: bool) -> str:
        info = self.descriptor.info
        if not info.namespaced:
            return ""
        ns = self.namespace
        if obj is not None:
            _, obj_ns = object_meta(obj)
            if obj_ns and ns and obj_ns != ns:
                raise ValueError(
                    f"{info.kind} has metadata.namespace {obj_ns!r} but the client is for namespace {ns!r}"
                )
            ns = ns or obj_ns
        if required and not ns:
            raise ValueError(
                f"{info.plural} are namespaced: give a namespace to the client"
                f' (e.g. .{info.plural}("default")) or set metadata.namespace'
            )
        return ns

    def request(
        self,
        method: str,
        name: str = "",
        subresource: str = "",
        *,
        obj: Any = None,
        all_namespaces: bool = False,
    ) -> R:
        """The request of ``method`` on this resource (one object when ``name``)."""
        info = self.descriptor.info
        req = self.rest.verb(method)
        req.abs_path(info.api_path)
        req.namespace(self._namespace_for(obj, required=not all_namespaces))
        req.resource(info.plural)
        if name:
            req.name(name)
        if subresource:
            req.subresource(subresource)
        return req

    def _name_of(self, obj: Any) -> str:
        name, _ = object_meta(obj)
        if not name:
            raise ValueError(f"the {self.descriptor.info.kind} has no metadata.name")
        return name

    def _model_of(self, subresource: str, own_kind: bool) -> type[BaseModel]:
        if own_kind:
            return self.descriptor.model
        return self.descriptor.subresource_model(subresource)

    # -- the generic verbs every mixin names ---------------------------------------------
    def read(
        self, name: str, subresource: str = "", *, own_kind: bool = True, **params: Any
    ) -> Any:
        """GET the object ``name`` or one of its subresources."""
        req = self.request("GET", name, subresource).params(params)
        return req.into(self._model_of(subresource, own_kind))

    def write(
        self,
        obj: Any,
        subresource: str = "",
        *,
        name: str = "",
        own_kind: bool = True,
        **options: Unpack[UpdateOptions],
    ) -> Any:
        """PUT ``obj`` (the object itself, or a subresource; ``name`` when ``obj`` is another kind)."""
        name = name or self._name_of(obj)
        body = with_type_meta(obj, self.descriptor.info) if own_kind else obj
        req = self.request("PUT", name, subresource, obj=obj if own_kind else None).body(body)
        return write_params(req, **options).into(self._model_of(subresource, own_kind))

    def patch_with(
        self,
        name: str,
        patch: PatchBody,
        subresource: str = "",
        *,
        own_kind: bool = True,
        patch_type: PatchType | str | None = None,
        force: bool | None = None,
        **options: Unpack[UpdateOptions],
    ) -> Any:
        """PATCH ``name`` (or its subresource): a list is a JSON patch, anything else a merge
        patch unless ``patch_type`` says otherwise."""
        if patch_type is None:
            patch_type = (
                PatchType.JSON
                if isinstance(patch, Sequence) and not isinstance(patch, (str, bytes))
                else PatchType.MERGE
            )
        pt = patch_type.value if isinstance(patch_type, PatchType) else str(patch_type)
        req = self.request("PATCH", name, subresource).content_type(pt).body(patch)
        write_params(req, **options).param("force", force)
        return req.into(self._model_of(subresource, own_kind))

    def apply_with(self, obj: Body, subresource: str = "", **options: Unpack[ApplyOptions]) -> Any:
        """Server-side apply of ``obj`` (or of its subresource) as ``field_manager``."""
        field_manager = options.get("field_manager")
        if not field_manager:
            raise ValueError(
                "server-side apply needs a field_manager (who owns the applied fields)"
            )
        name = self._name_of(obj)
        req = self.request("PATCH", name, subresource, obj=obj).content_type(_APPLY)
        body = with_type_meta(obj, self.descriptor.info)
        meta = body.get("metadata")
        if isinstance(meta, dict) and "managedFields" in meta:
            # the server refuses an apply carrying managedFields (an object read back with get)
            body["metadata"] = {k: v for k, v in meta.items() if k != "managedFields"}
        req.body(body)
        req.param("fieldManager", field_manager).param("force", options.get("force") or None)
        if options.get("dry_run"):
            req.param("dryRun", "All")
        req.timeout(options.get("timeout"))
        return req.into(self.descriptor.model)
