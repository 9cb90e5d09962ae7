"""Waiting for objects to be ready, deleted or in a condition (``kubectl rollout status`` / ``wait``).

    results = wait_for(dyn, apply_results, timeout=120)          # each kind's own readiness
    wait_for(dyn, [job], condition="condition=Complete", timeout=60)
    wait_for(dyn, [{"apiVersion": "v1", "kind": "ConfigMap", ...}], condition="delete")
    try: ...
    except WaitTimeout as e:                  # names each object not ready, and why
        for r in e.results: print(r.line())

Readiness is judged by pure functions of an object (:func:`judge`), as kubectl judges it:
Deployment, StatefulSet and DaemonSet as ``rollout status`` does (observedGeneration, then
updated / ready / available replicas; a Deployment past its progress deadline has failed); a
Job is ready once ``Complete`` and has failed once ``Failed``; a CRD once ``Established``; a Pod
once ``Ready``; any other kind once it exists.  ``condition=Name`` (``=Value``, default
``True``) waits for that condition of any kind, ``delete`` for the object to be gone.  A
condition not met reports its reason and message.

The waiting (:func:`wait_for`) is driven by watches: one list of the object (by name) for its
state and resourceVersion, then a :class:`~kubeset.cache.retrywatcher.RetryWatcher` from there
(a dropped watch resumes; 410 Expired lists again), each event judged, stopped at the deadline.
On an asyncio dynamic client the same procedure (:mod:`kubeset.steps`) is awaited; each object
is listed and then watched with the asyncio watch until the deadline (a watch that ends or
expires lists again).  Objects are waited for one after the other under one deadline; whatever is not ready when it
passes is judged once more and reported.  :class:`~kubeset.errors.WaitTimeout` (time ran out) or
:class:`~kubeset.errors.WaitError` (an object failed, e.g. a Job) carries every result.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, overload

from ..cache.listwatch import list_meta
from ..cache.retrywatcher import RetryWatcher
from ..errors import Expired, KubesetError, NoMatchError, WaitError, WaitTimeout
from ..rest.aio import AsyncRequest
from ..rest.request import Request
from ..steps import Awaited, Steps, drive
from .client import DynamicClient, DynamicResourceClient
from .unstructured import Unstructured

__all__ = [
    "ObjectReference",
    "Readiness",
    "WaitCondition",
    "WaitResult",
    "judge",
    "parse_condition",
    "wait_for",
    "wait_steps",
]

Object = Mapping[str, Any]


class ObjectReference(Protocol):
    """What names an object to wait for: an :class:`Unstructured`, a manifest result, ..."""

    @property
    def api_version(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def namespace(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Readiness:
    """One judgement of an object: ready, or why not (``failed``: it will not become ready)."""

    ready: bool
    message: str
    failed: bool = False


@dataclass(frozen=True, slots=True)
class WaitCondition:
    """What to wait for: ``ready`` (each kind's own rule), ``delete``, or a named condition."""

    mode: Literal["ready", "delete", "condition"] = "ready"
    type: str = ""  # the condition's type, for mode "condition"
    status: str = "True"

    def __str__(self) -> str:
        if self.mode == "condition":
            return f"condition={self.type}={self.status}"
        return self.mode


def parse_condition(text: str | WaitCondition) -> WaitCondition:
    """``ready``, ``delete``, ``condition=Available``, ``condition=Ready=False`` (kubectl's ``--for``)."""
    if isinstance(text, WaitCondition):
        return text
    if text == "ready":
        return WaitCondition("ready")
    if text == "delete":
        return WaitCondition("delete")
    head, _, rest = text.partition("=")
    if head != "condition" or not rest or rest.startswith("="):
        raise ValueError(
            f"wait condition {text!r}: expected ready, delete or condition=NAME[=VALUE]"
        )
    name, _, value = rest.partition("=")
    return WaitCondition("condition", name, value or "True")


# -- judgements (pure) -----------------------------------------------------------------
def _get(obj: Object, *keys: str) -> Any:
    value: Any = obj
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _int(obj: Object, *keys: str) -> int:
    value = _get(obj, *keys)
    return value if isinstance(value, int) else 0


def _conditions(obj: Object) -> list[Mapping[str, Any]]:
    found = _get(obj, "status", "conditions")
    return [c for c in found if isinstance(c, Mapping)] if isinstance(found, list) else []


def _condition(obj: Object, type_: str) -> Mapping[str, Any] | None:
    return next((c for c in _conditions(obj) if c.get("type") == type_), None)


def _why(cond: Mapping[str, Any]) -> str:
    parts = [str(cond[k]) for k in ("reason", "message") if cond.get(k)]
    return f" ({': '.join(parts)})" if parts else ""


def condition_met(obj: Object, type_: str, status: str = "True") -> Readiness:
    """Whether condition ``type_`` has ``status`` (case-insensitive, as kubectl compares)."""
    cond = _condition(obj, type_)
    if cond is None:
        return Readiness(False, f"no {type_} condition yet")
    found = str(cond.get("status", ""))
    if found.lower() == status.lower():
        return Readiness(True, f"condition {type_}={found}")
    return Readiness(False, f"condition {type_} is {found}, waiting for {status}{_why(cond)}")


def _observed(obj: Object, what: str) -> Readiness | None:
    if _int(obj, "metadata", "generation") > _int(obj, "status", "observedGeneration"):
        return Readiness(False, f"Waiting for {what} spec update to be observed...")
    return None


def _rolling_update(obj: Object, what: str) -> Readiness | None:
    strategy = _get(obj, "spec", "updateStrategy", "type") or "RollingUpdate"
    if strategy != "RollingUpdate":
        return Readiness(
            False,
            f"rollout status is only available for RollingUpdate strategy type ({what} uses"
            f" {strategy})",
            failed=True,
        )
    return None


def deployment_ready(obj: Object) -> Readiness:
    """``kubectl rollout status deployment``: observed, updated, old ones gone, available."""
    name = _get(obj, "metadata", "name")
    pending = _observed(obj, "deployment")
    if pending is not None:
        return pending
    progressing = _condition(obj, "Progressing")
    if progressing is not None and progressing.get("reason") == "ProgressDeadlineExceeded":
        return Readiness(
            False, f"deployment {name!r} exceeded its progress deadline{_why(progressing)}", True
        )
    wanted = _get(obj, "spec", "replicas")
    replicas = wanted if isinstance(wanted, int) else 1
    updated = _int(obj, "status", "updatedReplicas")
    total = _int(obj, "status", "replicas")
    available = _int(obj, "status", "availableReplicas")
    waiting = f"Waiting for deployment {name!r} rollout to finish:"
    if updated < replicas:
        return Readiness(
            False, f"{waiting} {updated} out of {replicas} new replicas have been updated..."
        )
    if total > updated:
        return Readiness(
            False, f"{waiting} {total - updated} old replicas are pending termination..."
        )
    if available < updated:
        return Readiness(
            False, f"{waiting} {available} of {updated} updated replicas are available..."
        )
    return Readiness(True, f"deployment {name!r} successfully rolled out")


def statefulset_ready(obj: Object) -> Readiness:
    """``kubectl rollout status statefulset``: observed, ready, partition, revisions."""
    refused = _rolling_update(obj, "statefulset")
    if refused is not None:
        return refused
    if _int(obj, "status", "observedGeneration") == 0:
        return Readiness(False, "Waiting for statefulset spec update to be observed...")
    pending = _observed(obj, "statefulset")
    if pending is not None:
        return pending
    wanted = _get(obj, "spec", "replicas")
    replicas = wanted if isinstance(wanted, int) else 1
    ready = _int(obj, "status", "readyReplicas")
    if ready < replicas:
        return Readiness(False, f"Waiting for {replicas - ready} pods to be ready...")
    partition = _int(obj, "spec", "updateStrategy", "rollingUpdate", "partition")
    updated = _int(obj, "status", "updatedReplicas")
    if partition > 0:
        if updated < replicas - partition:
            return Readiness(
                False,
                f"Waiting for partitioned roll out to finish: {updated} out of"
                f" {replicas - partition} new pods have been updated...",
            )
        return Readiness(
            True, f"partitioned roll out complete: {updated} new pods have been updated..."
        )
    update_rev = _get(obj, "status", "updateRevision")
    current_rev = _get(obj, "status", "currentRevision")
    if update_rev != current_rev:
        return Readiness(
            False,
            f"waiting for statefulset rolling update to complete {updated} pods at revision"
            f" {update_rev}...",
        )
    current = _int(obj, "status", "currentReplicas")
    return Readiness(
        True, f"statefulset rolling update complete {current} pods at revision {current_rev}..."
    )


def daemonset_ready(obj: Object) -> Readiness:
    """``kubectl rollout status daemonset``: observed, updated and available on every node."""
    refused = _rolling_update(obj, "daemonset")
    if refused is not None:
        return refused
    name = _get(obj, "metadata", "name")
    pending = _observed(obj, "daemon set")
    if pending is not None:
        return pending
    desired = _int(obj, "status", "desiredNumberScheduled")
    updated = _int(obj, "status", "updatedNumberScheduled")
    available = _int(obj, "status", "numberAvailable")
    waiting = f"Waiting for daemon set {name!r} rollout to finish:"
    if updated < desired:
        return Readiness(
            False, f"{waiting} {updated} out of {desired} new pods have been updated..."
        )
    if available < desired:
        return Readiness(False, f"{waiting} {available} of {desired} updated pods are available...")
    return Readiness(True, f"daemon set {name!r} successfully rolled out")


def job_ready(obj: Object) -> Readiness:
    """A Job: ready when ``Complete``, failed when ``Failed`` (its reason and message)."""
    failed = _condition(obj, "Failed")
    if failed is not None and str(failed.get("status")) == "True":
        return Readiness(False, f"job failed{_why(failed)}", failed=True)
    return condition_met(obj, "Complete")


def _exists(obj: Object) -> Readiness:
    return Readiness(True, "exists")


_READY: dict[tuple[str, str], Callable[[Object], Readiness]] = {
    ("apps", "Deployment"): deployment_ready,
    ("apps", "StatefulSet"): statefulset_ready,
    ("apps", "DaemonSet"): daemonset_ready,
    ("batch", "Job"): job_ready,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): lambda o: condition_met(o, "Established"),
    ("", "Pod"): lambda o: condition_met(o, "Ready"),
}


def judge(
    obj: Object | None,
    condition: WaitCondition | str = "ready",
    *,
    api_version: str = "",
    kind: str = "",
) -> Readiness:
    """Whether ``obj`` (None: it does not exist) meets ``condition`` now; ``api_version`` and
    ``kind`` default to the object's (items of a list carry neither)."""
    cond = parse_condition(condition)
    if obj is None:
        return Readiness(cond.mode == "delete", "deleted" if cond.mode == "delete" else "not found")
    if cond.mode == "delete":
        if _get(obj, "metadata", "deletionTimestamp"):
            return Readiness(
                False,
                "being deleted (finalizers: "
                f"{', '.join(_get(obj, 'metadata', 'finalizers') or []) or 'none'})",
            )
        return Readiness(False, "still exists")
    if cond.mode == "condition":
        return condition_met(obj, cond.type, cond.status)
    api_version = api_version or str(obj.get("apiVersion") or "")
    group = api_version.rpartition("/")[0] if "/" in api_version else ""
    return _READY.get((group, kind or str(obj.get("kind") or "")), _exists)(obj)


# -- waiting ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class WaitResult:
    """The last judgement of one object waited for."""

    api_version: str
    kind: str
    name: str
    namespace: str
    condition: str  # "ready", "delete", "condition=Complete=True"
    ready: bool
    message: str
    failed: bool = False

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0] if "/" in self.api_version else ""

    @property
    def ok(self) -> bool:
        return self.ready

    def ref(self) -> str:
        """``deployment.apps/web``, ``configmap/settings``."""
        kind = self.kind.lower() + (f".{self.group}" if self.group else "")
        return f"{kind}/{self.name}"

    def line(self) -> str:
        """kubectl wait's line: ``deployment.apps/web condition met``, or why not."""
        where = f" in {self.namespace}" if self.namespace else ""
        if self.ready:
            return f"{self.ref()} condition met"
        state = "failed" if self.failed else "not ready"
        return f"error: {self.ref()}{where} {state} ({self.condition}): {self.message}"


def _reference(obj: ObjectReference | Mapping[str, Any]) -> ObjectReference:
    return Unstructured(obj) if isinstance(obj, Mapping) else obj


class _Stopper:
    """Stops a RetryWatcher at the deadline (a timer thread; cancelled when done)."""

    def __init__(self, watcher: RetryWatcher[Unstructured], seconds: float) -> None:
        self._timer = threading.Timer(max(seconds, 0.0), watcher.stop)
        self._timer.daemon = True

    def __enter__(self) -> None:
        self._timer.start()

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def _wait_one(
    client: DynamicResourceClient, name: str, cond: WaitCondition, deadline: float
) -> Readiness:
    selector = f"metadata.name={name}"
    judged = _judge_for(client, cond)
    while True:
        items, rv, _ = list_meta(client.list(field_selector=selector))
        state = judged(items[0].object if items else None)
        remaining = deadline - time.monotonic()
        if state.ready or state.failed or remaining <= 0:
            return state
        watcher: RetryWatcher[Unstructured] = RetryWatcher(client, rv, field_selector=selector)
        try:
            with _Stopper(watcher, remaining):
                for event in watcher:
                    if event.type == "BOOKMARK":
                        continue
                    obj = None if event.type == "DELETED" else event.object.object
                    state = judged(obj)
                    if state.ready or state.failed:
                        return state
            return state  # stopped at the deadline
        except Expired:
            continue  # history is gone: list again
        finally:
            watcher.stop()


def _judge_for(
    client: DynamicResourceClient[Any], cond: WaitCondition
) -> Callable[[Object | None], Readiness]:
    info = client.info
    return lambda obj: judge(obj, cond, api_version=info.api_version, kind=info.kind)


async def _await_one(
    client: DynamicResourceClient[AsyncRequest], name: str, cond: WaitCondition, deadline: float
) -> Readiness:
    """:func:`_wait_one` on asyncio: list, then the asyncio watch until the deadline."""
    selector = f"metadata.name={name}"
    judged = _judge_for(client, cond)
    while True:
        items, rv, _ = list_meta(await client.list(field_selector=selector))
        state = judged(items[0].object if items else None)
        remaining = deadline - time.monotonic()
        if state.ready or state.failed or remaining <= 0:
            return state
        try:
            async with asyncio.timeout(remaining):
                watch = client.watch(resource_version=rv, field_selector=selector)
                async with watch:
                    async for event in watch:
                        if event.type == "BOOKMARK":
                            continue
                        state = judged(None if event.type == "DELETED" else event.object.object)
                        if state.ready or state.failed:
                            return state
        except TimeoutError:
            return state  # stopped at the deadline
        except Expired:
            continue  # history is gone: list again


@overload
def wait_for(
    dyn: DynamicClient[Request],
    objects: Sequence[ObjectReference | Mapping[str, Any]],
    *,
    condition: WaitCondition | str = ...,
    timeout: float = ...,
) -> list[WaitResult]: ...
@overload
def wait_for(
    dyn: DynamicClient[AsyncRequest],
    objects: Sequence[ObjectReference | Mapping[str, Any]],
    *,
    condition: WaitCondition | str = ...,
    timeout: float = ...,
) -> Awaited[list[WaitResult]]: ...
def wait_for(
    dyn: DynamicClient[Any],
    objects: Sequence[ObjectReference | Mapping[str, Any]],
    *,
    condition: WaitCondition | str = "ready",
    timeout: float = 60.0,
) -> Any:
    """Wait until every object meets ``condition``; see :func:`wait_steps` (awaited on an
    asyncio dynamic client).  The list of :class:`WaitResult`."""
    return drive(dyn.is_async, wait_steps(dyn, objects, condition=condition, timeout=timeout))


def wait_steps(
    dyn: DynamicClient[Any],
    objects: Sequence[ObjectReference | Mapping[str, Any]],
    *,
    condition: WaitCondition | str = "ready",
    timeout: float = 60.0,
) -> Steps[list[WaitResult]]:
    """Wait until every object meets ``condition`` (at most ``timeout`` seconds in all).

    Returns one :class:`WaitResult` per object when all are; raises
    :class:`~kubeset.errors.WaitTimeout` when time ran out and
    :class:`~kubeset.errors.WaitError` when one failed, naming each object not ready and why
    (``error.results`` holds every result)."""
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, got {timeout!r}")
    cond = parse_condition(condition)
    deadline = time.monotonic() + timeout
    results: list[WaitResult] = []
    for given in objects:
        ref = _reference(given)
        try:
            client = yield from dyn.for_kind_steps(ref.api_version, ref.kind, ref.namespace)
            wait = _await_one if dyn.is_async else _wait_one
            state = yield wait(client, ref.name, cond, deadline)
        except NoMatchError as e:  # the kind is not served (its CRD deleted)
            state = Readiness(cond.mode == "delete", "deleted" if cond.mode == "delete" else str(e))
        except KubesetError as e:
            state = Readiness(False, str(e), failed=True)
        results.append(
            WaitResult(
                ref.api_version,
                ref.kind,
                ref.name,
                ref.namespace,
                str(cond),
                state.ready,
                state.message,
                state.failed,
            )
        )
    missing = [r for r in results if not r.ready]
    if missing:
        timed_out = any(not r.failed for r in missing)
        head = (
            f"timed out after {timeout:g}s waiting for {len(missing)} of {len(results)} objects"
            if timed_out
            else f"{len(missing)} of {len(results)} objects failed"
        )
        lines = "\n".join(f"  {r.line().removeprefix('error: ')}" for r in missing)
        error = WaitTimeout if timed_out else WaitError
        raise error(f"{head}:\n{lines}", tuple(results))
    return results
