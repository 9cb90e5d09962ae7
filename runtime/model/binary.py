"""Binary data (OpenAPI ``format: byte``): ``Base64Bytes``, ``bytes`` in Python, base64 on the wire.

On the wire the value is standard base64 text (no newlines); a ``str`` given in Python is taken
as base64 text, ``bytes`` as the raw value.  :func:`b64decode` is the one check of base64 text
(the compiled codec calls it too).

Usage::

    from kubeset.model import Base64Bytes, KubeModel

    class Secret(KubeModel):
        data: dict[str, Base64Bytes] | None = None

    Secret.model_validate_json(b'{"data":{"k":"AAE="}}').data  # {'k': b'\\x00\\x01'}
"""

import base64
import binascii
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

__all__ = ["Base64Bytes", "Base64BytesType", "b64decode", "b64encode"]


def b64decode(value: str) -> bytes:
    """The bytes of standard base64 text; a pydantic ``base64`` error for anything else."""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise PydanticCustomError(
            "base64", "invalid base64 text (expected standard base64, no newlines)"
        ) from None


def b64encode(value: bytes) -> str:
    """Standard base64 text of ``value`` (no newlines)."""
    return base64.b64encode(value).decode("ascii")


class Base64BytesType:
    """The pydantic marker of ``Base64Bytes``."""

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        from_text = core_schema.no_info_after_validator_function(
            b64decode, core_schema.str_schema(strict=True)
        )
        return core_schema.json_or_python_schema(
            json_schema=from_text,
            python_schema=core_schema.union_schema(
                [core_schema.bytes_schema(strict=True), from_text]
            ),
            serialization=core_schema.plain_serializer_function_ser_schema(
                b64encode, when_used="json"
            ),
        )


Base64Bytes = Annotated[bytes, Base64BytesType]
"""Binary data (``format: byte``): ``bytes`` in Python, standard base64 text on the wire."""
