"""``FieldsV1``: managedFields' field sets kept as the JSON bytes the server sent, parsed on read.

A Pod's ``metadata.managedFields[].fieldsV1`` are about half of its memory when decoded into
nested dicts; client-go keeps them as raw bytes.  kubeset keeps the bytes too (the compiled
decoder slices them out of the response; pydantic's path encodes what it parsed), writes them
back byte for byte, and parses them only when they are read::

    entry = pod.metadata.managed_fields[0]
    entry.fields_v1["f:metadata"]        # a read-only Mapping: parsed now, and kept parsed
    entry.fields_v1.raw                  # b'{"f:metadata":{...}}', as the server sent it
    entry.fields_v1 == {"f:spec": {}}    # compares with plain dicts
    FieldsV1({"f:spec": {}})             # build one from a mapping (or JSON bytes / text)

``model_dump`` gives the parsed structure (a fresh dict each time, so serializing never keeps
it); ``to_json`` writes the raw bytes.  Once read through the Mapping, the parsed value is what
is written (nested dicts may have been changed) and the bytes are dropped.  Reading from many
threads is safe: the parsed value is stored before the bytes are dropped, and readers look at
the bytes first.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any, Self

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema, from_json, to_json

__all__ = ["FieldsV1"]


class FieldsV1(Mapping[str, Any]):
    """A ``metav1.FieldsV1`` (a JSON object): raw bytes until read, then a parsed Mapping."""

    __slots__ = ("_parsed", "_raw")  # the compiled decoder fills these two (kubeset._codec)

    _raw: bytes | None
    _parsed: dict[str, Any] | None

    def __init__(self, value: Mapping[str, Any] | bytes | bytearray | str | None = None) -> None:
        if value is None:
            value = {}
        if isinstance(value, (bytes, bytearray, str)):
            raw = value.encode() if isinstance(value, str) else bytes(value)
            try:
                parsed = from_json(raw)
            except ValueError as e:
                raise ValueError(f"FieldsV1: not JSON ({e})") from None
            _check_object(parsed)
            self._raw, self._parsed = raw, None
        elif isinstance(value, Mapping):
            self._raw, self._parsed = to_json(dict(value)), None
        else:
            raise TypeError(
                f"FieldsV1: expected a mapping or JSON bytes, not {type(value).__name__}"
            )

    @classmethod
    def from_raw(cls, raw: bytes) -> Self:
        """An instance holding ``raw``, JSON known to be an object (as the decoder makes one)."""
        new = cls.__new__(cls)
        new._raw, new._parsed = raw, None
        return new

    # -- the value ------------------------------------------------------------------------
    def _current(self) -> Any:
        """The parsed value, without keeping it (bytes first: see the module docstring)."""
        raw = self._raw
        if raw is not None:
            return from_json(raw)
        return self._parsed

    def _value(self) -> dict[str, Any]:
        """The parsed value, kept from now on (and the bytes dropped)."""
        parsed = self._parsed
        if parsed is None:
            raw = self._raw
            if raw is None:  # another thread kept it meanwhile
                parsed = self._parsed
                assert parsed is not None
                return parsed
            parsed = from_json(raw)
            self._parsed = parsed
            self._raw = None
        return parsed

    @property
    def raw(self) -> bytes:
        """The JSON bytes (as sent when nothing was read through the Mapping)."""
        raw = self._raw
        return raw if raw is not None else to_json(self._parsed)

    def __getitem__(self, key: str) -> Any:
        return self._value()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._value())

    def __len__(self) -> int:
        return len(self._value())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FieldsV1):
            if self._raw is not None and self._raw == other._raw:
                return True
            return bool(self._current() == other._current())
        if isinstance(other, Mapping):
            return bool(self._current() == dict(other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"FieldsV1({self._current()!r})"

    # -- copies and pickles: bytes are immutable, so a copy shares them ---------------------
    def __copy__(self) -> Self:
        raw = self._raw
        return self.from_raw(raw) if raw is not None else self.from_raw(to_json(self._parsed))

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        raw = self._raw
        if raw is not None:
            return self.from_raw(raw)
        new = type(self).__new__(type(self))
        new._raw, new._parsed = None, copy.deepcopy(self._parsed, memo)
        return new

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self).from_raw, (self.raw,))

    # -- pydantic ---------------------------------------------------------------------------
    @classmethod
    def _validate(cls, value: Any) -> FieldsV1:
        if isinstance(value, FieldsV1):
            return value
        if isinstance(value, Mapping):
            return cls.from_raw(to_json(dict(value)))
        if isinstance(value, (bytes, bytearray, str)):
            return cls(value)
        raise ValueError(f"fieldsV1 must be a JSON object, not {type(value).__name__}")

    @staticmethod
    def _serialize(value: FieldsV1) -> Any:
        return value._current() if isinstance(value, FieldsV1) else value

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                cls._serialize, when_used="always"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "object"}


def _check_object(value: Any) -> None:
    if not isinstance(value, dict):
        # the JSON text is wrong, not the argument's type (and pydantic reports ValueErrors)
        raise ValueError(f"FieldsV1: expected a JSON object, not {type(value).__name__}")  # noqa: TRY004
