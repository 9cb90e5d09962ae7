"""Resource descriptors and the generic typed resource clients.

A generated typed client is a small class carrying a :class:`ResourceInfo` and its model
classes, inheriting one mixin per verb / subresource the spec declares::

    class PodsClient(HasGet[Pod], HasList[PodList], HasWatch[Pod], HasCreate[Pod], ...):
        info = ResourceInfo(group="", version="v1", kind="Pod", plural="pods", ...)
        model = Pod
        list_model = PodList

Every request is built here, once (client-go's ``gentype`` in Python): generated code says
*what*, this module *how*.  Type checkers see ``pods.get("x")`` as ``Pod``, ``pods.list()`` as
``PodList`` and a watch event's ``object`` as ``Pod``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast, overload

from pydantic import BaseModel

from .errors import Expired
from .rest import LineStream, PatchType, Request, RESTClient

if TYPE_CHECKING:
    from typing import Self

    from .config import Config
    from .discovery import DiscoveryClient
    from .rest import HTTPTransport
    from .watch import Watch

__all__ = [
    "Body",
    "ClientsetBase",
    "GroupVersionClient",
    "HasApply",
    "HasApproval",
    "HasBinding",
    "HasCreate",
    "HasDelete",
    "HasDeleteCollection",
    "HasEphemeralContainers",
    "HasEviction",
    "HasFinalize",
    "HasGet",
    "HasList",
    "HasLog",
    "HasPatch",
    "HasResize",
    "HasScale",
    "HasStatus",
    "HasToken",
    "HasUpdate",
    "HasWatch",
    "LazyGroup",
    "LogStream",
    "PatchBody",
    "ResourceClient",
    "ResourceInfo",
]


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


T = TypeVar("T", bound=BaseModel)  # the resource's model (Pod)
L = TypeVar("L", bound=BaseModel)  # its list model (PodList)
S = TypeVar(
    "S", bound=BaseModel
)  # a subresource's own model (Scale, Eviction, TokenRequest, Binding)
C = TypeVar("C")
M2 = TypeVar("M2", bound=BaseModel)

Body = BaseModel | Mapping[str, Any]
"""A request body: a model (only the fields set are sent) or plain JSON data."""
PatchBody = BaseModel | Mapping[str, Any] | Sequence[Mapping[str, Any]]
"""A patch: a merge / strategic-merge document (dict or partial model) or a JSON patch (list)."""

_APPLY = PatchType.APPLY.value


def _metadata(obj: Any) -> tuple[str, str]:
    """(name, namespace) of a model or dict."""
    if isinstance(obj, BaseModel):
        meta = getattr(obj, "metadata", None)
        if meta is None:
            return "", ""
        return getattr(meta, "name", None) or "", getattr(meta, "namespace", None) or ""
    if isinstance(obj, Mapping):
        meta = obj.get("metadata") or {}
        return str(meta.get("name") or ""), str(meta.get("namespace") or "")
    raise TypeError(f"expected a model or a dict, got {type(obj).__name__}")


def _write_params(
    req: Request, dry_run: bool, field_manager: str | None, field_validation: str | None
) -> Request:
    if dry_run:
        req.param("dryRun", "All")
    return req.param("fieldManager", field_manager).param("fieldValidation", field_validation)


def _delete_options(
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


def _with_type_meta(obj: Any, info: ResourceInfo) -> Any:
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


class ResourceClient:
    """The base of every typed resource client: a RESTClient, a namespace and the resource's shape.

    Subclasses (generated) set ``info``, ``model``, ``list_model`` and ``subresource_models``.
    For a namespaced resource an empty namespace means "all namespaces" (list, watch only).
    """

    info: ClassVar[ResourceInfo]
    model: ClassVar[type[BaseModel]]
    list_model: ClassVar[type[BaseModel] | None] = None
    subresource_models: ClassVar[Mapping[str, type[BaseModel]]] = {}

    __slots__ = ("namespace", "rest")

    def __init__(self, rest: RESTClient, namespace: str | None = "") -> None:
        self.rest = rest
        self.namespace = (namespace or "") if self.info.namespaced else ""

    def __repr__(self) -> str:
        where = f" namespace={self.namespace!r}" if self.info.namespaced else ""
        return f"<{type(self).__name__} {self.info.api_version}/{self.info.plural}{where}>"

    # -- request helpers --------------------------------------------------------------
    def _what(self, name: str = "") -> str:
        return f'{self.info.kind} "{name}"' if name else self.info.plural

    def _namespace_for(self, obj: Any = None, *, required: bool) -> str:
        if not self.info.namespaced:
            return ""
        ns = self.namespace
        if obj is not None:
            _, obj_ns = _metadata(obj)
            if obj_ns and ns and obj_ns != ns:
                raise ValueError(
                    f"{self.info.kind} has metadata.namespace {obj_ns!r} but the client is for namespace {ns!r}"
                )
            ns = ns or obj_ns
        if required and not ns:
            raise ValueError(
                f"{self.info.plural} are namespaced: give a namespace to the client"
                f' (e.g. .{self.info.plural}("default")) or set metadata.namespace'
            )
        return ns

    def _request(
        self,
        method: str,
        name: str = "",
        subresource: str = "",
        *,
        obj: Any = None,
        all_namespaces: bool = False,
    ) -> Request:
        req = self.rest.verb(method).abs_path(self.info.api_path)
        req.namespace(self._namespace_for(obj, required=not all_namespaces))
        req.resource(self.info.plural)
        if name:
            req.name(name)
        if subresource:
            req.subresource(subresource)
        return req

    def _name_of(self, obj: Any) -> str:
        name, _ = _metadata(obj)
        if not name:
            raise ValueError(f"the {self.info.kind} has no metadata.name")
        return name

    def _sub_model(self, subresource: str) -> type[BaseModel]:
        model = self.subresource_models.get(subresource)
        if model is None:
            raise TypeError(
                f"{type(self).__name__} declares no model for the {subresource!r} subresource"
            )
        return model

    def _get(self, name: str, subresource: str, model: type[M2], **params: Any) -> M2:
        return self._request("GET", name, subresource).params(params).do().into(model)

    def _put(
        self, obj: Any, subresource: str, model: type[M2], name: str = "", **params: Any
    ) -> M2:
        own = not name  # a write of the resource itself (not of a Scale)
        name = name or self._name_of(obj)
        req = self._request("PUT", name, subresource, obj=obj).body(
            _with_type_meta(obj, self.info) if own else obj
        )
        return _write_params(req, **params).do().into(model)

    def _patch(
        self,
        name: str,
        patch: PatchBody,
        subresource: str,
        model: type[M2],
        patch_type: PatchType | str | None,
        dry_run: bool,
        field_manager: str | None,
        field_validation: str | None,
        force: bool | None = None,
    ) -> M2:
        if patch_type is None:
            patch_type = (
                PatchType.JSON
                if isinstance(patch, Sequence) and not isinstance(patch, (str, bytes))
                else PatchType.MERGE
            )
        pt = patch_type.value if isinstance(patch_type, PatchType) else str(patch_type)
        req = self._request("PATCH", name, subresource).content_type(pt).body(patch)
        _write_params(req, dry_run, field_manager, field_validation)
        if force is not None:
            req.param("force", force)
        return req.do().into(model)

    def _apply(
        self,
        obj: Body,
        subresource: str,
        model: type[M2],
        field_manager: str,
        force: bool,
        dry_run: bool,
    ) -> M2:
        if not field_manager:
            raise ValueError(
                "server-side apply needs a field_manager (who owns the applied fields)"
            )
        name = self._name_of(obj)
        req = self._request("PATCH", name, subresource, obj=obj).content_type(_APPLY)
        body = _with_type_meta(obj, self.info)
        meta = body.get("metadata")
        if isinstance(meta, dict) and "managedFields" in meta:
            # the server refuses an apply carrying managedFields (an object read back with get)
            body["metadata"] = {k: v for k, v in meta.items() if k != "managedFields"}
        req.body(body)
        req.param("fieldManager", field_manager).param("force", force or None)
        if dry_run:
            req.param("dryRun", "All")
        return req.do().into(model)


# ---------------------------------------------------------------------------------------
# verbs
# ---------------------------------------------------------------------------------------
class HasGet(ResourceClient, Generic[T]):
    __slots__ = ()

    def get(
        self, name: str, *, resource_version: str | None = None, timeout: float | None = None
    ) -> T:
        """Read the object ``name`` (GET)."""
        req = self._request("GET", name).param("resourceVersion", resource_version).timeout(timeout)
        return req.do().into(self.model)  # type: ignore[return-value]


class HasList(ResourceClient, Generic[L]):
    __slots__ = ()

    def _list_request(
        self,
        label_selector: str | None,
        field_selector: str | None,
        resource_version: str | None,
        resource_version_match: str | None,
        timeout: float | None,
    ) -> Request:
        req = self._request("GET", all_namespaces=True)
        return req.params(
            labelSelector=label_selector,
            fieldSelector=field_selector,
            resourceVersion=resource_version,
            resourceVersionMatch=resource_version_match,
        ).timeout(timeout)

    def _list_model(self) -> type[BaseModel]:
        if self.list_model is None:
            raise TypeError(f"{type(self).__name__} declares no list model")
        return self.list_model

    def list(
        self,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        limit: int | None = None,
        continue_: str | None = None,
        resource_version: str | None = None,
        resource_version_match: str | None = None,
        timeout_seconds: int | None = None,
        timeout: float | None = None,
    ) -> L:
        """One page of objects (all of them without ``limit``); ``metadata.continue_`` names the next."""
        req = self._list_request(
            label_selector, field_selector, resource_version, resource_version_match, timeout
        )
        req.params({"limit": limit, "continue": continue_, "timeoutSeconds": timeout_seconds})
        return req.do().into(self._list_model())  # type: ignore[return-value]

    def list_all(
        self,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        page_size: int = 500,
        resource_version: str | None = None,
        resource_version_match: str | None = None,
        timeout: float | None = None,
    ) -> L:
        """Every object, fetched ``page_size`` at a time following ``continue`` (one list back).

        A continue token that expired between pages (410) raises :class:`~kubeset.errors.Expired`
        saying so: the listing must be started again.
        """
        first: Any = None
        for page in self.iter_pages(
            label_selector=label_selector,
            field_selector=field_selector,
            page_size=page_size,
            resource_version=resource_version,
            resource_version_match=resource_version_match,
            timeout=timeout,
        ):
            if first is None:
                first = page
                if getattr(first, "items", None) is None:
                    first.items = []
            else:
                first.items.extend(getattr(page, "items", None) or ())
        meta = getattr(first, "metadata", None)
        if meta is not None:
            for attr in ("continue_", "remaining_item_count"):
                if getattr(meta, attr, None) is not None:
                    setattr(meta, attr, None)
                fields_set = getattr(meta, "__pydantic_fields_set__", None)
                if isinstance(fields_set, set):
                    fields_set.discard(attr)
        return first  # type: ignore[no-any-return]

    def iter_pages(
        self,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        page_size: int = 500,
        resource_version: str | None = None,
        resource_version_match: str | None = None,
        timeout: float | None = None,
    ) -> Iterator[L]:
        """The pages of a paginated list, one list model each."""
        if page_size <= 0:
            raise ValueError("page_size must be positive")
        model = self._list_model()
        token: str | None = None
        page_no = 0
        while True:
            req = self._list_request(
                label_selector,
                field_selector,
                resource_version if token is None else None,
                resource_version_match if token is None else None,
                timeout,
            )
            req.params({"limit": page_size, "continue": token})
            try:
                page: Any = req.do().into(model)
            except Expired as e:
                if token is None:
                    raise
                raise Expired(
                    e.status_code,
                    e.reason,
                    f"listing {self.info.plural}: the continue token expired after {page_no} page(s)"
                    f" ({e.message}); the list must be started again from the beginning",
                    details=e.details,
                    status=e.status,
                    method=e.method,
                    path=e.path,
                ) from e
            page_no += 1
            yield page
            meta = getattr(page, "metadata", None)
            token = getattr(meta, "continue_", None) if meta is not None else None
            if not token:
                return


class HasWatch(ResourceClient, Generic[T]):
    __slots__ = ()

    def watch(
        self,
        *,
        resource_version: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        name: str | None = None,
        timeout_seconds: int | None = None,
        allow_watch_bookmarks: bool = True,
        send_initial_events: bool | None = None,
        resource_version_match: str | None = None,
    ) -> Watch[T]:
        """Open a watch; iterate it for typed events (ADDED, MODIFIED, DELETED, BOOKMARK).

        ``name`` watches one object (``fieldSelector=metadata.name=<name>``).  Use as a context
        manager or call ``stop()`` (from any thread) to release the connection.
        """
        if name:
            selector = f"metadata.name={name}"
            field_selector = f"{field_selector},{selector}" if field_selector else selector
        req = self._request("GET", all_namespaces=True).params(
            resourceVersion=resource_version,
            resourceVersionMatch=resource_version_match,
            labelSelector=label_selector,
            fieldSelector=field_selector,
            timeoutSeconds=timeout_seconds,
            allowWatchBookmarks=allow_watch_bookmarks or None,
            sendInitialEvents=send_initial_events,
        )
        return cast("Watch[T]", req.watch(self.model))


class HasCreate(ResourceClient, Generic[T]):
    __slots__ = ()

    def create(
        self,
        obj: T | Mapping[str, Any],
        *,
        dry_run: bool = False,
        field_manager: str | None = None,
        field_validation: str | None = None,
    ) -> T:
        """Create the object (POST); the namespace is the client's or the object's."""
        req = self._request("POST", obj=obj).body(_with_type_meta(obj, self.info))
        return _write_params(req, dry_run, field_manager, field_validation).do().into(self.model)  # type: ignore[return-value]


class HasUpdate(ResourceClient, Generic[T]):
    __slots__ = ()

    def update(
        self,
        obj: T | Mapping[str, Any],
        *,
        dry_run: bool = False,
        field_manager: str | None = None,
        field_validation: str | None = None,
    ) -> T:
        """Replace the object (PUT); a stale ``metadata.resourceVersion`` raises Conflict."""
        return self._put(
            obj,
            "",
            self.model,
            dry_run=dry_run,
            field_manager=field_manager,
            field_validation=field_validation,
        )  # type: ignore[return-value]


class HasDelete(ResourceClient, Generic[T]):
    __slots__ = ()

    def delete(
        self,
        name: str,
        *,
        grace_period_seconds: int | None = None,
        propagation_policy: str | None = None,
        preconditions: Mapping[str, Any] | BaseModel | None = None,
        dry_run: bool = False,
        timeout: float | None = None,
    ) -> T | None:
        """Delete ``name``. Returns the object while its deletion is pending (finalizers,
        graceful pod termination), None when the server answers with a Status.

        ``propagation_policy``: "Orphan", "Background" or "Foreground"; ``preconditions``:
        ``{"uid": ..., "resourceVersion": ...}``.
        """
        req = self._request("DELETE", name).timeout(timeout)
        opts = _delete_options(grace_period_seconds, propagation_policy, preconditions, dry_run)
        if opts is not None:
            req.body(opts)
        result = req.do()
        if not result.content or result.is_status():
            return None
        return result.into(self.model)  # type: ignore[return-value]


class HasDeleteCollection(ResourceClient):
    __slots__ = ()

    def delete_collection(
        self,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        grace_period_seconds: int | None = None,
        propagation_policy: str | None = None,
        dry_run: bool = False,
        timeout: float | None = None,
    ) -> None:
        """Delete every object matching the selectors (in the client's namespace)."""
        req = self._request("DELETE").timeout(timeout)
        req.params(labelSelector=label_selector, fieldSelector=field_selector)
        opts = _delete_options(grace_period_seconds, propagation_policy, None, dry_run)
        if opts is not None:
            req.body(opts)
        req.do()


class HasPatch(ResourceClient, Generic[T]):
    __slots__ = ()

    def patch(
        self,
        name: str,
        patch: PatchBody,
        *,
        patch_type: PatchType | None = None,
        dry_run: bool = False,
        field_manager: str | None = None,
        field_validation: str | None = None,
    ) -> T:
        """Patch ``name``: a list is a JSON patch, anything else a merge patch unless
        ``patch_type`` says otherwise (``PatchType.STRATEGIC_MERGE`` for built-in kinds)."""
        return self._patch(
            name, patch, "", self.model, patch_type, dry_run, field_manager, field_validation
        )  # type: ignore[return-value]


class HasApply(ResourceClient, Generic[T]):
    __slots__ = ()

    def apply(
        self,
        obj: T | Mapping[str, Any],
        *,
        field_manager: str,
        force: bool = False,
        dry_run: bool = False,
    ) -> T:
        """Server-side apply: the fields of ``obj`` become owned by ``field_manager``;
        ``force`` takes fields over from other managers instead of raising Conflict."""
        return self._apply(obj, "", self.model, field_manager, force, dry_run)  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------
# subresources
# ---------------------------------------------------------------------------------------
class HasStatus(ResourceClient, Generic[T]):
    """The ``status`` subresource: read and write ``.status`` only."""

    __slots__ = ()

    def get_status(self, name: str) -> T:
        return self._get(name, "status", self.model)  # type: ignore[return-value]

    def update_status(
        self,
        obj: T | Mapping[str, Any],
        *,
        dry_run: bool = False,
        field_manager: str | None = None,
        field_validation: str | None = None,
    ) -> T:
        """Replace the object's status (PUT .../status); other changes are ignored by the server."""
        return self._put(
            obj,
            "status",
            self.model,
            dry_run=dry_run,
            field_manager=field_manager,
            field_validation=field_validation,
        )  # type: ignore[return-value]

    def patch_status(
        self,
        name: str,
        patch: PatchBody,
        *,
        patch_type: PatchType | None = None,
        dry_run: bool = False,
        field_manager: str | None = None,
        field_validation: str | None = None,
    ) -> T:
        return self._patch(
            name, patch, "status", self.model, patch_type, dry_run, field_manager, field_validation
        )  # type: ignore[return-value]

    def apply_status(
        self,
        obj: T | Mapping[str, Any],
        *,
        field_manager: str,
        force: bool = False,
        dry_run: bool = False,
    ) -> T:
        return self._apply(obj, "status", self.model, field_manager, force, dry_run)  # type: ignore[return-value]


class HasScale(ResourceClient, Generic[S]):
    """The ``scale`` subresource (autoscaling/v1 Scale)."""

    __slots__ = ()

    def get_scale(self, name: str) -> S:
        return self._get(name, "scale", self._sub_model("scale"))  # type: ignore[return-value]

    def update_scale(
        self,
        name: str,
        scale: S | Mapping[str, Any],
        *,
        dry_run: bool = False,
        field_manager: str | None = None,
    ) -> S:
        return self._put(
            scale,
            "scale",
            self._sub_model("scale"),
            name=name,
            dry_run=dry_run,
            field_manager=field_manager,
            field_validation=None,
        )  # type: ignore[return-value]

    def patch_scale(
        self,
        name: str,
        patch: PatchBody,
        *,
        patch_type: PatchType | None = None,
        dry_run: bool = False,
        field_manager: str | None = None,
    ) -> S:
        return self._patch(
            name, patch, "scale", self._sub_model("scale"), patch_type, dry_run, field_manager, None
        )  # type: ignore[return-value]


class HasEviction(ResourceClient, Generic[S]):
    """The ``eviction`` subresource of pods (respects PodDisruptionBudgets: 429 when not allowed)."""

    __slots__ = ()

    def evict(
        self,
        name: str,
        eviction: S | Mapping[str, Any] | None = None,
        *,
        grace_period_seconds: int | None = None,
        dry_run: bool = False,
    ) -> None:
        """Evict ``name`` (POST .../eviction). Without ``eviction`` a policy/v1 Eviction is built."""
        if eviction is None:
            body: dict[str, Any] = {
                "apiVersion": "policy/v1",
                "kind": "Eviction",
                "metadata": {"name": name, "namespace": self._namespace_for(required=True)},
            }
            opts = _delete_options(grace_period_seconds, None, None, dry_run)
            if opts is not None:
                body["deleteOptions"] = opts
            eviction_body: Any = body
        else:
            eviction_body = eviction
        req = self._request("POST", name, "eviction").body(eviction_body)
        if dry_run:
            req.param("dryRun", "All")
        req.do()


class HasBinding(ResourceClient, Generic[S]):
    """The ``binding`` subresource of pods (what a scheduler posts)."""

    __slots__ = ()

    def bind(self, name: str, binding: S | Mapping[str, Any], *, dry_run: bool = False) -> None:
        req = self._request("POST", name, "binding").body(binding)
        _write_params(req, dry_run, None, None).do()


class HasEphemeralContainers(ResourceClient, Generic[T]):
    __slots__ = ()

    def get_ephemeral_containers(self, name: str) -> T:
        return self._get(name, "ephemeralcontainers", self.model)  # type: ignore[return-value]

    def update_ephemeral_containers(
        self, obj: T | Mapping[str, Any], *, dry_run: bool = False, field_manager: str | None = None
    ) -> T:
        return self._put(
            obj,
            "ephemeralcontainers",
            self.model,
            dry_run=dry_run,
            field_manager=field_manager,
            field_validation=None,
        )  # type: ignore[return-value]

    def patch_ephemeral_containers(
        self,
        name: str,
        patch: PatchBody,
        *,
        patch_type: PatchType | None = None,
        dry_run: bool = False,
        field_manager: str | None = None,
    ) -> T:
        return self._patch(
            name, patch, "ephemeralcontainers", self.model, patch_type, dry_run, field_manager, None
        )  # type: ignore[return-value]


class HasResize(ResourceClient, Generic[T]):
    """The ``resize`` subresource of pods (in-place resource changes)."""

    __slots__ = ()

    def get_resize(self, name: str) -> T:
        return self._get(name, "resize", self.model)  # type: ignore[return-value]

    def update_resize(
        self, obj: T | Mapping[str, Any], *, dry_run: bool = False, field_manager: str | None = None
    ) -> T:
        return self._put(
            obj,
            "resize",
            self.model,
            dry_run=dry_run,
            field_manager=field_manager,
            field_validation=None,
        )  # type: ignore[return-value]

    def patch_resize(
        self,
        name: str,
        patch: PatchBody,
        *,
        patch_type: PatchType | None = None,
        dry_run: bool = False,
        field_manager: str | None = None,
    ) -> T:
        return self._patch(
            name, patch, "resize", self.model, patch_type, dry_run, field_manager, None
        )  # type: ignore[return-value]


class HasToken(ResourceClient, Generic[S]):
    """The ``token`` subresource of service accounts (TokenRequest)."""

    __slots__ = ()

    def create_token(
        self,
        name: str,
        token_request: S | Mapping[str, Any] | None = None,
        *,
        audiences: Sequence[str] | None = None,
        expiration_seconds: int | None = None,
        dry_run: bool = False,
    ) -> S:
        """Request a token for service account ``name``; the answer's ``status.token`` holds it."""
        if token_request is None:
            spec: dict[str, Any] = {}
            if audiences is not None:
                spec["audiences"] = list(audiences)
            if expiration_seconds is not None:
                spec["expirationSeconds"] = expiration_seconds
            body: Any = {
                "apiVersion": "authentication.k8s.io/v1",
                "kind": "TokenRequest",
                "spec": spec,
            }
        else:
            body = token_request
        req = self._request("POST", name, "token").body(body)
        return _write_params(req, dry_run, None, None).do().into(self._sub_model("token"))  # type: ignore[return-value]


class HasApproval(ResourceClient, Generic[T]):
    """The ``approval`` subresource of CertificateSigningRequests."""

    __slots__ = ()

    def get_approval(self, name: str) -> T:
        return self._get(name, "approval", self.model)  # type: ignore[return-value]

    def update_approval(
        self, obj: T | Mapping[str, Any], *, dry_run: bool = False, field_manager: str | None = None
    ) -> T:
        """Write ``status.conditions`` (Approved / Denied) of a CSR."""
        return self._put(
            obj,
            "approval",
            self.model,
            dry_run=dry_run,
            field_manager=field_manager,
            field_validation=None,
        )  # type: ignore[return-value]

    def patch_approval(
        self,
        name: str,
        patch: PatchBody,
        *,
        patch_type: PatchType | None = None,
        dry_run: bool = False,
        field_manager: str | None = None,
    ) -> T:
        return self._patch(
            name, patch, "approval", self.model, patch_type, dry_run, field_manager, None
        )  # type: ignore[return-value]


class HasFinalize(ResourceClient, Generic[T]):
    """The ``finalize`` subresource of namespaces (PUT ``spec.finalizers``)."""

    __slots__ = ()

    def finalize(
        self, obj: T | Mapping[str, Any], *, dry_run: bool = False, field_manager: str | None = None
    ) -> T:
        return self._put(
            obj,
            "finalize",
            self.model,
            dry_run=dry_run,
            field_manager=field_manager,
            field_validation=None,
        )  # type: ignore[return-value]


class LogStream(LineStream):
    """Lines of a streaming pod log; iterate for ``str`` lines; ``stop()`` from any thread."""

    _stream = "log stream"
    _idle = "log output"

    def __iter__(self) -> Iterator[str]:
        for line in self._lines():
            yield line.decode("utf-8", errors="replace")


class HasLog(ResourceClient):
    """The ``log`` subresource of pods."""

    __slots__ = ()

    def _log_request(
        self,
        name: str,
        container: str | None,
        follow: bool,
        previous: bool,
        since_seconds: int | None,
        since_time: str | None,
        tail_lines: int | None,
        timestamps: bool,
        limit_bytes: int | None,
        insecure_skip_tls_verify_backend: bool,
        timeout: float | None,
    ) -> Request:
        req = self._request("GET", name, "log").accept("text/plain, */*").timeout(timeout)
        return req.params(
            container=container,
            follow=follow or None,
            previous=previous or None,
            sinceSeconds=since_seconds,
            sinceTime=since_time,
            tailLines=tail_lines,
            timestamps=timestamps or None,
            limitBytes=limit_bytes,
            insecureSkipTLSVerifyBackend=insecure_skip_tls_verify_backend or None,
        )

    def log(
        self,
        name: str,
        *,
        container: str | None = None,
        previous: bool = False,
        since_seconds: int | None = None,
        since_time: str | None = None,
        tail_lines: int | None = None,
        timestamps: bool = False,
        limit_bytes: int | None = None,
        insecure_skip_tls_verify_backend: bool = False,
        timeout: float | None = None,
    ) -> str:
        """The pod's log so far, as text."""
        req = self._log_request(
            name,
            container,
            False,
            previous,
            since_seconds,
            since_time,
            tail_lines,
            timestamps,
            limit_bytes,
            insecure_skip_tls_verify_backend,
            timeout,
        )
        return req.do().text()

    def log_stream(
        self,
        name: str,
        *,
        container: str | None = None,
        follow: bool = True,
        previous: bool = False,
        since_seconds: int | None = None,
        since_time: str | None = None,
        tail_lines: int | None = None,
        timestamps: bool = False,
        limit_bytes: int | None = None,
        insecure_skip_tls_verify_backend: bool = False,
        timeout: float | None = None,
    ) -> LogStream:
        """The pod's log line by line as it is written (``follow``); stop() or ``with`` to end."""
        req = self._log_request(
            name,
            container,
            follow,
            previous,
            since_seconds,
            since_time,
            tail_lines,
            timestamps,
            limit_bytes,
            insecure_skip_tls_verify_backend,
            timeout,
        )
        if follow:
            req.read_timeout(None)
        return LogStream(req.stream(), f"GET {req.path()}")


# ---------------------------------------------------------------------------------------
# group version clients and the clientset
# ---------------------------------------------------------------------------------------
class GroupVersionClient:
    """Base of generated per group version clients (``CoreV1Client``): one method per resource."""

    group: ClassVar[str] = ""
    version: ClassVar[str] = ""

    __slots__ = ("rest",)

    def __init__(self, rest: RESTClient) -> None:
        self.rest = rest

    def __repr__(self) -> str:
        gv = f"{self.group}/{self.version}" if self.group else self.version
        return f"<{type(self).__name__} {gv}>"


class LazyGroup(Generic[C]):
    """A Clientset attribute that imports its group version client module on first use."""

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name
        self.attr = name

    def __set_name__(self, owner: type, attr: str) -> None:
        self.attr = attr

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Self: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> C: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> Self | C:
        if obj is None:
            return self
        cls = getattr(importlib.import_module(self.module), self.name)
        client: C = cls(obj.rest)  # type: ignore[attr-defined]
        obj.__dict__[self.attr] = client  # later lookups skip this (non-data) descriptor
        return client


class ClientsetBase:
    """Base of the generated ``Clientset``: a RESTClient shared by every group version client.

    ``Clientset(config)`` takes a :class:`kubeset.config.Config`, a ready :class:`RESTClient`, or a
    bare transport together with ``host=``.
    """

    def __init__(
        self,
        config: Config | HTTPTransport | RESTClient,
        *,
        host: str | None = None,
        **rest_options: Any,
    ) -> None:
        self.rest = (
            config
            if isinstance(config, RESTClient)
            else RESTClient(config, host=host, **rest_options)
        )

    @property
    def discovery(self) -> DiscoveryClient:
        """Server version, API groups and resources."""
        found: DiscoveryClient | None = self.__dict__.get("_discovery")
        if found is None:
            from .discovery import DiscoveryClient

            found = self.__dict__["_discovery"] = DiscoveryClient(self.rest)
        return found

    def close(self) -> None:
        self.rest.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.rest.host}>"
