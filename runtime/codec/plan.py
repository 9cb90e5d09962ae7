"""Plans for the compiled codec: what ``kubeset._codec`` needs to know of a model's fields.

A plan is built once per root model from its pydantic fields: a list with one entry per model
class reachable from the root, ``(class, {json or attribute name: (attribute, spec)},
[(attribute, json name), ...])`` (the second in declaration order), where a spec is
``(Kind, sub)``.  The field kinds are ``kubeset._codec.Kind``, defined once in the extension
(runtime/_codec/src/lib.rs); this module maps annotations onto them.  A model with logic of its own (validators, serializers,
defaults, private attributes, slots, other config) raises :class:`NotPlain`: pydantic does it.

Usage::

    from kubeset import _codec
    from kubeset.codec.plan import plan_models

    plans = plan_models(Pod, _codec.Kind)
    decoder = _codec.Decoder(plans.models, plans.root, utc, b64decode, BaseModel)
"""

from __future__ import annotations

import datetime as _dt
import sys
import types
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from ..model.base import KubeModel
from ..model.binary import Base64BytesType
from ..model.quantity import QuantityType
from ..model.rawjson import FieldsV1
from ..model.time import MicroTimeType

__all__ = ["NotPlain", "Plans", "is_plain", "plan_models"]


class NotPlain(Exception):
    """A model (or a field type) the compiled codec does not handle; pydantic does."""


@dataclass(frozen=True)
class Plans:
    """The plans of one root model: ``models[root]`` is the root's."""

    models: list[Any]
    root: int


@dataclass(frozen=True)
class _Planner:
    """Maps annotations onto the extension's field kinds (``kind`` is ``kubeset._codec.Kind``)."""

    kind: Any
    models: list[Any]
    index: dict[type, int]
    scalars: dict[Any, Any]  # annotation -> kind
    markers: dict[type, Any]  # Annotated marker class -> kind

    def model(self, cls: type) -> int:
        if cls in self.index:
            return self.index[cls]
        if not (isinstance(cls, type) and issubclass(cls, KubeModel)):
            raise NotPlain(cls)
        _check_plain(cls)
        config = cls.model_config
        at = self.index[cls] = len(self.models)
        self.models.append(None)
        by_name = config.get("validate_by_name", False) or config.get("populate_by_name", False)
        by_alias = config.get("validate_by_alias", True)
        fields: dict[str, tuple[str, tuple[Any, ...]]] = {}
        order: list[tuple[str, str]] = []  # (attribute, JSON name) in declaration order
        for name, info in cls.model_fields.items():
            if info.default is not None or info.default_factory is not None or info.is_required():
                raise NotPlain(f"{cls.__name__}.{name}")
            attr = sys.intern(name)
            spec = self.spec(info.annotation)
            alias = info.validation_alias if info.validation_alias is not None else info.alias
            if alias is not None and not isinstance(alias, str):
                raise NotPlain(f"{cls.__name__}.{name}")  # AliasPath / AliasChoices
            keys = ({alias} if alias and by_alias else set()) | (
                {name} if by_name or not alias else set()
            )
            out_name = info.serialization_alias or info.alias or name
            if not config.get("serialize_by_alias", False):
                out_name = name
            order.append((attr, out_name))
            for key in keys:
                if key in fields:
                    raise NotPlain(f"{cls.__name__}.{key}")
                fields[key] = (attr, spec)
        self.models[at] = (cls, fields, order)
        return at

    def spec(self, annotation: Any) -> tuple[Any, ...]:
        k = self.kind
        origin, args = get_origin(annotation), get_args(annotation)
        if origin in (Union, types.UnionType):
            rest = {a for a in args if a is not type(None)}
            if rest == {int, str}:
                return (k.INT_OR_STR, None)
            if rest == {int, float}:
                return (k.NUMBER, None)
            if len(rest) == 1:
                return self.spec(rest.pop())
            raise NotPlain(annotation)
        if origin is Annotated:
            markers = self.markers
            kinds = [markers[m] for m in args[1:] if isinstance(m, type) and m in markers]
            if len(kinds) != 1 or len(args) != 2:
                raise NotPlain(annotation)
            return (kinds[0], None)
        if origin is list and len(args) == 1:
            return (k.LIST, self.spec(args[0]))
        if origin is dict and len(args) == 2 and args[0] is str:
            return (k.DICT, self.spec(args[1]))
        scalars = self.scalars
        try:
            if annotation in scalars:
                return (scalars[annotation], None)
        except TypeError:  # an unhashable annotation object
            raise NotPlain(annotation) from None
        if isinstance(annotation, type) and issubclass(annotation, KubeModel):
            return (k.MODEL, self.model(annotation))
        raise NotPlain(annotation)


def _check_plain(cls: type[BaseModel]) -> None:
    """NotPlain unless instances of ``cls`` are just pydantic's four slots filled by validation
    (KubeModel's own serializer, kubeset's writing rule, is what the encoder does too)."""
    decorators = cls.__pydantic_decorators__
    serializers = [
        d for d in decorators.model_serializers.values() if d.func is not _KUBESET_SERIALIZER
    ]
    config = cls.model_config
    own_slots = [
        c.__name__ for c in cls.__mro__[: cls.__mro__.index(BaseModel)] if vars(c).get("__slots__")
    ]
    if (
        any(
            (
                decorators.validators,
                decorators.field_validators,
                decorators.root_validators,
                decorators.model_validators,
                decorators.field_serializers,
                serializers,
            )
        )
        or cls.__pydantic_post_init__ is not None
        or cls.__private_attributes__
        or own_slots  # slots of its own would be left unset by the decoder
        or config.get("extra") != "allow"
        or "__get_pydantic_core_schema__" in vars(cls)
    ):
        raise NotPlain(cls)


def is_plain(cls: type[BaseModel]) -> bool:
    """Whether instances of ``cls`` itself are just its fields filled by validation (no
    validators, post-init, private attributes, ...; its fields' models are not looked at)."""
    try:
        _check_plain(cls)
    except NotPlain:
        return False
    return True


# KubeModel's own serializer (kubeset's writing rule, which the encoder follows too)
_KUBESET_SERIALIZER = KubeModel.__kubeset_serialize__


def plan_models(model: type, kind: Any) -> Plans:
    """The plans of ``model`` and every model it holds; :class:`NotPlain` when one is not plain.

    ``kind`` is ``kubeset._codec.Kind``, the extension's table of field kinds.
    """
    k = kind
    planner = _Planner(
        kind,
        models=[],
        index={},
        scalars={
            str: k.STR,
            int: k.INT,
            bool: k.BOOL,
            float: k.FLOAT,
            Any: k.ANY,
            _dt.datetime: k.TIME,
            FieldsV1: k.RAW_JSON,
        },
        markers={QuantityType: k.QUANTITY, MicroTimeType: k.MICRO_TIME, Base64BytesType: k.BYTES},
    )
    root = planner.model(model)
    return Plans(planner.models, root)
