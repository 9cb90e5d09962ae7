"""The objects an informer hands out are safe to read from every handler thread at once.

An informer's store gives the same objects to every handler and every lister reader.  Here 8
handlers (8 listener threads) on informers over 200 Pods and 100 Deployments in the fake cluster
run random read-only operations (``tests/unit/model/concurrency.py``: attribute reads, every
``model_dump`` flavour, ``to_dict``, copies, ``==``, ``repr``, pickling, typed <-> dynamic) on the
object of each event and on objects read from the lister, with thread switches every 100 us;
every result is compared with what one thread gets from a fresh decode of the same object.
Several rounds (a new factory each: fresh decodes) make ``KUBESET_STRESS_OPS`` operations.
"""

from __future__ import annotations

import os
import random
import threading
from typing import Any

import orjson
from bench_models import realistic_pod
from kubeset.cache import EventHandlers, SharedInformerFactory
from kubeset.codec import decode_json, to_json
from kubeset.kubernetes.models.core.v1 import Pod
from kubeset.testing import FakeTransport
from shared_reads import (  # tests/unit: the harness both stress tests share
    OPERATIONS,
    Mismatch,
    Outcome,
    fast_switching,
    realistic_deployment,
    reference,
    run_op,
)

TOTAL_OPS = int(os.environ.get("KUBESET_STRESS_OPS", "100000"))
HANDLERS_PER_INFORMER = 4
ROUNDS = 4
N_PODS = 200
N_DEPLOYMENTS = 100
SYNC_TIMEOUT = 60.0


def server_side_fields_dropped(obj: dict[str, Any]) -> dict[str, Any]:
    """What the fake accepts on create: the realistic object without uid and resourceVersion."""
    meta = {k: v for k, v in obj["metadata"].items() if k not in ("uid", "resourceVersion")}
    return {**obj, "metadata": meta}


def populate(fake: FakeTransport) -> None:
    cs = fake.clientset()
    pods = [{"apiVersion": "v1", "kind": "Pod", **realistic_pod(i)} for i in range(N_PODS)]
    deployments = [realistic_deployment(i) for i in range(N_DEPLOYMENTS)]
    for ns in sorted({o["metadata"]["namespace"] for o in pods + deployments}):
        cs.core_v1.namespaces().create({"metadata": {"name": ns}})
    for p in pods:
        cs.core_v1.pods(p["metadata"]["namespace"]).create(server_side_fields_dropped(p))
    for d in deployments:
        cs.apps_v1.deployments(d["metadata"]["namespace"]).create(server_side_fields_dropped(d))


def test_handlers_and_listers_read_shared_objects_exactly(kube_fake: FakeTransport) -> None:
    populate(kube_fake)
    refs = informer_references(kube_fake)
    # every handler of an informer gets an add per object of its kind, each round
    per_event = -(-TOTAL_OPS // (ROUNDS * HANDLERS_PER_INFORMER * len(refs)))
    total = Outcome()
    for round_no in range(ROUNDS):
        done = one_round(kube_fake, refs, per_event=per_event, seed=round_no)
        total.add(done.ops, done.wrong, done.errors)
    assert total.ops >= TOTAL_OPS * 0.95, total.ops
    assert not total.wrong and not total.errors, total.describe()


def informer_references(fake: FakeTransport) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Each operation's result on a fresh decode of each object as an informer holds it (watch
    and streaming-list objects carry apiVersion and kind, list items do not), by one thread."""
    cs = fake.clientset()
    factory = SharedInformerFactory()
    listers = [factory.lister_for(cs.core_v1.pods), factory.lister_for(cs.apps_v1.deployments)]
    factory.start()
    try:
        assert factory.wait_for_cache_sync(timeout=SYNC_TIMEOUT)
        held = [obj for lister in listers for obj in lister.list()]
    finally:
        factory.shutdown()
    assert len(held) == N_PODS + N_DEPLOYMENTS
    refs = {}
    for obj in held:
        raw, cls = to_json(obj), type(obj)
        refs[key(obj)] = reference(lambda raw=raw, cls=cls: decode_json(cls, raw))
    return refs


def key(obj: Any) -> tuple[str, str, str]:
    return (type(obj).__name__, obj.metadata.namespace or "", obj.metadata.name or "")


def one_round(
    fake: FakeTransport,
    refs: dict[tuple[str, str, str], dict[str, Any]],
    *,
    per_event: int,
    seed: int,
) -> Outcome:
    """A new factory (fresh decodes); every handler runs ``per_event`` operations per add event,
    on the event's object and on objects from the lister; returns when every handler saw every
    object."""
    cs = fake.clientset()
    factory = SharedInformerFactory()
    outcome = Outcome()
    names = list(OPERATIONS)
    sources = (cs.core_v1.pods, cs.apps_v1.deployments)
    expected = {cs.core_v1.pods: N_PODS, cs.apps_v1.deployments: N_DEPLOYMENTS}
    all_seen = threading.Semaphore(0)
    handlers = 0
    for source in sources:
        informer = factory.informer_for(source)
        lister = factory.lister_for(source)
        for h in range(HANDLERS_PER_INFORMER):
            handlers += 1
            rand = random.Random(seed * 100 + handlers)
            seen = [0]
            wrong: list[Mismatch] = []
            errors: list[str] = []

            def on_add(
                obj: Any,
                _initial: bool,
                *,
                rand: random.Random = rand,
                seen: list[int] = seen,
                lister: Any = lister,
                wrong: list[Mismatch] = wrong,
                errors: list[str] = errors,
                want: int = expected[source],
            ) -> None:
                cached = lister.list()
                for j in range(per_event):
                    target = obj if j % 2 == 0 else rand.choice(cached)
                    name = rand.choice(names)
                    ref = refs[key(target)]
                    run_op(name, OPERATIONS[name], target, ref[name], seen[0], wrong, errors)
                seen[0] += 1
                if seen[0] == want:
                    outcome.add(want * per_event, wrong, errors)
                    all_seen.release()

            informer.add_event_handler(EventHandlers[Any](on_add=on_add))
    with fast_switching():
        factory.start()
        try:
            assert factory.wait_for_cache_sync(timeout=SYNC_TIMEOUT)
            for _ in range(handlers):
                assert all_seen.acquire(timeout=SYNC_TIMEOUT * 4), (
                    "a handler did not see every object"
                )
        finally:
            factory.shutdown()
    return outcome


def test_the_references_are_the_objects_served(kube_fake: FakeTransport) -> None:
    """The reference results come from what the fake serves (so the stress test compares real
    content): a served pod decodes to the realistic pod sent, plus the server's fields."""
    populate(kube_fake)
    pod = kube_fake.clientset().core_v1.pods("ns-3").get(realistic_pod(3)["metadata"]["name"])
    raw = to_json(pod)
    ref = reference(lambda: decode_json(Pod, raw))
    sent = realistic_pod(3)
    dumped = ref["model_dump(mode=json)"]
    assert (
        dumped["spec"] == sent["spec"]
        and dumped["metadata"]["labels"] == sent["metadata"]["labels"]
    )
    assert ref["to_dict"] == orjson.loads(raw)
