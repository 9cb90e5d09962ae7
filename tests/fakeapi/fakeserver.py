"""A small in-memory Kubernetes API server over real HTTP, for the REST client tests.

Threaded ``http.server`` speaking HTTP/1.1 (keep-alive, chunked watch and log streams).  It keeps
objects per (group version, resource, namespace, name), hands out resourceVersions, paginates with
continue tokens, streams watch events (with bookmarks) and answers errors with real ``Status``
bodies.  Tests can script faults (``fail_next``) and slow answers (``delay_next``).
"""

from __future__ import annotations

import copy
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Kind:
    prefix: str  # "/api/v1" or "/apis/apps/v1"
    plural: str
    kind: str
    namespaced: bool
    subresources: tuple[str, ...] = ()
    strategic: bool = True  # built-in kinds accept strategic merge patch; CRDs do not

    @property
    def api_version(self) -> str:
        return self.prefix.removeprefix("/api/").removeprefix("/apis/")


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class Fault:
    status: int
    body: bytes
    headers: dict[str, str]
    method: str | None
    path_contains: str | None
    count: int
    delay: float = 0.0


@dataclass
class Event:
    rv: int
    prefix: str
    plural: str
    namespace: str
    type: str
    obj: dict[str, Any] = field(repr=False)


def status(code: int, reason: str, message: str, **details: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure" if code >= 400 else "Success",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details:
        out["details"] = details
    return out


class HttpError(Exception):
    def __init__(self, code: int, reason: str, message: str, **details: Any) -> None:
        self.status = status(code, reason, message, **details)


def merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            result.pop(k, None)
        else:
            result[k] = merge_patch(result.get(k), v)
    return result


def json_patch(doc: Any, ops: list[dict[str, Any]]) -> Any:
    doc = copy.deepcopy(doc)
    for op in ops:
        parts = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:]]
        parent = doc
        for p in parts[:-1]:
            parent = parent[int(p)] if isinstance(parent, list) else parent[p]
        last = parts[-1]
        kind = op["op"]
        if kind == "test":
            current = parent[int(last)] if isinstance(parent, list) else parent.get(last)
            if current != op["value"]:
                raise HttpError(422, "Invalid", f"the test operation on {op['path']} failed")
        elif kind in ("add", "replace"):
            if isinstance(parent, list):
                if last == "-":
                    parent.append(op["value"])
                elif kind == "add":
                    parent.insert(int(last), op["value"])
                else:
                    parent[int(last)] = op["value"]
            else:
                parent[last] = op["value"]
        elif kind == "remove":
            if isinstance(parent, list):
                del parent[int(last)]
            else:
                del parent[last]
        else:
            raise HttpError(400, "BadRequest", f"unsupported JSON patch op {kind}")
    return doc


class FakeApiServer:
    """Start with ``start()``; ``url`` is the base URL; ``stop()`` ends it."""

    def __init__(self) -> None:
        self.kinds: dict[tuple[str, str], Kind] = {}
        self.objects: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        self.events: list[Event] = []
        self.oldest_watchable_rv = 0  # watches from an older rv get a 410 ERROR event
        self.rv = 100
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self.expired_continue_tokens: set[str] = set()
        self.logs: dict[tuple[str, str], list[str]] = {}
        self.cond = threading.Condition()
        self.closing = False
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # -- setup ------------------------------------------------------------------------
    def add_kind(
        self,
        prefix: str,
        plural: str,
        kind: str,
        namespaced: bool,
        *subresources: str,
        strategic: bool = True,
    ) -> None:
        self.kinds[(prefix, plural)] = Kind(
            prefix, plural, kind, namespaced, subresources, strategic
        )

    def start(self) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        return self.url

    def stop(self) -> None:
        with self.cond:
            self.closing = True
            self.cond.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def fail_next(
        self,
        status_code: int,
        body: bytes | dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        method: str | None = None,
        path_contains: str | None = None,
        count: int = 1,
    ) -> None:
        if body is None:
            body = status(status_code, "", f"scripted {status_code}")
        raw = json.dumps(body).encode() if isinstance(body, dict) else body
        hdrs = {"Content-Type": "application/json" if isinstance(body, dict) else "text/html"} | (
            headers or {}
        )
        self.faults.append(Fault(status_code, raw, hdrs, method, path_contains, count))

    def drop_next(self, *, method: str | None = None, count: int = 1) -> None:
        """Close the connection without answering (the next ``count`` requests)."""
        self.faults.append(Fault(0, b"", {}, method, None, count))

    def delay_next(self, seconds: float, *, path_contains: str | None = None) -> None:
        self.faults.append(Fault(0, b"", {}, None, path_contains, 1, delay=seconds))

    def bookmark(self) -> None:
        """Send a BOOKMARK (current resourceVersion) to every open watch."""
        with self.cond:
            self.events.append(Event(self.rv, "*", "*", "", "BOOKMARK", {}))
            self.cond.notify_all()

    def put(self, prefix: str, plural: str, obj: dict[str, Any]) -> dict[str, Any]:
        """Store an object directly (as if created)."""
        kind = self.kinds[(prefix, plural)]
        return self._create(kind, obj.get("metadata", {}).get("namespace", ""), obj, {})

    def compact(self) -> None:
        """Forget history: watches from any resourceVersion before now get 410."""
        with self.cond:
            self.oldest_watchable_rv = self.rv

    # -- store ------------------------------------------------------------------------
    def _next_rv(self) -> int:
        self.rv += 1
        return self.rv

    def _emit(self, kind: Kind, namespace: str, etype: str, obj: dict[str, Any]) -> None:
        self.events.append(
            Event(self.rv, kind.prefix, kind.plural, namespace, etype, copy.deepcopy(obj))
        )
        self.cond.notify_all()

    def _create(
        self, kind: Kind, namespace: str, body: dict[str, Any], query: dict[str, list[str]]
    ) -> dict[str, Any]:
        with self.cond:
            meta = body.setdefault("metadata", {})
            name = meta.get("name")
            if not name and meta.get("generateName"):
                name = meta["generateName"] + uuid.uuid4().hex[:5]
                meta["name"] = name
            if not name:
                raise HttpError(
                    422,
                    "Invalid",
                    f'{kind.kind}.{kind.api_version} "" is invalid: metadata.name: Required value',
                    kind=kind.kind,
                    causes=[
                        {
                            "reason": "FieldValueRequired",
                            "message": "Required value",
                            "field": "metadata.name",
                        }
                    ],
                )
            if kind.namespaced:
                if meta.get("namespace") and meta["namespace"] != namespace:
                    raise HttpError(
                        400,
                        "BadRequest",
                        "the namespace of the provided object does not match the namespace sent on the request",
                    )
                meta["namespace"] = namespace
            key = (kind.prefix, kind.plural, namespace, name)
            if key in self.objects:
                raise HttpError(
                    409,
                    "AlreadyExists",
                    f'{kind.plural} "{name}" already exists',
                    name=name,
                    kind=kind.plural,
                )
            body["apiVersion"] = kind.api_version
            body["kind"] = kind.kind
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = "2026-01-01T00:00:00Z"
            meta.pop("resourceVersion", None)
            if "dryRun" in query:
                meta["resourceVersion"] = str(self.rv)
                return body
            meta["resourceVersion"] = str(self._next_rv())
            self.objects[key] = body
            self._emit(kind, namespace, "ADDED", body)
            return copy.deepcopy(body)

    def _get(self, kind: Kind, namespace: str, name: str) -> dict[str, Any]:
        obj = self.objects.get((kind.prefix, kind.plural, namespace, name))
        if obj is None:
            raise HttpError(
                404, "NotFound", f'{kind.plural} "{name}" not found', name=name, kind=kind.plural
            )
        return obj

    def _replace(
        self,
        kind: Kind,
        namespace: str,
        name: str,
        new: dict[str, Any],
        query: dict[str, list[str]],
        etype: str = "MODIFIED",
    ) -> dict[str, Any]:
        with self.cond:
            old = self._get(kind, namespace, name)
            meta = new.setdefault("metadata", {})
            if meta.get("name", name) != name:
                raise HttpError(
                    400, "BadRequest", "the name of the object does not match the name on the URL"
                )
            rv = meta.get("resourceVersion")
            if rv and rv != old["metadata"]["resourceVersion"]:
                raise HttpError(
                    409,
                    "Conflict",
                    f'Operation cannot be fulfilled on {kind.plural} "{name}": the object has been modified;'
                    " please apply your changes to the latest version and try again",
                    name=name,
                    kind=kind.plural,
                )
            for keep in ("uid", "creationTimestamp", "namespace", "name", "deletionTimestamp"):
                if keep in old["metadata"]:
                    meta[keep] = old["metadata"][keep]
            new["apiVersion"] = kind.api_version
            new["kind"] = kind.kind
            if "dryRun" in query:
                return new
            meta["resourceVersion"] = str(self._next_rv())
            self.objects[(kind.prefix, kind.plural, namespace, name)] = new
            self._emit(kind, namespace, etype, new)
            return copy.deepcopy(new)

    def _delete(
        self,
        kind: Kind,
        namespace: str,
        name: str,
        options: dict[str, Any],
        query: dict[str, list[str]],
    ) -> dict[str, Any] | None:
        with self.cond:
            obj = self._get(kind, namespace, name)
            pre = options.get("preconditions") or {}
            if pre.get("uid") and pre["uid"] != obj["metadata"]["uid"]:
                raise HttpError(
                    409,
                    "Conflict",
                    f"Precondition failed: UID in precondition: {pre['uid']}, UID in object meta: {obj['metadata']['uid']}",
                    name=name,
                    kind=kind.plural,
                )
            if (
                pre.get("resourceVersion")
                and pre["resourceVersion"] != obj["metadata"]["resourceVersion"]
            ):
                raise HttpError(
                    409,
                    "Conflict",
                    "Precondition failed: resourceVersion mismatch",
                    name=name,
                    kind=kind.plural,
                )
            if "dryRun" in query or options.get("dryRun"):
                return obj
            if obj["metadata"].get("finalizers"):
                obj = copy.deepcopy(obj)
                obj["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:01Z"
                obj["metadata"]["resourceVersion"] = str(self._next_rv())
                self.objects[(kind.prefix, kind.plural, namespace, name)] = obj
                self._emit(kind, namespace, "MODIFIED", obj)
                return copy.deepcopy(obj)
            del self.objects[(kind.prefix, kind.plural, namespace, name)]
            self._next_rv()
            obj = copy.deepcopy(obj)
            obj["metadata"]["resourceVersion"] = str(self.rv)
            self._emit(kind, namespace, "DELETED", obj)
            return None

    def _select(
        self, kind: Kind, namespace: str, query: dict[str, list[str]]
    ) -> list[dict[str, Any]]:
        labels = [s.split("=", 1) for s in (query.get("labelSelector", [""])[0].split(",")) if s]
        fields = [s.split("=", 1) for s in (query.get("fieldSelector", [""])[0].split(",")) if s]
        out = []
        for (prefix, plural, ns, _), obj in sorted(self.objects.items()):
            if (prefix, plural) != (kind.prefix, kind.plural) or (namespace and ns != namespace):
                continue
            if not self._matches(obj, labels, fields):
                continue
            out.append(obj)
        return out

    @staticmethod
    def _matches(obj: dict[str, Any], labels: list[list[str]], fields: list[list[str]]) -> bool:
        obj_labels = obj.get("metadata", {}).get("labels") or {}
        if any(obj_labels.get(k) != v for k, v in labels):
            return False
        for k, v in fields:
            value: Any = obj
            for part in k.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if value != v:
                return False
        return True

    # -- list and watch ---------------------------------------------------------------
    def _list(self, kind: Kind, namespace: str, query: dict[str, list[str]]) -> dict[str, Any]:
        with self.cond:
            items = [copy.deepcopy(o) for o in self._select(kind, namespace, query)]
            rv = str(self.rv)
        token = query.get("continue", [""])[0]
        offset = 0
        if token:
            if token in self.expired_continue_tokens:
                raise HttpError(
                    410,
                    "Expired",
                    "The provided continue parameter is too old to display a consistent list result."
                    " You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results.",
                )
            rv, offset_s = token.split(":")
            offset = int(offset_s)
        limit = int(query.get("limit", ["0"])[0])
        meta: dict[str, Any] = {"resourceVersion": rv}
        page = items[offset:]
        if limit and len(page) > limit:
            page = page[:limit]
            meta["continue"] = f"{rv}:{offset + limit}"
            meta["remainingItemCount"] = len(items) - offset - limit
        return {
            "kind": kind.kind + "List",
            "apiVersion": kind.api_version,
            "metadata": meta,
            "items": page,
        }

    def _watch(
        self,
        handler: BaseHTTPRequestHandler,
        kind: Kind,
        namespace: str,
        query: dict[str, list[str]],
    ) -> None:
        rv_param = query.get("resourceVersion", [""])[0]
        timeout = float(query.get("timeoutSeconds", ["30"])[0])
        bookmarks = query.get("allowWatchBookmarks", ["false"])[0] == "true"
        labels = [s.split("=", 1) for s in (query.get("labelSelector", [""])[0].split(",")) if s]
        fields = [s.split("=", 1) for s in (query.get("fieldSelector", [""])[0].split(",")) if s]
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()

        def send(etype: str, obj: dict[str, Any]) -> None:
            line = (
                json.dumps({"type": etype, "object": obj}, separators=(",", ":")).encode() + b"\n"
            )
            handler.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
            handler.wfile.flush()

        deadline = time.monotonic() + timeout
        try:
            with self.cond:
                if rv_param and rv_param != "0" and int(rv_param) < self.oldest_watchable_rv:
                    send(
                        "ERROR",
                        status(
                            410,
                            "Expired",
                            f"too old resource version: {rv_param} ({self.oldest_watchable_rv})",
                        ),
                    )
                    handler.wfile.write(b"0\r\n\r\n")
                    return
                if not rv_param or rv_param == "0":
                    for obj in self._select(kind, namespace, query):
                        send("ADDED", obj)
                    start = self.rv
                else:
                    start = int(rv_param)
                sent = next(
                    (i for i, e in enumerate(self.events) if e.rv > start), len(self.events)
                )
                while not self.closing:
                    while sent < len(self.events):
                        ev = self.events[sent]
                        sent += 1
                        if ev.type == "BOOKMARK":
                            if bookmarks:
                                send(
                                    "BOOKMARK",
                                    {
                                        "kind": kind.kind,
                                        "apiVersion": kind.api_version,
                                        "metadata": {"resourceVersion": str(ev.rv)},
                                    },
                                )
                            continue
                        if (ev.prefix, ev.plural) != (kind.prefix, kind.plural) or (
                            namespace and ev.namespace != namespace
                        ):
                            continue
                        if not self._matches(ev.obj, labels, fields):
                            continue
                        send(ev.type, ev.obj)
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self.cond.wait(min(remaining, 0.1))
            handler.wfile.write(b"0\r\n\r\n")
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            handler.close_connection = True

    # -- dispatch ---------------------------------------------------------------------
    def _resolve(self, path: str) -> tuple[Kind, str, str, str]:
        segs = [unquote(s) for s in path.strip("/").split("/")]
        if segs[0] == "api":
            prefix, rest = f"/api/{segs[1]}", segs[2:]
        else:
            prefix, rest = f"/apis/{segs[1]}/{segs[2]}", segs[3:]
        namespace = ""
        if len(rest) >= 3 and rest[0] == "namespaces" and (prefix, rest[2]) in self.kinds:
            namespace, rest = rest[1], rest[2:]
        if not rest or (prefix, rest[0]) not in self.kinds:
            raise HttpError(404, "NotFound", "the server could not find the requested resource")
        kind = self.kinds[(prefix, rest[0])]
        name = rest[1] if len(rest) > 1 else ""
        sub = "/".join(rest[2:])
        if sub and sub not in kind.subresources:
            raise HttpError(404, "NotFound", "the server could not find the requested resource")
        return kind, namespace, name, sub

    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        self.requests.append(
            Recorded(method, parts.path, query, dict(handler.headers.items()), body)
        )
        for fault in self.faults:
            if (
                fault.count > 0
                and (fault.method in (None, method))
                and (fault.path_contains is None or fault.path_contains in parts.path)
            ):
                fault.count -= 1
                if fault.delay:
                    time.sleep(fault.delay)
                    break
                if fault.status == 0:  # drop the connection without an answer
                    handler.close_connection = True
                    return
                self._respond(handler, fault.status, fault.body, fault.headers)
                return
        try:
            if parts.path in ("/version", "/api", "/apis") or (
                parts.path.count("/") <= 3 and not self._is_resource_path(parts.path)
            ):
                self._respond_json(handler, 200, self._discovery(parts.path))
                return
            kind, namespace, name, sub = self._resolve(parts.path)
            self._dispatch(handler, method, kind, namespace, name, sub, query, body)
        except HttpError as e:
            self._respond_json(handler, e.status["code"], e.status)

    def _is_resource_path(self, path: str) -> bool:
        try:
            self._resolve(path)
            return True
        except (HttpError, IndexError):
            return False

    def _discovery(self, path: str) -> Any:
        if path == "/version":
            return {
                "major": "1",
                "minor": "36",
                "gitVersion": "v1.36.0-fake",
                "platform": "linux/amd64",
            }
        if path == "/api":
            return {"kind": "APIVersions", "versions": ["v1"]}
        if path == "/apis":
            groups: dict[str, list[str]] = {}
            for prefix, _ in sorted(self.kinds):
                if prefix.startswith("/apis/"):
                    g, v = prefix[6:].split("/")
                    if v not in groups.setdefault(g, []):
                        groups[g].append(v)
            return {
                "kind": "APIGroupList",
                "groups": [
                    {
                        "name": g,
                        "versions": [{"groupVersion": f"{g}/{v}", "version": v} for v in vs],
                        "preferredVersion": {"groupVersion": f"{g}/{vs[0]}", "version": vs[0]},
                    }
                    for g, vs in groups.items()
                ],
            }
        resources = []
        for (prefix, plural), k in sorted(self.kinds.items()):
            if prefix == path:
                resources.append(
                    {
                        "name": plural,
                        "kind": k.kind,
                        "namespaced": k.namespaced,
                        "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"],
                    }
                )
                resources += [
                    {
                        "name": f"{plural}/{s}",
                        "kind": k.kind,
                        "namespaced": k.namespaced,
                        "verbs": ["get"],
                    }
                    for s in k.subresources
                ]
        if not resources:
            raise HttpError(404, "NotFound", "the server could not find the requested resource")
        return {
            "kind": "APIResourceList",
            "groupVersion": path.removeprefix("/api/").removeprefix("/apis/"),
            "resources": resources,
        }

    def _dispatch(
        self,
        handler: BaseHTTPRequestHandler,
        method: str,
        kind: Kind,
        namespace: str,
        name: str,
        sub: str,
        query: dict[str, list[str]],
        body: bytes,
    ) -> None:
        ctype = handler.headers.get("Content-Type", "")
        data: Any = json.loads(body) if body else None
        if method in ("PUT", "PATCH", "POST") and not ctype:
            raise HttpError(415, "UnsupportedMediaType", "no Content-Type")
        if kind.namespaced and name and not namespace:
            raise HttpError(404, "NotFound", "the server could not find the requested resource")
        if method == "GET" and not name:
            if query.get("watch", [""])[0] in ("true", "1"):
                self._watch(handler, kind, namespace, query)
                return
            self._respond_json(handler, 200, self._list(kind, namespace, query))
            return
        if sub == "log":
            self._log(handler, kind, namespace, name, query)
            return
        if sub == "scale":
            self._scale(handler, method, kind, namespace, name, data, query, ctype)
            return
        if method == "GET":
            self._respond_json(handler, 200, self._get(kind, namespace, name))
        elif method == "POST" and not name:
            self._respond_json(handler, 201, self._create(kind, namespace, data, query))
        elif method == "POST" and sub == "eviction":
            self._get(kind, namespace, name)
            if data.get("kind") != "Eviction":
                raise HttpError(400, "BadRequest", "expected an Eviction")
            self._delete(kind, namespace, name, data.get("deleteOptions") or {}, query)
            self._respond_json(
                handler,
                201,
                status(
                    201,
                    "",
                    "",
                )
                | {"status": "Success"},
            )
        elif method == "POST" and sub == "binding":
            obj = copy.deepcopy(self._get(kind, namespace, name))
            obj.setdefault("spec", {})["nodeName"] = data["target"]["name"]
            self._replace(kind, namespace, name, obj, query)
            self._respond_json(handler, 201, status(201, "", "") | {"status": "Success"})
        elif method == "POST" and sub == "token":
            self._get(kind, namespace, name)
            data["status"] = {
                "token": "header.payload.signature",
                "expirationTimestamp": "2026-01-01T01:00:00Z",
            }
            self._respond_json(handler, 201, data)
        elif method == "PUT":
            if sub:
                old = copy.deepcopy(self._get(kind, namespace, name))
                field_name = {"status": "status", "approval": "status"}.get(sub)
                if field_name:
                    old[field_name] = data.get(field_name)
                elif sub == "finalize":
                    old.setdefault("spec", {})["finalizers"] = (data.get("spec") or {}).get(
                        "finalizers", []
                    )
                elif sub in ("ephemeralcontainers", "resize"):
                    key = "ephemeralContainers" if sub == "ephemeralcontainers" else "containers"
                    old.setdefault("spec", {})[key] = (data.get("spec") or {}).get(key)
                old["metadata"]["resourceVersion"] = (data.get("metadata") or {}).get(
                    "resourceVersion"
                )
                data = old
            self._respond_json(handler, 200, self._replace(kind, namespace, name, data, query))
        elif method == "PATCH":
            self._respond_json(
                handler, 200, self._patch(kind, namespace, name, sub, data, query, ctype)
            )
        elif method == "DELETE" and name:
            deleted = self._delete(kind, namespace, name, data or {}, query)
            if deleted is None:
                self._respond_json(
                    handler,
                    200,
                    status(200, "", "")
                    | {"status": "Success", "details": {"name": name, "kind": kind.plural}},
                )
            else:
                self._respond_json(handler, 200, deleted)
        elif method == "DELETE":
            for obj in list(self._select(kind, namespace, query)):
                self._delete(
                    kind,
                    obj["metadata"].get("namespace", ""),
                    obj["metadata"]["name"],
                    data or {},
                    query,
                )
            self._respond_json(handler, 200, status(200, "", "") | {"status": "Success"})
        else:
            raise HttpError(405, "MethodNotAllowed", f"{method} is not supported")

    def _patch(
        self,
        kind: Kind,
        namespace: str,
        name: str,
        sub: str,
        data: Any,
        query: dict[str, list[str]],
        ctype: str,
    ) -> dict[str, Any]:
        if ctype.startswith("application/apply-patch"):
            if not query.get("fieldManager"):
                raise HttpError(
                    400, "BadRequest", "PATCH, application/apply-patch+yaml requires fieldManager"
                )
            if (kind.prefix, kind.plural, namespace, name) not in self.objects:
                return self._create(kind, namespace, data, query)
            owner = (
                self._get(kind, namespace, name)
                .get("metadata", {})
                .get("annotations", {})
                .get("fake/manager")
            )
            if (
                owner
                and owner != query["fieldManager"][0]
                and query.get("force", ["false"])[0] != "true"
            ):
                raise HttpError(
                    409,
                    "Conflict",
                    f'Apply failed with 1 conflict: conflict with "{owner}"',
                    name=name,
                    kind=kind.plural,
                )
        old = self._get(kind, namespace, name)
        if ctype == "application/json-patch+json":
            new = json_patch(old, data)
        elif ctype == "application/strategic-merge-patch+json" and not kind.strategic:
            raise HttpError(
                415,
                "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
            )
        elif ctype in (
            "application/merge-patch+json",
            "application/strategic-merge-patch+json",
        ) or ctype.startswith("application/apply-patch"):
            new = merge_patch(old, data)
        else:
            raise HttpError(415, "UnsupportedMediaType", f"unsupported patch type {ctype}")
        if sub == "status":
            merged = copy.deepcopy(old)
            merged["status"] = new.get("status")
            new = merged
        new["metadata"]["resourceVersion"] = (
            old["metadata"]["resourceVersion"]
            if not (
                data
                and isinstance(data, dict)
                and (data.get("metadata") or {}).get("resourceVersion")
            )
            else data["metadata"]["resourceVersion"]
        )
        return self._replace(kind, namespace, name, new, query)

    def _scale(
        self,
        handler: BaseHTTPRequestHandler,
        method: str,
        kind: Kind,
        namespace: str,
        name: str,
        data: Any,
        query: dict[str, list[str]],
        ctype: str,
    ) -> None:
        obj = self._get(kind, namespace, name)

        def as_scale(o: dict[str, Any]) -> dict[str, Any]:
            return {
                "apiVersion": "autoscaling/v1",
                "kind": "Scale",
                "metadata": {
                    "name": name,
                    "namespace": namespace,
                    "resourceVersion": o["metadata"]["resourceVersion"],
                },
                "spec": {"replicas": (o.get("spec") or {}).get("replicas", 1)},
                "status": {"replicas": (o.get("status") or {}).get("replicas", 0)},
            }

        if method == "GET":
            self._respond_json(handler, 200, as_scale(obj))
            return
        scale = as_scale(obj)
        if method == "PUT":
            new_scale = data
        elif ctype == "application/json-patch+json":
            new_scale = json_patch(scale, data)
        else:
            new_scale = merge_patch(scale, data)
        new = copy.deepcopy(obj)
        new.setdefault("spec", {})["replicas"] = new_scale["spec"]["replicas"]
        new["metadata"]["resourceVersion"] = (new_scale.get("metadata") or {}).get(
            "resourceVersion"
        ) or obj["metadata"]["resourceVersion"]
        self._respond_json(handler, 200, as_scale(self._replace(kind, namespace, name, new, query)))

    def _log(
        self,
        handler: BaseHTTPRequestHandler,
        kind: Kind,
        namespace: str,
        name: str,
        query: dict[str, list[str]],
    ) -> None:
        self._get(kind, namespace, name)
        lines = list(self.logs.get((namespace, name), []))
        if "tailLines" in query:
            lines = lines[-int(query["tailLines"][0]) :]
        if query.get("timestamps", [""])[0] == "true":
            lines = [f"2026-01-01T00:00:00Z {line}" for line in lines]
        if query.get("follow", [""])[0] != "true":
            self._respond(
                handler,
                200,
                "".join(f"{line}\n" for line in lines).encode(),
                {"Content-Type": "text/plain"},
            )
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        try:
            for line in lines:
                data = f"{line}\n".encode()
                handler.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                handler.wfile.flush()
                time.sleep(0.01)
            # then keep the stream open (like a running container) until the client goes
            while not self.closing:
                time.sleep(0.05)
                handler.wfile.write(b"0\r\n\r\n"[:0])
        except OSError:
            handler.close_connection = True

    # -- responses --------------------------------------------------------------------
    @staticmethod
    def _respond(
        handler: BaseHTTPRequestHandler, code: int, body: bytes, headers: dict[str, str]
    ) -> None:
        handler.send_response(code)
        for k, v in headers.items():
            handler.send_header(k, v)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _respond_json(self, handler: BaseHTTPRequestHandler, code: int, obj: Any) -> None:
        body = json.dumps(obj).encode()
        self._respond(handler, code, body, {"Content-Type": "application/json"})


def _make_handler(server: FakeApiServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            server.handle(self, "GET")

        def do_POST(self) -> None:
            server.handle(self, "POST")

        def do_PUT(self) -> None:
            server.handle(self, "PUT")

        def do_PATCH(self) -> None:
            server.handle(self, "PATCH")

        def do_DELETE(self) -> None:
            server.handle(self, "DELETE")

    return Handler
