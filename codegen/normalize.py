"""Normalizing a loaded spec (Swagger 2.0 or OpenAPI 3) into one :class:`ApiDescription`.

- ``definitions`` keeps the spec's own definition names as keys
  (``io.k8s.api.core.v1.Pod``); every ``$ref`` inside is rewritten to the one form
  ``#/definitions/<spec name>`` (OpenAPI 3 ``#/components/schemas/...`` and its
  ``allOf: [{$ref}]`` wrappers included).  A ``$ref`` that resolves nowhere is an error.
- ``models`` maps every definition that becomes a generated class to its module
  (``models.<go package>.<version>``) and class name.  The runtime's special types
  (IntOrString, Quantity, Time, MicroTime, RawExtension, FieldsV1, JSON, ...) are not
  generated and have no entry; see :data:`SPECIAL_TYPES`.
- ``resources`` come from the paths: every operation carrying ``x-kubernetes-action`` and
  ``x-kubernetes-group-version-kind``.  ``watch``/``watchlist`` both give the ``watch`` verb;
  ``post`` -> ``create``, ``put`` -> ``update``; ``apply`` when the patch operation accepts
  ``application/apply-patch+yaml``.  Subresources are the ``/{name}/<sub>`` paths; connect
  subresources (``proxy``, ``exec``, ``attach``, ``portforward``) are recorded with the verb
  ``connect``.
"""

from __future__ import annotations

import keyword
import re
from typing import Any

from kubeset.codegen.description import (
    EXTERNAL_TYPE,
    GVK,
    ApiDescription,
    ModelRef,
    Resource,
    Subresource,
)
from kubeset.codegen.errors import GenError
from kubeset.codegen.loader import LoadedSpec, check_spec_kind
from kubeset.codegen.supplement import add_supplement

#: spec definitions that map onto the runtime's special types (kubeset.model.<name>)
SPECIAL_TYPES: dict[str, str] = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "IntOrString",
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "Quantity",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": "Time",
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": "MicroTime",
    "io.k8s.apimachinery.pkg.runtime.RawExtension": "RawExtension",
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": "FieldsV1",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Patch": "JSON",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON": "JSON",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray": "JSON",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool": "JSON",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray": "JSON",
}


_VERSION_RE = re.compile(r"^v\d+((alpha|beta)\d+)?$")
_VERB_OF_ACTION = {
    "get": "get",
    "list": "list",
    "watch": "watch",
    "watchlist": "watch",
    "post": "create",
    "put": "update",
    "patch": "patch",
    "delete": "delete",
    "deletecollection": "deletecollection",
    "connect": "connect",
}
_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
APPLY_CONTENT_TYPE = "application/apply-patch+yaml"


def _identifier(part: str) -> str:
    ident = re.sub(r"\W", "_", part)
    if not ident or ident[0].isdigit():
        ident = "_" + ident
    if keyword.iskeyword(ident):
        ident += "_"
    return ident


def package_and_version(definition: str) -> tuple[str, str, str]:
    """Split a definition name into (Go package short name, version, class name).

    ``io.k8s.api.core.v1.Pod`` -> ("core", "v1", "Pod");
    ``io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`` -> ("meta", "v1", "ObjectMeta");
    ``io.k8s.apimachinery.pkg.version.Info`` -> ("version", "", "Info").
    """
    parts = definition.split(".")
    name = _identifier(parts[-1])
    if len(parts) >= 3 and _VERSION_RE.match(parts[-2]):
        return _identifier(parts[-3]), parts[-2], name
    if len(parts) >= 2:
        return _identifier(parts[-2]), "", name
    return "unversioned", "", name


def module_of(definition: str) -> ModelRef:
    pkg, version, name = package_and_version(definition)
    module = f"models.{pkg}.{version}" if version else f"models.{pkg}"
    return ModelRef(module=module, name=name)


# ---------------------------------------------------------------- definitions


def _pointer_ok(doc: Any, ref: str) -> bool:
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _rewrite_refs(
    node: Any, ref_prefix: str, where: str, names: set[str], bad: list[str], doc: Any = None
) -> Any:
    """Copy a schema, rewriting refs to ``#/definitions/<name>`` and unwrapping allOf-of-one-ref.

    In the paths (``doc`` given) a ref may also point anywhere else inside ``doc``."""
    if isinstance(node, dict):
        all_of = node.get("allOf")
        if (
            isinstance(all_of, list)
            and len(all_of) == 1
            and isinstance(all_of[0], dict)
            and "$ref" in all_of[0]
        ):
            node = {k: v for k, v in node.items() if k != "allOf"} | {"$ref": all_of[0]["$ref"]}
        out: dict[str, Any] = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                if not v.startswith(ref_prefix):
                    if doc is not None and v.startswith("#/") and _pointer_ok(doc, v):
                        out[k] = v
                        continue
                    bad.append(
                        f"{where}: $ref {v!r} resolves nowhere (expected {ref_prefix}<name>)"
                    )
                    continue
                target = v[len(ref_prefix) :]
                if target not in names:
                    bad.append(f"{where}: $ref {v!r} resolves nowhere (no definition {target!r})")
                out[k] = "#/definitions/" + target
            elif k in ("properties", "patternProperties", "definitions") and isinstance(v, dict):
                out[k] = {
                    pk: _rewrite_refs(pv, ref_prefix, f"{where}.{pk}", names, bad, doc)
                    for pk, pv in v.items()
                }
            else:
                inner = (
                    where
                    if k in ("items", "additionalProperties", "allOf", "anyOf", "oneOf")
                    else f"{where}.{k}"
                )
                out[k] = _rewrite_refs(v, ref_prefix, inner, names, bad, doc)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v, ref_prefix, where, names, bad, doc) for v in node]
    return node


def _definitions(doc: dict[str, Any], kind: str, where: str) -> dict[str, dict[str, Any]]:
    if kind == "swagger2":
        raw = doc.get("definitions") or {}
        prefix = "#/definitions/"
    else:
        raw = (doc.get("components") or {}).get("schemas") or {}
        prefix = "#/components/schemas/"
    if not isinstance(raw, dict):
        raise GenError(f"{where}: 'definitions' must be an object of schemas")
    names = set(raw)
    bad: list[str] = []
    out = {
        name: _rewrite_refs(raw[name], prefix, f"definitions.{name}", names, bad)
        for name in sorted(raw)
    }
    # refs from the paths must resolve too
    for path in sorted(doc.get("paths") or {}):
        _rewrite_refs(doc["paths"][path], prefix, f"paths.{path}", names, bad, doc)
    if bad:
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise GenError(f"{where}: {bad[0]}{more}")
    return out


def _gvks_of(schema: dict[str, Any]) -> list[GVK]:
    out = []
    for g in schema.get("x-kubernetes-group-version-kind") or []:
        if isinstance(g, dict) and "version" in g and "kind" in g:
            out.append(GVK(str(g.get("group", "")), str(g["version"]), str(g["kind"])))
    return out


# ---------------------------------------------------------------- paths


def _split_path(path: str) -> tuple[str, str, list[str]] | None:
    """('group', 'version', rest segments) of /api/v1/... and /apis/<g>/<v>/...; None otherwise."""
    segs = [s for s in path.split("/") if s]
    if len(segs) >= 2 and segs[0] == "api":
        return "", segs[1], segs[2:]
    if len(segs) >= 3 and segs[0] == "apis":
        return segs[1], segs[2], segs[3:]
    return None


def _consumes(op: dict[str, Any], doc_consumes: list[str]) -> list[str]:
    if "consumes" in op:
        return list(op["consumes"] or [])
    body = op.get("requestBody") or {}
    if isinstance(body, dict) and "content" in body:
        return list(body["content"])
    return doc_consumes


def _response_ref(op: dict[str, Any]) -> str | None:
    resp = (op.get("responses") or {}).get("200") or {}
    schema = resp.get("schema")
    if schema is None:
        content = resp.get("content") or {}
        for ctype in sorted(content):
            schema = content[ctype].get("schema")
            if schema:
                break
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return ref.rsplit("/", 1)[-1]
        all_of = schema.get("allOf")
        if (
            isinstance(all_of, list)
            and all_of
            and isinstance(all_of[0], dict)
            and "$ref" in all_of[0]
        ):
            return str(all_of[0]["$ref"]).rsplit("/", 1)[-1]
    return None


class _ResourceAcc:
    def __init__(self, group: str, version: str, plural: str, namespaced: bool) -> None:
        self.group, self.version, self.plural, self.namespaced = group, version, plural, namespaced
        self.kind: str | None = None
        self.kind_group: str = group
        self.kind_version: str = version
        self.verbs: set[str] = set()
        self.list_ref: str | None = None
        self.subs: dict[str, tuple[set[str], set[GVK]]] = {}


def _resources(
    doc: dict[str, Any],
    gvks: dict[GVK, ModelRef],
    gvk_def: dict[GVK, str],
    models: dict[str, ModelRef],
) -> list[Resource]:
    acc: dict[tuple[str, str, str], _ResourceAcc] = {}
    doc_consumes = list(doc.get("consumes") or [])
    paths = doc.get("paths") or {}
    for path in sorted(paths):
        split = _split_path(path)
        if split is None:
            continue
        group_in_path, version, rest = split
        item = paths[path] or {}
        if rest[:1] == ["watch"]:
            rest = rest[1:]
        namespaced = False
        if len(rest) >= 3 and rest[0] == "namespaces" and rest[1] == "{namespace}":
            namespaced, rest = True, rest[2:]
        if not rest or rest[0].startswith("{"):
            continue
        plural = rest[0]
        for method in _HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            action = op.get("x-kubernetes-action")
            raw_gvk = op.get("x-kubernetes-group-version-kind")
            if action not in _VERB_OF_ACTION or not isinstance(raw_gvk, dict):
                continue
            gvk = GVK(
                str(raw_gvk.get("group", "")),
                str(raw_gvk.get("version", "")),
                str(raw_gvk.get("kind", "")),
            )
            verb = _VERB_OF_ACTION[action]
            key = (group_in_path, version, plural)
            r = acc.get(key)
            if r is None:
                r = acc[key] = _ResourceAcc(group_in_path, version, plural, namespaced)
            r.namespaced = r.namespaced or namespaced
            if len(rest) <= 2:  # collection or item
                if r.kind is None or (gvk.group == group_in_path and gvk.version == version):
                    r.kind, r.kind_group, r.kind_version = gvk.kind, gvk.group, gvk.version
                r.verbs.add(verb)
                if verb == "patch" and APPLY_CONTENT_TYPE in _consumes(op, doc_consumes):
                    r.verbs.add("apply")
                if action == "list":
                    r.list_ref = _response_ref(op)
            else:
                sub = rest[2]
                verbs, sub_gvks = r.subs.setdefault(sub, (set(), set()))
                verbs.add(verb)
                if verb == "patch" and APPLY_CONTENT_TYPE in _consumes(op, doc_consumes):
                    verbs.add("apply")
                if verb != "connect":
                    sub_gvks.add(gvk)
    out: list[Resource] = []
    for key in sorted(acc):
        r = acc[key]
        if r.kind is None:
            continue  # only subresource paths (none in Kubernetes); nothing to hang them on
        gvk = GVK(r.kind_group, r.kind_version, r.kind)
        model = gvks.get(gvk)
        if model is None:
            continue  # a kind without a schema: nothing typed to offer
        list_model = None
        if r.list_ref and r.list_ref in models:
            list_model = models[r.list_ref]
        elif GVK(gvk.group, gvk.version, gvk.kind + "List") in gvks:
            list_model = gvks[GVK(gvk.group, gvk.version, gvk.kind + "List")]
        subs: dict[str, Subresource] = {}
        for name in sorted(r.subs):
            verbs, sub_gvks = r.subs[name]
            sub_model = None
            others = sorted(g for g in sub_gvks if g != gvk)
            if others and others[0] in gvks:
                sub_model = gvks[others[0]]
            subs[name] = Subresource(name=name, verbs=tuple(sorted(verbs)), model=sub_model)
        out.append(
            Resource(
                gvk=gvk,
                plural=r.plural,
                namespaced=r.namespaced,
                verbs=tuple(sorted(r.verbs)),
                package=package_and_version(gvk_def[gvk])[0],
                model=model,
                list_model=list_model,
                subresources=subs,
            )
        )
    return out


# ---------------------------------------------------------------- entry point


def describe(loaded: LoadedSpec) -> ApiDescription:
    """Normalize a loaded spec into an :class:`ApiDescription`."""
    doc = loaded.doc
    where = loaded.source
    kind = check_spec_kind(doc, where)
    definitions = _definitions(doc, kind, where)
    if not definitions:
        raise GenError(
            f"{where}: the document defines no schemas ('definitions' / 'components.schemas' is empty)"
        )
    definitions = add_supplement(definitions, doc)
    models: dict[str, ModelRef] = {}
    seen: dict[ModelRef, str] = {}
    module_owner: dict[str, str] = {}
    for name in sorted(definitions):
        if name in SPECIAL_TYPES or EXTERNAL_TYPE in definitions[name]:
            continue
        ref = module_of(name)
        prefix = name.rsplit(".", 1)[0]
        owner = module_owner.setdefault(ref.module, prefix)
        if owner != prefix:
            raise GenError(
                f"{where}: definitions {owner}.* and {prefix}.* both map to module {ref.module}; "
                "rename one of the Go packages"
            )
        if ref in seen:
            raise GenError(
                f"{where}: definitions {seen[ref]!r} and {name!r} both map to {ref.module}.{ref.name}"
            )
        seen[ref] = name
        models[name] = ref
    gvks: dict[GVK, ModelRef] = {}
    gvk_def: dict[GVK, str] = {}
    for name in sorted(models):
        for gvk in _gvks_of(definitions[name]):
            gvks.setdefault(gvk, models[name])
            gvk_def.setdefault(gvk, name)
    info = doc.get("info") or {}
    version = loaded.release or str(info.get("version") or "")
    return ApiDescription(
        title=str(info.get("title") or ""),
        version=version,
        definitions=definitions,
        models=models,
        gvks=dict(sorted(gvks.items())),
        resources=_resources(doc, gvks, gvk_def, models),
    )
