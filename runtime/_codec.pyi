"""Type stub of kubeset._codec, the compiled decoder (runtime/_codec/src/lib.rs)."""

from typing import Any

class Fallback(Exception):
    """The input is not in canonical form: decode it with pydantic."""

class Decoder:
    def __init__(self, plans: list[Any], root: int, utc: Any, b64decode: Any) -> None: ...
    def decode(self, data: bytes) -> Any: ...

class Encoder:
    def __init__(self, plans: list[Any], root: int, utc: Any, base: type) -> None: ...
    def encode(self, obj: Any) -> bytes: ...
