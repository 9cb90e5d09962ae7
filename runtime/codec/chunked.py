"""A big list body decoded in batches, so an asyncio event loop runs between them.

The compiled codec holds the GIL for a whole decode (0.4-0.6 s for 5,000 pods): in a worker
thread it still stalls the event loop.  :func:`decode_list` instead finds the spans of the
elements of the body's ``"items"`` array (kubeset.codec.spans, in a worker thread: the compiled
scanner releases the GIL), decodes the envelope with an empty ``items`` array, then the
elements in batches of about :attr:`BatchBudget.target_s` each, with ``await asyncio.sleep(0)``
between batches, and extends the envelope's list with each batch's elements.  The compiled
decoder reads a batch's elements where they lie in the body (``Decoder.decode_elements``, as
the list's field decodes them); pydantic gets each batch wrapped as ``{"items":[...]}``.

The result is what the one-shot decode (kubeset.codec.decode_large) gives, laid out the same:
every piece goes through the compiled decoder (sparse instances, kubeset.model.sparse), or,
for a model it does not take, through pydantic; the garbage collector is paused for each piece
and its objects promoted after it.  When a piece does not decode the same way the whole would
(a compiled decode falls back to pydantic, pydantic raises), :func:`decode_list` gives None
and the caller decodes the whole body at once, which gives the one-shot's result or error.
Pure decisions (:class:`BatchBudget`, :func:`batch_end`, :func:`list_field`) and the stepping
(:func:`decode_in_steps`, a generator yielding between batches) hold no I/O; the asyncio
driver is :func:`decode_list`.

Usage::

    from kubeset.codec.chunked import decode_list

    pods = await decode_list(PodList, body)  # None: not a list model, or decode it at once
"""

from __future__ import annotations

import asyncio
import json
import time
import types
from bisect import bisect_right
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Protocol, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from ..model.base import KubeModel
from .gcpause import gc_paused, promote_young_objects
from .native import load_codec, native_decode, native_decoder
from .plan import is_plain
from .spans import ArraySpans, array_spans

__all__ = [
    "BatchBudget",
    "ListField",
    "ListPlan",
    "batch_end",
    "decode_in_steps",
    "decode_list",
    "list_field",
    "plan_list",
]

M = TypeVar("M", bound=BaseModel)

ITEMS = "items"


@dataclass(frozen=True)
class BatchBudget:
    """How many bytes of elements the next batch takes: batches of about ``target_s`` each.

    The first batch takes ``first_bytes``; each next one scales the last batch's bytes by how
    far its time was from the target, by a factor of 4 at most either way, within
    ``[min_bytes, max_bytes]``.  A batch holds at least one element, however large.
    """

    target_s: float = 0.01
    first_bytes: int = 128 * 1024
    min_bytes: int = 16 * 1024
    max_bytes: int = 4 * 1024 * 1024

    def next_bytes(self, last_bytes: int, elapsed_s: float) -> int:
        """The budget of the batch after one of ``last_bytes`` that took ``elapsed_s``."""
        factor = self.target_s / elapsed_s if elapsed_s > 0 else 4.0
        scaled = int(last_bytes * min(4.0, max(0.25, factor)))
        return min(self.max_bytes, max(self.min_bytes, scaled))


@dataclass(frozen=True)
class ListField:
    """The array field of a list model: its attribute and its JSON name (``"items"``)."""

    attribute: str
    json_name: str


@dataclass(frozen=True)
class ListPlan:
    """A body to decode in batches: the list model, its field, the body and its elements' spans."""

    model: type[BaseModel]
    field: ListField
    data: bytes
    spans: ArraySpans


_FIELDS: dict[type, ListField | None] = {}


def list_field(model: type[BaseModel]) -> ListField | None:
    """The ``items`` field of a list model decoded in batches, or None: ``model`` must be a
    plain :class:`KubeModel` (no validators of its own, which would see partial lists) with a
    list field read from the JSON name ``items``."""
    try:
        return _FIELDS[model]
    except KeyError:
        pass
    found = None
    if isinstance(model, type) and issubclass(model, KubeModel) and is_plain(model):
        for name, info in model.model_fields.items():
            alias = info.validation_alias if info.validation_alias is not None else info.alias
            if (alias or name) == ITEMS and _is_list(info.annotation):
                found = ListField(name, ITEMS)
    _FIELDS[model] = found
    return found


def _is_list(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _is_list(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        rest = [a for a in get_args(annotation) if a is not type(None)]
        return len(rest) == 1 and _is_list(rest[0])
    return origin is list


def plan_list(model: type[BaseModel], data: bytes) -> ListPlan | None:
    """The plan to decode ``data`` into ``model`` in batches, or None to decode it at once (not
    a list model, not bytes, or no one ``items`` array found)."""
    field = list_field(model)
    if field is None or not isinstance(data, bytes):
        return None
    spans = array_spans(data, field.json_name)
    return None if spans is None else ListPlan(model, field, data, spans)


def batch_end(ends: list[int], first: int, first_start: int, budget: int) -> int:
    """The index after the last element of the batch starting at element ``first`` (which starts
    at byte ``first_start``): the elements ending within ``budget`` bytes of it, at least one.
    ``ends`` are the elements' end offsets, ascending."""
    return max(first + 1, bisect_right(ends, first_start + budget, first))


def decode_in_steps(
    plan: ListPlan,
    *,
    budget: BatchBudget | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Generator[None, None, BaseModel | None]:
    """Decode ``plan``, yielding between batches (the caller runs other work at each yield);
    returns the list model, or None when a piece does not decode as the whole would (the
    caller then decodes the whole body at once).  ``clock`` times the batches for ``budget``."""
    budget = budget or BatchBudget()
    model, data, spans = plan.model, plan.data, plan.spans
    pieces: _Pieces = (
        _NativePieces(plan) if native_decoder(model) is not None else _PydanticPieces(plan)
    )
    envelope = pieces.envelope(b"".join((data[: spans.start], b"[]", data[spans.end :])))
    if envelope is None:
        return None
    items = envelope.__dict__.get(plan.field.attribute)
    if not isinstance(items, list) or items:
        return None
    bounds = spans.bounds
    ends = list(bounds[1::2])
    first, size = 0, budget.first_bytes
    while first < len(spans):
        yield
        start = bounds[2 * first]
        last = batch_end(ends, first, start, size)
        began = clock()
        with gc_paused():
            elements = pieces.elements(bounds[2 * first : 2 * last])
            promote_young_objects()
        if elements is None:
            return None
        items.extend(elements)
        size = budget.next_bytes(ends[last - 1] - start, clock() - began)
        first = last
    return envelope


class _Pieces(Protocol):
    def envelope(self, data: bytes) -> BaseModel | None: ...

    def elements(self, bounds: Sequence[int]) -> list[Any] | None: ...


@dataclass(frozen=True)
class _NativePieces:
    """The compiled decoder decodes the elements in place: no copy of the body."""

    plan: ListPlan

    def envelope(self, data: bytes) -> BaseModel | None:
        with gc_paused():
            decoded = native_decode(self.plan.model, data)
            promote_young_objects()
        return decoded

    def elements(self, bounds: Sequence[int]) -> list[Any] | None:
        decoder = native_decoder(self.plan.model)
        try:
            decoded: list[Any] = decoder.decode_elements(
                self.plan.data, self.plan.field.json_name, bounds
            )
        except load_codec().Fallback:
            return None
        return decoded


@dataclass(frozen=True)
class _PydanticPieces:
    """pydantic decodes each batch wrapped as ``{"items":[...]}`` (a copy of its bytes)."""

    plan: ListPlan

    def envelope(self, data: bytes) -> BaseModel | None:
        with gc_paused():
            try:
                decoded = self.plan.model.model_validate_json(data)
            except ValidationError:
                return None
            finally:
                promote_young_objects()
        return decoded

    def elements(self, bounds: Sequence[int]) -> list[Any] | None:
        plan = self.plan
        head = b"".join((b"{", json.dumps(plan.field.json_name).encode(), b":["))
        batch = b"".join((head, memoryview(plan.data)[bounds[0] : bounds[-1]], b"]}"))
        try:
            part = plan.model.model_validate_json(batch)
        except ValidationError:
            return None
        elements: list[Any] = part.__dict__[plan.field.attribute]
        return elements


async def decode_list(
    model: type[M],
    data: bytes,
    *,
    budget: BatchBudget | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> M | None:
    """``data`` decoded into the list model ``model`` in batches, the event loop running between
    them; None when it is to be decoded at once instead (not a list model, no ``items`` array
    found, or a piece did not decode as the whole would)."""
    plan = await asyncio.to_thread(plan_list, model, data)
    if plan is None:
        return None
    steps = decode_in_steps(plan, budget=budget, clock=clock)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            decoded: M | None = done.value
            return decoded
        await asyncio.sleep(0)
