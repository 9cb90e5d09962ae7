"""Clientset bases: the generated ``Clientset`` and its group version clients build on these.

class Clientset(ClientsetBase):
    core_v1: LazyGroup[CoreV1Client] = LazyGroup("kubeset.kubernetes.clients.core_v1", "CoreV1Client")

cs = Clientset(kubeset.load_config())     # one RESTClient shared by every group version
cs.core_v1.pods("default")                  # the module of core/v1 is imported on first use
"""

from __future__ import annotations

import importlib
from typing import Any, ClassVar, Generic, Self, TypeVar, overload

from ..config import Config
from ..discovery import DiscoveryClient
from ..rest.client import RESTClient
from ..transport.base import HTTPTransport

__all__ = ["ClientsetBase", "GroupVersionClient", "LazyGroup"]

C = TypeVar("C")


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
