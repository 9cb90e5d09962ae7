"""The (apiVersion, kind) -> model table of a generated package, and decoding by apiVersion/kind.

``kubeset.kubernetes.scheme`` is one :class:`Scheme`; a group version's module is imported on
first use only.  :meth:`Scheme.decode` finds apiVersion and kind by scanning the JSON (the
compiled codec skips the rest without building it; pydantic parses it when there is no
compiled codec) and decodes the whole document into its model with :func:`decode_large`.

Usage::

    from kubeset.codec import Scheme

    scheme = Scheme("kubeset.kubernetes", {("v1", "Pod"): ("models.core.v1", "Pod")})
    pod = scheme.decode(b'{"apiVersion":"v1","kind":"Pod"}')
    scheme.gvk_of(pod)  # ("v1", "Pod")
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic_core import from_json

from ..errors import SchemeError
from .gcpause import decode_large
from .native import scan_head

__all__ = ["Head", "Scheme", "SchemeError", "read_head"]


class Head(BaseModel):
    """apiVersion and kind of a JSON object as pydantic reads them (everything else ignored)."""

    model_config = {"extra": "ignore"}
    apiVersion: Any = None
    kind: Any = None


_HEAD_ADAPTER: TypeAdapter[Head] | None = None


def read_head(data: bytes | str) -> tuple[Any, Any]:
    """apiVersion and kind of a JSON object, without building Python objects for the rest
    (the compiled codec only scans the rest; pydantic parses it and then ignores it).

    Raises :class:`SchemeError` when ``data`` is not one JSON object.
    """
    found = scan_head(data)
    if found is not None:
        return found
    global _HEAD_ADAPTER
    if _HEAD_ADAPTER is None:
        _HEAD_ADAPTER = TypeAdapter(Head)
    try:
        head = _HEAD_ADAPTER.validate_json(data)
    except ValueError:
        try:
            value = from_json(data)
        except ValueError as e:
            raise SchemeError(f"cannot decode: not JSON ({e})") from None
        raise SchemeError(
            f"cannot decode: expected a JSON object, got {type(value).__name__}"
        ) from None
    return head.apiVersion, head.kind


class Scheme:
    """Maps (apiVersion, kind) to the generated model classes of one package.

    ``kinds`` maps ``(api_version, kind)`` to ``(module, class name)`` with the module relative
    to ``package`` (``("v1", "Pod") -> ("models.core.v1", "Pod")``).  Modules are imported on
    first use only.
    """

    def __init__(self, package: str, kinds: Mapping[tuple[str, str], tuple[str, str]]) -> None:
        self.package = package
        self._kinds = dict(kinds)

    def known(self) -> list[tuple[str, str]]:
        """Every (apiVersion, kind) of the scheme, sorted."""
        return sorted(self._kinds)

    def model_for(self, api_version: str, kind: str) -> type[BaseModel]:
        """The model class of ``kind`` in ``api_version`` (e.g. ``("apps/v1", "Deployment")``)."""
        target = self._kinds.get((api_version, kind))
        if target is None:
            same = sorted(k for v, k in self._kinds if v == api_version)
            if same:
                hint = f"; kinds of {api_version}: {', '.join(same[:20])}{' ...' if len(same) > 20 else ''}"
            else:
                versions = sorted({v for v, _ in self._kinds})
                hint = f"; known apiVersions: {', '.join(versions)}"
            raise SchemeError(f"unknown kind {kind!r} of apiVersion {api_version!r}{hint}")
        module, name = target
        cls = getattr(importlib.import_module(f"{self.package}.{module}"), name)
        assert isinstance(cls, type) and issubclass(cls, BaseModel)
        return cls

    def gvk_of(self, obj: BaseModel | type[BaseModel]) -> tuple[str, str]:
        """(apiVersion, kind) of a model instance or class.

        A class registered under several group versions (``DeleteOptions``, ``WatchEvent``)
        answers its core ``v1`` registration when it has one, else the first in sorted order.
        """
        cls = obj if isinstance(obj, type) else type(obj)
        api_version, kind = (
            getattr(cls, "__kubeset_api_version__", None),
            getattr(cls, "__kubeset_kind__", None),
        )
        if (
            isinstance(api_version, str)
            and isinstance(kind, str)
            and (api_version, kind) in self._kinds
        ):
            return api_version, kind
        target = (cls.__module__.removeprefix(self.package + "."), cls.__name__)
        keys = [key for key in sorted(self._kinds) if self._kinds[key] == target]
        if not keys:
            raise SchemeError(f"{cls.__name__} is not a top-level kind of {self.package}")
        core = [key for key in keys if key[0] == "v1"]
        return (core or keys)[0]

    def decode(self, data: bytes | str | Mapping[str, Any]) -> BaseModel:
        """Decode JSON bytes/text or a dict carrying ``apiVersion`` and ``kind`` into its model."""
        if isinstance(data, Mapping):
            api_version, kind = data.get("apiVersion"), data.get("kind")
        else:
            api_version, kind = read_head(data)
        missing = [n for n, v in (("apiVersion", api_version), ("kind", kind)) if not v]
        if missing:
            raise SchemeError(f"cannot decode: the object has no {' and no '.join(missing)}")
        if not isinstance(api_version, str) or not isinstance(kind, str):
            raise SchemeError("cannot decode: apiVersion and kind must be strings")
        model = self.model_for(api_version, kind)
        if isinstance(data, Mapping):
            return model.model_validate(data)
        return decode_large(model, data)
