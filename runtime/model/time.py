"""Kubernetes timestamps: ``Time`` (``metav1.Time``) and ``MicroTime`` (``metav1.MicroTime``).

Both are ``datetime`` in Python.  ``Time`` is written back as pydantic writes a datetime (``...Z``
for UTC, second precision when there are no microseconds); ``MicroTime`` always with exactly six
fraction digits (``.000000Z``), as the API server writes it.

Usage::

    from kubeset.model import KubeModel, MicroTime, Time

    class Event(KubeModel):
        first_timestamp: Time | None = None
        event_time: MicroTime | None = None
"""

import datetime as _dt
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

__all__ = ["MicroTime", "MicroTimeType", "Time"]

Time = _dt.datetime
"""An RFC 3339 timestamp (``metav1.Time``); UTC is written back as ``Z``."""


def _micro_time_ser(value: _dt.datetime) -> str:
    if value.tzinfo is not None and value.utcoffset() == _dt.timedelta(0):
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if value.tzinfo is None:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return value.isoformat(timespec="microseconds")


class MicroTimeType:
    """The pydantic marker of ``MicroTime``: written with six fraction digits in JSON."""

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.datetime_schema(
            serialization=core_schema.plain_serializer_function_ser_schema(
                _micro_time_ser, when_used="json"
            ),
        )


MicroTime = Annotated[_dt.datetime, MicroTimeType]
"""An RFC 3339 timestamp with microseconds (``metav1.MicroTime``): always six fraction digits."""
