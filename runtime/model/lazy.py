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

:func:`serializing` (which ``KubeModel``'s own serializer applies to every pydantic
serialization of a kubeset model: ``model_dump``, ``model_dump_json``, a kubeset model inside
another pydantic model) makes a model tree say what it means for the length of a pydantic
serializer call (every declared field in ``__dict__``, in declaration order, as in pydantic's
own layout): not thread-safe against another thread mutating or serializing the same objects.
Two threads reading the same absent field for the first time at once may each get a new empty
value (the last one stays), as with any unlocked lazy attribute.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, get_args, get_origin

from pydantic import BaseModel, GetCoreSchemaHandler
from pydantic_core import core_schema

from . import sparse
from .native import compiled_or

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
    "serializing",
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
        return len(model.__dict__) > 0  # every value there is set
    fields = type(model).__pydantic_fields__
    set_ = model.__pydantic_fields_set__
    if any(name in fields for name in set_):
        return True
    return any(name not in set_ and is_written(value) for name, value in model.__dict__.items())


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
    if value is None:
        return None
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


def _prepare_value(value: Any, undo: _Restore) -> None:
    if isinstance(value, BaseModel):
        _prepare_model(value, undo)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (BaseModel, list, dict)):
                _prepare_value(item, undo)
    elif isinstance(value, dict):
        for item in value.values():
            if isinstance(item, (BaseModel, list, dict)):
                _prepare_value(item, undo)


def _prepare_model(model: BaseModel, undo: _Restore) -> None:
    if sparse.uses_dict_keys(model):
        undo.unmake(model)
    set_ = model.__pydantic_fields_set__
    values = vars(model)
    fields = type(model).__pydantic_fields__
    if list(values) != list(fields):  # sparse, or a field assigned after being removed
        values = undo.fill(model, fields)
    for name, value in list(values.items()):
        if value is None:
            continue
        if name in set_:
            if _is_null(value):
                undo.swap(values, name)
            else:
                _prepare_value(value, undo)
        elif isinstance(value, (list, dict, BaseModel)):
            if is_written(value):
                _prepare_value(value, undo)
                undo.mark(set_, name)
            else:
                undo.swap(values, name)


class _Restore:
    """The temporary changes of :func:`serializing`: names marked set, values swapped for None,
    the dicts of sparse instances filled in declaration order, fields sets made from them."""

    __slots__ = ("_filled", "_made", "_marked", "_swapped")

    def __init__(self) -> None:
        self._marked: list[tuple[set[str], str]] = []
        self._swapped: list[tuple[dict[str, Any], str, Any]] = []
        self._filled: list[tuple[BaseModel, dict[str, Any]]] = []
        self._made: list[BaseModel] = []

    def unmake(self, model: BaseModel) -> None:
        """``model``'s fields set, made from ``__dict__`` now, goes back to being its keys."""
        self._made.append(model)

    def fill(self, model: BaseModel, fields: dict[str, Any]) -> dict[str, Any]:
        """Give ``model`` a ``__dict__`` with every declared field in declaration order."""
        values = vars(model)
        full = {name: values.get(name) for name in fields}
        self._filled.append((model, values))
        object.__setattr__(model, "__dict__", full)
        return full

    def mark(self, fields_set: set[str], name: str) -> None:
        fields_set.add(name)
        self._marked.append((fields_set, name))

    def swap(self, values: dict[str, Any], name: str) -> None:
        self._swapped.append((values, name, values[name]))
        values[name] = None

    def restore(self) -> None:
        for values, name, value in reversed(self._swapped):
            values[name] = value
        for fields_set, name in reversed(self._marked):
            fields_set.discard(name)
        for model, values in reversed(self._filled):
            object.__setattr__(model, "__dict__", values)
        for model in self._made:
            sparse.use_dict_keys(model)


@contextmanager
def serializing(model: BaseModel) -> Iterator[None]:
    """For the block, ``model``'s tree reads to pydantic's serializer as it is to be written:
    non-empty values created on read are marked set, untouched empty values and empty values
    standing for ``null`` hold ``None``.  Everything is restored afterwards."""
    undo = _Restore()
    try:
        _prepare_model(model, undo)
        yield
    finally:
        undo.restore()
