"""Kinds the API server registers but the aggregated OpenAPI spec leaves out.

``ListOptions``, ``GetOptions``, ``CreateOptions``, ``UpdateOptions``, ``PatchOptions``, the pod
and proxy option kinds, ``RangeAllocation`` and ``SerializedReference`` are real kinds with an
apiVersion (a client can receive or send them, and the round-trip fixtures carry them), yet no
spec defines them.  ``supplement.json`` declares them; :func:`add_supplement` adds each one that
the spec lacks to a Go package the spec has (``io.k8s.api.core.v1``, ...), provided the spec
defines everything it refers to; a CRD-only or non-Kubernetes spec gains nothing.

Some kinds live in packages no spec defines at all: ``apidiscovery.k8s.io/v2`` (aggregated
discovery, ``APIGroupDiscoveryList``), ``admission.k8s.io/v1`` (``AdmissionReview``, what webhooks
receive and answer) and ``client.authentication.k8s.io`` v1/v1beta1 (``ExecCredential``, what exec
credential plugins print).  Their definitions name an anchor, a definition the spec must have for
the new package to be added (``meta.v1.APIGroupList`` for discovery: the spec is a Kubernetes API
spec); the same rule about references applies.

Example::

    definitions = add_supplement(definitions, doc)  # + PodLogOptions, AdmissionReview, ...

Three keys of the supplement are kubeset's own and are removed before generation:

- ``x-kubeset-gvks-like``: take the ``x-kubernetes-group-version-kind`` list of another definition,
  with this kind (the option kinds are registered in every group version, as DeleteOptions is);
- ``x-kubeset-parameters-of``: ``"<method> <path>"`` of an operation whose query parameters
  describe the properties; a property without a description takes the parameter's;
- ``x-kubeset-when-spec-has``: the anchor definition of a package the spec lacks (see above).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from kubeset.codegen.description import EXTERNAL_TYPE

__all__ = ["NOTE", "SUPPLEMENT", "add_supplement", "query_descriptions", "supplement_definitions"]

SUPPLEMENT = Path(__file__).resolve().parent / "supplement.json"
REF_PREFIX = "#/definitions/"
GVK_KEY = "x-kubernetes-group-version-kind"
LIKE_KEY = "x-kubeset-gvks-like"
PARAMS_KEY = "x-kubeset-parameters-of"
WHEN_KEY = "x-kubeset-when-spec-has"
NOTE = "(Not in the OpenAPI spec; kubeset declares it from the Kubernetes Go types.)"


def supplement_definitions() -> dict[str, dict[str, Any]]:
    """The supplement's definitions, by spec definition name."""
    with SUPPLEMENT.open(encoding="utf-8") as f:
        defs: dict[str, dict[str, Any]] = json.load(f)["definitions"]
    return defs


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            found.add(ref[len(REF_PREFIX) :])
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def _resolve_parameter(doc: dict[str, Any], param: Any) -> dict[str, Any]:
    if isinstance(param, dict) and isinstance(param.get("$ref"), str):
        ref = param["$ref"]
        for prefix, table in (
            ("#/parameters/", doc.get("parameters")),
            ("#/components/parameters/", (doc.get("components") or {}).get("parameters")),
        ):
            if ref.startswith(prefix) and isinstance(table, dict):
                found = table.get(ref[len(prefix) :])
                return found if isinstance(found, dict) else {}
        return {}
    return param if isinstance(param, dict) else {}


def _needs(raw: dict[str, Any]) -> set[str]:
    like = raw.get(LIKE_KEY)
    return _refs(raw) | ({like} if isinstance(like, str) else set())


def query_descriptions(doc: dict[str, Any], operation: str) -> dict[str, str]:
    """{query parameter name: description} of ``"<method> <path>"`` in a spec (path-level and
    operation-level parameters); empty when the spec has no such operation."""
    method, _, path = operation.partition(" ")
    item = (doc.get("paths") or {}).get(path)
    if not isinstance(item, dict) or not isinstance(item.get(method), dict):
        return {}
    out: dict[str, str] = {}
    for param in [*(item.get("parameters") or []), *(item[method].get("parameters") or [])]:
        p = _resolve_parameter(doc, param)
        name, text = p.get("name"), p.get("description")
        if p.get("in") == "query" and isinstance(name, str) and isinstance(text, str) and text:
            out[name] = text
    return out


def add_supplement(
    definitions: dict[str, dict[str, Any]], doc: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """``definitions`` plus every supplement definition it lacks, of a package it has (or whose
    anchor it has), whose references it or the supplement's own additions all define."""
    own = {name: schema for name, schema in definitions.items() if EXTERNAL_TYPE not in schema}
    packages = {name.rsplit(".", 1)[0] for name in own}
    candidates: dict[str, dict[str, Any]] = {}
    for name, raw in sorted(supplement_definitions().items()):
        anchor = raw.get(WHEN_KEY)
        if name in definitions:
            continue
        if name.rsplit(".", 1)[0] in packages or (isinstance(anchor, str) and anchor in own):
            candidates[name] = raw
    # a candidate stays when everything it refers to is defined by the spec or by a candidate that stays
    while True:
        known = definitions.keys() | candidates.keys()
        dropped = [n for n, raw in candidates.items() if not _needs(raw) <= known]
        if not dropped:
            break
        for n in dropped:
            del candidates[n]
    added: dict[str, dict[str, Any]] = {}
    for name, raw in candidates.items():
        like = raw.get(LIKE_KEY)
        schema = copy.deepcopy(raw)
        schema.pop(LIKE_KEY, None)
        schema.pop(WHEN_KEY, None)
        kind = name.rsplit(".", 1)[-1]
        if isinstance(like, str):
            schema[GVK_KEY] = [
                dict(g, kind=kind)
                for g in definitions[like].get(GVK_KEY) or []
                if isinstance(g, dict)
            ]
            if not schema[GVK_KEY]:
                continue
        operation = schema.pop(PARAMS_KEY, None)
        texts = query_descriptions(doc, operation) if isinstance(operation, str) else {}
        for prop_name, prop in (schema.get("properties") or {}).items():
            if "description" not in prop and prop_name in texts:
                prop["description"] = texts[prop_name]
        schema["description"] = f"{schema.get('description', '')}\n\n{NOTE}".strip()
        added[name] = schema
    if not added:
        return definitions
    return dict(sorted({**definitions, **added}.items()))
