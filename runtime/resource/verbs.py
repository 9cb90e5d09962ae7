"""The verb mixins of typed clients: one per verb the spec declares for a resource.

    class PodsClient(HasGet[Pod], HasList[PodList], HasWatch[Pod], HasCreate[Pod], ...):
        DESCRIPTOR = ResourceDescriptor(ResourceInfo(...), model=Pod, list_model=PodList)

Each mixin names and types calls of :class:`~kubeset.resource.client.ResourceClient`, where the
requests are built: type checkers see ``pods.get("x")`` as ``Pod``, ``pods.list()`` as
``PodList`` and a watch event's ``object`` as ``Pod``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypedDict, TypeVar, Unpack, cast

from pydantic import BaseModel

from ..errors import Expired
from ..rest.request import Request
from ..rest.watch import Watch
from .client import (
    ApplyOptions,
    PatchBody,
    PatchOptions,
    ResourceClient,
    UpdateOptions,
    delete_options,
    with_type_meta,
    write_params,
)

__all__ = [
    "HasApply",
    "HasCreate",
    "HasDelete",
    "HasDeleteCollection",
    "HasGet",
    "HasList",
    "HasPatch",
    "HasUpdate",
    "HasWatch",
    "ListOptions",
]

T = TypeVar("T", bound=BaseModel)  # the resource's model (Pod)
L = TypeVar("L", bound=BaseModel)  # its list model (PodList)


class HasGet(ResourceClient, Generic[T]):
    __slots__ = ()

    def get(
        self, name: str, *, resource_version: str | None = None, timeout: float | None = None
    ) -> T:
        """Read the object ``name`` (GET)."""
        req = self.request("GET", name).param("resourceVersion", resource_version).timeout(timeout)
        return req.do().into(self.descriptor.model)  # type: ignore[return-value]


class ListOptions(TypedDict, total=False):
    """What every list request may narrow or pin (client-go's ListOptions, less paging)."""

    label_selector: str | None  # "app=web,tier!=db", "env in (a,b)"
    field_selector: str | None  # "metadata.name=x", "spec.nodeName=n1"
    resource_version: str | None  # "0": any cached state; unset: the latest
    resource_version_match: str | None  # "NotOlderThan" or "Exact"
    timeout: float | None  # client-side seconds


class HasList(ResourceClient, Generic[L]):
    __slots__ = ()

    def _list_request(self, options: ListOptions) -> Request:
        req = self.request("GET", all_namespaces=True)
        return req.params(
            labelSelector=options.get("label_selector"),
            fieldSelector=options.get("field_selector"),
            resourceVersion=options.get("resource_version"),
            resourceVersionMatch=options.get("resource_version_match"),
        ).timeout(options.get("timeout"))

    def list(
        self,
        *,
        limit: int | None = None,
        continue_: str | None = None,
        timeout_seconds: int | None = None,
        **options: Unpack[ListOptions],
    ) -> L:
        """One page of objects (all of them without ``limit``); ``metadata.continue_`` names the next."""
        req = self._list_request(options)
        req.params({"limit": limit, "continue": continue_, "timeoutSeconds": timeout_seconds})
        return req.do().into(self.descriptor.list_model_or_raise())  # type: ignore[return-value]

    def list_all(self, *, page_size: int = 500, **options: Unpack[ListOptions]) -> L:
        """Every object, fetched ``page_size`` at a time following ``continue`` (one list back).

        A continue token that expired between pages (410) raises :class:`~kubeset.errors.Expired`
        saying so: the listing must be started again.
        """
        first: Any = None
        for page in self.iter_pages(page_size=page_size, **options):
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

    def iter_pages(self, *, page_size: int = 500, **options: Unpack[ListOptions]) -> Iterator[L]:
        """The pages of a paginated list, one list model each."""
        if page_size <= 0:
            raise ValueError("page_size must be positive")
        model = self.descriptor.list_model_or_raise()
        # later pages continue the first one's snapshot: the token carries its resourceVersion
        later_pages: ListOptions = {
            **options,
            "resource_version": None,
            "resource_version_match": None,
        }
        token: str | None = None
        page_no = 0
        while True:
            req = self._list_request(options if token is None else later_pages)
            req.params({"limit": page_size, "continue": token})
            try:
                page: Any = req.do().into(model)
            except Expired as e:
                if token is None:
                    raise
                raise Expired(
                    e.status_code,
                    e.reason,
                    f"listing {self.descriptor.info.plural}: the continue token expired after {page_no} page(s)"
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
        req = self.request("GET", all_namespaces=True).params(
            resourceVersion=resource_version,
            resourceVersionMatch=resource_version_match,
            labelSelector=label_selector,
            fieldSelector=field_selector,
            timeoutSeconds=timeout_seconds,
            allowWatchBookmarks=allow_watch_bookmarks or None,
            sendInitialEvents=send_initial_events,
        )
        return cast("Watch[T]", req.watch(self.descriptor.model))


class HasCreate(ResourceClient, Generic[T]):
    __slots__ = ()

    def create(self, obj: T | Mapping[str, Any], **options: Unpack[UpdateOptions]) -> T:
        """Create the object (POST); the namespace is the client's or the object's."""
        req = self.request("POST", obj=obj).body(with_type_meta(obj, self.descriptor.info))
        return write_params(req, **options).do().into(self.descriptor.model)  # type: ignore[return-value]


class HasUpdate(ResourceClient, Generic[T]):
    __slots__ = ()

    def update(self, obj: T | Mapping[str, Any], **options: Unpack[UpdateOptions]) -> T:
        """Replace the object (PUT); a stale ``metadata.resourceVersion`` raises Conflict."""
        return self.write(obj, **options)  # type: ignore[no-any-return]


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
        req = self.request("DELETE", name).timeout(timeout)
        opts = delete_options(grace_period_seconds, propagation_policy, preconditions, dry_run)
        if opts is not None:
            req.body(opts)
        result = req.do()
        if not result.content or result.is_status():
            return None
        return result.into(self.descriptor.model)  # type: ignore[return-value]


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
        req = self.request("DELETE").timeout(timeout)
        req.params(labelSelector=label_selector, fieldSelector=field_selector)
        opts = delete_options(grace_period_seconds, propagation_policy, None, dry_run)
        if opts is not None:
            req.body(opts)
        req.do()


class HasPatch(ResourceClient, Generic[T]):
    __slots__ = ()

    def patch(self, name: str, patch: PatchBody, **options: Unpack[PatchOptions]) -> T:
        """Patch ``name``: a list is a JSON patch, anything else a merge patch unless
        ``patch_type`` says otherwise (``PatchType.STRATEGIC_MERGE`` for built-in kinds)."""
        return self.patch_with(name, patch, **options)  # type: ignore[no-any-return]


class HasApply(ResourceClient, Generic[T]):
    __slots__ = ()

    def apply(self, obj: T | Mapping[str, Any], **options: Unpack[ApplyOptions]) -> T:
        """Server-side apply: the fields of ``obj`` become owned by ``field_manager``;
        ``force`` takes fields over from other managers instead of raising Conflict."""
        return self.apply_with(obj, **options)  # type: ignore[no-any-return]
