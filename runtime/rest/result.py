"""Result: the answer of a request, decoded on demand.

    result = rest.get().abs_path("version").do()
    result.status_code, result.json()             # plain JSON
    pod = result.into(Pod)                         # a model, through kubeset's codec

Decoding errors are :class:`~kubeset.errors.DecodeError` naming the request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..codec import decode_large
from ..errors import DecodeError

__all__ = ["Result", "decode_into"]

M = TypeVar("M", bound=BaseModel)


def decode_into(model: type[M], content: bytes | str, *, what: str = "") -> M:
    """``model.model_validate_json`` with a clear error.  Large bodies go through
    :func:`kubeset.codec.decode_large`: garbage collector paused, and the new objects
    promoted to the oldest generation afterwards, so the first collection after the decode
    does not walk the millions of objects the caller now holds."""
    try:
        return decode_large(model, content)
    except ValidationError as e:
        where = f" of {what}" if what else ""
        raise DecodeError.from_validation(
            f"the answer{where} does not decode into {model.__name__}", e
        ) from None


class Result:
    """The answer of :meth:`Request.do`: status code, headers and body, decoded on demand."""

    __slots__ = ("_what", "content", "headers", "status_code")

    def __init__(
        self, status_code: int, headers: Mapping[str, str], content: bytes, what: str = ""
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self._what = what

    @property
    def raw(self) -> bytes:
        """The body bytes (already gunzipped)."""
        return self.content

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as plain JSON data."""
        if not self.content:
            return None
        try:
            return json.loads(self.content)
        except ValueError:
            raise DecodeError(f"the answer of {self._what} is not JSON") from None
        except RecursionError:
            raise DecodeError(f"the answer of {self._what} is JSON nested too deep") from None

    def into(self, model: type[M]) -> M:
        """Decode the body into ``model`` (GC paused for large bodies)."""
        return decode_into(model, self.content, what=self._what)

    def is_status(self) -> bool:
        """True when the body is a ``Status`` object (e.g. the answer of a delete)."""
        head = self.content[:256]
        return b'"kind":"Status"' in head.replace(b" ", b"")

    def __repr__(self) -> str:
        return f"<Result {self.status_code} {len(self.content)} bytes>"
