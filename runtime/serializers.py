"""Encoding models to exactly what the API server expects."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


def to_dict(obj: BaseModel) -> dict[str, Any]:
    """The JSON-ready dict of a model: JSON names, only the fields that were set."""
    return obj.model_dump(mode="json", by_alias=True, exclude_unset=True)


def to_json(obj: BaseModel) -> bytes:
    """The JSON bytes of a model, as the API server expects them."""
    return obj.model_dump_json(by_alias=True, exclude_unset=True).encode()
