"""FakeTransport: the fake cluster behind kubeset's HTTP seam, in process, without sockets.

    fake = FakeTransport()                          # a new FakeCluster (or FakeTransport(cluster))
    cs = fake.clientset()                           # kubeset.kubernetes.Clientset over it
    acs = fake.async_clientset()                    # the AsyncClientset over the same cluster
    cs.core_v1.config_maps("default").create({"metadata": {"name": "c"}, "data": {"k": "v"}})
    fake.fail_next(500, verb="get", resource="configmaps")   # inject a fault
    fake.throttle_next(retry_after=2, namespace="team")     # 429 with Retry-After
    fake.drop_next_watch(after_events=3)                    # also silence_next_watch, slow_next,
    fake.expire_next("list")                                #   expire_next("watch"), inject(Fault)
    fake.prepend_reactor("create", "pods", lambda action: ...)  # like client-go's PrependReactor
    fake.requests                                   # every HTTPRequest sent, in order
    fake.calls[-1].status, fake.assert_no_writes()  # the record: method, path, query, body,
    fake.assert_writes(Write("POST", "/api/v1/namespaces/default/configmaps"))  # answer status

It routes each :class:`~kubeset.transport.base.HTTPRequest` (``/api/v1/...``,
``/apis/<group>/<version>/...``, discovery, ``/version``) to a :class:`FakeCluster` verb and
answers what kube-apiserver would: JSON objects, ``Status`` failures, watch streams (abortable
from another thread through ``Response.abort``).  Fault rules (:mod:`kubeset.testing.faults`)
are applied after routing, before reactors and the cluster: each touches the next ``times``
requests of its verb, resource and namespace; waits go through ``sleep``.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

import yaml  # type: ignore[import-untyped, unused-ignore]

from ..errors import ApiError, RequestTimeout, error_class
from ..rest.aio import AsyncRESTClient
from ..rest.client import RESTClient
from ..transport.base import AsyncResponse, HTTPRequest, Response
from .cluster import DeleteOptions, FakeCluster, ListOptions, WriteOptions
from .discovery import Discovery
from .faults import Fault, FaultRules, WatchShape
from .record import Call, Write, check_no_writes, check_writes
from .resources import GENERATED_PACKAGE, Kind
from .status import bad_request, failure, status_body
from .streams import ExecHandler, FakeStreams

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


def _matches(rule_verb: str, rule_resource: str, action: Action) -> bool:
    return rule_verb in ("*", action.verb) and rule_resource in ("*", action.resource)


def _dumps(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def _json(status: int, data: Any) -> Response:
    return Response(status, _JSON, _dumps(data))


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
        self.discovery = Discovery(self.cluster.resources)
        self.requests: list[HTTPRequest] = []
        self.calls: list[Call] = []  # the same requests as plain data, with their answers' status
        self.sleep = sleep
        self._lock = threading.Lock()
        self._faults = FaultRules()
        self._reactors: list[tuple[str, str, Reactor]] = []
        self._delay: Fault | None = None
        self._streams: list[Any] = []
        self.stream_dialer = FakeStreams(self.cluster)
        """Exec into pods (``kubeset.streams.dialer_for`` finds it): see :meth:`on_exec`."""

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

    def on_exec(self, pod: str, handler: ExecHandler, *, namespace: str = "") -> None:
        """Answer ``pods.exec_run``/``exec`` into ``pod`` with ``handler(command, stdin) ->
        (stdout, stderr, exit_code)`` (:mod:`kubeset.testing.streams`)."""
        self.stream_dialer.on_exec(pod, handler, namespace=namespace)

    def prepend_reactor(self, verb: str, resource: str, reactor: Reactor) -> None:
        """Run ``reactor`` before the cluster for matching calls (``"*"`` matches any)."""
        with self._lock:
            self._reactors.insert(0, (verb, resource, reactor))

    def inject(self, fault: Fault) -> Fault:
        """Add a fault rule (see :mod:`kubeset.testing.faults`); ``remove_fault`` takes it away."""
        return self._faults.add(fault)

    def remove_fault(self, fault: Fault) -> None:
        self._faults.remove(fault)

    def clear_faults(self) -> None:
        """Remove every fault rule (and the ``delay``)."""
        self._faults.clear()

    @property
    def faults(self) -> list[Fault]:
        """The fault rules that still touch requests, in the order they were added."""
        return self._faults.pending

    def fail_next(
        self,
        status_code: int,
        *,
        verb: str = "*",
        resource: str = "*",
        namespace: str = "*",
        times: int | None = 1,
        reason: str = "",
        message: str = "injected failure",
        retry_after: float | None = None,
    ) -> Fault:
        """Answer the next ``times`` matching calls with a Status failure of ``status_code``
        (and a ``Retry-After`` header of ``retry_after`` seconds when given)."""
        return self.inject(
            Fault(
                verb,
                resource,
                namespace,
                times,
                status=status_code,
                reason=reason,
                message=message,
                retry_after=retry_after,
            )
        )

    def throttle_next(
        self,
        *,
        retry_after: float = 1.0,
        verb: str = "*",
        resource: str = "*",
        namespace: str = "*",
        times: int | None = 1,
    ) -> Fault:
        """429 TooManyRequests with ``Retry-After``, as API priority and fairness answers."""
        return self.fail_next(
            429,
            verb=verb,
            resource=resource,
            namespace=namespace,
            times=times,
            message="Too many requests, please try again later.",
            retry_after=retry_after,
        )

    def slow_next(
        self,
        seconds: float,
        *,
        verb: str = "*",
        resource: str = "*",
        namespace: str = "*",
        times: int | None = 1,
    ) -> Fault:
        """Wait ``seconds`` (through ``sleep``) before answering; a request whose read timeout
        is shorter waits that long and raises :class:`~kubeset.errors.RequestTimeout`, as over
        a real connection."""
        return self.inject(Fault(verb, resource, namespace, times, delay=seconds))

    def drop_next_watch(
        self,
        *,
        after_events: int | None = None,
        after_seconds: float | None = None,
        resource: str = "*",
        namespace: str = "*",
        times: int | None = 1,
    ) -> Fault:
        """The next matching watch ends (the connection closes) after ``after_events`` events
        (bookmarks not counted) or ``after_seconds``, whichever comes first."""
        if after_events is None and after_seconds is None:
            raise ValueError("drop_next_watch needs after_events or after_seconds")
        shape = WatchShape(drop_after_events=after_events, drop_after_seconds=after_seconds)
        return self.inject(Fault("watch", resource, namespace, times, watch=shape))

    def silence_next_watch(
        self, *, resource: str = "*", namespace: str = "*", times: int | None = 1
    ) -> Fault:
        """The next matching watch sends nothing, not even bookmarks: a dead connection.  The
        client's read timeout (``watch_idle_timeout`` with bookmarks) raises
        :class:`~kubeset.errors.RequestTimeout` from the body, which a Watch reports as
        :class:`~kubeset.errors.ConnectionLost`."""
        shape = WatchShape(silent=True)
        return self.inject(Fault("watch", resource, namespace, times, watch=shape))

    def expire_next(
        self,
        verb: str = "watch",
        *,
        resource: str = "*",
        namespace: str = "*",
        times: int | None = 1,
    ) -> Fault:
        """410 Expired on the next watch (an ERROR event, as kube-apiserver sends once a watch
        is accepted) or, with ``verb="list"``, on the next list carrying a continue token."""
        if verb not in ("watch", "list"):
            raise ValueError(f"expire_next: verb must be 'watch' or 'list', not {verb!r}")
        message = (
            "too old resource version"
            if verb == "watch"
            else "The provided continue parameter is too old to display a consistent list result."
        )
        return self.inject(
            Fault(
                verb,
                resource,
                namespace,
                times,
                status=410,
                reason="Expired",
                message=message,
                continued_only=verb == "list",
            )
        )

    def conflict_next_update(self, resource: str = "*", *, times: int = 1) -> None:
        """The next update (PUT or patch) of ``resource`` gets 409 Conflict, as if it were stale."""
        message = (
            'Operation cannot be fulfilled on {resource} "{name}": the object has been modified;'
            " please apply your changes to the latest version and try again"
        )
        for verb in ("update", "patch"):
            self.inject(Fault(verb, resource, times=times, status=409, message=message))

    def delay(self, seconds: float) -> None:
        """Wait ``seconds`` before answering every API request (0 to stop)."""
        with self._lock:
            previous, self._delay = self._delay, None
        if previous is not None:
            self._faults.remove(previous)
        if seconds:
            self._delay = self.inject(Fault(times=None, delay=seconds))

    def drop_watches(self) -> None:
        """End every open watch stream now (clients see the connection close and re-watch)."""
        self.cluster.log.drop_watches()

    # ------------------------------------------------------------ the record

    def writes(self, *, since: int = 0) -> list[Call]:
        """The write calls (POST, PUT, PATCH, DELETE) from ``calls[since]`` on."""
        with self._lock:
            return [c for c in self.calls[since:] if c.is_write]

    def assert_no_writes(self, *, since: int = 0) -> None:
        """Fail (:class:`~kubeset.testing.record.UnexpectedWrites`, an AssertionError) listing
        the writes sent from ``calls[since]`` on, if there are any."""
        with self._lock:
            calls = list(self.calls[since:])
        check_no_writes(calls)

    def assert_writes(self, *expected: Write, since: int = 0) -> None:
        """Fail unless the writes from ``calls[since]`` on are ``expected``, in this order."""
        with self._lock:
            calls = list(self.calls[since:])
        check_writes(calls, expected)

    # ------------------------------------------------------------ the seam

    def send(self, request: HTTPRequest) -> Response:
        with self._lock:
            self.requests.append(request)
        status: int | None = None
        try:
            response = self._answer(request)
            status = response.status_code
            return response
        finally:
            call = Call(
                request.method.upper(),
                urlsplit(request.url).path.rstrip("/"),
                dict(request.params),
                _lenient_body(request),
                status,
                request,
            )
            with self._lock:
                self.calls.append(call)

    def _answer(self, request: HTTPRequest) -> Response:
        path = urlsplit(request.url).path.rstrip("/")
        try:
            aggregated = "as=APIGroupDiscoveryList" in request.headers.get("Accept", "")
            discovery = self.discovery.answer(path, aggregated=aggregated)
            if discovery is not None:
                document, content_type = discovery
                return Response(200, {"Content-Type": content_type}, _dumps(document))
            kind, action = self._route(request, path)
            effect = self._faults.take(
                verb=action.verb,
                resource=action.resource,
                namespace=action.namespace,
                continued=bool(request.param("continue")),
            )
            if effect.delay:
                self._wait(request, effect.delay)
            if effect.failure is not None:
                return _injected(effect.failure, action)
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
            return self._serve(kind, action, effect.watch)
        except ApiError as e:
            return _error(e)

    def _wait(self, request: HTTPRequest, seconds: float) -> None:
        """A slow answer: the client's own limit ends the wait as it would over a socket."""
        limits = [t for t in (request.timeouts.read, request.timeouts.total) if t is not None]
        bound = min(limits) if limits else None
        if bound is not None and bound < seconds:
            self.sleep(bound)
            raise RequestTimeout(
                f"{request.method} {urlsplit(request.url).path}: no answer within {bound:g} s"
                " (the fake cluster's injected slow answer)"
            )
        self.sleep(seconds)

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
        body = _decoded_body(request)
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

    def _serve(self, kind: Kind, a: Action, shape: WatchShape | None = None) -> Response:
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
            return self._watch(kind, ns, r, selection, shape or WatchShape())
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
        self,
        kind: Kind,
        ns: str | None,
        r: HTTPRequest,
        selection: ListOptions,
        shape: WatchShape,
    ) -> Response:
        timeout: float | None = _int_param(r, "timeoutSeconds") or None
        if shape.drop_after_seconds is not None:
            timeout = min(timeout or shape.drop_after_seconds, shape.drop_after_seconds)
        stream = self.cluster.watch(
            kind,
            ns,
            resource_version=r.param("resourceVersion"),
            selection=selection,
            bookmarks=_flag(r, "allowWatchBookmarks"),
            send_initial_events=_flag(r, "sendInitialEvents"),
            timeout=timeout,
            max_events=shape.drop_after_events,
        )
        if shape.silent:
            silent = _Silence(r.timeouts.read, f"{r.method} {urlsplit(r.url).path}")
            stream.abort()
            return Response(200, _JSON, silent, abort=silent.abort, close=silent.abort)
        return Response(200, _JSON, _Body(stream), abort=stream.abort, close=stream.abort)


class _Body:
    """A watch stream as a response body (iterating it blocks until events arrive)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.stream)


def _decoded_body(request: HTTPRequest) -> Any:
    """The request body as data (YAML for an apply patch), None without one."""
    if not request.body:
        return None
    content_type = request.headers.get("Content-Type", "")
    try:
        return yaml.safe_load(request.body) if "yaml" in content_type else json.loads(request.body)
    except (ValueError, yaml.YAMLError) as e:
        raise bad_request(f"the request body is not valid JSON or YAML: {e}") from None


def _lenient_body(request: HTTPRequest) -> Any:
    """The body for the record: decoded, or as text when it is not JSON or YAML."""
    try:
        return _decoded_body(request)
    except ApiError:
        return bytes(request.body or b"").decode("utf-8", "replace")


class _Silence:
    """A watch body that never sends a byte: the read timeout (if any) raises RequestTimeout,
    as a real transport's does when a dead connection stays quiet."""

    def __init__(self, read_timeout: float | None, what: str) -> None:
        self.read_timeout = read_timeout
        self.what = what
        self.stopped = threading.Event()

    def abort(self) -> None:
        self.stopped.set()

    def __iter__(self) -> Iterator[bytes]:
        if not self.stopped.wait(self.read_timeout):
            raise RequestTimeout(
                f"{self.what}: nothing received within the read timeout ({self.read_timeout:g} s)"
            )
        return iter(())


def _injected(fault: Fault, action: Action) -> Response:
    """The answer of a failure rule: a Status (on a watch, a 410 comes as an ERROR event)."""
    reason = fault.reason or error_class(fault.status).default_reason
    message = fault.message.replace("{resource}", action.resource).replace("{name}", action.name)
    retry_after = fault.retry_after
    error = failure(
        fault.status,
        reason,
        message,
        name=action.name,
        group=action.group,
        kind=action.resource if action.name else "",
        retry_after_seconds=math.ceil(retry_after) if retry_after else 0,
    )
    if action.verb == "watch" and fault.status == 410:
        line = json.dumps({"type": "ERROR", "object": status_body(error)}).encode() + b"\n"
        return Response(200, _JSON, [line])
    headers = {**_JSON, "Retry-After": f"{retry_after:g}"} if retry_after is not None else _JSON
    return Response(error.status_code, headers, json.dumps(status_body(error)).encode())


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
