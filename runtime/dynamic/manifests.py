"""Manifests: apply or delete YAML files and folders server-side (``kubectl apply --server-side -f``).

    results = apply_manifests(dyn, ["deploy/"], ManifestOptions(field_manager="me", namespace="dev"))
    for r in results:
        print(r.line())          # "deployment.apps/web created", "error: deploy/a.yaml document 2: ..."
    delete_manifests(dyn, ["deploy/"])

Documents are read from a file, a list of files or a folder (``*.yaml``, ``*.yml``, ``*.json``,
sorted; not recursive).  Each file is split into its documents before parsing, so a document
that does not parse, is not a mapping, lacks apiVersion, kind or name, names an unknown kind
or is namespaced without a namespace (and none is defaulted) gives one error result naming the
file and the document's number while the other documents are still applied.  Namespaces and
CustomResourceDefinitions go first and the CRDs are waited for (Established) before the rest,
whose kinds they may define.  Each object is mapped through the RESTMapper and applied with
server-side apply; the result says ``created``, ``configured`` or ``unchanged`` (the object read
before and the one answered, compared without resourceVersion and managedFields), or the error.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml  # type: ignore[import-untyped, unused-ignore]

from ..errors import KubesetError, ManifestError, NotFound
from ..rest.meta import meta_value
from .client import DynamicClient, DynamicResourceClient
from .unstructured import Unstructured

__all__ = [
    "ManifestDocument",
    "ManifestOptions",
    "ManifestResult",
    "apply_manifests",
    "delete_manifests",
    "load_manifests",
]

Action = Literal["created", "configured", "unchanged", "deleted", "not found", "error"]
_SUFFIXES = (".yaml", ".yml", ".json")
_SEPARATOR = re.compile(r"^---[ \t]*(?:#.*)?$", re.MULTILINE)
_FIRST = ("Namespace", "CustomResourceDefinition")  # applied first, deleted last
_CRD_API = "apiextensions.k8s.io/v1"


@dataclass(frozen=True, slots=True)
class ManifestOptions:
    """How manifests are applied: the field manager, a default namespace, dry run, force."""

    field_manager: str = "kubeset"
    namespace: str | None = None  # for namespaced objects without metadata.namespace
    dry_run: bool = False
    force: bool = False  # take fields over from other managers (--force-conflicts)
    establish_timeout: float = 60.0  # seconds to wait for a CRD to be Established


@dataclass(frozen=True, slots=True)
class ManifestDocument:
    """One document of a manifest file: the object, or why it cannot be used."""

    path: str
    index: int  # 1-based number of the document in its file
    obj: dict[str, Any] | None
    error: ManifestError | None = None

    @property
    def source(self) -> str:
        return f"{self.path} document {self.index}"


@dataclass(frozen=True, slots=True)
class ManifestResult:
    """What happened to one document: an action, or the error.

    ``error`` keeps its type (:class:`~kubeset.errors.ManifestError` for a document that cannot
    be used, :class:`~kubeset.errors.NoMatchError` for a kind the server does not serve, the
    ApiError of the server's answer); ``source`` and :meth:`line` name the file and document.
    """

    source: str  # "deploy/app.yaml document 2"
    api_version: str
    kind: str
    name: str
    namespace: str
    action: Action
    error: KubesetError | None = None
    group: str = ""
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    def line(self) -> str:
        """kubectl's line: ``deployment.apps/web created`` or ``error: <source>: <reason>``."""
        if self.error is not None:
            message = str(self.error)
            if not message.startswith(self.source):
                message = f"{self.source}: {message}"
            return f"error: {message}"
        kind = self.kind.lower() + (f".{self.group}" if self.group else "")
        suffix = " (server dry run)" if self.dry_run else ""
        return f"{kind}/{self.name} {self.action}{suffix}"


# -- reading ---------------------------------------------------------------------------
def _files(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[Path]:
    given = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    found: list[Path] = []
    for p in map(Path, given):
        if p.is_dir():
            found.extend(sorted(f for f in p.iterdir() if f.suffix in _SUFFIXES and f.is_file()))
        else:
            found.append(p)
    return found


def _check(obj: Any, source: str) -> ManifestError | None:
    if not isinstance(obj, dict):
        return ManifestError(
            f"expected a mapping (an object with apiVersion and kind), got a {type(obj).__name__}",
            source,
        )
    missing = [k for k in ("apiVersion", "kind") if not isinstance(obj.get(k), str) or not obj[k]]
    if missing:
        return ManifestError(f"the object has no {' and no '.join(missing)}", source)
    if not meta_value(obj, "name"):
        return ManifestError(f"the {obj['kind']} has no metadata.name", source)
    return None


def _split(path: Path) -> Iterable[ManifestDocument]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        yield ManifestDocument(name, 0, None, ManifestError(f"cannot read: {e}", name))
        return
    chunks = [text] if path.suffix == ".json" else _SEPARATOR.split(text)
    number = 0
    for chunk in chunks:
        if not chunk.strip() or all(
            not ln.strip() or ln.lstrip().startswith("#") for ln in chunk.splitlines()
        ):
            continue  # an empty document (comments only)
        number += 1
        source = f"{name} document {number}"
        try:
            obj = yaml.safe_load(chunk)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f" (line {mark.line + 1} of the document)" if mark is not None else ""
            problem = getattr(e, "problem", None) or str(e).splitlines()[0]
            yield ManifestDocument(
                name, number, None, ManifestError(f"not valid YAML{where}: {problem}", source)
            )
            continue
        if (
            isinstance(obj, dict)
            and obj.get("kind") == "List"
            and isinstance(obj.get("items"), list)
        ):
            for item in obj["items"]:
                yield ManifestDocument(name, number, item, _check(item, source))
            continue
        yield ManifestDocument(
            name, number, obj if isinstance(obj, dict) else None, _check(obj, source)
        )


def load_manifests(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
) -> list[ManifestDocument]:
    """Every document of the files (a folder: its manifest files, sorted), in order."""
    docs: list[ManifestDocument] = []
    for path in _files(paths):
        if not path.exists():
            docs.append(
                ManifestDocument(str(path), 0, None, ManifestError("no such file", str(path)))
            )
            continue
        docs.extend(_split(path))
    return docs


# -- applying --------------------------------------------------------------------------
def _failed(doc: ManifestDocument, error: KubesetError) -> ManifestResult:
    obj = doc.obj or {}
    return ManifestResult(
        doc.source,
        str(obj.get("apiVersion") or ""),
        str(obj.get("kind") or ""),
        str(meta_value(obj, "name") or ""),
        str(meta_value(obj, "namespace") or ""),
        "error",
        error,
    )


def _client(
    dyn: DynamicClient, doc: ManifestDocument, options: ManifestOptions
) -> tuple[DynamicResourceClient, dict[str, Any]]:
    """The client of a document's object, and the object with its namespace filled in."""
    obj = dict(doc.obj or {})
    mapping = dyn.mapper.rest_mapping_for(obj["apiVersion"], obj["kind"])
    namespace = str(meta_value(obj, "namespace") or "")
    if mapping.namespaced and not namespace:
        if not options.namespace:
            raise ManifestError(
                f"{obj['kind']} {meta_value(obj, 'name')!r} is namespaced but has no"
                " metadata.namespace, and no default namespace was given",
                doc.source,
            )
        namespace = options.namespace
        obj["metadata"] = {**obj["metadata"], "namespace": namespace}
    return dyn.for_mapping(mapping, namespace if mapping.namespaced else ""), obj


def _content(obj: Unstructured) -> dict[str, Any]:
    """An object without what every write changes (resourceVersion, managedFields): equal
    before and after an apply that changed nothing, even when the server records a first
    field manager (a Namespace created by apply has none until the next apply)."""
    data = dict(obj.object)
    meta = dict(data.get("metadata") or {})
    for key in ("resourceVersion", "managedFields"):
        meta.pop(key, None)
    data["metadata"] = meta
    return data


def _apply_one(
    dyn: DynamicClient, doc: ManifestDocument, options: ManifestOptions
) -> ManifestResult:
    if doc.error is not None:
        return _failed(doc, doc.error)
    try:
        client, obj = _client(dyn, doc, options)
        name = str(meta_value(obj, "name"))
        try:
            before: dict[str, Any] | None = _content(client.get(name))
        except NotFound:
            before = None
        after = client.apply(
            obj, field_manager=options.field_manager, force=options.force, dry_run=options.dry_run
        )
    except KubesetError as e:
        return _failed(doc, e)
    action: Action = (
        "created" if before is None else "unchanged" if _content(after) == before else "configured"
    )
    info = client.info
    return ManifestResult(
        doc.source,
        info.api_version,
        info.kind,
        name,
        client.namespace,
        action,
        group=info.group,
        dry_run=options.dry_run,
    )


def _wait_established(dyn: DynamicClient, name: str, timeout: float, source: str) -> None:
    crds = dyn.for_kind(_CRD_API, "CustomResourceDefinition")
    deadline = time.monotonic() + timeout
    while True:
        conditions = crds.get(name).get_path("status", "conditions") or []
        if any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions):
            return
        if time.monotonic() > deadline:
            raise ManifestError(
                f"CustomResourceDefinition {name!r} not Established after {timeout:g}s", source
            )
        time.sleep(0.1)


def _first(doc: ManifestDocument) -> bool:
    return doc.obj is not None and doc.error is None and doc.obj.get("kind") in _FIRST


def apply_manifests(
    dyn: DynamicClient,
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    options: ManifestOptions | None = None,
) -> list[ManifestResult]:
    """Apply every document server-side: one result per document, in the order applied."""
    opts = options or ManifestOptions()
    docs = load_manifests(paths)
    results: list[ManifestResult] = []
    for doc in (d for d in docs if _first(d)):
        result = _apply_one(dyn, doc, opts)
        if result.ok and result.kind == "CustomResourceDefinition" and not opts.dry_run:
            try:
                _wait_established(dyn, result.name, opts.establish_timeout, doc.source)
            except KubesetError as e:
                result = _failed(doc, e)
        results.append(result)
    results.extend(_apply_one(dyn, d, opts) for d in docs if not _first(d))
    return results


def delete_manifests(
    dyn: DynamicClient,
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    options: ManifestOptions | None = None,
) -> list[ManifestResult]:
    """Delete every object the documents name (Namespaces and CRDs last): one result each."""
    opts = options or ManifestOptions()
    docs = load_manifests(paths)
    ordered = [d for d in docs if not _first(d)] + [d for d in docs if _first(d)]
    results: list[ManifestResult] = []
    for doc in ordered:
        if doc.error is not None:
            results.append(_failed(doc, doc.error))
            continue
        try:
            client, obj = _client(dyn, doc, opts)
            name = str(meta_value(obj, "name"))
            try:
                client.delete(name, dry_run=opts.dry_run)
                action: Action = "deleted"
            except NotFound:
                action = "not found"
        except KubesetError as e:
            results.append(_failed(doc, e))
            continue
        info = client.info
        results.append(
            ManifestResult(
                doc.source,
                info.api_version,
                info.kind,
                name,
                client.namespace,
                action,
                group=info.group,
                dry_run=opts.dry_run,
            )
        )
    return results
