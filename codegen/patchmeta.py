"""Emitting ``patchmeta.py``: each model's patch strategies, merge keys and list types as data.

    files["patchmeta.py"] = render_patchmeta(api, header)

Strategic merge patch and server-side apply need, per field, the spec's
``x-kubernetes-patch-strategy``, ``x-kubernetes-patch-merge-key``, ``x-kubernetes-list-type``
and ``x-kubernetes-list-map-keys``, and the model a nested object or list item has (to descend).
The generated module is one dict, ``FIELDS``: ``"module.Class"`` -> field json name ->
``(strategy, merge_key, list_type, list_map_keys, child)`` where ``child`` is the ``"module.Class"``
of the field's object or list item (or ``""``); ``list_type`` is ``"atomic"`` too for a field
declared ``x-kubernetes-map-type: atomic``. Fields with nothing to say are left out.
``ATOMIC`` names the models whose definition is ``x-kubernetes-map-type: atomic`` (a struct
replaced and owned as a whole, like ``LabelSelector``).
"""

from __future__ import annotations

from typing import Any

from kubeset.codegen.description import ApiDescription

__all__ = ["atomic_models", "patch_fields", "render_patchmeta"]

_REF_PREFIXES = ("#/definitions/", "#/components/schemas/")

FieldMeta = tuple[str, str, str, tuple[str, ...], str]


def _ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    if ref is None:
        for option in schema.get("allOf") or ():
            if isinstance(option, dict) and "$ref" in option:
                ref = option["$ref"]
                break
    if not isinstance(ref, str):
        return None
    for prefix in _REF_PREFIXES:
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    return None


def _child(api: ApiDescription, schema: dict[str, Any]) -> str:
    target = schema.get("items") if schema.get("type") == "array" else schema
    if not isinstance(target, dict):
        return ""
    name = _ref_name(target)
    ref = api.models.get(name) if name else None
    return f"{ref.module}.{ref.name}" if ref else ""


def patch_fields(api: ApiDescription) -> dict[str, dict[str, FieldMeta]]:
    """``"module.Class"`` -> field -> (strategy, merge key, list type, list map keys, child)."""
    out: dict[str, dict[str, FieldMeta]] = {}
    for definition, ref in sorted(api.models.items(), key=lambda kv: (kv[1].module, kv[1].name)):
        schema = api.definitions.get(definition) or {}
        fields: dict[str, FieldMeta] = {}
        for prop, sub in sorted((schema.get("properties") or {}).items()):
            if not isinstance(sub, dict):
                continue
            meta: FieldMeta = (
                str(sub.get("x-kubernetes-patch-strategy", "")),
                str(sub.get("x-kubernetes-patch-merge-key", "")),
                str(sub.get("x-kubernetes-list-type", "") or sub.get("x-kubernetes-map-type", "")),
                tuple(str(k) for k in sub.get("x-kubernetes-list-map-keys") or ()),
                _child(api, sub),
            )
            if any(meta):
                fields[prop] = meta
        if fields:
            out[f"{ref.module}.{ref.name}"] = fields
    return out


def atomic_models(api: ApiDescription) -> list[str]:
    """``"module.Class"`` of every model declared ``x-kubernetes-map-type: atomic``."""
    return sorted(
        f"{ref.module}.{ref.name}"
        for definition, ref in api.models.items()
        if (api.definitions.get(definition) or {}).get("x-kubernetes-map-type") == "atomic"
    )


def render_patchmeta(api: ApiDescription, header: str) -> str:
    lines = [
        header,
        '"""Patch strategies, merge keys and list types of every model, as plain data.',
        "",
        "    from kubeset.kubernetes.patchmeta import FIELDS",
        '    FIELDS["models.core.v1.PodSpec"]["containers"]',
        "    # -> ('merge', 'name', 'map', ('name',), 'models.core.v1.Container')",
        "",
        '``"module.Class"`` -> field json name -> ``(strategy, merge_key, list_type, list_map_keys,',
        "child)``; ``child`` is the model of a nested object or list item. Read by",
        ":mod:`kubeset.testing` (strategic merge patch, server-side apply).",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        '__all__ = ["ATOMIC", "FIELDS"]',
        "",
        "ATOMIC: frozenset[str] = frozenset({",
        *(f"    {model!r}," for model in atomic_models(api)),
        "})",
        "",
        "FIELDS: dict[str, dict[str, tuple[str, str, str, tuple[str, ...], str]]] = {",
    ]
    for model, fields in patch_fields(api).items():
        lines.append(f"    {model!r}: {{")
        for prop, meta in fields.items():
            lines.append(f"        {prop!r}: {meta!r},")
        lines.append("    },")
    lines.append("}")
    return "\n".join(lines) + "\n"
