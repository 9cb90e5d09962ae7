"""CustomResourceDefinition manifests as generator input.

``crds_to_swagger(crds)`` builds the Swagger 2.0 document the API server would publish for the
CRDs, so the normal normalizer and emitters handle them:

- each served version's ``openAPIV3Schema`` becomes a definition named like a Go package
  (``gateway.networking.k8s.io`` -> ``io.k8s.networking.gateway.v1.HTTPRoute``, module
  ``models.gateway.v1``); nested object schemas become their own definitions named after
  their path (``HTTPRouteSpec``, ``HTTPRouteSpecRules``, ...);
- ``metadata`` refers to ``kubeset.kubernetes``'s ``ObjectMeta`` / ``ListMeta`` (the CRD package
  imports the built-in package for them); a ``<Kind>List`` definition is added;
- validation-only keywords (``required``, ``enum``, ``pattern``, bounds, ``anyOf``/``oneOf``/
  ``allOf``/``not``, ``x-kubernetes-validations``, defaults) are dropped: decoding keeps what the
  server sends; ``x-kubernetes-int-or-string`` becomes IntOrString, objects with
  ``x-kubernetes-preserve-unknown-fields`` and no properties any JSON;
- paths give every resource the verbs the API server serves for custom resources, plus the
  ``status`` and ``scale`` subresources the CRD declares;
- two JSON names making one nested schema name (``fooBar`` and ``foo_bar`` -> ``SpecFooBar``) get
  ``SpecFooBar`` and ``SpecFooBar2`` in sorted order;
- what cannot be generated is an error naming the file, the CRD and the path inside it
  (``crds/a.yaml: CRD widgets.example.com version v1: spec.versions[0].schema.openAPIV3Schema
  .properties.size: type 'decimal' cannot be generated ...``), as are a version without a
  schema and two CRDs defining one kind.

``crds_from_spec(doc, groups, where)`` goes the other way for ``--cluster --group``: the CRDs
behind the custom resources a server's OpenAPI document serves, so both routes give the same models.

    doc = crds_to_swagger([("crds/widgets.yaml", manifest)])
"""

from __future__ import annotations

import re
from typing import Any

from kubeset.codegen.description import EXTERNAL_TYPE
from kubeset.codegen.errors import GenError

__all__ = [
    "EXTERNAL",
    "META",
    "STORAGE_VERSIONS",
    "crds_from_spec",
    "crds_to_swagger",
    "unique_name",
]

META = "io.k8s.apimachinery.pkg.apis.meta.v1"
#: the Swagger extension carrying each CRD kind's storage version ("group/Kind" -> version)
STORAGE_VERSIONS = "x-kubeset-storage-versions"
_DROP = {
    "required",
    "enum",
    "pattern",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "anyOf",
    "oneOf",
    "allOf",
    "not",
    "default",
    "x-kubernetes-validations",
    "nullable",
    "example",
    "externalDocs",
    "title",
}
_APPLY = "application/apply-patch+yaml"

#: definitions a CRD package takes from elsewhere: the built-in package's meta types and the
#: runtime's IntOrString (``x-kubeset-python-type`` names the class to import instead)
EXTERNAL: dict[str, dict[str, Any]] = {
    f"{META}.ObjectMeta": {
        "type": "object",
        EXTERNAL_TYPE: "kubeset.kubernetes.models.meta.v1.ObjectMeta",
    },
    f"{META}.ListMeta": {
        "type": "object",
        EXTERNAL_TYPE: "kubeset.kubernetes.models.meta.v1.ListMeta",
    },
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {
        "type": "string",
        "format": "int-or-string",
    },
}


def _camel(name: str) -> str:
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", name) if p]
    out = "".join(p[0].upper() + p[1:] for p in parts)
    return out if out and not out[0].isdigit() else "F" + out


def _go_package(group: str) -> str:
    """gateway.networking.k8s.io -> io.k8s.networking.gateway (so the short package is 'gateway')."""
    labels = [re.sub(r"[^A-Za-z0-9_]", "_", label) for label in group.split(".") if label]
    if not labels:
        raise GenError("CRD with an empty spec.group")
    return ".".join(reversed(labels))


_TYPES = {None, "object", "array", "string", "integer", "number", "boolean"}


def unique_name(name: str, taken: Any) -> str:
    """``name``, or ``name2``, ``name3``, ... : the first not in ``taken`` (deterministic for sorted input)."""
    if name not in taken:
        return name
    n = 2
    while f"{name}{n}" in taken:
        n += 1
    return f"{name}{n}"


class _Extractor:
    def __init__(self, prefix: str, where: str) -> None:
        self.prefix = prefix
        self.where = where
        self.definitions: dict[str, dict[str, Any]] = {}

    def ref(self, name: str) -> dict[str, Any]:
        return {"$ref": f"#/definitions/{self.prefix}.{name}"}

    def fail(self, path: str, problem: str) -> GenError:
        return GenError(f"{self.where}: {path}: {problem}")

    def schema(self, raw: Any, name: str, path: str, top: bool = False) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(path, f"a schema must be a mapping, found a YAML {type(raw).__name__}")
        node: dict[str, Any] = {k: v for k, v in raw.items() if k not in _DROP}
        if "$ref" in node:
            raise self.fail(
                path, "$ref is not allowed in a CRD schema (structural schemas are self-contained)"
            )
        if node.pop("x-kubernetes-int-or-string", False):
            desc = {"description": node["description"]} if "description" in node else {}
            return {"$ref": "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString", **desc}
        kind = node.get("type")
        if not isinstance(kind, str | None) or kind not in _TYPES:
            raise self.fail(
                path,
                f"type {kind!r} cannot be generated (expected one of object, array, string, integer, number, boolean)",
            )
        if kind == "array":
            if "items" not in node:
                raise self.fail(path, "an array without items")
            node["items"] = self.schema(node.get("items"), name, f"{path}.items")
            return node
        if kind == "object" or "properties" in node:
            props = node.get("properties")
            if props is not None and not isinstance(props, dict):
                raise self.fail(
                    f"{path}.properties", f"must be a mapping, found a YAML {type(props).__name__}"
                )
            if props:
                # fooBar and foo_bar both make <Name>FooBar: the later one (sorted) is <Name>FooBar2
                name = unique_name(name, self.definitions)
                definition: dict[str, Any] = {
                    k: v for k, v in node.items() if k not in ("properties",)
                }
                definition["type"] = "object"
                definition["properties"] = {}
                self.definitions[name] = definition  # reserve the name before recursing
                for prop in sorted(props):
                    definition["properties"][prop] = self.schema(
                        props[prop], name + _camel(prop), f"{path}.properties.{prop}"
                    )
                if top:
                    return definition
                desc = {"description": node["description"]} if "description" in node else {}
                return {**self.ref(name), **desc}
            extra = node.get("additionalProperties")
            if isinstance(extra, dict):
                node["additionalProperties"] = self.schema(
                    extra, name + "Value", f"{path}.additionalProperties"
                )
            return node
        if node.get("format") not in ("byte", "int-or-string"):
            node.pop("format", None)  # date-time and friends stay text: kept exactly as sent
        return node


def crds_to_swagger(crds: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The Swagger document of CRDs given as (where it was read, manifest) pairs."""
    definitions: dict[str, Any] = {}
    owners: dict[str, str] = {}  # definition prefix.kind -> where its CRD was read
    paths: dict[str, Any] = {}
    storage: dict[str, str] = {}  # "group/Kind" -> the version stored
    meta_ref = {"$ref": f"#/definitions/{META}.ObjectMeta"}
    for where, crd in crds:
        spec = crd.get("spec") or {}
        group = spec.get("group")
        names = spec.get("names") or {}
        kind, plural = names.get("kind"), names.get("plural")
        if not (group and kind and plural):
            raise GenError(
                f"{where}: CRD {crd.get('metadata', {}).get('name')!r} lacks spec.group, names.kind or names.plural"
            )
        list_kind = names.get("listKind") or kind + "List"
        namespaced = spec.get("scope", "Namespaced") == "Namespaced"
        pkg = _go_package(group)
        versions = spec.get("versions")
        if not isinstance(versions, list) or not versions:
            raise GenError(f"{where}: CRD {plural}.{group}: spec.versions is missing or empty")
        for i, version in enumerate(versions):
            if not isinstance(version, dict) or not version.get("name"):
                raise GenError(f"{where}: CRD {plural}.{group}: spec.versions[{i}] has no name")
            if version.get("storage") is True:
                storage[f"{group}/{kind}"] = str(version["name"])
            if not version.get("served", True):
                continue
            vname = version["name"]
            prefix = f"{pkg}.{vname}"
            schema = (version.get("schema") or {}).get("openAPIV3Schema") or (
                spec.get("validation") or {}
            ).get("openAPIV3Schema")
            if not schema:
                raise GenError(
                    f"{where}: CRD {plural}.{group} version {vname}: no schema "
                    f"(spec.versions[{i}].schema.openAPIV3Schema is required by apiextensions.k8s.io/v1)"
                )
            owner = owners.get(f"{prefix}.{kind}")
            if owner is not None:
                raise GenError(
                    f"{where}: CRD {plural}.{group}: kind {kind} of {group}/{vname} is also defined by {owner}"
                )
            owners[f"{prefix}.{kind}"] = where
            ex = _Extractor(prefix, f"{where}: CRD {plural}.{group} version {vname}")
            top = ex.schema(schema, kind, f"spec.versions[{i}].schema.openAPIV3Schema", top=True)
            if not top.get("properties"):
                top = {
                    "type": "object",
                    "properties": {},
                    **({"description": schema["description"]} if "description" in schema else {}),
                }
                ex.definitions[kind] = top
            props = top["properties"]
            props["apiVersion"] = {"type": "string", "description": "APIVersion of this object."}
            props["kind"] = {"type": "string", "description": "Kind of this object."}
            props["metadata"] = {**meta_ref, "description": "Standard object's metadata."}
            # one order whether the schema declared apiVersion, kind and metadata or not
            top["properties"] = dict(sorted(props.items()))
            gvk = {"group": group, "version": vname, "kind": kind}
            top["x-kubernetes-group-version-kind"] = [gvk]
            ex.definitions[list_kind] = {
                "description": f"{list_kind} is a list of {kind}.",
                "type": "object",
                "properties": {
                    "apiVersion": {"type": "string"},
                    "items": {"type": "array", "items": ex.ref(kind)},
                    "kind": {"type": "string"},
                    "metadata": {"$ref": f"#/definitions/{META}.ListMeta"},
                },
                "x-kubernetes-group-version-kind": [{**gvk, "kind": list_kind}],
            }
            for name, definition in ex.definitions.items():
                full = f"{prefix}.{name}"
                if full in definitions:
                    raise GenError(
                        f"{where}: CRD {plural}.{group}: its schema {name} of {group}/{vname} clashes with one "
                        f"of another CRD of that group version ({owners.get(f'{prefix}.{kind}', where)})"
                    )
                definitions[full] = definition
            paths.update(
                _paths(
                    group,
                    vname,
                    plural,
                    namespaced,
                    gvk,
                    prefix,
                    kind,
                    list_kind,
                    version.get("subresources") or {},
                )
            )
    doc: dict[str, Any] = {
        "swagger": "2.0",
        "info": {"title": "Custom resources", "version": ""},
        "paths": dict(sorted(paths.items())),
        "definitions": dict(sorted({**definitions, **EXTERNAL}.items())),
    }
    if storage:  # the version etcd stores each kind in (OpenAPI itself does not say)
        doc[STORAGE_VERSIONS] = dict(sorted(storage.items()))
    return doc


def _op(
    action: str, gvk: dict[str, str], ref: str | None = None, consumes: list[str] | None = None
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": gvk,
        "responses": {"200": {"description": "OK"}},
    }
    if ref:
        op["responses"]["200"]["schema"] = {"$ref": f"#/definitions/{ref}"}
    if consumes:
        op["consumes"] = consumes
    return op


def _paths(
    group: str,
    version: str,
    plural: str,
    namespaced: bool,
    gvk: dict[str, str],
    prefix: str,
    kind: str,
    list_kind: str,
    subresources: dict[str, Any],
) -> dict[str, Any]:
    base = f"/apis/{group}/{version}"
    coll = f"{base}/namespaces/{{namespace}}/{plural}" if namespaced else f"{base}/{plural}"
    item = f"{coll}/{{name}}"
    obj, lst = f"{prefix}.{kind}", f"{prefix}.{list_kind}"
    patch_types = ["application/json-patch+json", "application/merge-patch+json", _APPLY]
    out: dict[str, Any] = {
        coll: {
            "get": _op("list", gvk, lst),
            "post": _op("post", gvk, obj),
            "delete": _op("deletecollection", gvk),
        },
        item: {
            "get": _op("get", gvk, obj),
            "put": _op("put", gvk, obj),
            "patch": _op("patch", gvk, obj, patch_types),
            "delete": _op("delete", gvk),
        },
        (
            f"{base}/watch/namespaces/{{namespace}}/{plural}"
            if namespaced
            else f"{base}/watch/{plural}"
        ): {"get": _op("watchlist", gvk)},
    }
    if namespaced:
        out[f"{base}/{plural}"] = {"get": _op("list", gvk, lst)}
    if "status" in subresources:
        out[f"{item}/status"] = {
            "get": _op("get", gvk, obj),
            "put": _op("put", gvk, obj),
            "patch": _op("patch", gvk, obj, patch_types),
        }
    if "scale" in subresources:
        scale = {"group": "autoscaling", "version": "v1", "kind": "Scale"}
        out[f"{item}/scale"] = {
            "get": _op("get", scale),
            "put": _op("put", scale),
            "patch": _op("patch", scale, None, patch_types),
        }
    return out


def _gvk_tuples(schema: Any) -> set[tuple[str, str, str]]:
    raw = schema.get("x-kubernetes-group-version-kind") if isinstance(schema, dict) else None
    return {
        (str(g.get("group", "")), str(g.get("version", "")), str(g.get("kind", "")))
        for g in raw or []
        if isinstance(g, dict)
    }


def _refs_in(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs_in(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs_in(v)]
    return []


def crds_from_spec(
    doc: dict[str, Any], groups: set[str], where: str
) -> list[tuple[str, dict[str, Any]]]:
    """The CustomResourceDefinitions behind the resources of ``groups`` in a served OpenAPI
    document (Swagger 2.0 or OpenAPI 3): each served group version of a kind becomes a one-version
    CRD (schema without the apiVersion/kind/metadata the server adds; plural, scope and the
    status/scale subresources from the paths), so ``crds_to_swagger`` names every model exactly
    as it does for the manifest.  A group whose schemas refer to other definitions is not served
    by a CRD: an error says so."""
    schemas = doc.get("definitions") or (doc.get("components") or {}).get("schemas") or {}
    by_gvk: dict[tuple[str, str, str], str] = {}
    for name in sorted(schemas):
        for gvk in _gvk_tuples(schemas[name]):
            by_gvk.setdefault(gvk, name)
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for path in sorted(doc.get("paths") or {}):
        segs = [s for s in path.split("/") if s]
        if segs[:1] == ["api"]:  # the core group: /api/v1/...
            segs = ["apis", "", *segs[1:]]
        if len(segs) < 4 or segs[0] != "apis" or segs[1] not in groups or segs[3] == "watch":
            continue
        group, version, rest = segs[1], segs[2], segs[3:]
        namespaced = rest[:2] == ["namespaces", "{namespace}"]
        if namespaced:
            rest = rest[2:]
        if not rest or rest[0].startswith("{"):
            continue
        for op in (doc["paths"][path] or {}).values():
            op_gvk = op.get("x-kubernetes-group-version-kind") if isinstance(op, dict) else None
            if not isinstance(op_gvk, dict) or len(rest) > 3:
                continue
            if (
                len(rest) <= 2
                and op_gvk.get("group", "") == group
                and op_gvk.get("version") == version
            ):
                key = (group, version, str(op_gvk.get("kind")))
                entry = found.setdefault(
                    key, {"plural": rest[0], "namespaced": False, "subresources": set()}
                )
                entry["namespaced"] = entry["namespaced"] or namespaced
            elif len(rest) == 3 and rest[2] in ("status", "scale"):
                owners = [
                    k
                    for k, e in found.items()
                    if k[:2] == (group, version) and e["plural"] == rest[0]
                ]
                for k in owners:
                    found[k]["subresources"].add(rest[2])
    crds: list[tuple[str, dict[str, Any]]] = []
    for (group, version, kind), entry in sorted(found.items()):
        name = by_gvk.get((group, version, kind))
        if name is None:
            raise GenError(
                f"{where}: {group}/{version} {kind}: the served spec has no schema for it"
            )
        schema = dict(schemas[name])
        schema["properties"] = {
            k: v
            for k, v in (schema.get("properties") or {}).items()
            if k not in ("apiVersion", "kind", "metadata")
        }
        refs = _refs_in(schema)
        if refs:
            raise GenError(
                f"{where}: group {group or 'core'} is not served by a CustomResourceDefinition (schema {name} refers to "
                f"{refs[0]}); generate it without --group"
            )
        crd = {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{entry['plural']}.{group}"},
            "spec": {
                "group": group,
                "scope": "Namespaced" if entry["namespaced"] else "Cluster",
                "names": {"kind": kind, "plural": entry["plural"], "listKind": kind + "List"},
                "versions": [
                    {
                        "name": version,
                        "served": True,
                        "schema": {"openAPIV3Schema": schema},
                        "subresources": {s: {} for s in sorted(entry["subresources"])},
                    }
                ],
            },
        }
        crds.append((f"{where} ({group}/{version} {kind})", crd))
    missing = sorted(g or "core" for g in groups - {g for g, _, _ in found})
    if missing:
        raise GenError(f"{where}: the cluster serves no resources of group {', '.join(missing)}")
    return crds
