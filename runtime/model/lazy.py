"""Go-shaped fields: lists, maps and required objects that read as empty when absent, losslessly.

Generated code declares such a field ``Annotated[T, Nullable]`` (``T`` a ``list[X]``, a
``dict[str, X]`` or a model); type checkers see ``T``, a wire ``null`` still validates::

    class ObjectMeta(KubeModel):
        labels: Annotated[dict[str, str], Nullable] = alias("labels")

    meta = ObjectMeta()
    meta.labels["app"] = "web"      # no None check: the empty dict is created on this first read
    to_dict(meta)                   # {"labels": {"app": "web"}}; had it stayed empty: {}

An absent field is missing from ``__dict__`` (a sparse instance, kubeset.model.sparse) or holds
``None`` there (pydantic's full layout), and is not in ``model_fields_set``; :func:`install`
puts a data descriptor (:data:`LazyField`, compiled in kubeset._codec) per such field on the
class, which turns the absence into an empty value on first read and keeps it in ``__dict__``
*without* marking the field set.  Assignment still goes through pydantic's ``__setattr__`` (the
descriptor has no say in it).

The writing rule (:func:`serializing`, the compiled encoder does the same): a field is written
when it is in ``model_fields_set``, or when it holds a value created on read that became
non-empty (a list or dict with items, a model that would write any field).  An empty value
created for a wire ``null`` (or an explicit ``None``) remembers it (:class:`NullList`,
:class:`NullDict`, a model whose fields-set is a :class:`NullSet`) and is written back as
``null`` while it stays empty.  :func:`models_equal` and :func:`repr_value` see every such
untouched empty value as ``None``, so reading a field changes neither ``==`` nor ``repr``.

:func:`written_view` (which ``KubeModel``'s own serializer applies to every pydantic
serialization of a kubeset model: ``model_dump``, ``model_dump_json``, a kubeset model inside
another pydantic model) gives pydantic's serializer a view of a model tree made for the call,
saying what it means (every declared field in ``__dict__``, in declaration order, as in pydantic's
own layout; the fields set as written): the objects themselves are only read, so any number of
threads may serialize, copy and read the same objects at once (kubeset.model.sparse says how the
reads agree with each other).  Two threads reading the same absent field for the first time at
once may each get a new empty value (the last one stays), as with any unlocked lazy attribute:
both are empty and unset, so what the object means does not change.  Changing an object while
other threads read it is not safe (copy it first, as client-go's informers ask).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, GetCoreSchemaHandler
from pydantic_core import core_schema

from . import sparse
from .native import compiled_or

M = TypeVar("M", bound=BaseModel)

_CONTAINERS = (BaseModel, list, dict)  # the values that may have been created on read

__all__ = [
    "LazyField",
    "NullDict",
    "NullList",
    "NullSet",
    "Nullable",
    "PyLazyField",
    "effective",
    "install",
    "is_written",
    "models_equal",
    "written_view",
]


class Nullable:
    """Annotation marker of a Go-shaped field: ``Annotated[list[X], Nullable]``.

    Validation accepts ``null`` as well as the inner type; :func:`install` finds the fields
    carrying it.
    """

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.nullable_schema(handler(source))


class NullList(list[Any]):
    """The empty list read from a field that was ``null``: written as ``null`` while empty."""

    __slots__ = ()


class NullDict(dict[str, Any]):
    """The empty dict read from a field that was ``null``: written as ``null`` while empty."""

    __slots__ = ()


class NullSet(set[str]):
    """The fields-set of an empty model read from a field that was ``null`` (written as ``null``
    while no field of it is set)."""

    __slots__ = ()


def _empty_model(model: type[BaseModel], null: bool) -> BaseModel:
    return sparse.new_instance(model, {}, NullSet() if null else None)


def _factory(owner: type[BaseModel], name: str) -> Callable[[bool], Any]:
    """The maker of ``name``'s empty value (its argument: whether it stands for a wire null)."""
    annotation = owner.__pydantic_fields__[name].annotation
    origin = get_origin(annotation)
    if origin is list or annotation is list:
        return lambda null: NullList() if null else []
    if origin is dict or annotation is dict:
        return lambda null: NullDict() if null else {}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        model = annotation
        return lambda null: _empty_model(model, null)
    raise TypeError(
        f"{owner.__name__}.{name}: a Nullable field must be a list, a dict or a model, "
        f"not {annotation!r} (args {get_args(annotation)!r})"
    )


class _Creator:
    """What reading an absent or null Go-shaped field does: make its empty value, keep it in
    ``__dict__`` without marking the field set (written only once it is not empty), return it."""

    __slots__ = ("_make", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self._make: Callable[[bool], Any] | None = None

    def __call__(self, obj: BaseModel) -> Any:
        make = self._make
        if make is None:
            make = self._make = _factory(type(obj), self.name)
        # the fields set is made now if it was still the keys of __dict__ (sparse instances)
        value = make(self.name in obj.__pydantic_fields_set__)
        vars(obj)[self.name] = value
        return value


def _assign(obj: BaseModel, name: str, value: Any) -> None:
    """``object.__setattr__(obj, name, value)`` on a Go-shaped field (pydantic's ``__setattr__``
    writes fields without consulting class attributes)."""
    vars(obj)[name] = value
    obj.__pydantic_fields_set__.add(name)


class PyLazyField:
    """Data descriptor of one Go-shaped field, in Python: ``kubeset._codec.LazyField`` does the
    same reads faster (about 25 ns instead of 100) and is used when kubeset was built with it.

    ``LazyField(name, missing, assign, delete)``: a read gives the value in ``__dict__`` unless
    it is absent or None, and then ``missing(obj)``; ``del`` and ``object.__setattr__`` call
    ``delete(obj, name)`` and ``assign(obj, name, value)``; from the class, the pydantic field.
    """

    __slots__ = ("_assign", "_delete", "_missing", "name")

    def __init__(
        self,
        name: str,
        missing: Callable[[BaseModel], Any],
        assign: Callable[[BaseModel, str, Any], None],
        delete: Callable[[BaseModel, str], None],
    ) -> None:
        self.name = name
        self._missing = missing
        self._assign = assign
        self._delete = delete

    def __get__(self, obj: BaseModel | None, owner: type[BaseModel] | None = None) -> Any:
        if obj is None:
            # pydantic looks class attributes up when it collects a subclass's fields: give it
            # the field itself, as if no descriptor were there
            assert owner is not None
            return owner.__pydantic_fields__[self.name]
        value = vars(obj).get(self.name)
        return self._missing(obj) if value is None else value

    def __set__(self, obj: BaseModel, value: Any) -> None:
        self._assign(obj, self.name, value)

    def __delete__(self, obj: BaseModel) -> None:
        """``del model.field`` makes the field absent again."""
        self._delete(obj, self.name)


#: the descriptor class :func:`install` uses: the compiled one when kubeset was built with it
LazyField: Any = compiled_or("LazyField", PyLazyField)


def install(cls: type[BaseModel]) -> None:
    """Put a :data:`LazyField` on ``cls`` for each field annotated with :class:`Nullable`."""
    for name, info in cls.__pydantic_fields__.items():
        if any(m is Nullable for m in info.metadata):
            setattr(cls, name, LazyField(name, _Creator(name), _assign, sparse.make_absent))


# ---------------------------------------------------------------- what is written


def _model_written(model: BaseModel) -> bool:
    """Whether a model writes anything: a set field, an extra, or a non-empty unset value."""
    if model.__pydantic_extra__:
        return True
    if sparse.uses_dict_keys(model):
        written = len(model.__dict__) > 0  # every value there is set ...
        if sparse.uses_dict_keys(model):  # ... unless another thread made the set meanwhile
            return written
    fields = type(model).__pydantic_fields__
    set_ = sparse.set_names(model)  # made: it stays a set
    if any(name in fields for name in set_):
        return True
    # list(): other threads may add values created on read to the dict meanwhile
    return any(
        name not in set_ and is_written(value) for name, value in list(model.__dict__.items())
    )


def is_written(value: Any) -> bool:
    """Whether a value held by an *unset* field is written: a list or dict with items, a model
    that writes anything (None and every other value: no, as pydantic's ``exclude_unset``)."""
    if value is None:
        return False
    if isinstance(value, (list, dict)):
        return len(value) > 0
    if isinstance(value, BaseModel):
        return _model_written(value)
    return False


def _is_null(value: Any) -> bool:
    """Whether a *set* field's value stands for ``null``: None, or an empty value created for it."""
    if value is None:
        return True
    if isinstance(value, (NullList, NullDict)):
        return len(value) == 0
    if isinstance(value, BaseModel) and type(sparse.set_names(value)) is NullSet:
        return not _model_written(value)
    return False


def effective(model: BaseModel, name: str, value: Any) -> Any:
    """``value`` of field ``name`` as written: ``None`` for an untouched empty or null value."""
    if value is None or not isinstance(value, _CONTAINERS):
        return value  # a scalar is written as it is, set or not (only containers are created)
    if sparse.is_set(model, name):
        return None if _is_null(value) else value
    if isinstance(value, (list, dict, BaseModel)) and not is_written(value):
        return None
    return value


def models_equal(a: BaseModel, b: BaseModel) -> bool:
    """pydantic's ``==`` (same class, extras and private values, equal fields), with untouched
    empty values seen as ``None``."""
    if type(a) is not type(b):
        return False
    if (a.__pydantic_extra__ or {}) != (b.__pydantic_extra__ or {}):
        return False
    if getattr(a, "__pydantic_private__", None) != getattr(b, "__pydantic_private__", None):
        return False
    da, db = a.__dict__, b.__dict__
    for name in type(a).__pydantic_fields__:
        x, y = da.get(name), db.get(name)
        if x is y:
            continue
        if effective(a, name, x) != effective(b, name, y):
            return False
    return True


# ---------------------------------------------------------------- serializing through pydantic


def written_view(model: M) -> M:
    """A view of ``model``'s tree as it is to be written, for pydantic's serializer: new
    instances (sharing the leaf values) whose ``__dict__`` holds every declared field in
    declaration order, whose non-empty values created on read are marked set and whose untouched
    empty values and empty values standing for ``null`` hold ``None``.  ``model`` and everything
    in it are only read."""
    cls = type(model)
    values = model.__dict__
    set_ = sparse.fields_set_copy(model)
    view: dict[str, Any] = {}
    for name in cls.__pydantic_fields__:
        value = values.get(name)
        if value is None or not isinstance(value, _CONTAINERS):
            view[name] = value
        elif name in set_:
            view[name] = None if _is_null(value) else _view_value(value)
        elif is_written(value):
            view[name] = _view_value(value)
            set_.add(name)
        else:
            view[name] = None
    return sparse.new_instance(cls, view, set_, extra=model.__pydantic_extra__)


def _view_value(value: Any) -> Any:
    """``value`` with every model in it replaced by its :func:`written_view` (the same object
    when nothing in it is a model)."""
    if isinstance(value, BaseModel):
        return written_view(value)
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, _CONTAINERS):
                seen = _view_value(item)
                if seen is not item:
                    return [*value[:i], seen, *map(_view_value, value[i + 1 :])]
        return value
    if isinstance(value, dict):
        for item in value.values():
            if isinstance(item, _CONTAINERS):
                seen = _view_value(item)
                if seen is not item:
                    return {k: _view_value(v) for k, v in value.items()}
        return value
    return value
