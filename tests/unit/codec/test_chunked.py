"""kubeset.codec.spans and kubeset.codec.chunked: a list decoded in batches is the one-shot decode.

Every check decodes the same bytes twice, at once (``decode_large``, what the sync client does)
and in batches (kubeset.codec.chunked, what ``AsyncRequest.into`` does for a large list), and
compares the two trees object by object: classes, ``__dict__`` keys in order (sparse instances
stay sparse), fields set, extras, values and their types.  The compiled scanner and the Python
one must give the same spans.  Run with and without the compiled codec (tests/without_codec.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from kubeset.codec import decode_large, to_json
from kubeset.codec.chunked import (
    BatchBudget,
    ListPlan,
    batch_end,
    decode_in_steps,
    decode_list,
    list_field,
    plan_list,
)
from kubeset.codec.native import load_codec
from kubeset.codec.spans import ArraySpans, array_spans, py_array_spans
from kubeset.errors import DecodeError
from kubeset.kubernetes.models.core.v1 import ConfigMapList, Pod, PodList
from kubeset.kubernetes.models.meta.v1 import ObjectMeta
from kubeset.model import sparse
from kubeset.rest.aio import LARGE_LIST, AsyncRESTClient
from kubeset.transport import HTTPRequest, MockTransport, Response
from pydantic import BaseModel

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from bench_models import pod_list_bytes

TINY = BatchBudget(first_bytes=1, min_bytes=1, max_bytes=1)  # one element per batch
SMALL = BatchBudget(first_bytes=2000, min_bytes=2000, max_bytes=2000)
HAS_CODEC = bool(load_codec())


def identical(a: Any, b: Any, path: str = "$") -> None:
    """``a`` (decoded in batches) and ``b`` (at once) are the same tree, laid out the same."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, BaseModel):
        assert list(a.__dict__) == list(b.__dict__), f"{path}: __dict__ keys differ"
        assert sparse.uses_dict_keys(a) == sparse.uses_dict_keys(b), f"{path}: layout differs"
        assert a.model_fields_set == b.model_fields_set, path
        assert (a.__pydantic_extra__ is None) == (b.__pydantic_extra__ is None), path
        identical(a.__pydantic_extra__ or {}, b.__pydantic_extra__ or {}, f"{path}.<extra>")
        assert a.__pydantic_private__ == b.__pydantic_private__, path
        for key in a.__dict__:
            identical(a.__dict__[key], b.__dict__[key], f"{path}.{key}")
    elif isinstance(a, dict):
        assert list(a) == list(b), f"{path}: keys differ"
        for key in a:
            identical(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, list):
        assert len(a) == len(b), f"{path}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b)):
            identical(x, y, f"{path}[{i}]")
    elif isinstance(a, dt.datetime):
        assert a == b and type(a.tzinfo) is type(b.tzinfo), path
        assert a.utcoffset() == b.utcoffset() and a.isoformat() == b.isoformat(), path
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def stepped(plan: ListPlan, budget: BatchBudget = TINY) -> tuple[Any, int]:
    """Run the steps of ``plan`` to the end: (the result, how many times they yielded)."""
    steps = decode_in_steps(plan, budget=budget)
    yields = 0
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value, yields
        yields += 1


def in_batches(model: type[BaseModel], data: bytes, budget: BatchBudget = TINY) -> Any:
    plan = plan_list(model, data)
    assert plan is not None, "the body should be decoded in batches"
    decoded, yields = stepped(plan, budget)
    assert decoded is not None, "every piece should decode as the whole does"
    if budget is TINY:
        assert yields == len(plan.spans), "one batch per element"
    return decoded


def same_as_at_once(model: type[BaseModel], data: bytes, budget: BatchBudget = TINY) -> Any:
    decoded = in_batches(model, data, budget)
    whole = decode_large(model, data)
    identical(decoded, whole)
    assert decoded == whole
    assert decoded.model_dump() == whole.model_dump()
    assert to_json(decoded) == to_json(whole)
    return decoded


def pod_list(*items: Any, **envelope: Any) -> bytes:
    return json.dumps(
        {"apiVersion": "v1", "kind": "PodList", **envelope, "items": list(items)}
    ).encode()


def _pod(name: str, **more: Any) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": "default"}, **more}


ADVERSARIAL = {
    "brackets and quotes in strings": pod_list(
        _pod(
            "a]}", spec={"containers": [{"name": "c", "args": ["]", "}", "[{", '"', "\\", '\\"]']}]}
        ),
        _pod('"{[', metadata_extra=None),
    ),
    "escapes": (
        b'{"kind":"PodList","items":[{"metadata":{"name":"a\\"b\\\\","labels":{"k\\u0041":"\\n\\t\\/"}}},'
        b'{"metadata":{"name":"\\\\"}}]}'
    ),
    "nested lists named items": pod_list(
        _pod(
            "cm",
            spec={
                "volumes": [
                    {"name": "v", "configMap": {"name": "x", "items": [{"key": "k", "path": "p"}]}}
                ]
            },
        ),
        {"items": [[1, {"items": []}], "]"], "metadata": {"name": "b"}},
        metadata={"resourceVersion": "7", "items": ["not", "these"]},
        extra={"items": [{"items": [1]}]},
    ),
    "unicode": pod_list(
        _pod("pöd-ü-😀", metadata={"annotations": {"ключ": "值 \u2028 \ud7ff"}}),
        _pod("e\u0301"),
    ),
    "unicode escaped": json.dumps(
        {"kind": "PodList", "items": [_pod("pöd-😀-\u00e9")]}, ensure_ascii=True
    ).encode(),
    "pretty printed": json.dumps(
        {
            "kind": "PodList",
            "metadata": {"resourceVersion": "1"},
            "items": [_pod("a"), _pod("b"), _pod("c")],
        },
        indent=3,
    ).encode()
    + b"\n\n",
    "items first, unknown fields around": (
        b' { "items" : [ {"metadata":{"name":"a"}} , {"status":{"phase":"Running"}} ] , "future":{"a":[1,2.5,null,true]},'
        b'"apiVersion":"v1","kind":"PodList" } '
    ),
    "empty items": pod_list(),
    "empty objects": pod_list({}, {}, {"metadata": {}}),
    "scalars before and after": b'{"a":1,"b":-2.5e3,"c":true,"d":null,"items":[{}],"e":"x","f":[],"g":{}}',
}


@pytest.mark.parametrize("case", list(ADVERSARIAL))
def test_adversarial_lists_decode_in_batches_as_at_once(case: str) -> None:
    same_as_at_once(PodList, ADVERSARIAL[case])


def test_realistic_pods_decode_in_batches_as_at_once() -> None:
    data = pod_list_bytes(40)
    same_as_at_once(PodList, data)
    decoded = same_as_at_once(PodList, data, SMALL)
    assert len(decoded.items) == 40
    same_as_at_once(PodList, data, BatchBudget())  # the default budget, timed


def test_unknown_fields_round_trip_losslessly() -> None:
    data = ADVERSARIAL["nested lists named items"]
    decoded = in_batches(PodList, data)
    assert decoded.model_extra == {"extra": {"items": [{"items": [1]}]}}
    assert decoded.metadata.model_extra == {"items": ["not", "these"]}
    assert decoded.items[1].model_extra == {"items": [[1, {"items": []}], "]"]}
    assert json.loads(to_json(decoded)) == json.loads(data)


def test_sparse_instances_stay_sparse() -> None:
    decoded = in_batches(PodList, pod_list(_pod("a"), _pod("b")))
    pod = decoded.items[1]
    if HAS_CODEC:  # only the fields sent, no fields set made yet, no extras dict
        assert set(pod.__dict__) == {"metadata"}
        assert sparse.uses_dict_keys(pod) and pod.__pydantic_extra__ is None
    assert pod.api_version is None and pod.model_fields_set == {"metadata"}


@pytest.mark.parametrize(
    "data",
    [
        b'{"kind":"PodList","items":null}',
        b'{"kind":"PodList"}',
        b'{"kind":"PodList","items":{}}',
        b'{"items":[{}],"items":[{}]}',
        b'{"it\\u0065ms":[{}]}',
        b'{"items":[{}]} x',
        b'{"items":[{}]',
        b'{"items":[{},]}',
        b'{"items":[{"a":"]}',
        b'{"items":[{"a":"x\\"}]}',
        b"[]",
        b"{}",
        b"",
        b'{"items":[1 2]}',
        b'{"a" "b","items":[]}',
    ],
)
def test_what_the_scanner_does_not_recognise_is_decoded_at_once(data: bytes) -> None:
    assert py_array_spans(data, "items") is None
    assert array_spans(data, "items") is None
    assert plan_list(PodList, data) is None


def test_the_spans_are_the_elements() -> None:
    data = b' {"kind":"x" , "items" :[ {"a":"]"}, [1,[2]] ,"s\\"]",3 , null],"z":{}}'
    spans = array_spans(data, "items")
    assert spans is not None and data[spans.start : spans.end].startswith(b"[")
    assert data[spans.start : spans.end].endswith(b"]")
    assert [data[slice(*spans.element(i))] for i in range(len(spans))] == [
        b'{"a":"]"}',
        b"[1,[2]]",
        b'"s\\"]"',
        b"3",
        b"null",
    ]
    assert spans == py_array_spans(data, "items")


@pytest.mark.skipif(not HAS_CODEC, reason="the compiled scanner is not built")
def test_the_compiled_and_the_python_scanner_agree() -> None:
    def both(data: bytes) -> tuple[ArraySpans | None, ArraySpans | None]:
        return array_spans(data, "items"), py_array_spans(data, "items")

    for data in [*ADVERSARIAL.values(), pod_list_bytes(30)]:
        native, python = both(data)
        assert native is not None and native == python
        whole = len(data.rstrip())
        for cut in range(0, len(data), max(1, len(data) // 300)):  # prefixes and insertions
            assert cut >= whole or both(data[:cut]) == (None, None), cut
            native, python = both(data[:cut] + b"x" + data[cut:])
            assert native == python, cut


def test_a_batch_ends_within_its_budget_with_at_least_one_element() -> None:
    ends = [10, 20, 35, 100, 101]
    assert batch_end(ends, 0, 0, 1) == 1
    assert batch_end(ends, 0, 0, 20) == 2
    assert batch_end(ends, 1, 10, 25) == 3
    assert batch_end(ends, 2, 20, 10_000) == 5
    assert batch_end(ends, 4, 100, 0) == 5


def test_the_budget_follows_the_time_of_the_last_batch() -> None:
    budget = BatchBudget(target_s=0.01, first_bytes=1000, min_bytes=100, max_bytes=100_000)
    assert budget.next_bytes(1000, 0.01) == 1000
    assert budget.next_bytes(1000, 0.02) == 500
    assert budget.next_bytes(1000, 1.0) == 250  # a quarter at most at once
    assert budget.next_bytes(1000, 0.0) == 4000
    assert budget.next_bytes(90_000, 0.001) == 100_000
    assert budget.next_bytes(200, 1.0) == 100


def test_only_plain_list_models_are_decoded_in_batches() -> None:
    assert list_field(PodList) is not None and list_field(ConfigMapList) is not None
    assert list_field(Pod) is None and list_field(ObjectMeta) is None
    assert plan_list(Pod, pod_list(_pod("a"))) is None

    from pydantic import field_validator

    class Checked(PodList):
        @field_validator("items")
        @classmethod
        def at_most_one(cls, v: Any) -> Any:
            assert len(v) <= 1
            return v

    assert list_field(Checked) is None  # its validator would see partial lists


NOT_CANONICAL = pod_list(
    _pod("a"),
    {"metadata": {"name": "b", "creationTimestamp": "2024-01-01T01:00:00+01:00"}},
)
INVALID = pod_list(_pod("a"), {"metadata": {"name": ["not", "a", "string"]}})


def test_a_piece_the_whole_would_decode_otherwise_hands_it_back() -> None:
    plan = plan_list(PodList, NOT_CANONICAL)
    assert plan is not None
    decoded, _ = stepped(plan)
    if HAS_CODEC:  # the compiled decoder leaves the time to pydantic: so must the whole decode
        assert decoded is None
    else:
        identical(decoded, decode_large(PodList, NOT_CANONICAL))
    plan = plan_list(PodList, INVALID)
    assert plan is not None and stepped(plan)[0] is None


# --- the asyncio client: AsyncRequest.into


def _rest(body: bytes) -> AsyncRESTClient:
    def answer(request: HTTPRequest) -> Response:
        return Response(200, {"Content-Type": "application/json"}, body)

    return AsyncRESTClient(MockTransport(answer), host="http://stub")


def _into(rest: AsyncRESTClient, model: type[BaseModel]) -> Any:
    async def call() -> Any:
        return await rest.get().group_version("", "v1").resource("pods").into(model)

    return asyncio.run(asyncio.wait_for(call(), 120))


def _big(data: bytes) -> bytes:
    """``data`` padded past LARGE_LIST with whitespace (the items the same)."""
    return data + b" " * (LARGE_LIST + 1 - len(data)) if len(data) <= LARGE_LIST else data


@pytest.mark.parametrize(
    "case", ["realistic", "unicode", "empty items", "null items", "no items", "not canonical"]
)
def test_the_asyncio_client_decodes_a_large_list_as_the_sync_one(case: str) -> None:
    data = {
        "realistic": pod_list_bytes(250),
        "unicode": ADVERSARIAL["unicode"],
        "empty items": pod_list(),
        "null items": b'{"kind":"PodList","items":null}',
        "no items": b'{"kind":"PodList","metadata":{"resourceVersion":"3"}}',
        "not canonical": NOT_CANONICAL,
    }[case]
    data = _big(data)
    identical(_into(_rest(data), PodList), decode_large(PodList, data))


def test_the_asyncio_client_words_an_invalid_large_list_as_the_sync_one() -> None:
    with pytest.raises(DecodeError) as raised:
        _into(_rest(_big(INVALID)), PodList)
    assert str(raised.value) == (
        "the answer of GET /api/v1/pods does not decode into PodList: "
        "at items.1.metadata.name: Input should be a valid string"
    )


def test_other_tasks_run_between_the_batches() -> None:
    """A ticker task counts its turns; the decode's clock (read before and after each batch)
    notes the count: the ticker must have run between every two batches."""
    data = pod_list_bytes(20)
    ticks = 0
    seen: list[int] = []

    def clock() -> float:
        seen.append(ticks)
        return float(len(seen))  # each batch "takes" 1 s: the budget shrinks to min_bytes

    async def main() -> Any:
        nonlocal ticks
        stop = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(ticker())
        try:
            return await decode_list(PodList, data, budget=SMALL, clock=clock)
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)

    decoded = asyncio.run(asyncio.wait_for(main(), 120))
    identical(decoded, decode_large(PodList, data))
    starts, ends = seen[0::2], seen[1::2]  # the count when each batch began and ended
    assert len(starts) > 5, "the list should take several batches"
    for k in range(1, len(starts)):
        assert starts[k] > ends[k - 1], f"the ticker did not run between batches {k - 1} and {k}"
    for k in range(len(starts)):
        assert ends[k] == starts[k], "nothing else runs inside a batch"


def test_decode_list_leaves_what_is_not_a_list_to_the_caller() -> None:
    assert asyncio.run(decode_list(Pod, b'{"metadata":{"name":"a"}}')) is None
    assert asyncio.run(decode_list(PodList, b'{"items":null}')) is None
