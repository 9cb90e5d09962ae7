"""The dynamic client: any resource the server serves, as :class:`Unstructured` objects.

    dyn = DynamicClient(kubeset.load_config())
    deployments = dyn.resource("apps", "v1", "deployments").in_namespace("default")
    d = deployments.get("web")                        # Unstructured
    d.object["spec"]["replicas"] = 3
    deployments.update(d)
    deployments.patch("web", {"spec": {"replicas": 2}}, patch_type=PatchType.STRATEGIC_MERGE)
    deployments.get_scale("web"); deployments.get_subresource("web", "status")
    dyn.resource("", "v1", "pods").in_namespace("default").exec_run("web", ["ls"])
    widgets = dyn.for_kind("example.com/v1", "Widget")  # through the RESTMapper

    adyn = DynamicClient(AsyncRESTClient(config))     # asyncio: DynamicClient[AsyncRequest]
    pods = (await adyn.resource("", "v1", "pods")).namespace("default")
    pod = await pods.get("web-0")

:class:`DynamicResourceClient` is the typed clients' :class:`~kubeset.resource.ResourceClient`
with the same verb and subresource mixins, its :class:`~kubeset.resource.ResourceDescriptor`
built at run time from discovery (model :class:`Unstructured`, list :class:`UnstructuredList`).
``client.namespace`` reads as the client's namespace (a str, as on every ResourceClient) and,
called, gives the client of another one: ``dyn.resource("", "v1", "pods").namespace("default")``
(client-go's ``Namespace(ns)``; :meth:`~DynamicResourceClient.in_namespace` is the same call).

Both are generic over the request type as the typed clients are: over an
:class:`~kubeset.rest.aio.AsyncRESTClient` every verb, and every lookup that asks discovery
(``resource``, ``for_kind``, ``for_object``), is awaited; the lookups are the RESTMapper's
procedures (:mod:`kubeset.steps`), written once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Generic, Self, Unpack, cast, overload

from pydantic import BaseModel

from ..config import Config
from ..discovery import CachedDiscoveryClient, DiscoveryClient, DiscoveryInterface, RESTMapper
from ..discovery.restmapper import RESTMapping
from ..discovery.types import AsyncDiscoveryInterface, R
from ..errors import SchemeError
from ..resource import (
    HasApply,
    HasAttach,
    HasCreate,
    HasDelete,
    HasDeleteCollection,
    HasExec,
    HasGet,
    HasList,
    HasLog,
    HasPatch,
    HasPortForward,
    HasScale,
    HasStatus,
    HasUpdate,
    HasWatch,
    PatchBody,
    PatchOptions,
    ResourceClient,
    ResourceDescriptor,
    ResourceInfo,
    UpdateOptions,
)
from ..resource.client import write_params
from ..rest.aio import AsyncRequest, AsyncRESTClient
from ..rest.client import RESTClient, RESTClientBase
from ..rest.request import Request
from ..steps import Awaited, Steps, drive
from ..transport.base import AsyncHTTPTransport, HTTPTransport
from .unstructured import Unstructured, UnstructuredList

__all__ = ["DynamicClient", "DynamicResourceClient", "NamespaceName", "descriptor_for"]


class _EverySubresource(Mapping[str, type[BaseModel]]):
    """Subresource models of a dynamic resource: any subresource decodes into Unstructured
    (those discovery did not list too, e.g. a client made without discovery)."""

    def __init__(self, known: frozenset[str]) -> None:
        self._known = known

    def __getitem__(self, subresource: str) -> type[BaseModel]:
        return Unstructured

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._known))

    def __len__(self) -> int:
        return len(self._known)


def descriptor_for(mapping: RESTMapping) -> ResourceDescriptor:
    """The descriptor of a resource found through the RESTMapper (models: Unstructured)."""
    info = ResourceInfo(
        group=mapping.group,
        version=mapping.version,
        kind=mapping.kind,
        plural=mapping.resource,
        namespaced=mapping.namespaced,
        verbs=frozenset(mapping.verbs),
        subresources=frozenset(mapping.subresources),
        list_kind=f"{mapping.kind}List",
    )
    return ResourceDescriptor(
        info,
        model=Unstructured,
        list_model=UnstructuredList,
        subresource_models=_EverySubresource(frozenset(mapping.subresources)),
    )


class NamespaceName(str, Generic[R]):
    """A client's namespace (a ``str``) that, called, gives the client of another namespace:
    ``dyn.resource("", "v1", "pods").namespace("default")`` as client-go's ``Namespace(ns)``."""

    _client: DynamicResourceClient[R]

    def __call__(self, namespace: str) -> DynamicResourceClient[R]:
        return self._client.in_namespace(namespace)


# the storage of ResourceClient's ``namespace`` attribute (a slot), wrapped below
_NAMESPACE_SLOT: Any = ResourceClient.__dict__["namespace"]


class _NamespaceAttribute:
    """``client.namespace``: the namespace as a :class:`NamespaceName` (read), a str (written)."""

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _NamespaceAttribute: ...
    @overload
    def __get__(
        self, obj: DynamicResourceClient[R], owner: type | None = None
    ) -> NamespaceName[R]: ...
    def __get__(
        self, obj: DynamicResourceClient[Any] | None, owner: type | None = None
    ) -> _NamespaceAttribute | NamespaceName[Any]:
        if obj is None:
            return self
        name: NamespaceName[Any] = NamespaceName(_NAMESPACE_SLOT.__get__(obj, type(obj)))
        name._client = obj
        return name

    def __set__(self, obj: DynamicResourceClient[Any], value: str) -> None:
        _NAMESPACE_SLOT.__set__(obj, value)


class DynamicResourceClient(
    HasGet[Unstructured, R],
    HasList[UnstructuredList, R],
    HasWatch[Unstructured, R],
    HasCreate[Unstructured, R],
    HasUpdate[Unstructured, R],
    HasPatch[Unstructured, R],
    HasApply[Unstructured, R],
    HasDelete[Unstructured, R],
    HasDeleteCollection[R],
    HasStatus[Unstructured, R],
    HasScale[Unstructured, R],
    HasLog[R],
    HasExec[R],
    HasAttach[R],
    HasPortForward[R],
):
    """Every verb and subresource of one resource, objects as :class:`Unstructured` (pods'
    ``log``, ``exec``, ``attach``, ``portforward`` and ``cp`` too; a resource whose discovered
    subresources lack one refuses it; ``DynamicResourceClient[AsyncRequest]``: each call
    awaited, streams on the sync client only)."""

    __slots__ = ()

    namespace = _NamespaceAttribute()
    """The client's namespace (a str); ``client.namespace("x")`` is ``client.in_namespace("x")``."""

    def in_namespace(self, namespace: str) -> DynamicResourceClient[R]:
        """The client of ``namespace`` (of every namespace with ``""``, for list and watch)."""
        return DynamicResourceClient(self.rest, namespace, descriptor=self.descriptor)

    @overload
    def get_subresource(
        self: DynamicResourceClient[Request], name: str, subresource: str, **params: Any
    ) -> Unstructured: ...
    @overload
    def get_subresource(
        self: DynamicResourceClient[AsyncRequest], name: str, subresource: str, **params: Any
    ) -> Awaited[Unstructured]: ...
    def get_subresource(self, name: str, subresource: str, **params: Any) -> Any:
        """GET ``name``'s subresource (``status``, ``scale``, ...)."""
        return self.read(name, subresource, **params)

    @overload
    def update_subresource(
        self: DynamicResourceClient[Request],
        obj: Unstructured | Mapping[str, Any],
        subresource: str,
        *,
        name: str = ...,
        **options: Unpack[UpdateOptions],
    ) -> Unstructured: ...
    @overload
    def update_subresource(
        self: DynamicResourceClient[AsyncRequest],
        obj: Unstructured | Mapping[str, Any],
        subresource: str,
        *,
        name: str = ...,
        **options: Unpack[UpdateOptions],
    ) -> Awaited[Unstructured]: ...
    def update_subresource(
        self,
        obj: Unstructured | Mapping[str, Any],
        subresource: str,
        *,
        name: str = "",
        **options: Unpack[UpdateOptions],
    ) -> Any:
        """PUT a subresource; ``name`` defaults to the object's (give it for a Scale body)."""
        own = not name
        return self.write(obj, subresource, name=name, own_kind=own, **options)

    @overload
    def patch_subresource(
        self: DynamicResourceClient[Request],
        name: str,
        subresource: str,
        patch: PatchBody,
        **options: Unpack[PatchOptions],
    ) -> Unstructured: ...
    @overload
    def patch_subresource(
        self: DynamicResourceClient[AsyncRequest],
        name: str,
        subresource: str,
        patch: PatchBody,
        **options: Unpack[PatchOptions],
    ) -> Awaited[Unstructured]: ...
    def patch_subresource(
        self, name: str, subresource: str, patch: PatchBody, **options: Unpack[PatchOptions]
    ) -> Any:
        """PATCH a subresource (every patch type, as :meth:`patch`)."""
        return self.patch_with(name, patch, subresource, **options)

    @overload
    def create_subresource(
        self: DynamicResourceClient[Request],
        name: str,
        subresource: str,
        body: Unstructured | Mapping[str, Any],
        **options: Unpack[UpdateOptions],
    ) -> Unstructured: ...
    @overload
    def create_subresource(
        self: DynamicResourceClient[AsyncRequest],
        name: str,
        subresource: str,
        body: Unstructured | Mapping[str, Any],
        **options: Unpack[UpdateOptions],
    ) -> Awaited[Unstructured]: ...
    def create_subresource(
        self,
        name: str,
        subresource: str,
        body: Unstructured | Mapping[str, Any],
        **options: Unpack[UpdateOptions],
    ) -> Any:
        """POST to a subresource (``eviction``, ``token``, ``binding``): the answer as sent."""
        data = body.object if isinstance(body, Unstructured) else body
        req = self.request("POST", name, subresource).body(dict(data))
        return write_params(req, **options).into(Unstructured)


class _DiscoveryAttribute:
    """``dyn.discovery``: a sync discovery on a sync client, an asyncio one on an asyncio client."""

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _DiscoveryAttribute: ...
    @overload
    def __get__(
        self, obj: DynamicClient[Request], owner: type | None = None
    ) -> DiscoveryInterface: ...
    @overload
    def __get__(
        self, obj: DynamicClient[AsyncRequest], owner: type | None = None
    ) -> AsyncDiscoveryInterface: ...
    def __get__(self, obj: DynamicClient[Any] | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        return obj._discovery

    def __set__(self, obj: DynamicClient[Any], value: Any) -> None:
        obj._discovery = value


class DynamicClient(Generic[R]):
    """Dynamic clients of any resource; discovery (cached in memory and on disk) and a RESTMapper.

    ``DynamicClient(config)`` takes a :class:`kubeset.config.Config`, a :class:`RESTClient`, or a
    transport with ``host=``; given an :class:`~kubeset.rest.aio.AsyncRESTClient` (or an
    asyncio transport) it is ``DynamicClient[AsyncRequest]``, its discovery, RESTMapper and
    clients asyncio ones.  ``discovery`` replaces the default
    :class:`~kubeset.discovery.CachedDiscoveryClient` (``cache_dir`` is its folder; give your own for another ``ttl``).
    """

    mapper: RESTMapper[R]
    discovery = _DiscoveryAttribute()
    """What the RESTMapper asks (the default: a CachedDiscoveryClient, memory and disk)."""

    @overload
    def __init__(
        self: DynamicClient[Request],
        config: Config | HTTPTransport | RESTClient,
        *,
        host: str | None = ...,
        discovery: DiscoveryInterface | None = ...,
        cache_dir: str | None = ...,
        **rest_options: Any,
    ) -> None: ...
    @overload
    def __init__(
        self: DynamicClient[AsyncRequest],
        config: AsyncHTTPTransport | AsyncRESTClient,
        *,
        host: str | None = ...,
        discovery: AsyncDiscoveryInterface | None = ...,
        cache_dir: str | None = ...,
        **rest_options: Any,
    ) -> None: ...
    def __init__(
        self,
        config: Config | HTTPTransport | RESTClient | AsyncHTTPTransport | AsyncRESTClient,
        *,
        host: str | None = None,
        discovery: DiscoveryInterface | AsyncDiscoveryInterface | None = None,
        cache_dir: str | None = None,
        **rest_options: Any,
    ) -> None:
        rest: RESTClientBase[Any, Any]
        if isinstance(config, (RESTClient, AsyncRESTClient)):
            rest = config
        elif isinstance(config, AsyncHTTPTransport) and not isinstance(config, HTTPTransport):
            rest = AsyncRESTClient(config, host=host, **rest_options)
        else:
            rest = RESTClient(config, host=host, **rest_options)
        self.rest = cast("RESTClientBase[R, Any]", rest)
        self.is_async = isinstance(rest, AsyncRESTClient)
        own: Any = rest  # the discovery and mapper of its stack
        found: Any = discovery or CachedDiscoveryClient(DiscoveryClient(own), cache_dir=cache_dir)
        self._discovery: Any = found
        self.mapper = cast("RESTMapper[R]", RESTMapper(found))

    def _resource_steps(
        self, group: str, version: str, resource: str, namespaced: bool | None, kind: str | None
    ) -> Steps[DynamicResourceClient[R]]:
        if namespaced is None or kind is None:
            found = yield from self.mapper.find_steps(resource, group=group, version=version)
            namespaced = found.namespaced if namespaced is None else namespaced
            kind = kind or found.kind
            mapping = RESTMapping(
                group,
                version,
                kind,
                found.resource,
                namespaced,
                found.verbs,
                subresources=found.subresources,
            )
        else:
            mapping = RESTMapping(group, version, kind, resource, namespaced)
        return DynamicResourceClient(self.rest, descriptor=descriptor_for(mapping))

    @overload
    def resource(
        self: DynamicClient[Request],
        group: str,
        version: str,
        resource: str,
        *,
        namespaced: bool | None = ...,
        kind: str | None = ...,
    ) -> DynamicResourceClient[Request]: ...
    @overload
    def resource(
        self: DynamicClient[AsyncRequest],
        group: str,
        version: str,
        resource: str,
        *,
        namespaced: bool | None = ...,
        kind: str | None = ...,
    ) -> Awaited[DynamicResourceClient[AsyncRequest]]: ...
    def resource(
        self,
        group: str,
        version: str,
        resource: str,
        *,
        namespaced: bool | None = None,
        kind: str | None = None,
    ) -> Any:
        """The client of ``resource`` (plural) in ``group``/``version``.

        Scope and kind come from discovery unless both ``namespaced`` and ``kind`` are given.
        """
        steps = self._resource_steps(group, version, resource, namespaced, kind)
        return drive(self.is_async, steps)

    def for_mapping(self, mapping: RESTMapping, namespace: str = "") -> DynamicResourceClient[R]:
        return DynamicResourceClient(self.rest, namespace, descriptor=descriptor_for(mapping))

    def for_kind_steps(
        self, api_version: str, kind: str, namespace: str = ""
    ) -> Steps[DynamicResourceClient[R]]:
        """:meth:`for_kind` as a procedure (to ``yield from`` in another one)."""
        mapping = yield from self.mapper.rest_mapping_for_steps(api_version, kind)
        return self.for_mapping(mapping, namespace)

    @overload
    def for_kind(
        self: DynamicClient[Request], api_version: str, kind: str, namespace: str = ...
    ) -> DynamicResourceClient[Request]: ...
    @overload
    def for_kind(
        self: DynamicClient[AsyncRequest], api_version: str, kind: str, namespace: str = ...
    ) -> Awaited[DynamicResourceClient[AsyncRequest]]: ...
    def for_kind(self, api_version: str, kind: str, namespace: str = "") -> Any:
        """The client of ``kind`` in ``api_version`` (``"apps/v1"``), through the RESTMapper."""
        return drive(self.is_async, self.for_kind_steps(api_version, kind, namespace))

    @overload
    def for_object(
        self: DynamicClient[Request], obj: Unstructured | BaseModel | Mapping[str, Any]
    ) -> DynamicResourceClient[Request]: ...
    @overload
    def for_object(
        self: DynamicClient[AsyncRequest], obj: Unstructured | BaseModel | Mapping[str, Any]
    ) -> Awaited[DynamicResourceClient[AsyncRequest]]: ...
    def for_object(self, obj: Unstructured | BaseModel | Mapping[str, Any]) -> Any:
        """The client of an object's apiVersion and kind, in its namespace."""
        data = _plain_data(obj)
        missing = [k for k in ("apiVersion", "kind") if not data.get(k)]
        if missing:
            raise SchemeError(
                f"the object has no {' and no '.join(missing)}: its resource is unknown"
            )
        meta = data.get("metadata") or {}
        steps = self.for_kind_steps(
            str(data.get("apiVersion") or ""),
            str(data.get("kind") or ""),
            str(meta.get("namespace") or ""),
        )
        return drive(self.is_async, steps)

    def close(self) -> None:
        """Close the sync client's connections (``await aclose()`` on asyncio)."""
        if isinstance(self.rest, RESTClient):
            self.rest.close()

    async def aclose(self) -> None:
        if isinstance(self.rest, AsyncRESTClient):
            await self.rest.aclose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<DynamicClient {self.rest.host}>"


def _plain_data(obj: Unstructured | BaseModel | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(obj, Unstructured):
        return obj.object
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return dict(obj)
