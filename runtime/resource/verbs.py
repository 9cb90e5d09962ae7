"""The verb mixins of typed clients: one per verb the spec declares for a resource.

    class PodsClient(HasGet[Pod, R], HasList[PodList, R], HasWatch[Pod, R], HasCreate[Pod, R], ...):
        DESCRIPTOR = ResourceDescriptor(ResourceInfo(...), model=Pod, list_model=PodList)

Each mixin names and types calls of :class:`~kubeset.resource.client.ResourceClient`, where the
requests are built: type checkers see ``pods.get("x")`` as ``Pod``, ``pods.list()`` as
``PodList`` and a watch event's ``object`` as ``Pod``.

One set of mixins serves both stacks.  ``R`` is the kind of request the client's REST client
makes: :class:`~kubeset.rest.request.Request` (the default: ``PodsClient`` is the sync client)
or :class:`~kubeset.rest.aio.AsyncRequest` (``PodsClient[AsyncRequest]``, what an
``AsyncClientset`` hands out, whose calls are awaited: ``await pods.get("x")`` is a ``Pod``).
Each method builds its request once; the request's own ``into``/``watch``/``do_then`` sends it
the sync or the asyncio way, and the overloads tell type checkers which.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Coroutine, Iterator, Mapping
from typing import Any, Generic, TypeAlias, TypedDict, TypeVar, Unpack, overload

from pydantic import BaseModel

from ..rest.aio import AsyncRequest
from ..rest.astream import AsyncWatch
from ..rest.request import Request
from ..rest.result import Result
from ..rest.watch import Watch
from .client import (
    ApplyOptions,
    PatchBody,
    PatchOptions,
    R,
    ResourceClient,
    UpdateOptions,
    delete_options,
    with_type_meta,
    write_params,
)
from .paging import ListOptions, Pager, ajoin_pages, apages, join_pages, list_params, pages

__all__ = [
    "DeleteOptions",
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
    "WatchOptions",
]

T = TypeVar("T", bound=BaseModel)  # the resource's model (Pod)
L = TypeVar("L", bound=BaseModel)  # its list model (PodList)
X = TypeVar("X")
Awaited: TypeAlias = Coroutine[Any, Any, X]
Obj: TypeAlias = T | Mapping[str, Any]  # a model or plain JSON data


class HasGet(ResourceClient[R], Generic[T, R]):
    __slots__ = ()

    @overload
    def get(
        self: HasGet[T, Request],
        name: str,
        *,
        resource_version: str | None = ...,
        timeout: float | None = ...,
    ) -> T: ...
    @overload
    def get(
        self: HasGet[T, AsyncRequest],
        name: str,
        *,
        resource_version: str | None = ...,
        timeout: float | None = ...,
    ) -> Awaited[T]: ...
    def get(
        self, name: str, *, resource_version: str | None = None, timeout: float | None = None
    ) -> Any:
        """Read the object ``name`` (GET)."""
        req = self.request("GET", name).param("resourceVersion", resource_version).timeout(timeout)
        return req.into(self.descriptor.model)


class ListPage(ListOptions, total=False):
    """A list request's options: one page (``limit``, ``continue_``) and the server's limit."""

    limit: int | None
    continue_: str | None
    timeout_seconds: int | None


class HasList(ResourceClient[R], Generic[L, R]):
    __slots__ = ()

    def list_request(self, options: ListOptions) -> R:
        """The list request narrowed by ``options`` (no paging)."""
        return list_params(self.request("GET", all_namespaces=True), options)  # type: ignore[no-any-return]

    @overload
    def list(self: HasList[L, Request], **options: Unpack[ListPage]) -> L: ...
    @overload
    def list(self: HasList[L, AsyncRequest], **options: Unpack[ListPage]) -> Awaited[L]: ...
    def list(self, **options: Unpack[ListPage]) -> Any:
        """One page of objects (all of them without ``limit``); ``metadata.continue_`` names the next."""
        req = self.list_request(options)
        req.params(
            {
                "limit": options.get("limit"),
                "continue": options.get("continue_"),
                "timeoutSeconds": options.get("timeout_seconds"),
            }
        )
        return req.into(self.descriptor.list_model_or_raise())

    def _pager(self, page_size: int, options: ListOptions) -> Pager:
        return Pager(
            self.list_request,
            page_size=page_size,
            options=options,
            plural=self.descriptor.info.plural,
        )

    @overload
    def list_all(
        self: HasList[L, Request], *, page_size: int = ..., **options: Unpack[ListOptions]
    ) -> L: ...
    @overload
    def list_all(
        self: HasList[L, AsyncRequest], *, page_size: int = ..., **options: Unpack[ListOptions]
    ) -> Awaited[L]: ...
    def list_all(self, *, page_size: int = 500, **options: Unpack[ListOptions]) -> Any:
        """Every object, fetched ``page_size`` at a time following ``continue`` (one list back).

        A continue token that expired between pages (410) raises :class:`~kubeset.errors.Expired`
        saying so: the listing must be started again.
        """
        model = self.descriptor.list_model_or_raise()
        pager = self._pager(page_size, options)
        if self.is_async:
            return ajoin_pages(apages(pager, model))
        return join_pages(pages(pager, model))

    @overload
    def iter_pages(
        self: HasList[L, Request], *, page_size: int = ..., **options: Unpack[ListOptions]
    ) -> Iterator[L]: ...
    @overload
    def iter_pages(
        self: HasList[L, AsyncRequest], *, page_size: int = ..., **options: Unpack[ListOptions]
    ) -> AsyncIterator[L]: ...
    def iter_pages(self, *, page_size: int = 500, **options: Unpack[ListOptions]) -> Any:
        """The pages of a paginated list, one list model each (``async for`` on asyncio)."""
        model = self.descriptor.list_model_or_raise()
        pager = self._pager(page_size, options)
        return apages(pager, model) if self.is_async else pages(pager, model)


class WatchOptions(TypedDict, total=False):
    """What a watch narrows and asks for (client-go's ListOptions with Watch=true)."""

    resource_version: str | None
    label_selector: str | None
    field_selector: str | None
    name: str | None  # one object: fieldSelector=metadata.name=<name>
    timeout_seconds: int | None
    allow_watch_bookmarks: bool  # default True
    send_initial_events: bool | None
    resource_version_match: str | None


class HasWatch(ResourceClient[R], Generic[T, R]):
    __slots__ = ()

    @overload
    def watch(self: HasWatch[T, Request], **options: Unpack[WatchOptions]) -> Watch[T]: ...
    @overload
    def watch(
        self: HasWatch[T, AsyncRequest], **options: Unpack[WatchOptions]
    ) -> AsyncWatch[T]: ...
    def watch(self, **options: Unpack[WatchOptions]) -> Any:
        """Open a watch; iterate it for typed events (ADDED, MODIFIED, DELETED, BOOKMARK).

        ``name`` watches one object (``fieldSelector=metadata.name=<name>``).  Use as a context
        manager or call ``stop()`` (from any thread) to release the connection.  On asyncio the
        watch opens on ``await``, ``async with`` or the first ``async for``.
        """
        field_selector = options.get("field_selector")
        name = options.get("name")
        if name:
            selector = f"metadata.name={name}"
            field_selector = f"{field_selector},{selector}" if field_selector else selector
        req = self.request("GET", all_namespaces=True).params(
            resourceVersion=options.get("resource_version"),
            resourceVersionMatch=options.get("resource_version_match"),
            labelSelector=options.get("label_selector"),
            fieldSelector=field_selector,
            timeoutSeconds=options.get("timeout_seconds"),
            allowWatchBookmarks=options.get("allow_watch_bookmarks", True) or None,
            sendInitialEvents=options.get("send_initial_events"),
        )
        return req.watch(self.descriptor.model)


class HasCreate(ResourceClient[R], Generic[T, R]):
    __slots__ = ()

    @overload
    def create(self: HasCreate[T, Request], obj: Obj[T], **options: Unpack[UpdateOptions]) -> T: ...
    @overload
    def create(
        self: HasCreate[T, AsyncRequest], obj: Obj[T], **options: Unpack[UpdateOptions]
    ) -> Awaited[T]: ...
    def create(self, obj: Obj[T], **options: Unpack[UpdateOptions]) -> Any:
        """Create the object (POST); the namespace is the client's or the object's."""
        req = self.request("POST", obj=obj).body(with_type_meta(obj, self.descriptor.info))
        return write_params(req, **options).into(self.descriptor.model)


class HasUpdate(ResourceClient[R], Generic[T, R]):
    __slots__ = ()

    @overload
    def update(self: HasUpdate[T, Request], obj: Obj[T], **options: Unpack[UpdateOptions]) -> T: ...
    @overload
    def update(
        self: HasUpdate[T, AsyncRequest], obj: Obj[T], **options: Unpack[UpdateOptions]
    ) -> Awaited[T]: ...
    def update(self, obj: Obj[T], **options: Unpack[UpdateOptions]) -> Any:
        """Replace the object (PUT); a stale ``metadata.resourceVersion`` raises Conflict."""
        return self.write(obj, **options)


class DeleteOptions(TypedDict, total=False):
    """How an object goes (client-go's DeleteOptions) and the call's deadline."""

    grace_period_seconds: int | None
    propagation_policy: str | None  # "Orphan", "Background" or "Foreground"
    preconditions: Mapping[str, Any] | BaseModel | None  # {"uid": ..., "resourceVersion": ...}
    dry_run: bool
    timeout: float | None  # client-side seconds


def _deleted(model: type[BaseModel]) -> Any:
    def read(result: Result) -> Any:
        if not result.content or result.is_status():
            return None
        return result.into(model)

    return read


class HasDelete(ResourceClient[R], Generic[T, R]):
    __slots__ = ()

    @overload
    def delete(
        self: HasDelete[T, Request], name: str, **options: Unpack[DeleteOptions]
    ) -> T | None: ...
    @overload
    def delete(
        self: HasDelete[T, AsyncRequest], name: str, **options: Unpack[DeleteOptions]
    ) -> Awaited[T | None]: ...
    def delete(self, name: str, **options: Unpack[DeleteOptions]) -> Any:
        """Delete ``name``. Returns the object while its deletion is pending (finalizers,
        graceful pod termination), None when the server answers with a Status.

        ``propagation_policy``: "Orphan", "Background" or "Foreground"; ``preconditions``:
        ``{"uid": ..., "resourceVersion": ...}``.
        """
        req = self.request("DELETE", name).timeout(options.get("timeout"))
        opts = delete_options(
            options.get("grace_period_seconds"),
            options.get("propagation_policy"),
            options.get("preconditions"),
            options.get("dry_run", False),
        )
        if opts is not None:
            req.body(opts)
        return req.do_then(_deleted(self.descriptor.model))


class DeleteCollectionOptions(TypedDict, total=False):
    """Which objects a delete_collection removes, and how."""

    label_selector: str | None
    field_selector: str | None
    grace_period_seconds: int | None
    propagation_policy: str | None
    dry_run: bool
    timeout: float | None


def _nothing(result: Result) -> None:
    return None


class HasDeleteCollection(ResourceClient[R]):
    __slots__ = ()

    @overload
    def delete_collection(
        self: HasDeleteCollection[Request], **options: Unpack[DeleteCollectionOptions]
    ) -> None: ...
    @overload
    def delete_collection(
        self: HasDeleteCollection[AsyncRequest], **options: Unpack[DeleteCollectionOptions]
    ) -> Awaited[None]: ...
    def delete_collection(self, **options: Unpack[DeleteCollectionOptions]) -> Any:
        """Delete every object matching the selectors (in the client's namespace)."""
        req = self.request("DELETE").timeout(options.get("timeout"))
        req.params(
            labelSelector=options.get("label_selector"), fieldSelector=options.get("field_selector")
        )
        opts = delete_options(
            options.get("grace_period_seconds"),
            options.get("propagation_policy"),
            None,
            options.get("dry_run", False),
        )
        if opts is not None:
            req.body(opts)
        return req.do_then(_nothing)


class HasPatch(ResourceClient[R], Generic[T, R]):
    __slots__ = ()

    @overload
    def patch(
        self: HasPatch[T, Request], name: str, patch: PatchBody, **options: Unpack[PatchOptions]
    ) -> T: ...
    @overload
    def patch(
        self: HasPatch[T, AsyncRequest],
        name: str,
        patch: PatchBody,
        **options: Unpack[PatchOptions],
    ) -> Awaited[T]: ...
    def patch(self, name: str, patch: PatchBody, **options: Unpack[PatchOptions]) -> Any:
        """Patch ``name``: a list is a JSON patch, anything else a merge patch unless
        ``patch_type`` says otherwise (``PatchType.STRATEGIC_MERGE`` for built-in kinds)."""
        return self.patch_with(name, patch, **options)


class HasApply(ResourceClient[R], Generic[T, R]):
    __slots__ = ()

    @overload
    def apply(self: HasApply[T, Request], obj: Obj[T], **options: Unpack[ApplyOptions]) -> T: ...
    @overload
    def apply(
        self: HasApply[T, AsyncRequest], obj: Obj[T], **options: Unpack[ApplyOptions]
    ) -> Awaited[T]: ...
    def apply(self, obj: Obj[T], **options: Unpack[ApplyOptions]) -> Any:
        """Server-side apply: the fields of ``obj`` become owned by ``field_manager``;
        ``force`` takes fields over from other managers instead of raising Conflict."""
        return self.apply_with(obj, **options)
