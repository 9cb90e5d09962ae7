"""Diff manifests against the cluster (``kubectl diff -f``): what an apply would change.

    results = diff_manifests(dyn, ["deploy/"], ManifestOptions(field_manager="me"))
    for r in results:
        print(r.diff or r.line())       # a unified diff of YAML per changed object
    exit_code = 1 if any(r.differs for r in results) else 0

Each object is applied server-side with dry run (as the apply would send it, ApplySet label
included when ``options.applyset`` is given) and the answer compared with the live object.
Fields the server owns are left out of both (``metadata.managedFields``, ``resourceVersion``,
``generation``, ``uid``, ``creationTimestamp``, ``selfLink``), so an unchanged object shows no
difference and a new one shows only what it is made of.  A Secret's ``data`` and ``stringData``
are masked as kubectl masks them: ``***`` where both sides agree, ``*** (before)`` and
``*** (after)`` where they differ, so no secret value is ever printed.

The comparison (:func:`comparable`, :func:`mask_secrets`, :func:`unified_diff`) is pure; only
:func:`diff_manifests` talks to the server.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, overload

import yaml  # type: ignore[import-untyped, unused-ignore]

from ..errors import KubesetError, NotFound
from ..rest.aio import AsyncRequest
from ..rest.meta import meta_value
from ..rest.request import Request
from ..steps import Awaited, Steps, drive
from .applyset import parse_parent_ref_steps
from .client import DynamicClient
from .manifests import (
    ManifestDocument,
    ManifestOptions,
    ManifestPaths,
    document_client_steps,
    document_identity,
    error_line,
    load_manifests,
    member_documents,
    object_ref,
)

__all__ = [
    "LAST_APPLIED",
    "SERVER_FIELDS",
    "DiffResult",
    "comparable",
    "diff_manifests",
    "mask_secrets",
    "unified_diff",
]

SERVER_FIELDS = (
    "managedFields",
    "resourceVersion",
    "generation",
    "uid",
    "creationTimestamp",
    "selfLink",
)
"""metadata fields the server writes, left out of a diff."""

DiffAction = Literal["unchanged", "changed", "created", "error"]


@dataclass(frozen=True, slots=True)
class DiffResult:
    """One document compared: ``unchanged``, ``changed``, ``created`` (not live yet), or the error."""

    source: str
    api_version: str
    kind: str
    name: str
    namespace: str
    action: DiffAction
    diff: str = ""  # the unified diff ("" when unchanged or failed)
    error: KubesetError | None = None
    group: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def differs(self) -> bool:
        return self.action in ("changed", "created")

    def line(self) -> str:
        """``deployment.apps/web changed``, or ``error: <source>: <reason>``."""
        if self.error is not None:
            return error_line(self.source, self.error)
        return f"{object_ref(self.kind, self.group, self.name)} {self.action}"


def comparable(obj: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``obj`` without the metadata fields the server owns (:data:`SERVER_FIELDS`)."""
    if obj is None:
        return None
    data = dict(obj)
    meta = {k: v for k, v in (data.get("metadata") or {}).items() if k not in SERVER_FIELDS}
    data["metadata"] = meta
    return data


LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
"""kubectl's client-side apply annotation: on a Secret it holds the data, so it is masked too."""


def _masked(old: dict[str, Any], new: dict[str, Any], keys: Iterable[str]) -> None:
    """Replace ``keys``' values in place: ``***`` where both sides agree, else before/after."""
    for key in keys:
        differ = key in old and key in new and old[key] != new[key]
        if key in old:
            old[key] = "*** (before)" if differ else "***"
        if key in new:
            new[key] = "*** (after)" if differ else "***"


def mask_secrets(
    live: Mapping[str, Any] | None, merged: Mapping[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Both sides with a Secret's values masked (kubectl diff's masker: ``data`` and
    ``stringData``; also the last-applied annotation that copies them); others unchanged."""
    secret = any(
        o is not None and o.get("kind") == "Secret" and o.get("apiVersion") == "v1"
        for o in (live, merged)
    )
    sides = [dict(o) if o is not None else None for o in (live, merged)]
    if not secret:
        return sides[0], sides[1]
    values: list[dict[str, dict[str, Any]]] = [{}, {}]
    for side, found in zip(sides, values, strict=True):
        if side is None:
            continue
        for field in ("data", "stringData"):
            if isinstance(side.get(field), Mapping):
                found[field] = side[field] = dict(side[field])
        meta = side.get("metadata")
        if isinstance(meta, Mapping) and isinstance(meta.get("annotations"), Mapping):
            annotations = dict(meta["annotations"])
            side["metadata"] = {**meta, "annotations": annotations}
            found["annotations"] = annotations
    for field in ("data", "stringData", "annotations"):
        old, new = values[0].get(field, {}), values[1].get(field, {})
        keys = [LAST_APPLIED] if field == "annotations" else sorted(set(old) | set(new))
        _masked(old, new, keys)
    return sides[0], sides[1]


def _yaml(obj: Mapping[str, Any] | None) -> list[str]:
    if obj is None:
        return []
    text: str = yaml.safe_dump(dict(obj), sort_keys=True, default_flow_style=False)
    return text.splitlines(keepends=True)


def unified_diff(
    live: Mapping[str, Any] | None, merged: Mapping[str, Any] | None, *, name: str
) -> str:
    """The unified diff of two objects as YAML, headed ``live/<name>`` and ``merged/<name>``."""
    lines = difflib.unified_diff(
        _yaml(live), _yaml(merged), fromfile=f"live/{name}", tofile=f"merged/{name}"
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _file_name(api_version: str, kind: str, namespace: str, name: str) -> str:
    """kubectl diff's file name: ``apps.v1.Deployment.ns.web``, ``v1.ConfigMap.ns.x``."""
    return ".".join(p for p in (api_version.replace("/", "."), kind, namespace, name) if p)


def _failed(doc: ManifestDocument, error: KubesetError) -> DiffResult:
    return DiffResult(doc.source, *document_identity(doc), "error", error=error)


def _diff_one(
    dyn: DynamicClient[Any], doc: ManifestDocument, options: ManifestOptions
) -> Steps[DiffResult]:
    if doc.error is not None:
        return _failed(doc, doc.error)
    try:
        client, obj = yield from document_client_steps(dyn, doc, options)
        name = str(meta_value(obj, "name"))
        try:
            live: dict[str, Any] | None = (yield client.get(name)).object
        except NotFound:
            live = None
        answer = yield client.apply(
            obj, field_manager=options.field_manager, force=options.force, dry_run=True
        )
        merged = answer.object
    except KubesetError as e:
        return _failed(doc, e)
    before, after = mask_secrets(comparable(live), comparable(merged))
    info = client.info
    action: DiffAction = (
        "created" if live is None else "unchanged" if before == after else "changed"
    )
    text = ""
    if action != "unchanged":
        text = unified_diff(
            before, after, name=_file_name(info.api_version, info.kind, client.namespace, name)
        )
    return DiffResult(
        doc.source,
        info.api_version,
        info.kind,
        name,
        client.namespace,
        action,
        text,
        group=info.group,
    )


@overload
def diff_manifests(
    dyn: DynamicClient[Request], paths: ManifestPaths, options: ManifestOptions | None = ...
) -> list[DiffResult]: ...
@overload
def diff_manifests(
    dyn: DynamicClient[AsyncRequest], paths: ManifestPaths, options: ManifestOptions | None = ...
) -> Awaited[list[DiffResult]]: ...
def diff_manifests(
    dyn: DynamicClient[Any], paths: ManifestPaths, options: ManifestOptions | None = None
) -> Any:
    """Compare every document with the live object: one :class:`DiffResult` each, in order
    (awaited over an asyncio dynamic client)."""
    opts = options or ManifestOptions()
    return drive(dyn.is_async, _diff_steps(dyn, load_manifests(paths), opts))


def _diff_steps(
    dyn: DynamicClient[Any], docs: list[ManifestDocument], opts: ManifestOptions
) -> Steps[list[DiffResult]]:
    if opts.applyset:
        parent = yield from parse_parent_ref_steps(
            opts.applyset, dyn.mapper, namespace=opts.namespace
        )
        docs = member_documents(docs, parent.id)
    results: list[DiffResult] = []
    for doc in docs:
        results.append((yield from _diff_one(dyn, doc, opts)))
    return results
