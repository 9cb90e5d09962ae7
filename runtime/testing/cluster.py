"""FakeCluster: an in-memory Kubernetes API: the store and the semantics of every verb.

    cluster = FakeCluster()                               # namespaces default, kube-system, ...
    pods = cluster.kind("", "v1", "pods")
    pod = cluster.create(pods, "default", {"metadata": {"name": "web"}, "spec": {...}})
    cluster.update(pods, "default", "web", {**pod, "spec": ...})   # 409 if resourceVersion is stale
    cluster.compact()                                     # older watches/continue tokens -> 410

Plain JSON data in and out (the HTTP routing is :mod:`kubeset.testing.transport`). Failures are
the :class:`kubeset.errors.ApiError` subclasses the client would raise, carrying the ``Status``.
Like etcd there is one resourceVersion counter for every write.
"""

from __future__ import annotations

import base64
import copy
import datetime
import importlib
import json
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

from ..errors import ApiError, NotFound
from ..resource.descriptor import ResourceInfo
from . import apply as ssa
from .gc import FOREGROUND, ORPHAN, collect
from .patch import (
    PatchError,
    PatchInternalError,
    PatchMeta,
    RetainKeysError,
    json_patch,
    merge_patch,
    strategic_merge,
)
from .resources import GENERATED_PACKAGE, Kind, ResourceTable
from .selectors import FieldSelector, LabelSelector
from .status import (
    already_exists,
    bad_request,
    conflict,
    expired,
    failure,
    invalid,
    method_not_allowed,
    not_found,
)
from .watch import Event, EventLog, WatchStream

__all__ = ["DeleteOptions", "FakeCluster", "ListOptions", "WriteOptions"]

_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_SYSTEM_META = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields")
_SEED_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
_SCALABLE = {
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("", "replicationcontrollers"),
}


_POD_SPECS = {
    ("", "pods"): ".spec",
    ("", "replicationcontrollers"): ".spec.template.spec",
    ("apps", "deployments"): ".spec.template.spec",
    ("apps", "replicasets"): ".spec.template.spec",
    ("apps", "statefulsets"): ".spec.template.spec",
    ("apps", "daemonsets"): ".spec.template.spec",
    ("batch", "jobs"): ".spec.template.spec",
    ("batch", "cronjobs"): ".spec.jobTemplate.spec.template.spec",
}
"""Where each kind's pod spec is, whose containers need a name and an image."""

_STATUS_METADATA: dict[tuple[str, str] | None, tuple[str, ...]] = {
    ("", "pods"): ("labels", "annotations", "finalizers"),
    None: ("annotations", "finalizers"),  # other built-in kinds; custom resources: none
}
"""What of the metadata a write to the status subresource changes, per (group, plural)."""


@dataclass(frozen=True, slots=True)
class WriteOptions:
    """Options of create, update, patch and apply."""

    dry_run: bool = False
    field_manager: str | None = None
    force: bool = False  # apply: take fields over from other managers


@dataclass(frozen=True, slots=True)
class ListOptions:
    label_selector: str | None = None
    field_selector: str | None = None
    limit: int = 0
    continue_: str | None = None


@dataclass(frozen=True, slots=True)
class DeleteOptions:
    propagation_policy: str | None = None  # Background (default), Foreground, Orphan
    preconditions: Mapping[str, Any] = field(default_factory=dict)  # uid, resourceVersion
    dry_run: bool = False


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _meta(obj: Mapping[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _spec_part(obj: Mapping[str, Any]) -> dict[str, Any]:
    """What metadata.generation counts: everything but metadata and status."""
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


class FakeCluster:
    """The store, the resourceVersion counter, the event history and every verb's semantics."""

    def __init__(
        self,
        objects: Iterable[Mapping[str, Any]] = (),
        *,
        resources: ResourceTable | None = None,
        patch_meta: Mapping[str, Any] | None = None,
        now: Callable[[], str] = _now,
    ) -> None:
        self.resources = resources if resources is not None else ResourceTable.builtin()
        generated = importlib.import_module(f"{GENERATED_PACKAGE}.patchmeta")
        if patch_meta is None:
            self.patch_meta = PatchMeta(generated.FIELDS, frozenset(generated.ATOMIC))
        else:
            self.patch_meta = PatchMeta(patch_meta)
        self.now = now
        self.lock = threading.RLock()
        self.log = EventLog()
        self.rv = 0
        self.store: dict[tuple[str, str], dict[tuple[str, str], dict[str, Any]]] = {}
        self.encoded: dict[int, tuple[dict[str, Any], bytes]] = {}  # id(stored) -> its JSON
        for name in _SEED_NAMESPACES:
            self.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        for obj in objects:
            self.add(obj)

    # ------------------------------------------------------------ resources

    def kind(self, group: str, version: str, plural: str) -> Kind:
        """The served resource, or a 404 like the apiserver's for an unknown one."""
        found = self.resources.lookup(group, version, plural)
        if found is None:
            raise failure(404, "NotFound", "the server could not find the requested resource")
        return found

    def kind_of(self, obj: Mapping[str, Any]) -> Kind:
        found = self.resources.by_kind(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
        if found is None:
            raise bad_request(
                f"no resource for apiVersion {obj.get('apiVersion')!r} kind {obj.get('kind')!r}"
            )
        return found

    def add(self, obj: Mapping[str, Any] | Any) -> dict[str, Any]:
        """Seed an object (a dict or a model, with apiVersion and kind); returns it as stored."""
        data: dict[str, Any] = _as_dict(obj)
        if data.get("kind", "").endswith("List") and isinstance(data.get("items"), list):
            for item in data["items"]:
                self.add(item)
            return data
        kind = self.kind_of(data)
        namespace = _meta(data).get("namespace") or ("default" if kind.info.namespaced else "")
        return self.create(kind, namespace, data)

    def load_yaml(self, text: str) -> list[dict[str, Any]]:
        """Seed every document of a YAML manifest (a multi-document stream or a List)."""
        return [self.add(doc) for doc in yaml.safe_load_all(text) if doc]

    # ------------------------------------------------------------ reading

    def _bucket(self, kind: Kind) -> dict[tuple[str, str], dict[str, Any]]:
        return self.store.setdefault(kind.store_key, {})

    def _ns(self, kind: Kind, namespace: str | None) -> str:
        return (namespace or "") if kind.info.namespaced else ""

    def _out(self, kind: Kind, obj: dict[str, Any]) -> dict[str, Any]:
        """A copy to hand out, carrying the requested version's apiVersion and kind."""
        out = copy.deepcopy(obj)
        out["apiVersion"] = kind.info.api_version
        out["kind"] = kind.info.kind
        return out

    def _current(self, kind: Kind, namespace: str | None, name: str) -> dict[str, Any]:
        obj = self._bucket(kind).get((self._ns(kind, namespace), name))
        if obj is None:
            raise not_found(kind.info.plural, kind.info.group, name)
        return obj

    def get(self, kind: Kind, namespace: str | None, name: str) -> dict[str, Any]:
        with self.lock:
            return self._out(kind, self._current(kind, namespace, name))

    def exists(self, kind: Kind, namespace: str | None, name: str) -> bool:
        with self.lock:
            return (self._ns(kind, namespace), name) in self._bucket(kind)

    def objects(self) -> list[dict[str, Any]]:
        """Every stored object (copies), for assertions in tests."""
        with self.lock:
            return [copy.deepcopy(o) for bucket in self.store.values() for o in bucket.values()]

    def list(
        self,
        kind: Kind,
        namespace: str | None,
        opts: ListOptions = ListOptions(),
    ) -> dict[str, Any]:
        """One page of matching objects as a list object (copies)."""
        head, page = self._select(kind, namespace, opts)
        return {**head, "items": [copy.deepcopy(self._list_item(kind, obj)) for obj in page]}

    def list_json(
        self, kind: Kind, namespace: str | None, opts: ListOptions = ListOptions()
    ) -> bytes:
        """The same page as JSON, each object encoded once per version of it (they never change
        in place: every write stores a new dict)."""
        head, page = self._select(kind, namespace, opts)
        with self.lock:
            items = b",".join(self._encoded(kind, obj) for obj in page)
        return _dumps(head)[:-1] + b',"items":[' + items + b"]}"

    def _encoded(self, kind: Kind, obj: dict[str, Any]) -> bytes:
        if kind.crd:  # the requested version's apiVersion: not cached
            return _dumps(self._list_item(kind, obj))
        cached = self.encoded.get(id(obj))
        if cached is None or cached[0] is not obj:
            cached = self.encoded[id(obj)] = (obj, _dumps(self._list_item(kind, obj)))
        return cached[1]

    def _select(
        self, kind: Kind, namespace: str | None, opts: ListOptions
    ) -> tuple[dict[str, Any], Sequence[dict[str, Any]]]:
        """The list's apiVersion, kind and metadata, and the stored objects of the page."""
        labels = LabelSelector.parse(opts.label_selector)
        fields = FieldSelector.parse(opts.field_selector)
        fields.check(kind.info.group, kind.info.kind)
        with self.lock:
            list_rv, start = self.rv, ""
            if opts.continue_:
                list_rv, start = _decode_continue(opts.continue_)
                if list_rv <= self.log.compacted:
                    raise expired(
                        "The provided continue parameter is too old to display a consistent list"
                        " result. You can start a new list without the continue parameter, or use"
                        " the continue token in this response to retrieve the remainder of the"
                        " results. Continuing with the provided token results in an inconsistent"
                        " list - objects that were created, modified, or deleted between the time"
                        " the first chunk was returned and now may show up in the list."
                    )
            ns = self._ns(kind, namespace) if namespace else None
            # like etcd's paging: keys in order after the continue key, filtered as they come;
            # once the page is full, any key left (matching or not) means a continue token
            # a metadata.name=X selector reads that one key, as kube-apiserver does
            only = next((v for f, eq, v in fields.terms if f == "metadata.name" and eq), None)
            if ns is None and kind.info.namespaced:
                only = None  # across namespaces the name is no single key
            candidates = [
                (key, obj)
                for key, obj in sorted(self._bucket(kind).items())
                if (ns is None or key[0] == ns)
                and "/".join(key) > start
                and (only is None or key[1] == only)
            ]
            page: list[tuple[tuple[str, str], dict[str, Any]]] = []
            more = False
            for key, obj in candidates:
                if 0 < opts.limit <= len(page):
                    more = True
                    break
                if labels.matches(_meta(obj).get("labels")) and fields.matches(
                    kind.info.group, kind.info.kind, obj
                ):
                    page.append((key, obj))
            meta: dict[str, Any] = {"resourceVersion": str(list_rv)}
            if more:
                meta["continue"] = _encode_continue(list_rv, "/".join(page[-1][0]))
                if not opts.label_selector and not opts.field_selector:  # else unknown, like etcd
                    meta["remainingItemCount"] = len(candidates) - len(page)
        head = {
            "kind": kind.info.list_kind or f"{kind.info.kind}List",
            "apiVersion": kind.info.api_version,
            "metadata": meta,
        }
        return head, [obj for _, obj in page]

    def _list_item(self, kind: Kind, obj: dict[str, Any]) -> dict[str, Any]:
        """A list item sharing ``obj``'s contents: built-in lists carry no apiVersion and kind
        per item, custom ones do."""
        if kind.crd:
            return self._view(kind, obj)
        return {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}

    def _view(self, kind: Kind, obj: dict[str, Any]) -> dict[str, Any]:
        """``obj`` under the requested version's apiVersion and kind, sharing its contents."""
        return {**obj, "apiVersion": kind.info.api_version, "kind": kind.info.kind}

    # ------------------------------------------------------------ writing

    def _commit(
        self, kind: Kind, event_type: str, obj: dict[str, Any], prev: dict[str, Any] | None
    ) -> dict[str, Any]:
        self.rv += 1
        meta = obj.setdefault("metadata", {})
        meta["resourceVersion"] = str(self.rv)
        key = (meta.get("namespace", ""), meta["name"])
        bucket = self._bucket(kind)
        stored = self._out(kind, obj)
        replaced = bucket.get(key)
        if replaced is not None:
            self.encoded.pop(id(replaced), None)
        if event_type == "DELETED":
            bucket.pop(key, None)
        else:
            bucket[key] = stored
        self.log.append(Event(self.rv, event_type, kind.store_key, stored, prev))  # never mutated
        return self._out(kind, stored)

    def _validate(self, kind: Kind, obj: dict[str, Any]) -> None:
        meta = _meta(obj)
        name = meta.get("name", "")
        causes: list[tuple[str, str, str]] = []
        if not name:
            causes.append(
                (
                    "metadata.name",
                    "FieldValueRequired",
                    "Required value: name or generateName is required",
                )
            )
        elif not _NAME.match(name) or len(name) > 253:
            causes.append(
                (
                    "metadata.name",
                    "FieldValueInvalid",
                    (
                        f'Invalid value: "{name}": a lowercase RFC 1123 subdomain must consist of'
                        " lower case alphanumeric characters, '-' or '.', and must start and end"
                        " with an alphanumeric character"
                    ),
                )
            )
        template = _POD_SPECS.get(kind.store_key)
        if template is not None:
            spec = _get_path(obj, template) or {}
            prefix = template.lstrip(".")
            if not spec.get("containers"):
                causes.append((f"{prefix}.containers", "FieldValueRequired", "Required value"))
            for i, c in enumerate(spec.get("containers") or ()):
                if not c.get("image"):
                    causes.append(
                        (f"{prefix}.containers[{i}].image", "FieldValueRequired", "Required value")
                    )
                for j, env in enumerate(c.get("env") or ()):
                    if not (isinstance(env, dict) and env.get("name")):
                        at = f"{prefix}.containers[{i}].env[{j}].name"
                        causes.append((at, "FieldValueRequired", "Required value"))
        if kind.store_key == ("", "configmaps"):
            for key in {**(obj.get("data") or {}), **(obj.get("binaryData") or {})}:
                if not re.match(r"^[-._a-zA-Z0-9]+$", key):
                    causes.append(
                        (
                            f"data[{key}]",
                            "FieldValueInvalid",
                            f"Invalid value: \"{key}\": a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                        )
                    )
        if causes:
            raise invalid(kind.info.kind, kind.info.group, name, causes)

    def _check_immutable(self, kind: Kind, old: dict[str, Any], new: dict[str, Any]) -> None:
        causes = [
            (f, "FieldValueForbidden", "Forbidden: field is immutable when `immutable` is set")
            for f in ("data", "binaryData", "stringData")
            if new.get(f) is not None
            and new.get(f) != old.get(f)
            or f != "stringData"
            and new.get(f) is None
            and old.get(f)
        ]
        if not new.get("immutable"):
            causes.append(
                (
                    "immutable",
                    "FieldValueForbidden",
                    "Forbidden: field is immutable when `immutable` is set",
                )
            )
        if causes:
            raise invalid(kind.info.kind, kind.info.group, _meta(old)["name"], causes)

    def _normalize(self, kind: Kind, obj: dict[str, Any]) -> None:
        """Per-kind transformations the apiserver makes on every write."""
        if kind.store_key == ("", "secrets"):
            string_data = obj.pop("stringData", None) or {}
            data: dict[str, Any] = obj.setdefault("data", {}) if string_data else {}
            for k, v in string_data.items():
                data[k] = base64.b64encode(str(v).encode()).decode()
            obj.setdefault("type", "Opaque")
        if kind.crd and kind.schema is not None:
            ssa.apply_defaults(obj, kind.schema)
        if kind.model_key:
            _drop_empty(obj, kind.model_key, self.patch_meta)
        meta = obj["metadata"]
        for k in [k for k, v in meta.items() if v in (None, [], {}) and k != "name"]:
            del meta[k]

    def create(
        self,
        kind: Kind,
        namespace: str | None,
        body: Mapping[str, Any],
        opts: WriteOptions = WriteOptions(),
    ) -> dict[str, Any]:
        obj = copy.deepcopy(_as_dict(body))
        meta = obj.setdefault("metadata", {})
        ns = self._ns(kind, namespace or meta.get("namespace"))
        if kind.info.namespaced:
            if meta.get("namespace") and namespace and meta["namespace"] != namespace:
                raise bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            meta["namespace"] = ns
        else:
            meta.pop("namespace", None)
        with self.lock:
            if kind.info.namespaced and self._bucket_ns_missing(ns):
                raise not_found("namespaces", "", ns)
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
            self._validate(kind, obj)
            if (ns, meta["name"]) in self._bucket(kind):
                raise already_exists(kind.info.plural, kind.info.group, meta["name"])
            for k in _SYSTEM_META + ("deletionTimestamp", "deletionGracePeriodSeconds"):
                meta.pop(k, None)
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = self.now()
            if kind.generation or kind.crd:
                meta["generation"] = 1
            if "status" in kind.info.subresources and not kind.crd:
                obj.pop("status", None)
                self._initial_status(kind, obj)
            elif "status" in kind.info.subresources:
                obj.pop("status", None)
            self._normalize(kind, obj)
            ssa.record_update(obj, None, self._write(kind, opts.field_manager))
            if opts.dry_run:
                out = self._out(kind, obj)
                return out
            return self._created(kind, obj)

    def _created(self, kind: Kind, obj: dict[str, Any]) -> dict[str, Any]:
        """Store a new object, then what controllers do for new namespaces and CRDs."""
        created = self._commit(kind, "ADDED", obj, None)
        if kind.store_key == ("", "namespaces"):
            self._namespace_created(_meta(created)["name"])
        if kind.store_key == ("apiextensions.k8s.io", "customresourcedefinitions"):
            self._crd_changed(created)
        return created

    def _bucket_ns_missing(self, ns: str) -> bool:
        return ("", ns) not in self.store.get(("", "namespaces"), {})

    def _initial_status(self, kind: Kind, obj: dict[str, Any]) -> None:
        if not kind.crd and "status" in kind.info.subresources:
            obj["status"] = {}  # a Go struct: serialized even when empty
        if kind.store_key == ("", "services"):
            obj["status"] = {"loadBalancer": {}}
        elif kind.store_key == ("", "pods"):
            obj["status"] = {"phase": "Pending", "qosClass": "BestEffort"}
        elif kind.store_key == ("", "namespaces"):
            obj["status"] = {"phase": "Active"}

    def _namespace_created(self, name: str) -> None:
        """What the serviceaccount controller does: a "default" service account."""
        accounts = self.resources.lookup("", "v1", "serviceaccounts")
        if accounts is not None:
            try:
                self.create(accounts, name, {"metadata": {"name": "default"}})
            except ApiError:
                pass

    def _write(self, kind: Kind, manager: str | None) -> ssa.Write:
        return ssa.Write(manager or "kubeset", self.patch_meta, kind, self.now())

    def _check_fresh(self, kind: Kind, current: dict[str, Any], sent: Any) -> None:
        """409 Conflict when a write carries a resourceVersion that is no longer current."""
        if sent and sent != _meta(current).get("resourceVersion"):
            raise conflict(
                kind.info.plural,
                kind.info.group,
                _meta(current).get("name", ""),
                "the object has been modified; please apply your changes to the latest version"
                " and try again",
            )

    def update(
        self,
        kind: Kind,
        namespace: str | None,
        name: str,
        body: Mapping[str, Any],
        *,
        subresource: str = "",
        opts: WriteOptions = WriteOptions(),
    ) -> dict[str, Any]:
        obj = copy.deepcopy(_as_dict(body))
        meta = obj.setdefault("metadata", {})
        if meta.get("name") and meta["name"] != name:
            raise bad_request(
                f"the name of the object ({meta['name']}) does not match the name on the URL ({name})"
            )
        with self.lock:
            old = self._current(kind, namespace, name)
            sent_rv = meta.get("resourceVersion")
            self._check_fresh(kind, old, sent_rv)
            if not sent_rv and kind.crd:
                raise invalid(
                    kind.info.kind,
                    kind.info.group,
                    name,
                    [
                        (
                            "metadata.resourceVersion",
                            "FieldValueInvalid",
                            "Invalid value: 0: must be specified for an update",
                        )
                    ],
                )
            return self._replace(kind, old, obj, subresource, opts)

    def _replace(
        self,
        kind: Kind,
        old: dict[str, Any],
        obj: dict[str, Any],
        subresource: str,
        opts: WriteOptions,
        *,
        track: bool = True,
    ) -> dict[str, Any]:
        """Write ``obj`` over ``old`` (same key) with the subresource's isolation rules."""
        if subresource == "status":
            new = copy.deepcopy(old)
            if "status" in obj:
                new["status"] = obj["status"]
            else:
                new.pop("status", None)
            passed = (
                () if kind.crd else _STATUS_METADATA.get(kind.store_key, _STATUS_METADATA[None])
            )
            for key in passed:  # metadata a status write may change too (kube-apiserver's rules)
                if _meta(obj).get(key) is not None:
                    new["metadata"][key] = copy.deepcopy(_meta(obj)[key])
                else:
                    new["metadata"].pop(key, None)
        else:
            new = obj
            if "status" in kind.info.subresources:
                if "status" in old:
                    new["status"] = copy.deepcopy(old["status"])
                else:
                    new.pop("status", None)
        old_meta, meta = _meta(old), new.setdefault("metadata", {})
        for k in _SYSTEM_META + (
            "name",
            "namespace",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
        ):
            if k == "managedFields" and not track:
                continue  # apply recorded them already
            if k in old_meta:
                meta[k] = copy.deepcopy(old_meta[k])
            else:
                meta.pop(k, None)
        if "generation" in old_meta and _spec_part(new) != _spec_part(old):
            meta["generation"] = old_meta["generation"] + 1
        if old_meta.get("deletionTimestamp"):
            added = set(meta.get("finalizers") or ()) - set(old_meta.get("finalizers") or ())
            if added:
                raise invalid(
                    kind.info.kind,
                    kind.info.group,
                    meta["name"],
                    [
                        (
                            "metadata.finalizers",
                            "FieldValueForbidden",
                            "Forbidden: no new finalizers can be added if the object is being deleted",
                        )
                    ],
                )
        self._validate(kind, new)
        if kind.store_key in (("", "configmaps"), ("", "secrets")) and old.get("immutable"):
            self._check_immutable(kind, old, new)
        self._normalize(kind, new)
        if track:
            ssa.record_update(new, old, self._write(kind, opts.field_manager))
        if new == old:
            return self._out(kind, old)  # a no-op write keeps the resourceVersion
        if opts.dry_run:
            return self._out(kind, new)
        if meta.get("deletionTimestamp") and not meta.get("finalizers"):
            out = self._commit(kind, "DELETED", new, old)
            self._after_delete(kind, out)
            return out
        out = self._commit(kind, "MODIFIED", new, old)
        if kind.store_key == ("apiextensions.k8s.io", "customresourcedefinitions"):
            self._crd_changed(out)
        self._collect_garbage()
        return out

    # ------------------------------------------------------------ patch and apply

    def patch(
        self,
        kind: Kind,
        namespace: str | None,
        name: str,
        patch_type: str,
        patch: Any,
        *,
        subresource: str = "",
        opts: WriteOptions = WriteOptions(),
    ) -> dict[str, Any]:
        """Apply a JSON, merge or strategic merge patch (or a server-side apply) to ``name``."""
        with self.lock:
            if patch_type.startswith("application/apply-patch"):
                return self.apply(kind, namespace, name, patch, subresource=subresource, opts=opts)
            old = self._current(kind, namespace, name)
            target = self._subresource_view(kind, old, subresource)
            try:
                if patch_type == "application/json-patch+json":
                    patched = json_patch(target, patch)
                elif patch_type == "application/merge-patch+json":
                    patched = merge_patch(target, patch)
                elif patch_type == "application/strategic-merge-patch+json":
                    if kind.crd or not kind.model_key:
                        raise failure(
                            415,
                            "UnsupportedMediaType",
                            "the body of the request was in an unknown format - accepted media types include:"
                            " application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
                        )
                    patched = strategic_merge(target, patch, self.patch_meta, kind.model_key)
                else:
                    raise failure(
                        415, "UnsupportedMediaType", f"unsupported patch type {patch_type!r}"
                    )
            except PatchInternalError as e:  # an error without a Status type: an internal error
                raise failure(500, "InternalError", str(e)) from e
            except RetainKeysError as e:
                raise failure(422, "Invalid", str(e)) from e
            except PatchError as e:
                raise failure(
                    422, "Invalid", str(e), name=name, group=kind.info.group, kind=kind.info.kind
                ) from e
            if not isinstance(patched, dict):
                raise bad_request("the patch did not produce an object")
            sent_rv = _meta(patched).get("resourceVersion")
            self._check_fresh(kind, old, sent_rv)
            if subresource == "scale":
                return self._write_scale(kind, old, patched, opts)
            return self._replace(kind, old, patched, subresource, opts)

    def apply(
        self,
        kind: Kind,
        namespace: str | None,
        name: str,
        body: Any,
        *,
        subresource: str = "",
        opts: WriteOptions = WriteOptions(),
    ) -> dict[str, Any]:
        """Server-side apply (the subset :mod:`kubeset.testing.apply` documents)."""
        if not opts.field_manager:
            raise bad_request(
                'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'
            )
        applied = _as_dict(body)
        if not isinstance(applied, dict):
            raise bad_request("an apply patch must be an object")
        with self.lock:
            bucket = self._bucket(kind)
            key = (self._ns(kind, namespace), name)
            old = bucket.get(key)
            if old is None:
                obj = copy.deepcopy(applied)
                obj.setdefault("metadata", {})["name"] = name
                created = self.create(
                    kind,
                    namespace,
                    obj,
                    WriteOptions(dry_run=True, field_manager=opts.field_manager),
                )
                created["metadata"].pop("managedFields", None)
                ssa.record_apply(
                    created, None, applied, self._write(kind, opts.field_manager), force=opts.force
                )
                if opts.dry_run:
                    return created
                return self._created(kind, created)
            new = ssa.merge(old, applied, self.patch_meta, kind)
            ssa.record_apply(
                new, old, applied, self._write(kind, opts.field_manager), force=opts.force
            )
            return self._replace(kind, old, new, subresource, opts, track=False)

    # ------------------------------------------------------------ subresources

    def _subresource_view(
        self, kind: Kind, obj: dict[str, Any], subresource: str
    ) -> dict[str, Any]:
        if subresource == "scale":
            return self._scale(kind, obj)
        return copy.deepcopy(obj)

    def _check_subresource(self, kind: Kind, subresource: str) -> None:
        if subresource and subresource not in kind.info.subresources:
            raise failure(404, "NotFound", "the server could not find the requested resource")

    def read(
        self, kind: Kind, namespace: str | None, name: str, subresource: str = ""
    ) -> dict[str, Any]:
        self._check_subresource(kind, subresource)
        with self.lock:
            obj = self._current(kind, namespace, name)
            if subresource == "scale":
                return self._scale(kind, obj)
            return self._out(kind, obj)

    def _scale(self, kind: Kind, obj: dict[str, Any]) -> dict[str, Any]:
        meta = _meta(obj)
        spec_path, status_path, selector_path = kind.scale_paths
        if selector_path:
            found = _get_path(obj, selector_path)
            selector_text = found if isinstance(found, str) else ""
        else:
            selector = (obj.get("spec") or {}).get("selector") or {}
            labels = selector.get("matchLabels", selector) if isinstance(selector, dict) else {}
            selector_text = ",".join(
                f"{k}={v}" for k, v in sorted(labels.items()) if isinstance(v, str)
            )
        spec_default = 1 if not kind.crd else 0
        status: dict[str, Any] = {"replicas": _get_path(obj, status_path) or 0}
        if selector_text or not kind.crd:
            status["selector"] = selector_text
        return {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                k: meta[k]
                for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                if k in meta
            },
            "spec": {"replicas": _get_path(obj, spec_path, spec_default)},
            "status": status,
        }

    def write(
        self,
        kind: Kind,
        namespace: str | None,
        name: str,
        body: Mapping[str, Any],
        *,
        subresource: str = "",
        opts: WriteOptions = WriteOptions(),
    ) -> dict[str, Any]:
        """PUT of the object or a subresource."""
        self._check_subresource(kind, subresource)
        if subresource == "scale":
            with self.lock:
                old = self._current(kind, namespace, name)
                scale = _as_dict(body)
                sent = _meta(scale).get("resourceVersion")
                self._check_fresh(kind, old, sent)
                return self._write_scale(kind, old, scale, opts)
        if subresource not in ("", "status"):
            raise method_not_allowed(
                f"the fake cluster does not implement the {subresource!r} subresource"
            )
        return self.update(kind, namespace, name, body, subresource=subresource, opts=opts)

    def _write_scale(
        self, kind: Kind, old: dict[str, Any], scale: dict[str, Any], opts: WriteOptions
    ) -> dict[str, Any]:
        new = copy.deepcopy(old)
        replicas = (scale.get("spec") or {}).get("replicas")
        if not isinstance(replicas, int) or replicas < 0:
            raise invalid(
                "Scale",
                "autoscaling",
                _meta(old)["name"],
                [
                    (
                        "spec.replicas",
                        "FieldValueInvalid",
                        f"Invalid value: {replicas!r}: must be greater than or equal to 0",
                    )
                ],
            )
        _set_path(new, kind.scale_paths[0], replicas)
        return self._scale(kind, self._replace(kind, old, new, "", opts))

    # ------------------------------------------------------------ delete

    def delete(
        self, kind: Kind, namespace: str | None, name: str, opts: DeleteOptions = DeleteOptions()
    ) -> dict[str, Any]:
        with self.lock:
            old = self._current(kind, namespace, name)
            meta = _meta(old)
            pre = opts.preconditions
            if pre.get("uid") and pre["uid"] != meta.get("uid"):
                raise conflict(
                    kind.info.plural,
                    kind.info.group,
                    name,
                    f"Precondition failed: UID in precondition: {pre['uid']}, UID in object meta: {meta.get('uid')}",
                )
            if pre.get("resourceVersion") and pre["resourceVersion"] != meta.get("resourceVersion"):
                raise conflict(
                    kind.info.plural,
                    kind.info.group,
                    name,
                    f"Precondition failed: ResourceVersion in precondition: {pre['resourceVersion']}, ResourceVersion in object meta: {meta.get('resourceVersion')}",
                )
            finalizers: list[str] = list(meta.get("finalizers") or ())
            policy = opts.propagation_policy
            if policy == "Foreground" and FOREGROUND not in finalizers:
                finalizers.append(FOREGROUND)
            elif policy == "Orphan" and ORPHAN not in finalizers:
                finalizers.append(ORPHAN)
            if opts.dry_run:
                return self._out(kind, old)
            if kind.store_key == ("", "namespaces"):
                self._empty_namespace(name)
            if not finalizers:
                out = self._commit(kind, "DELETED", copy.deepcopy(old), old)
                self._after_delete(kind, out)
                return out
            if meta.get("deletionTimestamp") and finalizers == list(meta.get("finalizers") or ()):
                return self._out(kind, old)
            new = copy.deepcopy(old)
            new["metadata"]["finalizers"] = finalizers
            new["metadata"].setdefault("deletionTimestamp", self.now())
            new["metadata"].setdefault("deletionGracePeriodSeconds", 0)
            out = self._commit(kind, "MODIFIED", new, old)
            self._collect_garbage()
            return out

    def _empty_namespace(self, namespace: str) -> None:
        """What the namespace controller does: delete everything in it."""
        for (group, plural), bucket in list(self.store.items()):
            for (ns, name), obj in list(bucket.items()):
                if ns == namespace:
                    kind = self.resources.by_kind(obj["apiVersion"], obj["kind"])
                    if kind is not None:
                        self._commit(kind, "DELETED", copy.deepcopy(obj), obj)

    def _after_delete(self, kind: Kind, deleted: dict[str, Any]) -> None:
        if kind.store_key == ("apiextensions.k8s.io", "customresourcedefinitions"):
            spec = deleted.get("spec") or {}
            self.resources.remove(
                spec.get("group", ""), (spec.get("names") or {}).get("plural", "")
            )
        self._collect_garbage()

    def _collect_garbage(self) -> None:
        """Run the garbage collector's decisions until there is nothing left to do."""
        for _ in range(1000):
            actions = collect(o for bucket in self.store.values() for o in bucket.values())
            if not actions:
                return
            for action in actions:
                obj = action.obj
                kind = self.resources.by_kind(obj["apiVersion"], obj["kind"])
                meta = _meta(obj)
                if kind is None:
                    continue
                try:
                    current = self._current(kind, meta.get("namespace"), meta["name"])
                except NotFound:
                    continue
                if action.verb == "delete":
                    self.delete(
                        kind,
                        meta.get("namespace"),
                        meta["name"],
                        DeleteOptions(propagation_policy=action.detail),
                    )
                    continue
                new = copy.deepcopy(current)
                nmeta = new["metadata"]
                if action.verb == "unown":
                    nmeta["ownerReferences"] = [
                        r
                        for r in nmeta.get("ownerReferences") or ()
                        if r.get("uid") != action.detail
                    ]
                else:
                    nmeta["finalizers"] = [
                        f for f in nmeta.get("finalizers") or () if f != action.detail
                    ]
                self._replace(
                    kind, current, new, "", WriteOptions(field_manager="garbage-collector")
                )
                return self._collect_garbage()

    def delete_collection(
        self,
        kind: Kind,
        namespace: str | None,
        selection: ListOptions,
        opts: DeleteOptions = DeleteOptions(),
    ) -> dict[str, Any]:
        with self.lock:
            found = self.list(
                kind, namespace, ListOptions(selection.label_selector, selection.field_selector)
            )
            for item in found["items"]:
                meta = _meta(item)
                try:
                    self.delete(kind, meta.get("namespace"), meta["name"], opts)
                except NotFound:
                    pass
            return found

    # ------------------------------------------------------------ watch

    def watch(
        self,
        kind: Kind,
        namespace: str | None,
        *,
        resource_version: str | None = None,
        selection: ListOptions = ListOptions(),
        bookmarks: bool = False,
        send_initial_events: bool = False,
        timeout: float | None = None,
        max_events: int | None = None,
    ) -> WatchStream:
        """A stream of events after ``resource_version`` (or the current state, then changes);
        it ends after ``timeout`` seconds or ``max_events`` events when given."""
        labels = LabelSelector.parse(selection.label_selector)
        fields = FieldSelector.parse(selection.field_selector)
        fields.check(kind.info.group, kind.info.kind)
        ns = self._ns(kind, namespace) if namespace else None

        def matches(obj: dict[str, Any] | None) -> bool:
            return (
                obj is not None
                and (ns is None or _meta(obj).get("namespace", "") == ns)
                and labels.matches(_meta(obj).get("labels"))
                and fields.matches(kind.info.group, kind.info.kind, obj)
            )

        def accept(event: Event) -> tuple[str, dict[str, Any]] | None:
            if event.store != kind.store_key:
                return None
            now, before = matches(event.obj), matches(event.prev)
            if not now and not before:
                return None
            if event.type == "MODIFIED" and now != before:  # entered or left the selection
                return ("ADDED" if now else "DELETED"), self._view(kind, event.obj)
            return event.type, self._view(kind, event.obj)  # serialized at once

        def bookmark(rv: int) -> dict[str, Any]:
            return {
                "kind": kind.info.kind,
                "apiVersion": kind.info.api_version,
                "metadata": {"resourceVersion": str(rv)},
            }

        with self.lock:
            initial: list[dict[str, Any]] = []
            if resource_version in (None, "", "0") or send_initial_events:
                since = self.rv
                initial = [
                    self._view(kind, o) for _, o in sorted(self._bucket(kind).items()) if matches(o)
                ]
            else:
                try:
                    since = int(resource_version or "0")
                except ValueError:
                    raise bad_request(f"invalid resource version {resource_version!r}") from None
                if since <= self.log.compacted:
                    raise expired(f"too old resource version: {since} ({self.log.compacted + 1})")
        return WatchStream(
            self.log,
            since=since,
            initial=initial,
            accept=accept,
            bookmark=bookmark if bookmarks else None,
            initial_events_end=send_initial_events and bookmarks,
            timeout=timeout,
            max_events=max_events,
        )

    def send_bookmarks(self) -> None:
        """Every open watch that allows bookmarks gets one now (the real server sends them about
        once a minute), carrying the latest resourceVersion."""
        self.log.request_bookmarks()

    def compact(self) -> int:
        """Forget the history up to now: older watches and continue tokens get 410 Expired."""
        with self.lock:
            self.log.compact(self.rv)
            return self.rv

    # ------------------------------------------------------------ CRDs

    def _crd_changed(self, crd: dict[str, Any]) -> None:
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        group = spec.get("group", "")
        self.resources.remove(group, names.get("plural", ""))
        storage = next((v["name"] for v in spec.get("versions") or () if v.get("storage")), "")
        for version in spec.get("versions") or ():
            if not version.get("served", True):
                continue
            declared = version.get("subresources") or {}
            subresources = frozenset(declared.keys())
            scale = declared.get("scale") or {}
            self.resources.add(
                Kind(
                    info=ResourceInfo(
                        group=group,
                        version=version["name"],
                        kind=names.get("kind", ""),
                        plural=names.get("plural", ""),
                        namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                        verbs=frozenset(
                            {
                                "get",
                                "list",
                                "watch",
                                "create",
                                "update",
                                "patch",
                                "delete",
                                "deletecollection",
                            }
                        ),
                        subresources=subresources,
                        list_kind=names.get("listKind") or f"{names.get('kind', '')}List",
                    ),
                    generation=True,
                    schema=(version.get("schema") or {}).get("openAPIV3Schema"),
                    crd=True,
                    crd_names=names,
                    storage_version=storage,
                    scale_paths=(
                        scale.get("specReplicasPath", ".spec.replicas"),
                        scale.get("statusReplicasPath", ".status.replicas"),
                        scale.get("labelSelectorPath", ""),
                    ),
                )
            )
        if crd.get("status") is None or not (crd.get("status") or {}).get("acceptedNames"):
            status = {
                "acceptedNames": names,
                "storedVersions": [
                    v["name"] for v in spec.get("versions") or () if v.get("storage")
                ],
                "conditions": [
                    {
                        "type": "NamesAccepted",
                        "status": "True",
                        "reason": "NoConflicts",
                        "message": "no conflicts found",
                        "lastTransitionTime": self.now(),
                    },
                    {
                        "type": "Established",
                        "status": "True",
                        "reason": "InitialNamesAccepted",
                        "message": "the initial names have been accepted",
                        "lastTransitionTime": self.now(),
                    },
                ],
            }
            kind = self.resources.lookup("apiextensions.k8s.io", "v1", "customresourcedefinitions")
            if kind is not None:
                stored = self._current(kind, None, _meta(crd)["name"])
                new = copy.deepcopy(stored)
                new["status"] = status
                self._commit(kind, "MODIFIED", new, stored)


def _drop_empty(obj: dict[str, Any], model: str, meta: PatchMeta) -> None:
    """What a round trip through the Go types does to a built-in object: an empty map or list
    in an ``omitempty`` field is not written (empty structs, objects of a model, stay)."""
    for key in list(obj):
        value = obj[key]
        child = meta.field(model, key)[4]
        if value in ({}, []) and not (child and isinstance(value, dict)):
            del obj[key]
        elif child and isinstance(value, dict):
            _drop_empty(value, child, meta)
        elif child and isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    _drop_empty(item, child, meta)


def _get_path(obj: Any, path: str, default: Any = None) -> Any:
    """The value at a CRD scale path like ``.spec.replicas``."""
    cur = obj
    for step in path.strip(".").split("."):
        if not isinstance(cur, dict) or step not in cur:
            return default
        cur = cur[step]
    return cur


def _set_path(obj: dict[str, Any], path: str, value: Any) -> None:
    steps = path.strip(".").split(".")
    cur = obj
    for step in steps[:-1]:
        cur = cur.setdefault(step, {})
    cur[steps[-1]] = value


def _dumps(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def _as_dict(obj: Any) -> Any:
    dump = getattr(obj, "model_dump", None)
    if dump is not None:
        return dump(mode="json", by_alias=True, exclude_unset=True)
    return obj


def _encode_continue(rv: int, start: str) -> str:
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_continue(token: str) -> tuple[int, str]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return int(data["rv"]), str(data["start"])
    except (ValueError, KeyError, TypeError):
        raise bad_request(f"continue key is not valid: {token!r}") from None
