"""Kubernetes resource quantities: the ``Quantity`` field type and exact parsing and comparing.

``Quantity`` is ``str`` in Python; ints and floats are accepted and turned into their decimal
string (``2`` -> ``"2"``, ``0.5`` -> ``"0.5"``), which is how the API server answers.

Usage::

    from kubeset.model import compare_quantities, parse_quantity

    parse_quantity("500m")                 # == Decimal("0.5")
    parse_quantity("1Gi")                  # Decimal("1073741824")
    compare_quantities("1Gi", "1024Mi")    # 0
"""

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

__all__ = ["Quantity", "QuantityType", "compare_quantities", "parse_quantity"]


class QuantityType:
    """The pydantic marker of ``Quantity`` (``Annotated[str, QuantityType]``): numbers become text."""

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.str_schema(coerce_numbers_to_str=True)


Quantity = Annotated[str, QuantityType]
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
