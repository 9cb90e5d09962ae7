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

:class:`DynamicResourceClient` is the typed clients' :class:`~kubeset.resource.ResourceClient`
with the same verb and subresource mixins, its :class:`~kubeset.resource.ResourceDescriptor`
built at run time from discovery (model :class:`Unstructured`, list :class:`UnstructuredList`).
``client.namespace`` reads as the client's namespace (a str, as on every ResourceClient) and,
called, gives the client of another one: ``dyn.resource("", "v1", "pods").namespace("default")``
(client-go's ``Namespace(ns)``; :meth:`~DynamicResourceClient.in_namespace` is the same call).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Self, Unpack, overload

from pydantic import BaseModel

from ..config import Config
from ..discovery import CachedDiscoveryClient, DiscoveryClient, DiscoveryInterface, RESTMapper
from ..discovery.restmapper import RESTMapping
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
from ..rest.client import RESTClient
from ..transport.base import HTTPTransport
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


class NamespaceName(str):
    """A client's namespace (a ``str``) that, called, gives the client of another namespace:
    ``dyn.resource("", "v1", "pods").namespace("default")`` as client-go's ``Namespace(ns)``."""

    _client: DynamicResourceClient

    def __call__(self, namespace: str) -> DynamicResourceClient:
        return self._client.in_namespace(namespace)


# the storage of ResourceClient's ``namespace`` attribute (a slot), wrapped below
_NAMESPACE_SLOT: Any = ResourceClient.__dict__["namespace"]


class _NamespaceAttribute:
    """``client.namespace``: the namespace as a :class:`NamespaceName` (read), a str (written)."""

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _NamespaceAttribute: ...
    @overload
    def __get__(self, obj: DynamicResourceClient, owner: type | None = None) -> NamespaceName: ...
    def __get__(
        self, obj: DynamicResourceClient | None, owner: type | None = None
    ) -> _NamespaceAttribute | NamespaceName:
        if obj is None:
            return self
        name = NamespaceName(_NAMESPACE_SLOT.__get__(obj, type(obj)))
        name._client = obj
        return name

    def __set__(self, obj: DynamicResourceClient, value: str) -> None:
        _NAMESPACE_SLOT.__set__(obj, value)


class DynamicResourceClient(
    HasGet[Unstructured],
    HasList[UnstructuredList],
    HasWatch[Unstructured],
    HasCreate[Unstructured],
    HasUpdate[Unstructured],
    HasPatch[Unstructured],
    HasApply[Unstructured],
    HasDelete[Unstructured],
    HasDeleteCollection,
    HasStatus[Unstructured],
    HasScale[Unstructured],
    HasLog,
    HasExec,
    HasAttach,
    HasPortForward,
):
    """Every verb and subresource of one resource, objects as :class:`Unstructured` (pods'
    ``log``, ``exec``, ``attach``, ``portforward`` and ``cp`` too; a resource whose discovered
    subresources lack one refuses it)."""

    __slots__ = ()

    namespace = _NamespaceAttribute()
    """The client's namespace (a str); ``client.namespace("x")`` is ``client.in_namespace("x")``."""

    def in_namespace(self, namespace: str) -> DynamicResourceClient:
        """The client of ``namespace`` (of every namespace with ``""``, for list and watch)."""
        return DynamicResourceClient(self.rest, namespace, descriptor=self.descriptor)

    def get_subresource(self, name: str, subresource: str, **params: Any) -> Unstructured:
        """GET ``name``'s subresource (``status``, ``scale``, ...)."""
        return self.read(name, subresource, **params)  # type: ignore[no-any-return]

    def update_subresource(
        self,
        obj: Unstructured | Mapping[str, Any],
        subresource: str,
        *,
        name: str = "",
        **options: Unpack[UpdateOptions],
    ) -> Unstructured:
        """PUT a subresource; ``name`` defaults to the object's (give it for a Scale body)."""
        own = not name
        return self.write(obj, subresource, name=name, own_kind=own, **options)  # type: ignore[no-any-return]

    def patch_subresource(
        self, name: str, subresource: str, patch: PatchBody, **options: Unpack[PatchOptions]
    ) -> Unstructured:
        """PATCH a subresource (every patch type, as :meth:`patch`)."""
        return self.patch_with(name, patch, subresource, **options)  # type: ignore[no-any-return]

    def create_subresource(
        self,
        name: str,
        subresource: str,
        body: Unstructured | Mapping[str, Any],
        **options: Unpack[UpdateOptions],
    ) -> Unstructured:
        """POST to a subresource (``eviction``, ``token``, ``binding``): the answer as sent."""
        data = body.object if isinstance(body, Unstructured) else body
        req = self.request("POST", name, subresource).body(dict(data))
        return write_params(req, **options).do().into(Unstructured)


class DynamicClient:
    """Dynamic clients of any resource; discovery (cached in memory and on disk) and a RESTMapper.

    ``DynamicClient(config)`` takes a :class:`kubeset.config.Config`, a :class:`RESTClient`, or a
    transport with ``host=``.  ``discovery`` replaces the default
    :class:`~kubeset.discovery.CachedDiscoveryClient` (``cache_dir`` is its folder; give your own for another ``ttl``).
    """

    def __init__(
        self,
        config: Config | HTTPTransport | RESTClient,
        *,
        host: str | None = None,
        discovery: DiscoveryInterface | None = None,
        cache_dir: str | None = None,
        **rest_options: Any,
    ) -> None:
        self.rest = (
            config
            if isinstance(config, RESTClient)
            else RESTClient(config, host=host, **rest_options)
        )
        self.discovery: DiscoveryInterface = discovery or CachedDiscoveryClient(
            DiscoveryClient(self.rest), cache_dir=cache_dir
        )
        self.mapper = RESTMapper(self.discovery)

    def resource(
        self,
        group: str,
        version: str,
        resource: str,
        *,
        namespaced: bool | None = None,
        kind: str | None = None,
    ) -> DynamicResourceClient:
        """The client of ``resource`` (plural) in ``group``/``version``.

        Scope and kind come from discovery unless both ``namespaced`` and ``kind`` are given.
        """
        if namespaced is None or kind is None:
            found = self.mapper.find(resource, group=group, version=version)
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

    def for_mapping(self, mapping: RESTMapping, namespace: str = "") -> DynamicResourceClient:
        return DynamicResourceClient(self.rest, namespace, descriptor=descriptor_for(mapping))

    def for_kind(self, api_version: str, kind: str, namespace: str = "") -> DynamicResourceClient:
        """The client of ``kind`` in ``api_version`` (``"apps/v1"``), through the RESTMapper."""
        return self.for_mapping(self.mapper.rest_mapping_for(api_version, kind), namespace)

    def for_object(
        self, obj: Unstructured | BaseModel | Mapping[str, Any]
    ) -> DynamicResourceClient:
        """The client of an object's apiVersion and kind, in its namespace."""
        data = _plain_data(obj)
        missing = [k for k in ("apiVersion", "kind") if not data.get(k)]
        if missing:
            raise SchemeError(
                f"the object has no {' and no '.join(missing)}: its resource is unknown"
            )
        meta = data.get("metadata") or {}
        return self.for_kind(
            str(data.get("apiVersion") or ""),
            str(data.get("kind") or ""),
            str(meta.get("namespace") or ""),
        )

    def close(self) -> None:
        self.rest.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<DynamicClient {self.rest.host}>"


def _plain_data(obj: Unstructured | BaseModel | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(obj, Unstructured):
        return obj.object
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return dict(obj)
