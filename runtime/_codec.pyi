"""Type stub of kubeset._codec, the compiled codec (runtime/_codec/src/lib.rs)."""

from collections.abc import Sequence
from typing import Any, ClassVar, final

def head(data: bytes) -> tuple[Any, Any]: ...
def array_spans(data: bytes, key: str) -> tuple[int, int, list[int]] | None: ...

class Fallback(Exception):
    """The input is not in canonical form: decode it with pydantic."""

@final
class Kind:
    """The kind of a field's value in a plan (the one definition of the field kinds)."""

    STR: ClassVar[Kind]
    INT: ClassVar[Kind]
    BOOL: ClassVar[Kind]
    NUMBER: ClassVar[Kind]
    ANY: ClassVar[Kind]
    TIME: ClassVar[Kind]
    BYTES: ClassVar[Kind]
    INT_OR_STR: ClassVar[Kind]
    QUANTITY: ClassVar[Kind]
    MODEL: ClassVar[Kind]
    LIST: ClassVar[Kind]
    DICT: ClassVar[Kind]
    FLOAT: ClassVar[Kind]
    MICRO_TIME: ClassVar[Kind]

class Decoder:
    def __init__(
        self, plans: list[Any], root: int, utc: Any, b64decode: Any, base: type
    ) -> None: ...
    def decode(self, data: bytes) -> Any: ...
    def decode_elements(self, data: bytes, key: str, bounds: Sequence[int]) -> list[Any]: ...

class Encoder:
    def __init__(self, plans: list[Any], root: int, utc: Any, base: type) -> None: ...
    def encode(self, obj: Any) -> bytes: ...

class LazyField:
    """A Go-shaped field's data descriptor (kubeset.model.lazy)."""

    def __init__(
        self,
        name: str,
        missing: Any,
        set: Any,
        delete: Any,
    ) -> None: ...
    @property
    def name(self) -> str: ...
    def __get__(self, obj: Any, owner: Any = None) -> Any: ...
    def __set__(self, obj: Any, value: Any) -> None: ...
    def __delete__(self, obj: Any) -> None: ...

class AbsentField:
    """A declared field's class attribute (kubeset.model.sparse)."""

    def __init__(self, name: str) -> None: ...
    @property
    def name(self) -> str: ...
    def __get__(self, obj: Any, owner: Any = None) -> Any: ...
