"""Where the elements of a JSON object's array member lie: ``array_spans(data, "items")``.

A byte scanner, not a parser (kubeset.codec.chunked uses it to decode a big list in batches):
it follows the top-level object's members and, inside a value, only string state (a backslash
escapes the next byte) and nesting depth, building nothing.  It answers ``None`` for whatever it
does not recognise (not one object, the key missing, twice or spelled with an escape, a value
that is not an array, unbalanced nesting, bytes after the object): the caller then decodes the
whole body at once and the real parser words the error.  Every span it gives is read again by
that parser, so the scanner never decides what is valid.

The compiled codec scans (``kubeset._codec.array_spans``, with the GIL released); without it
:func:`py_array_spans` gives the same answers, more slowly (regular expressions jump from one
bracket or quote to the next).

Usage::

    from kubeset.codec.spans import array_spans

    spans = array_spans(b'{"kind":"PodList","items":[{"a":1},{"b":"]"}]}', "items")
    assert spans is not None and len(spans) == 2
    spans.element(0)  # (27, 34): data[27:34] == b'{"a":1}'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .native import load_codec

__all__ = ["ArraySpans", "array_spans", "py_array_spans"]


@dataclass(frozen=True)
class ArraySpans:
    """The array member found: ``data[start:end]`` is the array, brackets included, and element
    ``i`` is ``data[bounds[2 * i]:bounds[2 * i + 1]]``."""

    start: int
    end: int
    bounds: Sequence[int]

    def __len__(self) -> int:
        return len(self.bounds) // 2

    def element(self, i: int) -> tuple[int, int]:
        """The ``(start, end)`` of element ``i``."""
        return self.bounds[2 * i], self.bounds[2 * i + 1]


def array_spans(data: bytes, key: str) -> ArraySpans | None:
    """The spans of the array ``key`` of the JSON object ``data``; None when the scanner does
    not find exactly one such array in one well-formed object (see the module docs)."""
    codec = load_codec()
    if not codec:
        return py_array_spans(data, key)
    found = codec.array_spans(data, key)
    return None if found is None else ArraySpans(*found)


# --- the pure-Python scanner (the same answers as the compiled one)

_WS = re.compile(rb"[ \t\n\r]*+")
_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.DOTALL)
_SCALAR = re.compile(rb"[^,\]} \t\n\r]++")
# everything up to the next bracket, strings (with their brackets) included
_FLAT = re.compile(rb'(?:[^"\[\]{}]++|"[^"\\]*+(?:\\.[^"\\]*+)*+")*+', re.DOTALL)


class _Malformed(Exception):
    """Not what the scanner recognises: the answer is None."""


def py_array_spans(data: bytes, key: str) -> ArraySpans | None:
    """:func:`array_spans` in Python, for installs without the compiled codec."""
    try:
        return _object_member_array(data, key.encode())
    except (_Malformed, IndexError):
        return None


def _ws(data: bytes, pos: int) -> int:
    return _WS.match(data, pos).end()  # type: ignore[union-attr]  # matches the empty string


def _string(data: bytes, pos: int) -> int:
    m = _STRING.match(data, pos)
    if m is None:
        raise _Malformed
    return m.end()


def _value(data: bytes, pos: int) -> int:
    c = data[pos]
    if c == 0x22:  # "
        return _string(data, pos)
    if c in b"[{":
        depth, n = 0, len(data)
        while True:
            if pos >= n:
                raise _Malformed
            c = data[pos]
            if c == 0x22:  # an unterminated string: _FLAT stopped at its quote
                raise _Malformed
            depth += 1 if c in b"[{" else -1
            pos += 1
            if depth == 0:
                return pos
            pos = _FLAT.match(data, pos).end()  # type: ignore[union-attr]  # matches ""
    m = _SCALAR.match(data, pos)
    if m is None:
        raise _Malformed
    return m.end()


def _elements(data: bytes, pos: int) -> tuple[list[int], int]:
    bounds: list[int] = []
    pos = _ws(data, pos + 1)
    if data[pos] == 0x5D:  # ]
        return bounds, pos + 1
    while True:
        pos = _ws(data, pos)
        bounds.append(pos)
        pos = _value(data, pos)
        bounds.append(pos)
        pos = _ws(data, pos)
        c = data[pos]
        pos += 1
        if c == 0x5D:
            return bounds, pos
        if c != 0x2C:  # ,
            raise _Malformed


def _object_member_array(data: bytes, key: bytes) -> ArraySpans | None:
    pos = _ws(data, 0)
    if data[pos] != 0x7B:  # {
        return None
    pos = _ws(data, pos + 1)
    if data[pos] == 0x7D:  # } : no members
        return None
    found: ArraySpans | None = None
    while True:
        pos = _ws(data, pos)
        if data[pos] != 0x22:
            return None
        end = _string(data, pos)
        name = data[pos + 1 : end - 1]
        if b"\\" in name:
            return None  # an escaped key might spell `key`: leave it to the parser
        pos = _ws(data, end)
        if data[pos] != 0x3A:  # :
            return None
        pos = _ws(data, pos + 1)
        if name == key:
            if found is not None or data[pos] != 0x5B:  # [
                return None
            bounds, end = _elements(data, pos)
            found, pos = ArraySpans(pos, end, bounds), end
        else:
            pos = _value(data, pos)
        pos = _ws(data, pos)
        c = data[pos]
        pos += 1
        if c == 0x7D:
            break
        if c != 0x2C:
            return None
    return found if _ws(data, pos) == len(data) else None
