"""The base of every generated model, and the special Kubernetes types.

``KubeModel`` (a pydantic v2 ``BaseModel``):

- attributes are snake_case; the JSON name is the validation and serialization alias, and
  both names are accepted on construction and decoding;
- every field is optional; unknown JSON fields are kept (``extra="allow"``) and written back;
  Go-shaped fields (``Annotated[T, Nullable]``: lists, maps, required objects) read as empty
  when absent (:mod:`kubeset.lazyfields`);
- ``Model(**kwargs)`` with a name that is neither an attribute nor a JSON name raises
  ``TypeError``, also inside plain dicts given for nested models (the error names the path,
  e.g. ``spec.containers[1]``); checked in ``__init__`` only, so decoding with
  ``model_validate_json`` stays on pydantic's fast path;
- top-level kinds (one ``x-kubernetes-group-version-kind``) fill in ``apiVersion`` and ``kind``
  on construction; decoded data never gains them.

Special types (used as annotations by the generated code):

==================  ===========================================================================
``IntOrString``     ``int | str``, kept exactly as sent (``8080`` stays an int, ``"http"`` a str)
``Quantity``        ``str``; ints and floats are accepted and turned into their decimal string
                    (``2`` -> ``"2"``, ``0.5`` -> ``"0.5"``), which is how the API server answers.
                    :func:`parse_quantity` gives a ``Decimal`` (``"500m"`` -> ``0.5``,
                    ``"1Gi"`` -> ``1073741824``); :func:`compare_quantities` compares two.
``Time``            ``datetime`` (RFC 3339, second precision); written back as ``...Z`` for UTC
``MicroTime``       ``datetime``; written back with exactly six fraction digits (``.000000Z``)
``RawExtension``,   any JSON value, kept as is (``FieldsV1``, ``JSON`` and the apiextensions
``FieldsV1``,       ``JSONSchemaPropsOr*`` types too)
``JSON``
``Base64Bytes``     ``bytes`` in Python, standard base64 on the wire (no newlines); a ``str``
                    given in Python is taken as base64 text, ``bytes`` as the raw value
``Number``          ``int | float`` (a JSON ``1`` stays ``1``, ``1.5`` stays ``1.5``)
==================  ===========================================================================
"""

import base64
import binascii
import datetime as _dt
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from types import UnionType
from typing import Annotated, Any, ClassVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

from . import lazyfields
from .lazyfields import Nullable

__all__ = [
    "JSON",
    "Base64Bytes",
    "FieldsV1",
    "IntOrString",
    "KubeModel",
    "MicroTime",
    "Nullable",
    "Number",
    "Quantity",
    "RawExtension",
    "Time",
    "alias",
    "compare_quantities",
    "parse_quantity",
]


def alias(json_name: str) -> Any:
    """The field declaration of generated code: ``pod_ips: list[PodIP] | None = alias("podIPs")``.

    The JSON name becomes the validation and serialization alias (type checkers keep the
    attribute name as the constructor keyword); the default is ``None``.
    """
    return Field(None, validation_alias=json_name, serialization_alias=json_name)


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

    # -- Go-shaped fields (kubeset.lazyfields): lists, maps and required objects read as empty
    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        lazyfields.install(cls)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BaseModel):
            return NotImplemented
        return lazyfields.models_equal(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        fields = type(self).__pydantic_fields__
        for name, value in super().__repr_args__():
            if name is not None and name in fields:
                value = lazyfields.effective(self, name, value)
            yield name, value

    def model_dump(self, /, **kwargs: Any) -> dict[str, Any]:
        """pydantic's ``model_dump``, writing what kubeset writes (values created on read only
        once they are not empty; see :mod:`kubeset.lazyfields`)."""
        with lazyfields.serializing(self):
            return super().model_dump(**kwargs)

    def model_dump_json(self, /, **kwargs: Any) -> str:
        """pydantic's ``model_dump_json``, with :meth:`model_dump`'s rule."""
        with lazyfields.serializing(self):
            return super().model_dump_json(**kwargs)

    # -- end of Go-shaped fields


# ---------------------------------------------------------------- special types

IntOrString = int | str
"""A port number or name, a count or a percentage: kept as sent."""

Number = int | float
"""A JSON number (``format: double``); ints stay ints."""

JSON = Any
"""Any JSON value, kept as is."""

RawExtension = Any
"""An embedded object of any kind (``runtime.RawExtension``), kept as is."""

FieldsV1 = Any
"""The managed-fields set (``metav1.FieldsV1``), kept as is."""


class _QuantityType:
    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.str_schema(coerce_numbers_to_str=True)


Quantity = Annotated[str, _QuantityType]
"""A Kubernetes resource quantity such as ``"500m"``, ``"1Gi"`` or ``"2"``."""

_SUFFIXES: dict[str, Decimal] = {
    "": Decimal(1),
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
    "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
}
_QUANTITY_RE = re.compile(
    r"^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$"
)


def parse_quantity(value: str | float | Decimal) -> Decimal:
    """The exact value of a quantity: ``"500m"`` -> ``Decimal("0.5")``, ``"1Gi"`` -> ``1073741824``.

    Raises ``ValueError`` for text that is not a Kubernetes quantity.
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    text = str(value).strip()
    m = _QUANTITY_RE.match(text)
    if not m:
        raise ValueError(f"not a Kubernetes quantity: {value!r}")
    number, exponent, suffix = m.groups()
    try:
        result = Decimal(number)
        if exponent:
            result = result.scaleb(int(exponent[1:]))
    except InvalidOperation:  # pragma: no cover - the regex only admits valid numbers
        raise ValueError(f"not a Kubernetes quantity: {value!r}") from None
    return result * _SUFFIXES[suffix or ""]


def compare_quantities(a: str | float | Decimal, b: str | float | Decimal) -> int:
    """-1, 0 or 1 as quantity ``a`` is smaller than, equal to or larger than ``b`` ("1Gi" vs "1024Mi" -> 0)."""
    x, y = parse_quantity(a), parse_quantity(b)
    return (x > y) - (x < y)


def _micro_time_ser(value: _dt.datetime) -> str:
    if value.tzinfo is not None and value.utcoffset() == _dt.timedelta(0):
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if value.tzinfo is None:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return value.isoformat(timespec="microseconds")


Time = _dt.datetime
"""An RFC 3339 timestamp (``metav1.Time``); UTC is written back as ``Z``."""


class _MicroTimeType:
    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.datetime_schema(
            serialization=core_schema.plain_serializer_function_ser_schema(
                _micro_time_ser, when_used="json"
            ),
        )


MicroTime = Annotated[_dt.datetime, _MicroTimeType]
"""An RFC 3339 timestamp with microseconds (``metav1.MicroTime``): always six fraction digits."""


def _b64decode(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise PydanticCustomError(
            "base64", "invalid base64 text (expected standard base64, no newlines)"
        ) from None


def _b64encode(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


class _Base64BytesType:
    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        from_text = core_schema.no_info_after_validator_function(
            _b64decode, core_schema.str_schema(strict=True)
        )
        return core_schema.json_or_python_schema(
            json_schema=from_text,
            python_schema=core_schema.union_schema(
                [core_schema.bytes_schema(strict=True), from_text]
            ),
            serialization=core_schema.plain_serializer_function_ser_schema(
                _b64encode, when_used="json"
            ),
        )


Base64Bytes = Annotated[bytes, _Base64BytesType]
"""Binary data (``format: byte``): ``bytes`` in Python, standard base64 text on the wire."""
