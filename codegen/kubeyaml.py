"""Reading YAML manifests the way kubectl does (sigs.k8s.io/yaml over go-yaml v2), not as PyYAML's YAML 1.1.

    docs = load_all(data)   # list of documents; plain scalars resolved like go-yaml v2

go-yaml v2's ``resolve`` decides what an unquoted (plain) scalar is; sigs.k8s.io/yaml then turns
the result into JSON.  The differences from PyYAML's ``SafeLoader`` that real manifests hit:

- a bare ``=`` is the string ``"="`` (PyYAML: the YAML 1.1 "value" tag, an error);
- booleans: ``y Y yes Yes YES true True TRUE on On ON`` and ``n N no No NO false False FALSE
  off Off OFF``; nulls: empty, ``~``, ``null``, ``Null``, ``NULL``;
- integers as Go's ``strconv.ParseInt(s, 0, 64)`` reads them after removing ``_``: ``0755`` and
  ``0o755`` are octal (493), ``0x1F`` hex, ``0b101`` binary; ``08`` is no integer but the float 8;
  ``12:30`` stays a string (PyYAML: the sexagesimal 750);
- timestamps (``2024-01-02``) stay strings (go-yaml v2 keeps them as text in untyped data);
- mapping keys become strings as in JSON: ``1:`` -> ``"1"``, ``on:`` -> ``"true"``.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml  # type: ignore[import-untyped,unused-ignore]

__all__ = ["KubeYAMLLoader", "load_all"]

_PLAIN = "tag:kubeset,2026:plain"
_MERGE = "tag:yaml.org,2002:merge"
_WORDS: dict[str, Any] = {
    **dict.fromkeys(
        ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True
    ),
    **dict.fromkeys(
        ("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False
    ),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
_GO_INT = re.compile(r"^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$")
_YAML_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_DOT_FLOAT = re.compile(r"^\.[0-9]+([eE][-+]?[0-9]+)?$")
_TIMESTAMP = re.compile(
    r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2})?)?$"
)
_INT64 = (-(2**63), 2**63 - 1)


def _go_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64), then ParseUint(text, 0, 64); None when neither accepts it."""
    m = _GO_INT.match(text)
    if not m:
        return None
    sign, digits = m.groups()
    lower = digits.lower()
    if lower.startswith(("0x", "0o", "0b")):
        value = int(digits[2:], {"x": 16, "o": 8, "b": 2}[lower[1]])
    elif len(digits) > 1 and digits[0] == "0":
        value = int(digits[1:], 8)
    else:
        value = int(digits)
    if sign == "-":
        value = -value
    if _INT64[0] <= value <= _INT64[1] or (not sign and 0 <= value < 2**64):
        return value
    return None


def resolve_plain(text: str) -> Any:
    """The value of an unquoted scalar, as go-yaml v2 resolves it for untyped data."""
    if text in _WORDS:
        return _WORDS[text]
    first = text[0]
    if first == ".":
        return float(text) if _DOT_FLOAT.match(text) else text
    if first in "+-0123456789":
        if _TIMESTAMP.match(text):
            return text
        plain = text.replace("_", "")
        value = _go_int(plain)
        if value is not None:
            return value
        if _YAML_FLOAT.match(plain):
            return float(plain)
    return text


def _key(value: Any) -> Any:
    """sigs.k8s.io/yaml turns non-string mapping keys into their text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return format(value, "g")
    return value


class KubeYAMLLoader(yaml.SafeLoader):  # type: ignore[misc]
    """A SafeLoader whose plain scalars resolve like go-yaml v2 and whose mapping keys are text."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            return _MERGE if value == "<<" else _PLAIN
        return str(super().resolve(kind, value, implicit))

    def construct_plain(self, node: Any) -> Any:
        return resolve_plain(str(node.value))

    def construct_kube_mapping(self, node: Any) -> dict[Any, Any]:
        self.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _key(self.construct_object(key_node, deep=True))
            if not isinstance(key, str):
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found a key that is not text, a number or a boolean ({type(key).__name__})",
                    key_node.start_mark,
                )
            out[key] = self.construct_object(value_node, deep=True)
        return out


KubeYAMLLoader.add_constructor(_PLAIN, KubeYAMLLoader.construct_plain)
KubeYAMLLoader.add_constructor("tag:yaml.org,2002:map", KubeYAMLLoader.construct_kube_mapping)


def load_all(data: bytes | str) -> list[Any]:
    """Every non-empty document of a YAML stream, read as kubectl reads it; raises yaml.YAMLError."""
    return [d for d in yaml.load_all(data, Loader=KubeYAMLLoader) if d is not None]
