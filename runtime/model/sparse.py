"""Sparse model instances: a field the JSON did not carry takes no room in the object.

pydantic gives every instance a ``__dict__`` holding every declared field (``None`` when
absent), a ``set`` of the fields that were sent and an extras dict; for a Kubernetes object,
where most fields are absent, those are over half of its memory.  The compiled decoder
(``kubeset._codec``) builds instead a ``__dict__`` with the fields that were sent only, and
leaves the fields-set slot ``None``: the fields set are then exactly the keys of ``__dict__`` and
of the extras, and the set is made from them the first time something asks for it
(``model_fields_set``, an assignment, a value created on read), then kept; the extras slot stays
``None`` until there is an unknown field (``model_extra`` or an assignment makes the dict).
Instances pydantic builds (``Pod(...)``, ``model_validate``, the codec's fallback) keep
pydantic's full layout; both read, compare, print, copy and serialize the same: :func:`install`
gives each declared field a class attribute (:data:`AbsentField`) that reads as ``None`` where
``__dict__`` lacks the field, and ``KubeModel``'s ``repr``, ``==``, iteration, copies, pickles
and serialization go by the declared fields::

    pod = decode_json(Pod, raw)      # no "nodeName" on the wire: no slot for it
    pod.spec.node_name               # None
    pod.spec.model_fields_set        # made from __dict__ now, then kept

Code that only asks whether a field is set uses :func:`is_set` and :func:`set_names`, which do
not make the set.
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from typing import Any, TypeVar

from pydantic import VERSION as PYDANTIC_VERSION
from pydantic import BaseModel

from .native import compiled_or

__all__ = [
    "AbsentField",
    "FieldsSet",
    "PyAbsentField",
    "copy_sparse",
    "extras",
    "install",
    "is_set",
    "make_absent",
    "make_fields_set",
    "new_instance",
    "set_names",
    "sparse_state",
    "stays_sparse",
    "use_dict_keys",
    "uses_dict_keys",
]

M = TypeVar("M", bound=BaseModel)

# pydantic's slots on BaseModel (member descriptors): read and written without the descriptor
# below, which shadows the first one on KubeModel
try:
    _FIELDS_SET = BaseModel.__dict__["__pydantic_fields_set__"]
    _EXTRA = BaseModel.__dict__["__pydantic_extra__"]
    _PRIVATE = BaseModel.__dict__["__pydantic_private__"]
except KeyError as missing:  # pragma: no cover - every pydantic 2 release has them
    raise ImportError(
        f"kubeset needs pydantic's BaseModel slot {missing}, which pydantic {PYDANTIC_VERSION} "
        "does not have: install a pydantic 2 release kubeset was tested with "
        "(kubeset.codec.TESTED_PYDANTIC)"
    ) from None


def _made(obj: BaseModel) -> set[str]:
    """The fields set of a sparse instance, made from its ``__dict__`` and extras, and kept."""
    made = set(obj.__dict__)
    extra = _EXTRA.__get__(obj, type(obj))
    if extra:
        made.update(extra)
    _FIELDS_SET.__set__(obj, made)
    return made


def make_fields_set(obj: BaseModel) -> set[str]:
    """``obj``'s fields set, made from ``__dict__`` (and kept) if it was still its keys."""
    value: set[str] | None = _FIELDS_SET.__get__(obj, type(obj))
    return _made(obj) if value is None else value


class FieldsSet:
    """``KubeModel.__pydantic_fields_set__``: pydantic's slot, made from ``__dict__`` on first
    read when the decoder left it ``None`` (every other read and every write is the slot's)."""

    __slots__ = ()

    def __get__(self, obj: BaseModel | None, owner: type | None = None) -> Any:
        return self if obj is None else make_fields_set(obj)

    def __set__(self, obj: BaseModel, value: set[str]) -> None:
        _FIELDS_SET.__set__(obj, value)

    def __delete__(self, obj: BaseModel) -> None:
        _FIELDS_SET.__delete__(obj)


class PyAbsentField:
    """Class attribute of a declared field: ``None`` from an instance whose ``__dict__`` lacks
    the field (a value in ``__dict__`` comes first: this is not a data descriptor).  In Python:
    ``kubeset._codec.AbsentField`` does the same, faster, when kubeset was built with it."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: BaseModel | None, owner: type[BaseModel] | None = None) -> Any:
        if obj is None:
            # pydantic looks class attributes up when it collects a subclass's fields: give it
            # the field itself, as if no attribute were there
            assert owner is not None
            return owner.__pydantic_fields__[self.name]
        return None


#: the class attribute :func:`install` uses: the compiled one when kubeset was built with it
AbsentField: Any = compiled_or("AbsentField", PyAbsentField)

_ABSENT: dict[str, Any] = {}  # one AbsentField per field name, shared by every class


def install(cls: type[BaseModel]) -> None:
    """Put an :class:`AbsentField` on ``cls`` for each declared field that has no class
    attribute of its own."""
    own = vars(cls)
    for name in cls.__pydantic_fields__:
        if name not in own:
            field = _ABSENT.get(name)
            if field is None:
                field = _ABSENT[name] = AbsentField(name)
            setattr(cls, name, field)


def extras(obj: BaseModel) -> dict[str, Any]:
    """``obj``'s extras dict, made (empty) when the instance has none yet: pydantic's own
    layout always has one."""
    extra: dict[str, Any] | None = _EXTRA.__get__(obj, type(obj))
    if extra is None:
        extra = {}
        _EXTRA.__set__(obj, extra)
    return extra


def uses_dict_keys(obj: BaseModel) -> bool:
    """Whether ``obj``'s fields set is still its ``__dict__`` keys (a sparse instance whose set
    was never made): every value in its ``__dict__`` was sent or assigned."""
    return _FIELDS_SET.__get__(obj, type(obj)) is None


def use_dict_keys(obj: BaseModel) -> None:
    """Drop ``obj``'s fields set: its ``__dict__`` keys (and extras) are the fields set again.
    Only for a set that was made from them and is still what they say."""
    _FIELDS_SET.__set__(obj, None)


def make_absent(obj: BaseModel, name: str) -> None:
    """Make field ``name`` of ``obj`` absent (``del obj.name``): out of ``__dict__`` and of the
    fields set."""
    if not uses_dict_keys(obj):  # else the set is the keys: dropping the key is enough
        make_fields_set(obj).discard(name)
    vars(obj).pop(name, None)


def is_set(obj: BaseModel, name: str) -> bool:
    """``name in obj.model_fields_set`` for a declared field, without making the set."""
    value = _FIELDS_SET.__get__(obj, type(obj))
    return name in (obj.__dict__ if value is None else value)


def set_names(obj: BaseModel) -> Collection[str]:
    """The declared fields and extras that are set, without making the set (a live view of the
    keys while the instance is sparse: do not keep it across changes)."""
    value: set[str] | None = _FIELDS_SET.__get__(obj, type(obj))
    if value is not None:
        return value
    extra = _EXTRA.__get__(obj, type(obj))
    return obj.__dict__.keys() | extra.keys() if extra else obj.__dict__.keys()


def stays_sparse(obj: BaseModel) -> bool:
    """Whether copies and pickles of ``obj`` can be made sparsely (:func:`copy_sparse`,
    :func:`sparse_state`): its fields set is still its ``__dict__`` keys, it has no private
    values."""
    return uses_dict_keys(obj) and _PRIVATE.__get__(obj, type(obj)) is None


def copy_sparse(obj: M, *, deep: bool, memo: dict[int, Any] | None = None) -> M:
    """A (deep) copy of a sparse instance that is sparse too (see :func:`stays_sparse`):
    pydantic's ``__copy__`` and ``__deepcopy__`` would make the original's fields set for good."""
    new = new_instance(type(obj), {}, None)
    extra = _EXTRA.__get__(obj, type(obj))
    if deep:
        memo = {} if memo is None else memo
        memo[id(obj)] = new
        object.__setattr__(new, "__dict__", copy.deepcopy(obj.__dict__, memo))
        _EXTRA.__set__(new, copy.deepcopy(extra, memo))
    else:
        object.__setattr__(new, "__dict__", copy.copy(obj.__dict__))
        _EXTRA.__set__(new, copy.copy(extra))
    return new


def sparse_state(obj: BaseModel) -> dict[str, Any]:
    """pydantic's pickle state of a sparse instance, sparse (no fields set to make; see
    :func:`stays_sparse`)."""
    return {
        "__dict__": obj.__dict__,
        "__pydantic_extra__": _EXTRA.__get__(obj, type(obj)),
        "__pydantic_fields_set__": None,
        "__pydantic_private__": None,
    }


def new_instance(cls: type[M], values: dict[str, Any], fields_set: set[str] | None) -> M:
    """An instance of ``cls`` holding ``values`` (no validation, no extras), as the decoder
    builds one; ``fields_set`` None: the keys of ``values`` are the fields set."""
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    _FIELDS_SET.__set__(obj, fields_set)
    _EXTRA.__set__(obj, None)
    _PRIVATE.__set__(obj, None)
    return obj
