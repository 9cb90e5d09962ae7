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

With ``ManifestOptions(applyset="secrets/web-set", prune=True)`` the objects are members of an
ApplySet (:mod:`.applyset`, kubectl's ``--applyset``): the parent is updated to cover the kinds
and namespaces about to be applied, every object is labelled ``applyset.kubernetes.io/part-of``,
and once every document applied, members no longer in the manifests are deleted (``pruned``
results; with ``dry_run`` only listed) and the parent then records exactly what was applied.
When a document failed nothing is pruned and the parent keeps the union of old and new.
The parent is written before any object, as kubectl writes it, so that an interrupted apply
leaves no member it does not list; only when the parent's namespace does not exist yet and the
manifests define it is that Namespace applied first (a member, labelled), then the parent.

Over an asyncio dynamic client (``DynamicClient[AsyncRequest]``) ``apply_manifests`` and
``delete_manifests`` are awaited: each is one procedure (:mod:`kubeset.steps`), the reading,
ordering, ApplySet plan and results decided once, every server call a step.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, overload

import yaml  # type: ignore[import-untyped, unused-ignore]

from ..errors import ApplySetError, KubesetError, ManifestError, NotFound
from ..rest.aio import AsyncRequest
from ..rest.meta import meta_value
from ..rest.request import Request
from ..steps import Awaited, Steps, drive
from .applyset import (
    DEFAULT_TOOLING,
    ApplySet,
    ApplySetParent,
    ApplySetState,
    GroupKind,
    parse_parent_ref_steps,
    with_member_label,
)
from .client import DynamicClient, DynamicResourceClient
from .unstructured import Unstructured
from .wait import wait_steps

__all__ = [
    "ManifestDocument",
    "ManifestOptions",
    "ManifestPaths",
    "ManifestResult",
    "apply_manifests",
    "delete_manifests",
    "document_client",
    "document_client_steps",
    "document_identity",
    "error_line",
    "load_manifests",
    "member_documents",
    "object_ref",
]

ManifestPaths = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]
"""A file, a folder (its ``*.yaml``, ``*.yml``, ``*.json``), or a list of them."""

Action = Literal["created", "configured", "unchanged", "deleted", "not found", "pruned", "error"]
_SUFFIXES = (".yaml", ".yml", ".json")
_SEPARATOR = re.compile(r"^---[ \t]*(?:#.*)?$", re.MULTILINE)
_FIRST = ("Namespace", "CustomResourceDefinition")  # applied first, deleted last


@dataclass(frozen=True, slots=True)
class ManifestOptions:
    """How manifests are applied: the field manager, a default namespace, dry run, force;
    the ApplySet the objects belong to, and whether its dropped members are pruned."""

    field_manager: str = "kubeset"
    namespace: str | None = None  # for namespaced objects without metadata.namespace
    dry_run: bool = False
    force: bool = False  # take fields over from other managers (--force-conflicts)
    establish_timeout: float = 60.0  # seconds to wait for a CRD to be Established
    # the ApplySet's parent: "NAME" (a Secret), "configmaps/NAME", "RESOURCE.GROUP/NAME"
    applyset: str | None = None
    prune: bool = False  # delete the set's members no longer in the manifests (needs applyset)
    tooling: str = DEFAULT_TOOLING  # the parent's applyset.kubernetes.io/tooling

    def __post_init__(self) -> None:
        if self.prune and not self.applyset:
            raise ApplySetError("prune needs an applyset (the parent object that tracks the set)")


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
    uid: str = ""  # the object's uid as answered (a prune keeps the uids applied)

    @property
    def ok(self) -> bool:
        return self.error is None

    def line(self) -> str:
        """kubectl's line: ``deployment.apps/web created`` or ``error: <source>: <reason>``."""
        if self.error is not None:
            return error_line(self.source, self.error)
        suffix = " (server dry run)" if self.dry_run else ""
        return f"{object_ref(self.kind, self.group, self.name)} {self.action}{suffix}"


def object_ref(kind: str, group: str, name: str) -> str:
    """kubectl's name of an object: ``deployment.apps/web``, ``configmap/settings``."""
    return f"{kind.lower()}{f'.{group}' if group else ''}/{name}"


def error_line(source: str, error: KubesetError) -> str:
    """``error: <source>: <reason>`` (the source once, when the error names it already)."""
    message = str(error)
    return f"error: {message if message.startswith(source) else f'{source}: {message}'}"


def document_identity(doc: ManifestDocument) -> tuple[str, str, str, str]:
    """(apiVersion, kind, name, namespace) as a document names them ("" where it does not)."""
    obj = doc.obj or {}
    return (
        str(obj.get("apiVersion") or ""),
        str(obj.get("kind") or ""),
        str(meta_value(obj, "name") or ""),
        str(meta_value(obj, "namespace") or ""),
    )


# -- reading ---------------------------------------------------------------------------
def _files(paths: ManifestPaths) -> list[Path]:
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
    paths: ManifestPaths,
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
    return ManifestResult(doc.source, *document_identity(doc), "error", error)


def document_client(
    dyn: DynamicClient[Any], doc: ManifestDocument, options: ManifestOptions
) -> Any:
    """The client of a document's object, and the object with its namespace filled in
    (awaited over an asyncio dynamic client)."""
    return drive(dyn.is_async, document_client_steps(dyn, doc, options))


def document_client_steps(
    dyn: DynamicClient[Any], doc: ManifestDocument, options: ManifestOptions
) -> Steps[tuple[DynamicResourceClient[Any], dict[str, Any]]]:
    """:func:`document_client` as a procedure (:mod:`kubeset.steps`)."""
    obj = dict(doc.obj or {})
    mapping = yield from dyn.mapper.rest_mapping_for_steps(obj["apiVersion"], obj["kind"])
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
    dyn: DynamicClient[Any], doc: ManifestDocument, options: ManifestOptions
) -> Steps[ManifestResult]:
    if doc.error is not None:
        return _failed(doc, doc.error)
    try:
        client, obj = yield from document_client_steps(dyn, doc, options)
        name = str(meta_value(obj, "name"))
        try:
            before: dict[str, Any] | None = _content((yield client.get(name)))
        except NotFound:
            before = None
        after = yield client.apply(
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
        uid=after.uid,
    )


def _first(doc: ManifestDocument) -> bool:
    return doc.obj is not None and doc.error is None and doc.obj.get("kind") in _FIRST


def member_documents(docs: Sequence[ManifestDocument], set_id: str) -> list[ManifestDocument]:
    """The documents with their objects labelled as members of ApplySet ``set_id``."""
    out: list[ManifestDocument] = []
    for doc in docs:
        if doc.obj is None or doc.error is not None:
            out.append(doc)
            continue
        try:
            out.append(dataclasses.replace(doc, obj=with_member_label(doc.obj, set_id)))
        except ApplySetError as e:
            out.append(dataclasses.replace(doc, error=ManifestError(str(e), doc.source)))
    return out


def _planned(
    dyn: DynamicClient[Any], docs: Sequence[ManifestDocument], opts: ManifestOptions
) -> Steps[tuple[set[GroupKind], set[str]]]:
    """The kinds and namespaces the documents will add to the set (before they are applied:
    a kind a CRD of the same manifests defines is not served yet, its namespace is a guess)."""
    kinds: set[GroupKind] = set()
    namespaces: set[str] = set()
    for doc in docs:
        if doc.obj is None or doc.error is not None:
            continue
        kinds.add(GroupKind.of(str(doc.obj["apiVersion"]), str(doc.obj["kind"])))
        namespace = str(meta_value(doc.obj, "namespace") or opts.namespace or "")
        try:
            mapping = yield from dyn.mapper.rest_mapping_for_steps(
                doc.obj["apiVersion"], doc.obj["kind"]
            )
            namespaced = mapping.namespaced
        except KubesetError:
            namespaced = True  # not served yet: count its namespace (a superset is harmless)
        if namespaced and namespace:
            namespaces.add(namespace)
    return kinds, namespaces


def _namespace_document(
    docs: Sequence[ManifestDocument], namespace: str
) -> ManifestDocument | None:
    """The usable document of the Namespace ``namespace``, if the manifests have one."""
    for doc in docs:
        obj = doc.obj if _first(doc) else None
        if obj is not None and obj["kind"] == "Namespace" and meta_value(obj, "name") == namespace:
            return doc
    return None


def _parent_namespace_first(
    dyn: DynamicClient[Any], docs: Sequence[ManifestDocument], parent: ApplySetParent
) -> Steps[ManifestDocument | None]:
    """The document of the parent's Namespace when it must be applied before the parent:
    the manifests define it and it does not exist yet (otherwise None: kubectl's order)."""
    doc = _namespace_document(docs, parent.namespace) if parent.namespace else None
    if doc is None:
        return None
    try:
        namespaces = yield from dyn.for_kind_steps("v1", "Namespace")
        yield namespaces.get(parent.namespace)
    except NotFound:
        return doc
    return None


def _prune(
    applyset: ApplySet,
    state: ApplySetState,
    results: Sequence[ManifestResult],
    opts: ManifestOptions,
) -> Steps[list[ManifestResult]]:
    """Delete the members not applied this time (namespaced ones first, Namespaces and CRDs
    last); then, when every deletion succeeded, record exactly the applied kinds and namespaces."""
    keep = {r.uid for r in results if r.uid}
    source = f"ApplySet {applyset.parent}"
    members = yield from applyset.members_steps(state)
    doomed = [(client, obj) for client, obj in members if obj.uid not in keep]
    doomed.sort(key=lambda pair: (pair[1].kind in _FIRST, not pair[0].info.namespaced))
    pruned: list[ManifestResult] = []
    for client, obj in doomed:
        info = client.info
        result = ManifestResult(
            source,
            info.api_version,
            info.kind,
            obj.name,
            obj.namespace,
            "pruned",
            group=info.group,
            dry_run=opts.dry_run,
            uid=obj.uid,
        )
        try:
            yield client.delete(obj.name, propagation_policy="Background", dry_run=opts.dry_run)
        except NotFound:
            pass  # gone already
        except KubesetError as e:
            result = dataclasses.replace(result, action="error", error=e)
        pruned.append(result)
    if all(r.ok for r in pruned):
        applied = [r for r in results if r.ok]
        try:
            yield from applyset.update_parent_steps(
                {GroupKind(r.kind, r.group) for r in applied},
                {r.namespace for r in applied if r.namespace},
                dry_run=opts.dry_run,
            )
        except KubesetError as e:  # applied and pruned; the parent still lists the union
            m = applyset.parent.mapping
            pruned.append(
                ManifestResult(
                    source,
                    m.api_version,
                    m.kind,
                    applyset.parent.name,
                    applyset.parent.namespace,
                    "error",
                    e,
                    group=m.group,
                )
            )
    return pruned


@overload
def apply_manifests(
    dyn: DynamicClient[Request], paths: ManifestPaths, options: ManifestOptions | None = ...
) -> list[ManifestResult]: ...
@overload
def apply_manifests(
    dyn: DynamicClient[AsyncRequest], paths: ManifestPaths, options: ManifestOptions | None = ...
) -> Awaited[list[ManifestResult]]: ...
def apply_manifests(
    dyn: DynamicClient[Any], paths: ManifestPaths, options: ManifestOptions | None = None
) -> Any:
    """Apply every document server-side: one result per document, in the order applied;
    with an ApplySet and ``prune``, one ``pruned`` result per member deleted after them
    (awaited over an asyncio dynamic client).

    Raises :class:`~kubeset.errors.ApplySetError` (or the server's error) before applying
    anything (but the parent's own Namespace, when the manifests create it) when the
    ApplySet's parent cannot be read, used or widened."""
    opts = options or ManifestOptions()
    return drive(dyn.is_async, _apply_steps(dyn, load_manifests(paths), opts))


def _apply_steps(
    dyn: DynamicClient[Any], docs: list[ManifestDocument], opts: ManifestOptions
) -> Steps[list[ManifestResult]]:
    applyset: ApplySet | None = None
    state = ApplySetState()
    if opts.applyset:
        parent = yield from parse_parent_ref_steps(
            opts.applyset, dyn.mapper, namespace=opts.namespace
        )
        applyset = ApplySet(dyn, parent, tooling=opts.tooling)
        state = yield from applyset.fetch_steps()
        docs = member_documents(docs, applyset.id)
        kinds, namespaces = yield from _planned(dyn, docs, opts)
        state = dataclasses.replace(
            state, group_kinds=state.group_kinds | kinds, namespaces=state.namespaces | namespaces
        )
    results: list[ManifestResult] = []
    early: ManifestDocument | None = None
    if applyset is not None:
        early = yield from _parent_namespace_first(dyn, docs, applyset.parent)
        if early is not None:
            results.append((yield from _apply_one(dyn, early, opts)))
            if not results[0].ok:
                return results  # no parent without its namespace: nothing else is applied
        if early is None or not opts.dry_run:  # a dry run made no namespace to write into
            yield from applyset.update_parent_steps(
                state.group_kinds, state.namespaces, dry_run=opts.dry_run
            )
    for doc in [d for d in docs if _first(d) and d is not early]:
        result = yield from _apply_one(dyn, doc, opts)
        if result.ok and result.kind == "CustomResourceDefinition" and not opts.dry_run:
            try:
                yield from wait_steps(dyn, [result], timeout=opts.establish_timeout)
            except KubesetError as e:
                result = _failed(doc, ManifestError(str(e), doc.source))
        results.append(result)
    for doc in [d for d in docs if not _first(d)]:
        results.append((yield from _apply_one(dyn, doc, opts)))
    if applyset is not None and opts.prune and all(r.ok for r in results):
        results.extend((yield from _prune(applyset, state, results, opts)))
    return results


@overload
def delete_manifests(
    dyn: DynamicClient[Request], paths: ManifestPaths, options: ManifestOptions | None = ...
) -> list[ManifestResult]: ...
@overload
def delete_manifests(
    dyn: DynamicClient[AsyncRequest], paths: ManifestPaths, options: ManifestOptions | None = ...
) -> Awaited[list[ManifestResult]]: ...
def delete_manifests(
    dyn: DynamicClient[Any], paths: ManifestPaths, options: ManifestOptions | None = None
) -> Any:
    """Delete every object the documents name (Namespaces and CRDs last): one result each
    (awaited over an asyncio dynamic client)."""
    opts = options or ManifestOptions()
    return drive(dyn.is_async, _delete_steps(dyn, load_manifests(paths), opts))


def _delete_steps(
    dyn: DynamicClient[Any], docs: list[ManifestDocument], opts: ManifestOptions
) -> Steps[list[ManifestResult]]:
    ordered = [d for d in docs if not _first(d)] + [d for d in docs if _first(d)]
    results: list[ManifestResult] = []
    for doc in ordered:
        if doc.error is not None:
            results.append(_failed(doc, doc.error))
            continue
        try:
            client, obj = yield from document_client_steps(dyn, doc, opts)
            name = str(meta_value(obj, "name"))
            try:
                yield client.delete(name, dry_run=opts.dry_run)
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
