"""The base of every generated model: ``KubeModel`` and the field declaration ``alias``.

``KubeModel`` (a pydantic v2 ``BaseModel``):

- attributes are snake_case; the JSON name is the validation and serialization alias, and
  both names are accepted on construction and decoding;
- every field is optional; unknown JSON fields are kept (``extra="allow"``) and written back;
- ``Model(**kwargs)`` with a name that is neither an attribute nor a JSON name raises
  ``TypeError``, also inside plain dicts given for nested models (the error names the path,
  e.g. ``spec.containers[1]``); checked in ``__init__`` only, so decoding with
  ``model_validate_json`` stays on pydantic's fast path;
- top-level kinds (one ``x-kubernetes-group-version-kind``) fill in ``apiVersion`` and ``kind``
  on construction; decoded data never gains them;
- instances may be sparse (kubeset.model.sparse: the compiled decoder leaves absent fields out
  of ``__dict__``): a declared field missing from ``__dict__`` reads as ``None`` (or, Go-shaped,
  as an empty value: kubeset.model.lazy), and ``repr``, ``==``, iteration (``dict(model)``),
  copies and serialization go by the declared fields, so a sparse and a full instance of the
  same data cannot be told apart;
- ``repr`` shows the fields that hold a value (``Pod(api_version='v1', kind='Pod')``), not the
  hundreds of ``None`` of an object's absent fields.

Usage (what generated code declares)::

    from kubeset.model import KubeModel, alias

    class ObjectMeta(KubeModel):
        name: str | None = None
        generate_name: str | None = alias("generateName")
"""

from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from types import UnionType
from typing import TYPE_CHECKING, Any, ClassVar, Self, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from . import lazy, sparse

__all__ = ["KubeModel", "alias"]


def alias(json_name: str, *, secret: bool = False) -> Any:
    """The field declaration of generated code: ``pod_ips: list[PodIP] | None = alias("podIPs")``.

    The JSON name becomes the validation and serialization alias (type checkers keep the
    attribute name as the constructor keyword); the default is ``None``.  ``secret=True`` (a
    token or private key, ``x-kubeset-secret`` in the schema) keeps the value out of ``repr()``.
    """
    return Field(None, validation_alias=json_name, serialization_alias=json_name, repr=not secret)


# set while a kubeset model's tree is prepared for pydantic's serializer (the outermost call)
_SERIALIZING: ContextVar[bool] = ContextVar("kubeset_serializing", default=False)

_NAMES_CACHE: dict[type, dict[str, str]] = {}  # class -> {attribute or JSON name: attribute name}
# class -> {attribute name: (shape, model)} for fields holding models: shape "one", "list" or "map"
_NESTED_CACHE: dict[type, dict[str, tuple[str, type["KubeModel"]]]] = {}


def _names(cls: type["KubeModel"]) -> dict[str, str]:
    names = _NAMES_CACHE.get(cls)
    if names is None:
        found: dict[str, str] = {}
        for name, info in cls.model_fields.items():
            found[name] = name
            if isinstance(info.validation_alias, str):
                found[info.validation_alias] = name
            if info.alias:
                found[info.alias] = name
        names = _NAMES_CACHE[cls] = found
    return names


def _model_shape(annotation: Any) -> tuple[str, type["KubeModel"]] | None:
    """("one" | "list" | "map", model) when a field's type holds KubeModels, else None."""
    args = [a for a in get_args(annotation) if a is not type(None)]
    origin = get_origin(annotation)
    if origin in (Union, UnionType) and len(args) == 1:
        return _model_shape(args[0])
    if isinstance(annotation, type) and issubclass(annotation, KubeModel):
        return "one", annotation
    item = args[-1] if args else None
    if isinstance(item, type) and issubclass(item, KubeModel):
        if origin is list:
            return "list", item
        if origin is dict:
            return "map", item
    return None


def _nested(cls: type["KubeModel"]) -> dict[str, tuple[str, type["KubeModel"]]]:
    nested = _NESTED_CACHE.get(cls)
    if nested is None:
        nested = {}
        for name, info in cls.model_fields.items():
            shape = _model_shape(info.annotation)
            if shape is not None:
                nested[name] = shape
        _NESTED_CACHE[cls] = nested
    return nested


def _check_names(cls: type["KubeModel"], data: Mapping[str, Any], where: str) -> None:
    """Raise TypeError for a name that is no field of ``cls``, in ``data`` and in the plain
    dicts nested in it (constructed models were checked when they were built)."""
    names = _names(cls)
    unknown = [k for k in data if k not in names]
    if unknown:
        at = f" in {where}" if where else ""
        raise TypeError(
            f"{cls.__name__}() got unknown field name(s){at}: {', '.join(sorted(map(str, unknown)))}"
            " (use the attribute name or the JSON name of a declared field)"
        )
    if len({names[k] for k in data}) != len(data):
        twice = sorted(k for k in data if any(o != k and names[o] == names[k] for o in data))
        at = f" in {where}" if where else ""
        raise TypeError(f"{cls.__name__}() got one field under two names{at}: {', '.join(twice)}")
    nested = _nested(cls)
    if not nested:
        return
    for key, value in data.items():
        field = names[key]
        shape = nested.get(field)
        if shape is None or value is None:
            continue
        kind, model = shape
        path = f"{where}.{key}" if where else key
        if kind == "one":
            if isinstance(value, Mapping):
                _check_names(model, value, path)
        elif kind == "list" and isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                if isinstance(item, Mapping):
                    _check_names(model, item, f"{path}[{i}]")
        elif kind == "map" and isinstance(value, Mapping):
            for k, item in value.items():
                if isinstance(item, Mapping):
                    _check_names(model, item, f"{path}[{k!r}]")


def _kubeset_serialize(self: BaseModel, handler: SerializerFunctionWrapHandler) -> Any:
    """KubeModel's own pydantic serializer: every pydantic serialization of a kubeset model
    writes what kubeset writes (values created on read only once they are not empty, every
    declared field in declaration order: kubeset.model.lazy and .sparse): ``model_dump``,
    ``model_dump_json``, and a kubeset model inside your own pydantic models, ``TypeAdapter`` or
    FastAPI alike.  The outermost kubeset model hands pydantic a view of its whole tree made for
    the call (:func:`kubeset.model.lazy.written_view`): the objects themselves are only read, so
    any number of threads may serialize the same objects at once."""
    if _SERIALIZING.get():
        return handler(self)
    token = _SERIALIZING.set(True)
    try:
        return handler(lazy.written_view(self))
    finally:
        _SERIALIZING.reset(token)


# no return annotation for pydantic: the JSON schema of a model in serialization mode (FastAPI's
# response schemas) stays the model's own instead of "any value"
del _kubeset_serialize.__annotations__["return"]


class KubeModel(BaseModel):
    """Base of every generated Kubernetes model."""

    model_config = ConfigDict(
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        protected_namespaces=(),
        defer_build=True,
        arbitrary_types_allowed=True,
        hide_input_in_errors=True,  # a ValidationError must not echo Secret data (or any value)
    )

    #: set by generated code on kinds with exactly one group/version/kind
    __kubeset_api_version__: ClassVar[str | None] = None
    __kubeset_kind__: ClassVar[str | None] = None

    def __init__(self, /, **data: Any) -> None:
        cls = type(self)
        _check_names(cls, data, "")
        api_version = cls.__kubeset_api_version__
        if api_version is not None:
            if "api_version" not in data and "apiVersion" not in data:
                data["api_version"] = api_version
            if "kind" not in data:
                data["kind"] = cls.__kubeset_kind__
        super().__init__(**data)

    # Tell pydantic this __init__ needs no call during validation: decoding (nested models,
    # list items) stays in pydantic-core and never gains apiVersion/kind.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    # -- Go-shaped fields (kubeset.model.lazy): lists, maps and required objects read as empty
    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        lazy.install(cls)
        sparse.install(cls)  # the other fields: None when absent from a sparse __dict__

    # -- sparse instances (kubeset.model.sparse): absent fields may be missing from __dict__
    __pydantic_fields_set__ = sparse.FieldsSet()  # pyright: ignore[reportAssignmentType]

    if not TYPE_CHECKING:  # type checkers see pydantic's own

        def __setattr__(self, name: str, value: Any) -> None:
            if name not in type(self).__pydantic_fields__:
                # an extra: pydantic writes it into the extras dict, which a sparse instance
                # makes on demand; whether pydantic marks it set depends on its release: make
                # the set first, so that a sparse instance does as a full one does
                sparse.extras(self)
                sparse.make_fields_set(self)
            super().__setattr__(name, value)

        def __delattr__(self, name: str) -> None:
            if name in type(self).__pydantic_fields__:
                sparse.make_absent(self, name)  # absent again, whatever the layout
            else:
                super().__delattr__(name)

    def __copy__(self) -> Self:
        """pydantic's shallow copy; a sparse instance stays sparse, and so does its copy."""
        return sparse.copy_model(self, deep=False)

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        """pydantic's deep copy (``model_copy(deep=True)``, ``copy.deepcopy``); a sparse
        instance stays sparse, and so does its copy."""
        return sparse.copy_model(self, deep=True, memo=memo)

    def __getstate__(self) -> dict[Any, Any]:
        """pydantic's pickle state; a sparse instance stays sparse, and so does the unpickled."""
        return sparse.model_state(self)

    @property
    def model_extra(self) -> dict[str, Any] | None:
        """pydantic's: the unknown fields kept, a dict (empty when there are none)."""
        sparse.make_fields_set(self)  # what is added to the dict handed out here is not set
        return sparse.extras(self)

    def __iter__(self) -> Iterator[tuple[str, Any]]:  # type: ignore[override]
        """``dict(model)``: every declared field (absent ones as None), then the extras."""
        values = self.__dict__
        for name in type(self).__pydantic_fields__:
            yield name, values.get(name)
        extra = self.__pydantic_extra__
        if extra:
            yield from extra.items()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BaseModel):
            return NotImplemented
        return lazy.models_equal(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """The fields that hold a value, in declaration order (untouched empty values created on
        read are not values), then the extras."""
        values = self.__dict__
        for name, info in type(self).__pydantic_fields__.items():
            value = lazy.effective(self, name, values.get(name))
            if value is not None and info.repr:
                yield name, value
        extra = self.__pydantic_extra__
        if extra:
            yield from extra.items()

    # every pydantic serialization of a kubeset model goes through kubeset's writing rule
    __kubeset_serialize__ = model_serializer(mode="wrap")(_kubeset_serialize)
