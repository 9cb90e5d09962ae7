"""ApplySets (KEP-3659): the labels and parent object ``kubectl apply --prune --applyset=`` uses.

    parent = parse_parent_ref("secrets/web-set", dyn.mapper, namespace="prod")   # or "web-set"
    applyset = ApplySet(dyn, parent, tooling="kubeset/v0.1.0")
    state = applyset.fetch()                     # what the live parent says the set contains
    obj = with_member_label(obj, parent.id)      # every applied object: applyset.kubernetes.io/part-of
    applyset.update_parent(state.group_kinds | new_kinds, state.namespaces | new_namespaces)
    for mapping, member in applyset.members(state): ...   # objects of the set, to prune

Facts shared with kubectl (``pkg/cmd/apply/applyset.go``) so either tool can take over a set
the other applied: the parent (a Secret by default, a ConfigMap, or a custom resource whose CRD
is labelled ``applyset.kubernetes.io/is-parent-type``) carries the label
``applyset.kubernetes.io/id`` = ``applyset-<base64url(sha256("<name>.<namespace>.<Kind>.<group>"))
without padding>-v1`` and the annotations ``applyset.kubernetes.io/tooling`` (``<tool>/<version>``),
``applyset.kubernetes.io/contains-group-kinds`` (sorted ``Kind.group`` names, comma-separated) and
``applyset.kubernetes.io/additional-namespaces`` (sorted, the parent's own namespace left out); each
member carries ``applyset.kubernetes.io/part-of`` = the id.  The parent is written with
server-side apply as field manager ``<tool>-applyset``.  A parent written by another tool is
refused (the KEP's rule): give that tool's ``tooling`` (e.g. ``kubectl/v1.36.0``) to take it over.

The decisions (id, parsing the parent, the parent's patch, member labels) are pure functions;
:class:`ApplySet` does the reads and writes.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .._version import __version__
from ..discovery.restmapper import RESTMapper, RESTMapping
from ..errors import ApplySetError, Conflict, NoMatchError, NotFound
from ..steps import Steps, drive, run
from .client import DynamicClient, DynamicResourceClient
from .unstructured import Unstructured

__all__ = [
    "DEFAULT_TOOLING",
    "GROUP_KINDS_ANNOTATION",
    "GROUP_RESOURCES_ANNOTATION",
    "ID_LABEL",
    "NAMESPACES_ANNOTATION",
    "PARENT_TYPE_LABEL",
    "PART_OF_LABEL",
    "TOOLING_ANNOTATION",
    "ApplySet",
    "ApplySetParent",
    "ApplySetState",
    "GroupKind",
    "applyset_id",
    "parent_patch",
    "parse_parent_ref",
    "read_state",
    "with_member_label",
]

PART_OF_LABEL = "applyset.kubernetes.io/part-of"
ID_LABEL = "applyset.kubernetes.io/id"
TOOLING_ANNOTATION = "applyset.kubernetes.io/tooling"
GROUP_KINDS_ANNOTATION = "applyset.kubernetes.io/contains-group-kinds"
GROUP_RESOURCES_ANNOTATION = "applyset.kubernetes.io/contains-group-resources"  # deprecated
NAMESPACES_ANNOTATION = "applyset.kubernetes.io/additional-namespaces"
PARENT_TYPE_LABEL = "applyset.kubernetes.io/is-parent-type"
DEFAULT_TOOLING = f"kubeset/v{__version__}"

_BUILTIN_PARENTS = frozenset({("", "secrets"), ("", "configmaps")})
_CRD_API = "apiextensions.k8s.io/v1"


def applyset_id(*, name: str, namespace: str, kind: str, group: str) -> str:
    """The id of the set a parent object tracks (kubectl's ``ComputeApplysetID``)."""
    digest = hashlib.sha256(f"{name}.{namespace}.{kind}.{group}".encode()).digest()
    return f"applyset-{base64.urlsafe_b64encode(digest).decode().rstrip('=')}-v1"


@dataclass(frozen=True, slots=True, order=True)
class GroupKind:
    """A kind and its API group: ``Deployment.apps``, ``ConfigMap`` (the core group)."""

    kind: str
    group: str = ""

    def __str__(self) -> str:
        return f"{self.kind}.{self.group}" if self.group else self.kind

    @classmethod
    def parse(cls, text: str) -> GroupKind:
        """``Kind.group`` (Go's ``schema.ParseGroupKind``: split at the first dot)."""
        kind, _, group = text.strip().partition(".")
        return cls(kind, group)

    @classmethod
    def of(cls, api_version: str, kind: str) -> GroupKind:
        group = api_version.rpartition("/")[0] if "/" in api_version else ""
        return cls(kind, group)


@dataclass(frozen=True, slots=True)
class ApplySetParent:
    """The object that tracks a set: its resource (through the RESTMapper), name, namespace."""

    mapping: RESTMapping
    name: str
    namespace: str = ""  # "" for a cluster-scoped parent

    @property
    def id(self) -> str:
        return applyset_id(
            name=self.name,
            namespace=self.namespace,
            kind=self.mapping.kind,
            group=self.mapping.group,
        )

    @property
    def builtin(self) -> bool:
        return (self.mapping.group, self.mapping.resource) in _BUILTIN_PARENTS

    def __str__(self) -> str:
        """kubectl's form: ``secrets./web-set``, ``plans.deploy.example.com/prod``."""
        return f"{self.mapping.resource}.{self.mapping.group}/{self.name}"


@dataclass(frozen=True, slots=True)
class ApplySetState:
    """What a parent says its set contains: kinds, namespaces (the parent's own included)."""

    group_kinds: frozenset[GroupKind] = frozenset()
    namespaces: frozenset[str] = frozenset()
    tooling: str = ""
    exists: bool = False


def parse_parent_ref(ref: str, mapper: RESTMapper, *, namespace: str | None = None) -> Any:
    """``NAME`` (a Secret), ``RESOURCE[.GROUP]/NAME`` (``configmaps/x``, ``plans.example.com/x``),
    as kubectl's ``--applyset``; a namespaced parent takes ``namespace`` (required).  The
    :class:`ApplySetParent` (awaited over an asyncio RESTMapper)."""
    return drive(mapper.is_async, parse_parent_ref_steps(ref, mapper, namespace=namespace))


def parse_parent_ref_steps(
    ref: str, mapper: RESTMapper[Any], *, namespace: str | None = None
) -> Steps[ApplySetParent]:
    """:func:`parse_parent_ref` as a procedure (:mod:`kubeset.steps`)."""
    resource, slash, name = ref.partition("/")
    if not slash:
        resource, name = "secrets", ref
    if not name or "/" in name:
        raise ApplySetError(
            f"applyset {ref!r}: expected NAME or RESOURCE[.GROUP]/NAME (e.g. secrets/my-set)"
        )
    try:
        group = None if "." in resource else ""
        mapping = yield from mapper.find_steps(resource, group=group)
    except NoMatchError as e:
        raise ApplySetError(f"applyset {ref!r}: {e}") from e
    if mapping.namespaced and not namespace:
        raise ApplySetError(
            f"applyset {ref!r}: a {mapping.kind} parent is namespaced; give its namespace"
        )
    return ApplySetParent(mapping, name, (namespace or "") if mapping.namespaced else "")


def _tool_name(tooling: str) -> str:
    """``kubectl/v1.36.0`` -> ``kubectl`` (everything before the last slash)."""
    return tooling.rpartition("/")[0] if "/" in tooling else tooling


def _split(value: str) -> list[str]:
    return [part for part in (p.strip() for p in value.split(",")) if part]


def read_state(
    parent: ApplySetParent,
    obj: Unstructured | Mapping[str, Any] | None,
    *,
    tooling: str,
    mapper: RESTMapper | None = None,
) -> ApplySetState:
    """The set a live parent describes (None: no parent yet), checked as kubectl checks it:
    the tooling annotation names the same tool, the id label is the parent's id.  A parent
    with only the deprecated ``contains-group-resources`` annotation needs ``mapper``; one with
    neither lists no kinds (kubectl refuses it; the safe reading: nothing to prune yet)."""
    return run(read_state_steps(parent, obj, tooling=tooling, mapper=mapper))


def read_state_steps(
    parent: ApplySetParent,
    obj: Unstructured | Mapping[str, Any] | None,
    *,
    tooling: str,
    mapper: RESTMapper[Any] | None = None,
) -> Steps[ApplySetState]:
    """:func:`read_state` as a procedure (a sync or an asyncio ``mapper``)."""
    if obj is None:
        own = frozenset({parent.namespace}) if parent.namespace else frozenset()
        return ApplySetState(namespaces=own)
    data = obj.object if isinstance(obj, Unstructured) else obj
    meta = data.get("metadata") or {}
    labels: Mapping[str, str] = meta.get("labels") or {}
    annotations: Mapping[str, str] = meta.get("annotations") or {}
    found = annotations.get(TOOLING_ANNOTATION)
    if found is None:
        raise ApplySetError(
            f"ApplySet parent {parent} exists without the {TOOLING_ANNOTATION} annotation"
        )
    if _tool_name(found) != _tool_name(tooling):
        raise ApplySetError(
            f"ApplySet parent {parent} is managed by {_tool_name(found)!r}, not"
            f" {_tool_name(tooling)!r}; give tooling={found!r} to take the set over"
        )
    if labels.get(ID_LABEL) != parent.id:
        raise ApplySetError(
            f"ApplySet parent {parent} has {ID_LABEL}={labels.get(ID_LABEL)!r},"
            f" expected {parent.id!r}"
        )
    if GROUP_KINDS_ANNOTATION in annotations:
        kinds = frozenset(GroupKind.parse(k) for k in _split(annotations[GROUP_KINDS_ANNOTATION]))
    elif annotations.get(GROUP_RESOURCES_ANNOTATION) and mapper is not None:
        legacy: set[GroupKind] = set()
        for gr in _split(annotations[GROUP_RESOURCES_ANNOTATION]):
            m = yield from mapper.find_steps(gr)
            legacy.add(GroupKind(m.kind, m.group))
        kinds = frozenset(legacy)
    else:
        kinds = frozenset()  # a parent made by hand (a custom resource): no members yet
    namespaces = set(_split(annotations.get(NAMESPACES_ANNOTATION, "")))
    if parent.namespace:
        namespaces.add(parent.namespace)
    return ApplySetState(kinds, frozenset(namespaces), found, exists=True)


def parent_patch(
    parent: ApplySetParent,
    *,
    tooling: str,
    group_kinds: Iterable[GroupKind],
    namespaces: Iterable[str],
) -> dict[str, Any]:
    """The server-side apply body of the parent: its id label and the set's annotations."""
    meta: dict[str, Any] = {
        "name": parent.name,
        "labels": {ID_LABEL: parent.id},
        "annotations": {
            TOOLING_ANNOTATION: tooling,
            GROUP_KINDS_ANNOTATION: ",".join(sorted(str(gk) for gk in set(group_kinds))),
            NAMESPACES_ANNOTATION: ",".join(sorted(set(namespaces) - {parent.namespace, ""})),
        },
    }
    if parent.namespace:
        meta["namespace"] = parent.namespace
    return {"apiVersion": parent.mapping.api_version, "kind": parent.mapping.kind, "metadata": meta}


def with_member_label(obj: Mapping[str, Any], set_id: str) -> dict[str, Any]:
    """A copy of ``obj`` labelled as a member of ``set_id`` (refused: another set's label)."""
    meta = dict(obj.get("metadata") or {})
    labels = dict(meta.get("labels") or {})
    if labels.get(PART_OF_LABEL, set_id) != set_id:
        raise ApplySetError(
            f"{obj.get('kind')} {meta.get('name')!r} already has {PART_OF_LABEL}="
            f"{labels[PART_OF_LABEL]!r} (another ApplySet)"
        )
    labels[PART_OF_LABEL] = set_id
    meta["labels"] = labels
    return {**obj, "metadata": meta}


class ApplySet:
    """The reads and writes of one set: its parent, its members.  Each is a procedure
    (:mod:`kubeset.steps`) for ``yield from`` in another one (:mod:`.manifests`); the plain
    methods run it (awaited over an asyncio dynamic client)."""

    def __init__(
        self, dyn: DynamicClient[Any], parent: ApplySetParent, *, tooling: str = DEFAULT_TOOLING
    ) -> None:
        if "/" not in tooling or not _tool_name(tooling):
            raise ApplySetError(f"tooling {tooling!r}: expected <tool>/<version>")
        self.dyn = dyn
        self.parent = parent
        self.tooling = tooling
        self.field_manager = f"{_tool_name(tooling)}-applyset"

    @property
    def id(self) -> str:
        return self.parent.id

    def _client(self) -> DynamicResourceClient[Any]:
        return self.dyn.for_mapping(self.parent.mapping, self.parent.namespace)

    def fetch(self) -> Any:
        """The live parent's state (empty when there is none yet); raises ApplySetError when
        it cannot be used (another tool's, another id, a custom kind not allowed as parent)."""
        return drive(self.dyn.is_async, self.fetch_steps())

    def fetch_steps(self) -> Steps[ApplySetState]:
        if not self.parent.builtin:
            yield from self._check_parent_type()
        try:
            live: Unstructured | None = yield self._client().get(self.parent.name)
        except NotFound:
            if not self.parent.builtin:
                raise ApplySetError(
                    f"ApplySet parent {self.parent} does not exist: a custom resource parent"
                    " is not created automatically"
                ) from None
            live = None
        return (
            yield from read_state_steps(
                self.parent, live, tooling=self.tooling, mapper=self.dyn.mapper
            )
        )

    def _check_parent_type(self) -> Steps[None]:
        crds = yield from self.dyn.for_kind_steps(_CRD_API, "CustomResourceDefinition")
        found = yield crds.list(label_selector=PARENT_TYPE_LABEL)
        allowed = {crd.name for crd in found}
        if f"{self.parent.mapping.resource}.{self.parent.mapping.group}" not in allowed:
            raise ApplySetError(
                f"{self.parent.mapping.resource}.{self.parent.mapping.group} is not allowed as an"
                f" ApplySet parent: its CRD lacks the {PARENT_TYPE_LABEL} label"
            )

    def update_parent(
        self, group_kinds: Iterable[GroupKind], namespaces: Iterable[str], *, dry_run: bool = False
    ) -> Any:
        """Write the set's kinds and namespaces on the parent (server-side apply, forced on a
        conflict as kubectl does: the applyset field manager owns these fields)."""
        steps = self.update_parent_steps(group_kinds, namespaces, dry_run=dry_run)
        return drive(self.dyn.is_async, steps)

    def update_parent_steps(
        self, group_kinds: Iterable[GroupKind], namespaces: Iterable[str], *, dry_run: bool = False
    ) -> Steps[Unstructured]:
        body = parent_patch(
            self.parent, tooling=self.tooling, group_kinds=group_kinds, namespaces=namespaces
        )
        client = self._client()
        written: Unstructured
        try:
            written = yield client.apply(body, field_manager=self.field_manager, dry_run=dry_run)
        except Conflict:
            written = yield client.apply(
                body, field_manager=self.field_manager, dry_run=dry_run, force=True
            )
        return written

    def members(self, state: ApplySetState) -> Any:
        """Every live object labelled as a member, of the kinds and namespaces of ``state``
        (a cluster-scoped kind is listed once), with the client of its resource: a list of
        (client, object) pairs."""
        return drive(self.dyn.is_async, self.members_steps(state))

    def members_steps(
        self, state: ApplySetState
    ) -> Steps[list[tuple[DynamicResourceClient[Any], Unstructured]]]:
        selector = f"{PART_OF_LABEL}={self.id}"
        found: list[tuple[DynamicResourceClient[Any], Unstructured]] = []
        for gk in sorted(state.group_kinds):
            try:
                mapping = yield from self.dyn.mapper.rest_mapping_steps(gk.kind, group=gk.group)
            except NoMatchError:
                continue  # the kind is gone (its CRD deleted): so are its objects
            spaces = sorted(state.namespaces) if mapping.namespaced else [""]
            for ns in spaces:
                client = self.dyn.for_mapping(mapping, ns)
                listed = yield client.list_all(label_selector=selector)
                for item in listed:
                    if item.labels.get(PART_OF_LABEL) == self.id:
                        found.append((client, item))
        return found

    def __repr__(self) -> str:
        return f"<ApplySet {self.parent} id={self.id}>"
