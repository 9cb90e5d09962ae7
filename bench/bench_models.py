"""Model speed and size on a 5,000-pod PodList of realistic pods (built here, ~7 KB each).

- decode: ``decode_large(PodList, bytes)`` (the compiled decoder, or ``model_validate_json``
  without it, with the garbage collector paused, as the REST layer decodes) vs ``orjson.loads`` of the same bytes, also with the
  collector paused; runs are interleaved (the machine may be shared); minimums and the
  GC-running numbers are printed as notes.
- encode: ``kubeset.to_json(podlist)`` vs ``orjson.dumps`` of the plain dicts, twice: on objects
  built into a fresh heap before anything else (orjson is at its fastest there: its dicts lie
  together) and on objects built after the decode runs (a heap in use, as in a long-running
  process).
- floors, measured alongside: pydantic-core's own JSON paths with no model at all
  (``TypeAdapter(Any).validate_json`` and ``pydantic_core.to_json`` of the plain dicts), the
  least any pydantic-model decode or encode can cost on this machine.
- memory: bytes held by the decoded PodList vs the plain dicts (tracemalloc).
- import: ``import kubeset.kubernetes`` + core/v1 models in a fresh process (median of 15,
  alternating with a fresh process that imports only pydantic's BaseModel).
- generation: the whole v1.36 package in-process (models, scheme, clients), median of 3.
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import orjson
import pydantic_core
from pydantic import TypeAdapter

N_PODS = 5000


def realistic_pod(i: int) -> dict[str, Any]:
    name = f"web-{i:05d}-7d9f8c6b5-x{i % 97:02d}q"
    labels = {
        "app": "web",
        "pod-template-hash": "7d9f8c6b5",
        "tier": "frontend",
        "team": f"t{i % 7}",
    }
    ts = f"2026-11-{1 + i % 27:02d}T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}Z"
    container = {
        "name": "web",
        "image": "registry.example.com/web:1.27.3",
        "imagePullPolicy": "IfNotPresent",
        "args": ["--port=8080", "--log-level=info", f"--shard={i % 16}"],
        "ports": [
            {"name": "http", "containerPort": 8080, "protocol": "TCP"},
            {"name": "metrics", "containerPort": 9090, "protocol": "TCP"},
        ],
        "env": [
            {
                "name": "POD_NAME",
                "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}},
            },
            {
                "name": "POD_IP",
                "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}},
            },
            {"name": "MODE", "value": "production"},
            {
                "name": "DB_PASSWORD",
                "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}},
            },
        ],
        "resources": {
            "requests": {"cpu": "250m", "memory": "256Mi"},
            "limits": {"cpu": "1", "memory": "512Mi"},
        },
        "volumeMounts": [
            {"name": "config", "mountPath": "/etc/web", "readOnly": True},
            {
                "name": "kube-api-access-abcde",
                "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                "readOnly": True,
            },
        ],
        "livenessProbe": {
            "httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
            "initialDelaySeconds": 10,
            "timeoutSeconds": 1,
            "periodSeconds": 10,
            "successThreshold": 1,
            "failureThreshold": 3,
        },
        "readinessProbe": {
            "httpGet": {"path": "/ready", "port": "http", "scheme": "HTTP"},
            "timeoutSeconds": 1,
            "periodSeconds": 5,
            "successThreshold": 1,
            "failureThreshold": 3,
        },
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
        },
    }
    sidecar = {
        "name": "proxy",
        "image": "registry.example.com/proxy:2.4.0",
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"containerPort": 15001, "protocol": "TCP"}],
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }
    status_of = lambda n, img: {
        "name": n,
        "ready": True,
        "restartCount": i % 3,
        "started": True,
        "image": img,
        "imageID": f"registry.example.com/{n}@sha256:{i:064x}",
        "containerID": f"containerd://{(i * 31):064x}",
        "state": {"running": {"startedAt": ts}},
        "lastState": {},
    }
    return {
        "metadata": {
            "name": name,
            "generateName": "web-7d9f8c6b5-",
            "namespace": f"ns-{i % 20}",
            "uid": f"{i:08x}-1c2d-4e5f-8a9b-{i:012x}",
            "resourceVersion": str(100000 + i),
            "creationTimestamp": ts,
            "labels": labels,
            "annotations": {
                "kubectl.kubernetes.io/restartedAt": ts,
                "prometheus.io/scrape": "true",
            },
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": "web-7d9f8c6b5",
                    "uid": f"{i % 13:08x}-aaaa-bbbb-cccc-dddddddddddd",
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
            "managedFields": [
                {
                    "manager": "kube-controller-manager",
                    "operation": "Update",
                    "apiVersion": "v1",
                    "time": ts,
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {
                        "f:metadata": {
                            "f:generateName": {},
                            "f:labels": {".": {}, "f:app": {}, "f:tier": {}},
                            "f:ownerReferences": {".": {}, 'k:{"uid":"x"}': {}},
                        },
                        "f:spec": {
                            "f:containers": {
                                'k:{"name":"web"}': {".": {}, "f:image": {}, "f:name": {}}
                            }
                        },
                    },
                },
                {
                    "manager": "kubelet",
                    "operation": "Update",
                    "apiVersion": "v1",
                    "time": ts,
                    "fieldsType": "FieldsV1",
                    "subresource": "status",
                    "fieldsV1": {
                        "f:status": {
                            "f:conditions": {},
                            "f:containerStatuses": {},
                            "f:podIP": {},
                            "f:phase": {},
                        }
                    },
                },
            ],
        },
        "spec": {
            "containers": [container, sidecar],
            "volumes": [
                {"name": "config", "configMap": {"name": "web-config", "defaultMode": 420}},
                {
                    "name": "kube-api-access-abcde",
                    "projected": {
                        "defaultMode": 420,
                        "sources": [
                            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                            {
                                "configMap": {
                                    "name": "kube-root-ca.crt",
                                    "items": [{"key": "ca.crt", "path": "ca.crt"}],
                                }
                            },
                            {
                                "downwardAPI": {
                                    "items": [
                                        {
                                            "path": "namespace",
                                            "fieldRef": {
                                                "apiVersion": "v1",
                                                "fieldPath": "metadata.namespace",
                                            },
                                        }
                                    ]
                                }
                            },
                        ],
                    },
                },
            ],
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "web",
            "serviceAccount": "web",
            "nodeName": f"node-{i % 50}",
            "securityContext": {"fsGroup": 2000, "runAsUser": 1000},
            "schedulerName": "default-scheduler",
            "tolerations": [
                {
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": 300,
                },
                {
                    "key": "node.kubernetes.io/unreachable",
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": 300,
                },
            ],
            "priority": 0,
            "enableServiceLinks": True,
            "preemptionPolicy": "PreemptLowerPriority",
        },
        "status": {
            "phase": "Running",
            "conditions": [
                {"type": t, "status": "True", "lastProbeTime": None, "lastTransitionTime": ts}
                for t in (
                    "PodReadyToStartContainers",
                    "Initialized",
                    "Ready",
                    "ContainersReady",
                    "PodScheduled",
                )
            ],
            "hostIP": f"10.0.{i % 50}.1",
            "hostIPs": [{"ip": f"10.0.{i % 50}.1"}],
            "podIP": f"10.244.{i % 250}.{i % 200 + 2}",
            "podIPs": [{"ip": f"10.244.{i % 250}.{i % 200 + 2}"}],
            "startTime": ts,
            "qosClass": "Burstable",
            "containerStatuses": [
                status_of("web", container["image"]),
                status_of("proxy", sidecar["image"]),
            ],
        },
    }


def pod_list_bytes(n: int = N_PODS) -> bytes:
    return orjson.dumps(
        {
            "apiVersion": "v1",
            "kind": "PodList",
            "metadata": {"resourceVersion": "123456"},
            "items": [realistic_pod(i) for i in range(n)],
        }
    )


def _median(fn: Callable[[], Any], repeat: int, *, paused: bool) -> float:
    return statistics.median(_times(fn, repeat, paused=paused))


def _times(fn: Callable[[], Any], repeat: int, *, paused: bool) -> list[float]:
    times = []
    for _ in range(repeat):
        gc.collect()
        if paused:
            gc.disable()
        try:
            t = time.perf_counter()
            result = fn()  # held until the clock stops: callers keep what they decode
            times.append(time.perf_counter() - t)
            del result
        finally:
            gc.enable()
    return times


def _held_bytes(build: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    obj = build()
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del obj
    return held


IMPORT_CODE = """
import time
t = time.perf_counter()
import kubeset.kubernetes
from kubeset.kubernetes.models.core.v1 import Pod, PodList
t1 = time.perf_counter()
PodList.model_validate_json(b'{"items":[{"metadata":{"name":"x"}}]}')  # builds the validator (defer_build)
print(t1 - t, time.perf_counter() - t1)
"""


PYDANTIC_IMPORT_CODE = """
import time
t = time.perf_counter()
from pydantic import BaseModel, ConfigDict, Field
print(time.perf_counter() - t)
"""


def _import_times(runs: int = 15) -> tuple[list[tuple[float, float]], list[float]]:
    """(kubeset import, first decode) pairs and, alternating with them, pydantic's own import."""
    # bytecode caching on, as in any installed package (this environment may set PYTHONDONTWRITEBYTECODE)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [sys.executable, "-c", IMPORT_CODE], capture_output=True, check=True, env=env
    )  # writes .pyc
    out, floor = [], []
    for _ in range(runs):
        proc = subprocess.run(
            [sys.executable, "-c", IMPORT_CODE], capture_output=True, text=True, check=True, env=env
        )
        first, second = proc.stdout.split()
        out.append((float(first), float(second)))
        proc = subprocess.run(
            [sys.executable, "-c", PYDANTIC_IMPORT_CODE],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        floor.append(float(proc.stdout))
    return out, floor


def _read_rows(bench: str, data: bytes) -> list[dict[str, Any]]:
    """Nanoseconds per attribute read on a decoded pod, beside the plain dict's key lookup."""
    import timeit

    from kubeset.codec import decode_large
    from kubeset.kubernetes.models.core.v1 import PodList

    pod = decode_large(PodList, data).items[0]
    plain = orjson.loads(data)["items"][0]
    spec, pspec = pod.spec, plain["spec"]
    cases = [
        ("plain dict: spec['nodeName'] (present)", "pspec['nodeName']", None),
        ("plain dict: spec.get('hostname') (absent)", "pspec.get('hostname')", None),
        ("spec.node_name (present scalar)", "spec.node_name", "plain dict: spec['nodeName']"),
        ("spec.hostname (absent scalar)", "spec.hostname", "plain dict: spec.get('hostname')"),
        ("pod.spec (Go-shaped, present)", "pod.spec", "plain dict: spec['nodeName']"),
        (
            "spec.overhead (Go-shaped, absent: empty)",
            "spec.overhead",
            "plain dict: spec.get('hostname')",
        ),
    ]
    number = 200_000
    found: dict[str, float] = {}
    out = []
    for case, stmt, baseline in cases:
        g = {"pod": pod, "spec": spec, "pspec": pspec}
        seconds = min(timeit.repeat(stmt, globals=g, number=number, repeat=7)) / number
        found[case.split(" (")[0]] = seconds
        row: dict[str, Any] = {
            "bench": "attribute reads",
            "case": case,
            "median": f"{seconds * 1e9:.0f} ns",
            "note": "best of 7 runs of 200,000 reads",
        }
        if baseline is not None:
            row["baseline_case"] = baseline
            row["ratio"] = seconds / found[baseline.split(" (")[0]]
        out.append(row)
    return out


def _dump_rows(bench: str, data: bytes) -> list[dict[str, Any]]:
    """Microseconds per serialization of one decoded pod through pydantic (``model_dump`` and
    friends hand pydantic a view of the tree made for the call) beside the compiled encoder."""
    import copy
    import pickle
    import timeit

    from kubeset.codec import decode_large, to_dict
    from kubeset.kubernetes.models.core.v1 import PodList

    pod = decode_large(PodList, data).items[0]
    cases = [
        ("to_dict(pod) (compiled encoder)", lambda: to_dict(pod)),
        ("pod.model_dump(exclude_unset=True)", lambda: pod.model_dump(exclude_unset=True)),
        ("pod.model_dump(mode='json')", lambda: pod.model_dump(mode="json", exclude_unset=True)),
        ("pod.model_dump_json()", lambda: pod.model_dump_json(exclude_unset=True)),
        ("copy.deepcopy(pod)", lambda: copy.deepcopy(pod)),
        ("pickle.loads(pickle.dumps(pod))", lambda: pickle.loads(pickle.dumps(pod))),
    ]
    number = 300
    out = []
    baseline = 0.0
    for case, fn in cases:
        seconds = min(timeit.repeat(fn, number=number, repeat=7)) / number
        row: dict[str, Any] = {
            "bench": "one decoded pod",
            "case": case,
            "median": f"{seconds * 1e6:.1f} us",
            "note": f"best of 7 runs of {number}",
        }
        if baseline:
            row["baseline_case"] = "to_dict(pod)"
            row["ratio"] = seconds / baseline
        else:
            baseline = seconds
        out.append(row)
    return out


def rows() -> list[dict[str, Any]]:
    import kubeset
    from kubeset.codec import decode_json, decode_large, native_decoder
    from kubeset.kubernetes.models.core.v1 import PodList

    data = pod_list_bytes()
    mb = len(data) / 1e6
    PodList.model_validate_json(pod_list_bytes(2))  # build the validator outside the timings
    result: list[dict[str, Any]] = []
    bench = f"models ({N_PODS} pods, {mb:.0f} MB)"
    # encode inputs built into a fresh heap, before the decode runs scatter the allocator's memory:
    # orjson.dumps walks memory far faster when the dicts lie together (see the encode rows)
    plain_fresh = orjson.loads(data)
    pods_fresh = decode_large(PodList, data)
    ts_dumps_fresh: list[float] = []
    ts_to_json_fresh: list[float] = []
    for _ in range(7):
        ts_dumps_fresh += _times(lambda: orjson.dumps(plain_fresh), 1, paused=True)
        ts_to_json_fresh += _times(lambda: kubeset.to_json(pods_fresh), 1, paused=True)
    t_dumps_fresh, t_to_json_fresh = (
        statistics.median(ts_dumps_fresh),
        statistics.median(ts_to_json_fresh),
    )
    fresh_rows = [
        {
            "bench": bench,
            "case": "encode orjson.dumps (dicts built first, fresh heap)",
            "median_s": t_dumps_fresh,
            "note": f"min {min(ts_dumps_fresh):.3f} s",
        },
        {
            "bench": bench,
            "case": "encode kubeset.to_json(PodList) (built first, fresh heap)",
            "median_s": t_to_json_fresh,
            "baseline_case": "orjson.dumps (fresh)",
            "ratio": t_to_json_fresh / t_dumps_fresh,
            "target": "<= 1.5x",
            "note": "same data and code as the rows above; only where the objects lie in memory differs",
        },
    ]
    plain_fresh = pods_fresh = None

    # interleave the cases so that load from other processes hits them alike
    any_adapter = TypeAdapter(Any)
    ts_orjson: list[float] = []
    ts_model: list[float] = []
    ts_pydantic: list[float] = []
    ts_floor: list[float] = []
    for _ in range(7):
        ts_orjson += _times(lambda: orjson.loads(data), 1, paused=True)
        ts_model += _times(
            lambda: decode_large(PodList, data), 1, paused=False
        )  # decode_large pauses GC itself
        ts_pydantic += _times(lambda: PodList.model_validate_json(data), 1, paused=True)
        ts_floor += _times(lambda: any_adapter.validate_json(data), 1, paused=True)
    t_orjson, t_model, t_floor = (
        statistics.median(ts_orjson),
        statistics.median(ts_model),
        statistics.median(ts_floor),
    )
    t_pydantic = statistics.median(ts_pydantic)
    t_orjson_gc = _median(lambda: orjson.loads(data), 1, paused=False)
    t_model_gc = _median(lambda: decode_json(PodList, data), 1, paused=False)
    codec_note = (
        "compiled decoder (kubeset._codec)"
        if native_decoder(PodList)
        else "NO compiled decoder: pydantic"
    )
    result.append(
        {
            "bench": bench,
            "case": "decode orjson.loads (GC paused)",
            "median_s": t_orjson,
            "note": f"min {min(ts_orjson):.3f} s; with GC running: {t_orjson_gc:.3f} s",
        }
    )
    result.append(
        {
            "bench": bench,
            "case": "decode PodList (decode_large: GC paused)",
            "median_s": t_model,
            "baseline_case": "orjson.loads",
            "ratio": t_model / t_orjson,
            "target": "<= 1.5x",
            "note": f"{codec_note}; min {min(ts_model):.3f} s (ratio of mins {min(ts_model) / min(ts_orjson):.2f}x); "
            f"with GC running: {t_model_gc:.3f} s",
        }
    )
    result.append(
        {
            "bench": bench,
            "case": "decode PodList, pydantic alone (model_validate_json, GC paused)",
            "median_s": t_pydantic,
            "baseline_case": "orjson.loads",
            "ratio": t_pydantic / t_orjson,
            "note": "what decode_large costs without the compiled decoder",
        }
    )
    result.append(
        {
            "bench": bench,
            "case": "decode floor: pydantic JSON path, no model (TypeAdapter(Any))",
            "median_s": t_floor,
            "baseline_case": "orjson.loads",
            "ratio": t_floor / t_orjson,
            "note": "plain dicts through pydantic-core's validate_json: what any pydantic model decode costs at least",
        }
    )

    plain = orjson.loads(data)
    pods = decode_large(PodList, data)
    assert orjson.loads(kubeset.to_json(pods)) == plain, "round trip of the bench list is not exact"
    ts_dumps: list[float] = []
    ts_to_json: list[float] = []
    ts_enc_floor: list[float] = []
    for _ in range(7):
        ts_dumps += _times(lambda: orjson.dumps(plain), 1, paused=True)
        ts_to_json += _times(lambda: kubeset.to_json(pods), 1, paused=True)
        ts_enc_floor += _times(lambda: pydantic_core.to_json(plain), 1, paused=True)
    t_dumps, t_to_json = statistics.median(ts_dumps), statistics.median(ts_to_json)
    t_enc_floor = statistics.median(ts_enc_floor)
    result.append(
        {
            "bench": bench,
            "case": "encode orjson.dumps (dicts built after the decode runs)",
            "median_s": t_dumps,
            "note": f"min {min(ts_dumps):.3f} s",
        }
    )
    result.append(
        {
            "bench": bench,
            "case": "encode kubeset.to_json(PodList) (built after the decode runs)",
            "median_s": t_to_json,
            "baseline_case": "orjson.dumps",
            "ratio": t_to_json / t_dumps,
            "target": "<= 1.0x",
            "note": f"min {min(ts_to_json):.3f} s (ratio of mins {min(ts_to_json) / min(ts_dumps):.2f}x); "
            f"{t_to_json / t_orjson:.2f}x orjson.loads",
        }
    )
    result.append(
        {
            "bench": bench,
            "case": "encode floor: pydantic_core.to_json(plain dicts), no model",
            "median_s": t_enc_floor,
            "baseline_case": "orjson.dumps",
            "ratio": t_enc_floor / t_dumps,
            "note": "pydantic-core's JSON writer on plain dicts: what any pydantic model encode costs at least",
        }
    )
    result.extend(fresh_rows)
    plain = pods = None

    mem_dicts = _held_bytes(lambda: orjson.loads(data))
    mem_models = _held_bytes(lambda: decode_large(PodList, data))
    mem_pydantic = _held_bytes(lambda: PodList.model_validate_json(data))
    result.append(
        {"bench": bench, "case": "memory of plain dicts", "median": f"{mem_dicts / 1e6:.1f} MB"}
    )
    result.append(
        {
            "bench": bench,
            "case": "memory of decoded PodList",
            "median": f"{mem_models / 1e6:.1f} MB",
            "baseline_case": "plain dicts",
            "ratio": mem_models / mem_dicts,
            "target": "<= 1.5x",
            "note": "sparse instances (kubeset.model.sparse): absent fields take no room",
        }
    )
    result.append(
        {
            "bench": bench,
            "case": "memory of PodList built by pydantic (model_validate_json)",
            "median": f"{mem_pydantic / 1e6:.1f} MB",
            "baseline_case": "plain dicts",
            "ratio": mem_pydantic / mem_dicts,
            "note": "pydantic's full layout: what the fallback and Pod(...) build",
        }
    )
    result.extend(_read_rows(bench, data))
    result.extend(_dump_rows(bench, data))

    pairs, floor = _import_times()
    times = [p[0] for p in pairs]
    builds = [p[1] for p in pairs]
    result.append(
        {
            "bench": "import",
            "case": "kubeset.kubernetes + models.core.v1 (fresh process)",
            "median_s": statistics.median(times),
            "target": "<= 0.2 s",
            "note": f"min {min(times):.3f} s, max {max(times):.3f} s over {len(times)} runs",
        }
    )
    result.append(
        {
            "bench": "import",
            "case": "floor: pydantic's BaseModel alone (fresh process)",
            "median_s": statistics.median(floor),
            "note": f"min {min(floor):.3f} s; runs alternate with the row above",
        }
    )
    result.append(
        {
            "bench": "import",
            "case": "first PodList decode after import (builds the validator)",
            "median_s": statistics.median(builds),
            "note": "once per process (defer_build)",
        }
    )

    from kubeset.codegen.emit import generate
    from kubeset.codegen.loader import load

    loaded = load(release="1.36")
    gen_times = []
    for _ in range(3):
        t = time.perf_counter()
        files = generate(loaded, "kubeset.kubernetes")
        gen_times.append(time.perf_counter() - t)
    result.append(
        {
            "bench": "generation",
            "case": f"whole v1.36 API ({len(files)} files, in-process)",
            "median_s": statistics.median(gen_times),
            "target": "<= 30 s",
        }
    )
    return result
