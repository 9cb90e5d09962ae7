"""Read-only operations on shared models, run from many threads and checked against one thread.

The harness of ``model/test_concurrent_reads.py`` (models decoded one way, shared by every thread) and of
``tests/unit/cache/test_concurrent_lister_reads.py`` (the objects an informer's lister and handlers
hand out).  Each operation is a pure function of an object giving a comparable result; the
reference result of each operation is computed by one thread on an object of its own, fresh from
the same JSON, so that no earlier operation (a read creating an empty value, a serialization) can
have touched it.

    ops = OPERATIONS                                   # name -> function of a model
    ref = reference(lambda: decode(raw), ops)          # name -> result, each from a fresh decode
    wrong = stress(objects, refs, threads=8, total=100_000, ops=ops)
"""

from __future__ import annotations

import copy
import pickle
import random
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from kubeset.codec import to_dict, to_json
from kubeset.dynamic.convert import from_unstructured, to_unstructured
from pydantic import BaseModel

__all__ = [
    "OPERATIONS",
    "Mismatch",
    "Outcome",
    "fast_switching",
    "realistic_deployment",
    "reference",
    "run_op",
    "stress",
]

Op = Callable[[Any], Any]


def _at(obj: Any, *path: str) -> Any:
    """``obj.a.b.c``, or None where an optional object on the way is absent."""
    for name in path:
        if obj is None:
            return None
        obj = getattr(obj, name)
    return obj


def _reads(obj: Any) -> Any:
    """Attribute reads, Go-shaped ones included (absent lists, maps and objects read as empty
    values created on first read), as a handler reads an object."""
    meta = obj.metadata
    found: list[Any] = [meta.name, meta.labels, meta.annotations, meta.finalizers]
    found += [meta.owner_references, [m.manager for m in meta.managed_fields]]
    found += [sorted(m.fields_v1 or ()) for m in meta.managed_fields]  # parsed on first read
    spec = obj.spec
    pod_spec = spec.template.spec if hasattr(spec, "template") else spec
    found += [pod_spec.node_selector, pod_spec.tolerations, pod_spec.node_name]
    found += [pod_spec.image_pull_secrets, pod_spec.init_containers]
    for c in pod_spec.containers:
        found += [c.name, c.image, c.args, c.command, c.env_from, c.ports]
        found += [_at(c, "security_context", "capabilities", "add")]
        found += [_at(c, "security_context", "capabilities", "drop")]
        found += [_at(c, "resources", "limits"), _at(c, "resources", "claims")]
        found += [[(e.name, e.value) for e in c.env], _at(c, "liveness_probe", "http_get", "path")]
        found += [_at(c, "readiness_probe", "exec", "command")]
    for v in pod_spec.volumes:
        found += [v.name, v.glusterfs, v.cephfs, v.csi, v.iscsi, _at(v, "projected", "sources")]
    for cond in obj.status.conditions:
        found += [cond.type, cond.message, cond.reason, getattr(cond, "observed_generation", 0)]
    return found


def _pickled(obj: Any) -> Any:
    return to_dict(pickle.loads(pickle.dumps(obj)))


def _dynamic(obj: Any) -> Any:
    u = to_unstructured(obj)
    return (u.to_dict(), to_dict(from_unstructured(u)))


OPERATIONS: dict[str, Op] = {
    "reads": _reads,
    "model_dump(exclude_unset)": lambda o: o.model_dump(by_alias=True, exclude_unset=True),
    "model_dump(exclude_none)": lambda o: o.model_dump(exclude_none=True),
    "model_dump(mode=json)": lambda o: o.model_dump(mode="json", by_alias=True, exclude_unset=True),
    "model_dump()": lambda o: o.model_dump(),
    "model_dump_json": lambda o: o.model_dump_json(by_alias=True, exclude_unset=True),
    "model_dump_json(exclude_none)": lambda o: o.model_dump_json(exclude_none=True),
    "to_dict": to_dict,
    "to_json": to_json,
    "model_copy(deep)": lambda o: to_dict(o.model_copy(deep=True)),
    "copy.copy": lambda o: copy.copy(o).model_dump(by_alias=True, exclude_unset=True),
    "deepcopy then dump": lambda o: copy.deepcopy(o).model_dump(by_alias=True, exclude_unset=True),
    "==": lambda o: o == o.model_copy(deep=True),
    "repr": repr,
    "pickle": _pickled,
    "typed <-> dynamic": _dynamic,
}


def reference(fresh: Callable[[], BaseModel], ops: dict[str, Op] = OPERATIONS) -> dict[str, Any]:
    """Each operation's result on an object of its own, fresh from ``fresh()``."""
    return {name: op(fresh()) for name, op in ops.items()}


@dataclass(frozen=True, slots=True)
class Mismatch:
    op: str
    index: int
    got: Any
    expected: Any


@dataclass(slots=True)
class Outcome:
    """What the threads did: operations run, results that differed, errors raised."""

    ops: int = 0
    wrong: list[Mismatch] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ops: int, wrong: list[Mismatch], errors: list[str]) -> None:
        with self.lock:
            self.ops += ops
            self.wrong += wrong
            self.errors += errors

    def describe(self) -> str:
        lines = [f"{len(self.wrong)} wrong and {len(self.errors)} errors in {self.ops} operations"]
        for m in self.wrong[:5]:
            lines.append(f"  {m.op} on object {m.index}: got {str(m.got)[:300]}")
        lines += [f"  {e}" for e in self.errors[:5]]
        return "\n".join(lines)


def run_op(
    name: str, op: Op, obj: Any, expected: Any, index: int, wrong: list[Mismatch], errors: list[str]
) -> None:
    """Run one operation, recording a result that differs from ``expected`` or an error."""
    try:
        got = op(obj)
    except Exception as e:  # noqa: BLE001 - any error from a read is a finding
        errors.append(f"{name} on object {index}: {type(e).__name__}: {e}")
        return
    if got != expected:
        wrong.append(Mismatch(name, index, got, expected))


@contextmanager
def fast_switching() -> Iterator[None]:
    """Switch threads every 100 us instead of 5 ms, so reads interleave inside each other."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def stress(
    objects: Sequence[Any],
    refs: Sequence[dict[str, Any]],
    *,
    threads: int,
    total: int,
    seed: int,
    ops: dict[str, Op] = OPERATIONS,
) -> Outcome:
    """``threads`` threads run ``total`` random operations between them on the shared
    ``objects``, all walking the objects in the same order from the same start (so they meet on
    each object's first reads); every result is compared with ``refs[i][op]``."""
    outcome = Outcome()
    names = list(ops)
    per_thread = total // threads
    start = threading.Barrier(threads)

    def work(k: int) -> None:
        rand = random.Random(seed * 1000 + k)
        wrong: list[Mismatch] = []
        errors: list[str] = []
        start.wait()
        for n in range(per_thread):
            i = n % len(objects)
            name = rand.choice(names)
            run_op(name, ops[name], objects[i], refs[i][name], i, wrong, errors)
        outcome.add(per_thread, wrong, errors)

    workers = [threading.Thread(target=work, args=(k,), name=f"reader-{k}") for k in range(threads)]
    with fast_switching():
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    return outcome


def realistic_deployment(i: int) -> dict[str, Any]:
    """A Deployment as a cluster returns it: labels, selector, a templated pod with probes,
    resources and volumes, status with conditions, a managedFields entry."""
    ts = f"2026-11-{1 + i % 27:02d}T{i % 24:02d}:{i % 60:02d}:00Z"
    labels = {"app": f"svc-{i}", "team": f"t{i % 5}"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": f"svc-{i}",
            "namespace": f"ns-{i % 10}",
            "uid": f"{i:08x}-aaaa-4bbb-8ccc-{i:012x}",
            "resourceVersion": str(5000 + i),
            "generation": 3,
            "creationTimestamp": ts,
            "labels": labels,
            "annotations": {"deployment.kubernetes.io/revision": "3"},
            "managedFields": [
                {
                    "manager": "kubectl",
                    "operation": "Apply",
                    "apiVersion": "apps/v1",
                    "time": ts,
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {"f:spec": {"f:replicas": {}, "f:template": {"f:spec": {}}}},
                }
            ],
        },
        "spec": {
            "replicas": 1 + i % 4,
            "selector": {"matchLabels": labels},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
            },
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "app",
                            "image": f"registry.example.com/svc-{i}:1.{i % 9}.0",
                            "args": ["serve", f"--shard={i % 8}"],
                            "env": [{"name": "MODE", "value": "prod"}],
                            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
                            "livenessProbe": {
                                "httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
                                "periodSeconds": 10,
                            },
                            "volumeMounts": [{"name": "cfg", "mountPath": "/etc/svc"}],
                        }
                    ],
                    "volumes": [
                        {"name": "cfg", "configMap": {"name": f"svc-{i}", "defaultMode": 420}}
                    ],
                    "restartPolicy": "Always",
                    "terminationGracePeriodSeconds": 30,
                    "dnsPolicy": "ClusterFirst",
                    "schedulerName": "default-scheduler",
                    "securityContext": {},
                },
            },
        },
        "status": {
            "observedGeneration": 3,
            "replicas": 1 + i % 4,
            "updatedReplicas": 1 + i % 4,
            "readyReplicas": 1 + i % 4,
            "availableReplicas": 1 + i % 4,
            "conditions": [
                {
                    "type": "Available",
                    "status": "True",
                    "lastUpdateTime": ts,
                    "lastTransitionTime": ts,
                    "reason": "MinimumReplicasAvailable",
                    "message": "Deployment has minimum availability.",
                },
                {
                    "type": "Progressing",
                    "status": "True",
                    "lastUpdateTime": ts,
                    "lastTransitionTime": ts,
                    "reason": "NewReplicaSetAvailable",
                },
            ],
        },
    }
