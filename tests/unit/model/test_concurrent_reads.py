"""Shared models are safe to read from many threads: every read-only operation gives exactly what
one thread gets (issue: concurrent ``model_dump`` once emitted fields that were never set).

Several hundred realistic Pods and Deployments are decoded once and shared by 8 threads, each
running random read-only operations (attribute reads including Go-shaped values created on first
read, every ``model_dump`` flavour, ``to_dict``/``to_json``, copies, ``==``, ``repr``, pickling,
typed <-> dynamic) on them, with thread switches every 100 us; every result is compared with the
result one thread gets on a fresh decode of the same JSON.  Each configuration runs
``KUBESET_STRESS_OPS`` operations (100,000 by default) over fresh decodes in several rounds, so
that the threads meet on each object's first reads again and again.  Decoded by kubeset's codec
(the compiled decoder's sparse instances, or pydantic's without Rust: ``make test-without-codec``)
and by pydantic alone (``model_validate_json``: pydantic's full layout).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from bench_models import realistic_pod
from kubeset.codec import decode_json
from kubeset.kubernetes.models.apps.v1 import Deployment
from kubeset.kubernetes.models.core.v1 import Pod
from kubeset.model import sparse
from pydantic import BaseModel
from shared_reads import OPERATIONS, Outcome, realistic_deployment, reference, stress

TOTAL_OPS = int(os.environ.get("KUBESET_STRESS_OPS", "100000"))
THREADS = 8
ROUNDS = 5
N_PODS = 200
N_DEPLOYMENTS = 100

Decode = Callable[[type[BaseModel], bytes], BaseModel]
DECODERS: dict[str, Decode] = {
    "kubeset codec": lambda cls, raw: decode_json(cls, raw),
    "pydantic alone": lambda cls, raw: cls.model_validate_json(raw),
}


def wire_objects() -> list[tuple[type[BaseModel], bytes]]:
    pods = [
        (Pod, orjson.dumps({"apiVersion": "v1", "kind": "Pod", **realistic_pod(i)}))
        for i in range(N_PODS)
    ]
    deployments = [
        (Deployment, orjson.dumps(realistic_deployment(i))) for i in range(N_DEPLOYMENTS)
    ]
    return pods + deployments


@pytest.mark.parametrize("decoder", list(DECODERS))
def test_every_read_from_many_threads_matches_one_thread(decoder: str) -> None:
    decode = DECODERS[decoder]
    wire = wire_objects()
    refs = [reference(lambda cls=cls, raw=raw: decode(cls, raw)) for cls, raw in wire]
    total = Outcome()
    for round_no in range(ROUNDS):
        shared = [decode(cls, raw) for cls, raw in wire]  # untouched: first reads happen now
        done = stress(shared, refs, threads=THREADS, total=TOTAL_OPS // ROUNDS, seed=round_no)
        total.add(done.ops, done.wrong, done.errors)
    assert total.ops >= TOTAL_OPS - THREADS * ROUNDS
    assert not total.wrong and not total.errors, total.describe()


def test_the_reference_sees_what_was_sent() -> None:
    """The operations read real content: a reference dump is the object sent, and the reads
    find Go-shaped empty values (so the stress test compares something that can differ)."""
    cls, raw = wire_objects()[0]
    ref = reference(lambda: decode_json(cls, raw))
    assert ref["to_dict"] == orjson.loads(raw)
    assert ref["model_dump(mode=json)"] == orjson.loads(raw)
    reads: list[Any] = ref["reads"]
    assert [] in reads and {} in reads  # values created on read
    assert set(OPERATIONS) == set(ref)


def test_a_read_in_another_thread_cannot_make_a_dump_write_unset_fields() -> None:
    """The mechanism: reading a Go-shaped field makes the fields set and then keeps the new empty
    value in ``__dict__``; a reader that saw no set yet and reads ``__dict__`` after the value was
    kept must not take that key for a set field."""
    _, raw = wire_objects()[0]
    pod = decode_json(Pod, raw)
    container = pod.spec.containers[1]  # the sidecar: no args, no securityContext
    if not sparse.uses_dict_keys(container):
        pytest.skip("decoded without the compiled codec: instances are not sparse")
    before = sparse.fields_set_copy(container)
    assert "args" not in before
    # what another thread's first read does, between our two looks at the slot
    assert container.args == []
    assert "args" in vars(container) and not sparse.is_set(container, "args")
    assert sparse.fields_set_copy(container) == before
    assert "args" not in container.model_dump(exclude_unset=True)
