"""FakeTransport: the fake cluster behind kubeset's HTTP seam, in process, without sockets.

    fake = FakeTransport()                          # a new FakeCluster (or FakeTransport(cluster))
    cs = fake.clientset()                           # kubeset.kubernetes.Clientset over it
    acs = fake.async_clientset()                    # the AsyncClientset over the same cluster
    cs.core_v1.config_maps("default").create({"metadata": {"name": "c"}, "data": {"k": "v"}})
    fake.fail_next(500, verb="get", resource="configmaps")   # inject a fault
    fake.prepend_reactor("create", "pods", lambda action: ...)  # like client-go's PrependReactor
    fake.requests                                   # every HTTPRequest sent, in order

It routes each :class:`~kubeset.transport.base.HTTPRequest` (``/api/v1/...``,
``/apis/<group>/<version>/...``, discovery, ``/version``) to a :class:`FakeCluster` verb and
answers what kube-apiserver would: JSON objects, ``Status`` failures, watch streams (abortable
from another thread through ``Response.abort``).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

import yaml  # type: ignore[import-untyped, unused-ignore]

from ..errors import ApiError, error_class
from ..rest.aio import AsyncRESTClient
from ..rest.client import RESTClient
from ..transport.base import AsyncResponse, HTTPRequest, Response
from .cluster import DeleteOptions, FakeCluster, ListOptions, WriteOptions
from .resources import GENERATED_PACKAGE, Kind
from .status import bad_request, failure, status_body

if TYPE_CHECKING:  # the generated package is imported when clientset() is first called
    from kubeset.kubernetes.clientset import AsyncClientset, Clientset

__all__ = ["Action", "FakeTransport", "Reactor"]

_JSON = {"Content-Type": "application/json"}
HOST = "http://fake-cluster"


@dataclass(frozen=True, slots=True)
class Action:
    """One API call as reactors and fault rules see it."""

    verb: str  # get list watch create update patch apply delete deletecollection
    group: str
    version: str
    resource: str  # plural
    namespace: str
    name: str
    subresource: str
    body: Any  # the decoded request body (None without one)
    request: HTTPRequest


Reactor = Callable[[Action], Any]
"""Returns None to let the next reactor (finally the cluster) answer, or an object (dict or model)
to answer with; raising an ApiError answers with its Status."""


@dataclass
class _Fault:
    verb: str
    resource: str
    times: int
    answer: Callable[[Action], Response | None]


@dataclass
class _Reactors:
    items: list[tuple[str, str, Reactor]] = field(default_factory=list)


def _matches(rule_verb: str, rule_resource: str, action: Action) -> bool:
    return rule_verb in ("*", action.verb) and rule_resource in ("*", action.resource)


def _json(status: int, data: Any) -> Response:
    return Response(status, _JSON, json.dumps(data, separators=(",", ":")).encode())


def _error(error: ApiError) -> Response:
    return _json(error.status_code, status_body(error))


def _flag(request: HTTPRequest, name: str) -> bool:
    return (request.param(name) or "").lower() in ("true", "1")


def _generated(name: str) -> Any:
    """A clientset class of the generated package (imported on first use)."""
    return getattr(importlib.import_module(f"{GENERATED_PACKAGE}.clientset"), name)


class FakeTransport:
    """An :class:`~kubeset.transport.base.HTTPTransport` answered by a :class:`FakeCluster`; it
    serves asyncio clients too (``AsyncHTTPTransport``: ``async_clientset()``)."""

    def __init__(
        self, cluster: FakeCluster | None = None, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.cluster = cluster if cluster is not None else FakeCluster()
        self.requests: list[HTTPRequest] = []
        self.sleep = sleep
        self._lock = threading.Lock()
        self._faults: list[_Fault] = []
        self._reactors: list[tuple[str, str, Reactor]] = []
        self._delay = 0.0
        self._streams: list[Any] = []

    # ------------------------------------------------------------ clients

    def rest_client(self, **options: Any) -> RESTClient:
        """A RESTClient over this transport (``host`` is a placeholder, nothing is dialed)."""
        return RESTClient(self, host=HOST, **options)

    def clientset(self, **options: Any) -> Clientset:
        """The generated ``kubeset.kubernetes.Clientset`` over this transport."""
        clientset: Clientset = _generated("Clientset")(self.rest_client(**options))
        return clientset

    def async_rest_client(self, **options: Any) -> AsyncRESTClient:
        """An AsyncRESTClient over this transport (the same cluster as the sync clients)."""
        return AsyncRESTClient(self, host=HOST, **options)

    def async_clientset(self, **options: Any) -> AsyncClientset:
        """The generated ``kubeset.kubernetes.AsyncClientset`` over this transport."""
        clientset: AsyncClientset = _generated("AsyncClientset")(self.async_rest_client(**options))
        return clientset

    # ------------------------------------------------------------ hooks

    def prepend_reactor(self, verb: str, resource: str, reactor: Reactor) -> None:
        """Run ``reactor`` before the cluster for matching calls (``"*"`` matches any)."""
        with self._lock:
            self._reactors.insert(0, (verb, resource, reactor))

    def fail_next(
        self,
        status_code: int,
        *,
        verb: str = "*",
        resource: str = "*",
        times: int = 1,
        reason: str = "",
        message: str = "injected failure",
    ) -> None:
        """Answer the next ``times`` matching calls with a Status failure of ``status_code``."""
        error = failure(status_code, reason or error_class(status_code).default_reason, message)
        self._add_fault(verb, resource, times, lambda action: _error(error))

    def conflict_next_update(self, resource: str = "*", *, times: int = 1) -> None:
        """The next update (PUT or patch) of ``resource`` gets 409 Conflict, as if it were stale."""

        def answer(action: Action) -> Response:
            return _error(
                failure(
                    409,
                    "Conflict",
                    f'Operation cannot be fulfilled on {action.resource} "{action.name}": the object has'
                    " been modified; please apply your changes to the latest version and try again",
                    name=action.name,
                    group=action.group,
                    kind=action.resource,
                )
            )

        self._add_fault("update", resource, times, answer)
        self._add_fault("patch", resource, times, answer)

    def delay(self, seconds: float) -> None:
        """Wait ``seconds`` before answering every request (0 to stop)."""
        self._delay = seconds

    def drop_watches(self) -> None:
        """End every open watch stream now (clients see the connection close and re-watch)."""
        self.cluster.log.drop_watches()

    def _add_fault(
        self, verb: str, resource: str, times: int, answer: Callable[[Action], Response | None]
    ) -> None:
        with self._lock:
            self._faults.append(_Fault(verb, resource, times, answer))

    # ------------------------------------------------------------ the seam

    def send(self, request: HTTPRequest) -> Response:
        with self._lock:
            self.requests.append(request)
        if self._delay:
            self.sleep(self._delay)
        path = urlsplit(request.url).path.rstrip("/")
        try:
            discovery = self._discovery(path)
            if discovery is not None:
                return _json(200, discovery)
            kind, action = self._route(request, path)
            fault = self._fault_for(action)
            if fault is not None:
                answer = fault.answer(action)
                if answer is not None:
                    return answer
            for verb, resource, reactor in list(self._reactors):
                if _matches(verb, resource, action):
                    result = reactor(action)
                    if result is not None:
                        dump = getattr(result, "model_dump", None)
                        return _json(
                            200,
                            dump(mode="json", by_alias=True, exclude_unset=True)
                            if dump
                            else result,
                        )
            return self._serve(kind, action)
        except ApiError as e:
            return _error(e)

    def _fault_for(self, action: Action) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.times > 0 and _matches(fault.verb, fault.resource, action):
                    fault.times -= 1
                    return fault
            self._faults = [f for f in self._faults if f.times > 0]
        return None

    async def send_async(self, request: HTTPRequest) -> AsyncResponse:
        """The asyncio seam: the same answer as :meth:`send`, worked out in a worker thread so
        that a slow answer never holds the event loop; a watch's events are read the same way."""
        return AsyncResponse.of(await asyncio.to_thread(self.send, request))

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        self.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<FakeTransport {len(self.requests)} requests>"

    # ------------------------------------------------------------ routing

    def _route(self, request: HTTPRequest, path: str) -> tuple[Kind, Action]:
        parts = path.strip("/").split("/")
        if parts[0] == "api" and len(parts) >= 3:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[0] == "apis" and len(parts) >= 4:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise failure(404, "NotFound", "the server could not find the requested resource")
        namespace = ""
        if (
            rest[0] == "namespaces"
            and len(rest) >= 3
            and self.cluster.resources.lookup(group, version, rest[2]) is not None
            and self.cluster.resources.lookup(group, version, rest[2]).info.namespaced  # type: ignore[union-attr]
        ):
            namespace, rest = rest[1], rest[2:]
        kind = self.cluster.kind(group, version, rest[0])
        name = rest[1] if len(rest) > 1 else ""
        subresource = rest[2] if len(rest) > 2 else ""
        body: Any = None
        if request.body:
            content_type = request.headers.get("Content-Type", "")
            try:
                body = (
                    yaml.safe_load(request.body)
                    if "yaml" in content_type
                    else json.loads(request.body)
                )
            except (ValueError, yaml.YAMLError) as e:
                raise bad_request(f"the request body is not valid JSON or YAML: {e}") from None
        method = request.method.upper()
        content_type = request.headers.get("Content-Type", "")
        verb = {
            "GET": "get" if name else ("watch" if _flag(request, "watch") else "list"),
            "POST": "create",
            "PUT": "update",
            "PATCH": "apply" if content_type.startswith("application/apply-patch") else "patch",
            "DELETE": "delete" if name else "deletecollection",
        }.get(method)
        if verb is None:
            raise failure(405, "MethodNotAllowed", f"method {method} is not supported")
        return kind, Action(
            verb, group, version, kind.info.plural, namespace, name, subresource, body, request
        )

    def _serve(self, kind: Kind, a: Action) -> Response:
        c, r = self.cluster, a.request
        allowed = kind.info.verbs | ({"apply"} if "patch" in kind.info.verbs else set())
        if not a.subresource and a.verb not in allowed:
            raise failure(405, "MethodNotAllowed", f"{a.verb} is not supported on {a.resource}")
        write = WriteOptions(
            dry_run=r.param("dryRun") == "All",
            field_manager=r.param("fieldManager") or _agent_manager(r),
            force=_flag(r, "force"),
        )
        selection = ListOptions(
            label_selector=r.param("labelSelector"),
            field_selector=r.param("fieldSelector"),
            limit=_int_param(r, "limit"),
            continue_=r.param("continue"),
        )
        ns = a.namespace or None
        if a.verb == "get":
            return _json(200, c.read(kind, ns, a.name, a.subresource))
        if a.verb == "list":
            return Response(200, _JSON, c.list_json(kind, ns, selection))
        if a.verb == "watch":
            return self._watch(kind, ns, r, selection)
        if a.verb == "create":
            if a.subresource:
                raise failure(
                    405,
                    "MethodNotAllowed",
                    f"the fake cluster does not implement {a.resource}/{a.subresource}",
                )
            return _json(201, c.create(kind, ns, _object(a.body), write))
        if a.verb == "update":
            body = _object(a.body)
            return _json(
                200, c.write(kind, ns, a.name, body, subresource=a.subresource, opts=write)
            )
        if a.verb in ("patch", "apply"):
            if a.verb == "apply":
                write = WriteOptions(write.dry_run, r.param("fieldManager"), write.force)
            existed = a.verb != "apply" or c.exists(kind, ns, a.name)
            out = c.patch(
                kind,
                ns,
                a.name,
                r.headers.get("Content-Type", "").split(";")[0],
                a.body,
                subresource=a.subresource,
                opts=write,
            )
            return _json(200 if existed else 201, out)
        options = _object(a.body) if a.body is not None else {}
        delete = DeleteOptions(
            propagation_policy=options.get("propagationPolicy") or r.param("propagationPolicy"),
            preconditions=options.get("preconditions") or {},
            dry_run=options.get("dryRun") == ["All"] or r.param("dryRun") == "All",
        )
        if a.verb == "delete":
            return _json(200, c.delete(kind, ns, a.name, delete))
        return _json(200, c.delete_collection(kind, ns, selection, delete))

    def _watch(
        self, kind: Kind, ns: str | None, r: HTTPRequest, selection: ListOptions
    ) -> Response:
        timeout = _int_param(r, "timeoutSeconds")
        stream = self.cluster.watch(
            kind,
            ns,
            resource_version=r.param("resourceVersion"),
            selection=selection,
            bookmarks=_flag(r, "allowWatchBookmarks"),
            send_initial_events=_flag(r, "sendInitialEvents"),
            timeout=float(timeout) if timeout else None,
        )
        return Response(200, _JSON, _Body(stream), abort=stream.abort, close=stream.abort)

    # ------------------------------------------------------------ discovery

    def _discovery(self, path: str) -> dict[str, Any] | None:
        table = self.cluster.resources
        if path == "/version":
            return {
                "major": "1",
                "minor": "36",
                "gitVersion": "v1.36.0-kubeset-fake",
                "platform": "python",
            }
        if path == "/api":
            return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []}
        if path == "/apis":
            groups: dict[str, list[str]] = {}
            for kind in table.kinds.values():
                if kind.info.group:
                    versions = groups.setdefault(kind.info.group, [])
                    if kind.info.version not in versions:
                        versions.append(kind.info.version)
            return {
                "kind": "APIGroupList",
                "apiVersion": "v1",
                "groups": [
                    {
                        "name": g,
                        "versions": [{"groupVersion": f"{g}/{v}", "version": v} for v in vs],
                        "preferredVersion": {"groupVersion": f"{g}/{vs[0]}", "version": vs[0]},
                    }
                    for g, vs in sorted(groups.items())
                ],
            }
        parts = path.strip("/").split("/")
        gv = None
        if parts[0] == "api" and len(parts) == 2:
            gv = parts[1]
        elif parts[0] == "apis" and len(parts) == 3:
            gv = f"{parts[1]}/{parts[2]}"
        if gv is None:
            return None
        kinds = table.group_versions().get(gv)
        if kinds is None:
            raise failure(404, "NotFound", "the server could not find the requested resource")
        resources = []
        for k in sorted(kinds, key=lambda k: k.info.plural):
            resources.append(
                {
                    "name": k.info.plural,
                    "singularName": k.info.kind.lower(),
                    "namespaced": k.info.namespaced,
                    "kind": k.info.kind,
                    "verbs": sorted(k.info.verbs),
                }
            )
            for sub in sorted(k.info.subresources):
                resources.append(
                    {
                        "name": f"{k.info.plural}/{sub}",
                        "singularName": "",
                        "namespaced": k.info.namespaced,
                        "kind": "Scale" if sub == "scale" else k.info.kind,
                        "verbs": ["get", "patch", "update"],
                    }
                )
        return {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": gv,
            "resources": resources,
        }


class _Body:
    """A watch stream as a response body (iterating it blocks until events arrive)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.stream)


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request("the request body must be a JSON object")
    return body


def _int_param(request: HTTPRequest, name: str) -> int:
    value = request.param(name) or "0"
    try:
        return int(value)
    except ValueError:
        raise bad_request(f"{name}: invalid value {value!r}: expected an integer") from None


def _agent_manager(request: HTTPRequest) -> str | None:
    agent = request.headers.get("User-Agent", "")
    return agent.split("/", 1)[0] or None
