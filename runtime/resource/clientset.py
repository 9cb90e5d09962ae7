"""Clientset bases: the generated clientsets and their group version clients build on these.

class ClientsetGroups(GroupsBase[R]):
    core_v1: LazyGroup[CoreV1Client[R]] = LazyGroup("kubeset.kubernetes.clients.core_v1", "CoreV1Client")
class Clientset(ClientsetGroups[Request], ClientsetBase): ...
class AsyncClientset(ClientsetGroups[AsyncRequest], AsyncClientsetBase): ...

cs = Clientset(kubeset.load_config())     # one RESTClient shared by every group version
cs.core_v1.pods("default")                  # the module of core/v1 is imported on first use

The group declarations are written once (``GroupsBase[R]``, ``R`` the request type); the
sync base owns a :class:`~kubeset.rest.client.RESTClient`, the asyncio one an
:class:`~kubeset.rest.aio.AsyncRESTClient`.
"""

from __future__ import annotations

import importlib
from typing import Any, ClassVar, Generic, Self, TypeVar, overload

from ..config import Config
from ..discovery import DiscoveryClient
from ..rest.aio import AsyncRequest, AsyncRESTClient
from ..rest.client import RESTClient, RESTClientBase
from ..rest.request import Request
from ..transport.base import AsyncHTTPTransport, HTTPTransport
from .client import R

__all__ = ["AsyncClientsetBase", "ClientsetBase", "GroupVersionClient", "GroupsBase", "LazyGroup"]

C = TypeVar("C")


class GroupVersionClient(Generic[R]):
    """Base of generated per group version clients (``CoreV1Client``): one method per resource."""

    group: ClassVar[str] = ""
    version: ClassVar[str] = ""

    __slots__ = ("rest",)

    def __init__(self, rest: RESTClientBase[R, Any]) -> None:
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


class GroupsBase(Generic[R]):
    """The base of a clientset's group attributes (:class:`LazyGroup` s, typed with ``R``);
    the subclass sets ``rest``, the REST client they are made with."""

    def __repr__(self) -> str:
        rest = getattr(self, "rest", None)
        return f"<{type(self).__name__} {getattr(rest, 'host', '')}>"

    @property
    def discovery(self) -> DiscoveryClient[R]:
        """Server version, API groups and resources (awaited on an AsyncClientset)."""
        found: DiscoveryClient[R] | None = self.__dict__.get("_discovery")
        if found is None:
            found = self.__dict__["_discovery"] = DiscoveryClient(self.__dict__["rest"])
        return found


class ClientsetBase(GroupsBase[Request]):
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
        self.rest: RESTClient = (
            config
            if isinstance(config, RESTClient)
            else RESTClient(config, host=host, **rest_options)
        )

    def close(self) -> None:
        self.rest.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClientsetBase(GroupsBase[AsyncRequest]):
    """Base of the generated ``AsyncClientset``: one AsyncRESTClient for every group version.

    ``AsyncClientset(config)`` takes a :class:`kubeset.config.Config`, a ready
    :class:`~kubeset.rest.aio.AsyncRESTClient`, or an asyncio transport together with ``host=``;
    ``async with`` (or ``await aclose()``) releases its connections.
    """

    def __init__(
        self,
        config: Config | AsyncHTTPTransport | AsyncRESTClient,
        *,
        host: str | None = None,
        **rest_options: Any,
    ) -> None:
        self.rest: AsyncRESTClient = (
            config
            if isinstance(config, AsyncRESTClient)
            else AsyncRESTClient(config, host=host, **rest_options)
        )

    async def aclose(self) -> None:
        await self.rest.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
