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

Reading is safe from any number of threads at once (an informer's cached objects are read by every
handler and worker): a read never changes what an object means.  The one thing a read changes is
where that meaning is kept: the first read of an absent Go-shaped field (kubeset.model.lazy) makes
the fields set and *then* puts the empty value in ``__dict__``, so a ``__dict__`` key is a set field
only while the slot is still ``None``.  Whatever reads the two together (:func:`is_set`,
:func:`fields_set_copy`, :func:`copy_model`, :func:`model_state`, and :func:`make_fields_set`
itself) reads the slot again after ``__dict__`` and starts over if another thread made the set
meanwhile; the slot only ever goes from ``None`` to a set.  Under the GIL each C-level step
(``set(d)``, ``d.copy()``) is atomic; no lock is taken.
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from typing import Any, TypeVar

from pydantic import VERSION as PYDANTIC_VERSION
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from .native import compiled_or

__all__ = [
    "AbsentField",
    "FieldsSet",
    "PyAbsentField",
    "copy_model",
    "extras",
    "fields_set_copy",
    "install",
    "is_set",
    "make_absent",
    "make_fields_set",
    "model_state",
    "new_instance",
    "set_names",
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
    current: set[str] | None = _FIELDS_SET.__get__(obj, type(obj))
    if current is not None:
        # another thread made it while the keys were read: __dict__ may already hold a value
        # created on read, which is not set
        return current
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
    was never made): every value in its ``__dict__`` was sent or assigned.  Another thread may
    make the set at any time: read ``__dict__`` with :func:`fields_set_copy` or
    :func:`copy_model`, which check again."""
    return _FIELDS_SET.__get__(obj, type(obj)) is None


def make_absent(obj: BaseModel, name: str) -> None:
    """Make field ``name`` of ``obj`` absent (``del obj.name``): out of ``__dict__`` and of the
    fields set."""
    if not uses_dict_keys(obj):  # else the set is the keys: dropping the key is enough
        make_fields_set(obj).discard(name)
    vars(obj).pop(name, None)


def is_set(obj: BaseModel, name: str) -> bool:
    """``name in obj.model_fields_set`` for a declared field, without making the set."""
    cls = type(obj)
    value: set[str] | None = _FIELDS_SET.__get__(obj, cls)
    if value is None:
        found = name in obj.__dict__
        value = _FIELDS_SET.__get__(obj, cls)
        if value is None:  # still the keys: ``found`` is the answer
            return found
    return name in value


def fields_set_copy(obj: BaseModel) -> set[str]:
    """A new set of ``obj``'s set fields and extras, without making its own set; consistent
    while other threads read (and so create values in) the same object."""
    cls = type(obj)
    while True:
        value: set[str] | None = _FIELDS_SET.__get__(obj, cls)
        if value is not None:
            return set(value)
        keys = set(obj.__dict__)
        extra = _EXTRA.__get__(obj, cls)
        if extra:
            keys.update(extra)
        if _FIELDS_SET.__get__(obj, cls) is None:
            return keys


def set_names(obj: BaseModel) -> Collection[str]:
    """The declared fields and extras that are set, without making the set (a live view of the
    keys while the instance is sparse: do not keep it across changes)."""
    value: set[str] | None = _FIELDS_SET.__get__(obj, type(obj))
    if value is not None:
        return value
    extra = _EXTRA.__get__(obj, type(obj))
    return obj.__dict__.keys() | extra.keys() if extra else obj.__dict__.keys()


def _snapshot(
    obj: BaseModel,
) -> tuple[dict[str, Any], set[str] | None, dict[str, Any] | None]:
    """``obj``'s values, fields set (None: the keys of the values) and extras, copied (shallow)
    together so that they agree while other threads read the same object."""
    cls = type(obj)
    while True:
        fields_set: set[str] | None = _FIELDS_SET.__get__(obj, cls)
        values = obj.__dict__.copy()
        extra: dict[str, Any] | None = _EXTRA.__get__(obj, cls)
        if fields_set is not None:
            # type(): a NullSet (an empty model standing for null, kubeset.model.lazy) stays one
            kept = type(fields_set)(fields_set)
            return values, kept, None if extra is None else extra.copy()
        if _FIELDS_SET.__get__(obj, cls) is None:  # no value was created on read meanwhile
            return values, None, None if extra is None else extra.copy()


def _private_copy(obj: BaseModel) -> dict[str, Any] | None:
    """pydantic's private values of ``obj``, as its copies carry them (unset ones left out)."""
    private: dict[str, Any] | None = _PRIVATE.__get__(obj, type(obj))
    if private is None:
        return None
    return {k: v for k, v in private.items() if v is not PydanticUndefined}


def copy_model(obj: M, *, deep: bool, memo: dict[int, Any] | None = None) -> M:
    """A (deep) copy of ``obj`` in its own layout: pydantic's ``__copy__`` / ``__deepcopy__``
    (the fields set copied, private values kept), made from one consistent snapshot, and sparse
    when ``obj`` is (pydantic's own would make the original's fields set for good)."""
    values, fields_set, extra = _snapshot(obj)
    private = _private_copy(obj)
    new = new_instance(type(obj), {}, fields_set)
    if deep:
        memo = {} if memo is None else memo
        memo[id(obj)] = new
        # the snapshot is our own dict: its values are copied, it needs no memo entry itself
        values = {k: copy.deepcopy(v, memo) for k, v in values.items()}
        if extra:  # None or empty stay as they are (deepcopy's call costs more than the copy)
            extra = copy.deepcopy(extra, memo)
        if private:
            private = copy.deepcopy(private, memo)
    object.__setattr__(new, "__dict__", values)
    _EXTRA.__set__(new, extra)
    _PRIVATE.__set__(new, private)
    return new


def model_state(obj: BaseModel) -> dict[str, Any]:
    """pydantic's pickle state of ``obj`` from one consistent snapshot; a sparse instance's is
    sparse (its fields set ``None``: the unpickled instance is sparse too)."""
    values, fields_set, extra = _snapshot(obj)
    return {
        "__dict__": values,
        "__pydantic_extra__": extra,
        "__pydantic_fields_set__": fields_set,
        "__pydantic_private__": _PRIVATE.__get__(obj, type(obj)),
    }


def new_instance(
    cls: type[M],
    values: dict[str, Any],
    fields_set: set[str] | None,
    *,
    extra: dict[str, Any] | None = None,
) -> M:
    """An instance of ``cls`` holding ``values`` (no validation), as the decoder builds one;
    ``fields_set`` None: the keys of ``values`` (and ``extra``) are the fields set."""
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    _FIELDS_SET.__set__(obj, fields_set)
    _EXTRA.__set__(obj, extra)
    _PRIVATE.__set__(obj, None)
    return obj
