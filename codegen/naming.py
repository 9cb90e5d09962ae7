"""Python attribute names for JSON field names.

``python_name(json_name)``: snake_case with acronyms kept whole (``podIPs`` -> ``pod_ips``,
``targetWWNs`` -> ``target_wwns``, ``openAPIV3Schema`` -> ``open_api_v3_schema``,
``hostIPC`` -> ``host_ipc``, ``x-kubernetes-list-type`` -> ``x_kubernetes_list_type``).
A trailing underscore is added for Python keywords (``for_``, ``from_``, ``continue_``),
for names that clash with attributes of pydantic's ``BaseModel`` (``schema_``, ``json_``,
``copy_``, ``validate_``, ...), for builtins the generated annotations use (``list_``, ``str_``,
...) and for JSON names starting with ``$`` (``$ref`` -> ``ref_``, ``$schema`` -> ``schema_``).
"""

from __future__ import annotations

import keyword
import re

_LOWER_UPPER = re.compile(r"([a-z0-9])([A-Z])")
_ACRONYM_VERSION = re.compile(r"([A-Z]{2,})(V[0-9])")
# an acronym run followed by a capitalized word ("TLSVerify"), but not an acronym plural ("IPs")
_ACRONYM_WORD = re.compile(r"([A-Z]+)([A-Z](?!s(?:[A-Z0-9_]|$))[a-z])")
_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")


def _reserved() -> frozenset[str]:
    from pydantic import BaseModel

    return frozenset(name for name in dir(BaseModel) if not name.startswith("_"))


#: names generated modules use in annotations or import: a field of that name earlier in a class
#: body would shadow them for the later annotations (they are evaluated at class creation)
SHADOWING = frozenset({"alias", "str", "int", "bool", "float", "list", "dict", "bytes"})
RESERVED = _reserved() | SHADOWING


def snake_case(json_name: str) -> str:
    s = _LOWER_UPPER.sub(r"\1_\2", json_name)
    s = _ACRONYM_VERSION.sub(r"\1_\2", s)
    s = _ACRONYM_WORD.sub(r"\1_\2", s)
    return "_".join(p.lower() for p in _SEPARATORS.split(s) if p)


def python_name(json_name: str) -> str:
    name = snake_case(json_name) or "field"
    if name[0].isdigit():
        name = "f_" + name
    if (
        keyword.iskeyword(name)
        or keyword.issoftkeyword(name)
        and name == "_"
        or name in RESERVED
        or json_name.startswith("$")
    ):
        name += "_"
    return name
