"""Typed <-> dynamic: a generated model from an :class:`Unstructured` and back, through a scheme.

    pod = from_unstructured(u)                  # kubeset.kubernetes.models.core.v1.Pod
    pod = from_unstructured(u, Pod)             # typed for the checker: the model is checked
    u = to_unstructured(pod)                    # apiVersion and kind filled in from the scheme

Both ways keep every field (unknown ones included): the model's extras and the dict's keys.
"""

from __future__ import annotations

from typing import Any, TypeVar, overload

from kubeset.kubernetes.scheme import KINDS
from pydantic import BaseModel, ValidationError

from ..errors import DecodeError, SchemeError
from ..serializers import Scheme
from .unstructured import Unstructured

__all__ = ["default_scheme", "from_unstructured", "to_unstructured"]

M = TypeVar("M", bound=BaseModel)

_SCHEME = Scheme("kubeset.kubernetes", KINDS)


def default_scheme() -> Scheme:
    """The scheme of the generated Kubernetes models (``kubeset.kubernetes``)."""
    return _SCHEME


@overload
def from_unstructured(obj: Unstructured, model: type[M], *, scheme: Scheme | None = None) -> M: ...
@overload
def from_unstructured(
    obj: Unstructured, model: None = None, *, scheme: Scheme | None = None
) -> BaseModel: ...
def from_unstructured(
    obj: Unstructured, model: type[M] | None = None, *, scheme: Scheme | None = None
) -> BaseModel:
    """The generated model of ``obj``'s apiVersion and kind (``model`` must be that class)."""
    if not obj.api_version or not obj.kind:
        missing = "apiVersion" if not obj.api_version else "kind"
        raise SchemeError(f"cannot convert: the object has no {missing}")
    found = (scheme or default_scheme()).model_for(obj.api_version, obj.kind)
    if model is not None and found is not model:
        raise SchemeError(
            f"{obj.api_version} {obj.kind} is a {found.__name__}, not a {model.__name__}"
        )
    try:
        return found.model_validate(obj.object)
    except ValidationError as e:
        raise DecodeError.from_validation(
            f"{obj.api_version} {obj.kind} {obj.name!r} does not fit {found.__name__}", e
        ) from None


def to_unstructured(model: BaseModel, *, scheme: Scheme | None = None) -> Unstructured:
    """An Unstructured of a generated model (apiVersion and kind from the scheme when unset)."""
    data: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if not data.get("apiVersion") or not data.get("kind"):
        api_version, kind = (scheme or default_scheme()).gvk_of(model)
        data = {"apiVersion": api_version, "kind": kind, **data}
    return Unstructured(data)
