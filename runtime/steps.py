"""Steps: one procedure written once, run by the sync clients or awaited on asyncio.

    def _replicas(client, name) -> Steps[int]:          # the decisions, written once
        try:
            obj = yield client.get(name)                  # every call of a client is yielded
        except NotFound:
            return 0
        return obj.object["spec"]["replicas"]

    drive(client.is_async, _replicas(client, name))       # an int, or a coroutine giving one

A procedure that calls kubeset clients (discovery, the RESTMapper, apply_manifests) is a
generator that yields each call's return value: with a sync client that is already the
answer (or the call raised, inside the generator), and :func:`run` sends it straight back;
with an asyncio client it is an awaitable, and :func:`arun` awaits it and sends the answer
(or throws the error in at the ``yield``, so the procedure's own ``try`` handles it the same
way).  Two step objects ask for more than one call: :class:`Blocking` (a blocking function:
a disk read; a worker thread on asyncio) and :class:`Together` (calls made concurrently:
a thread pool, or ``asyncio.gather``).  The procedure never knows which stack it runs on.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Callable, Coroutine, Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeAlias, TypeVar

__all__ = ["Awaited", "Blocking", "StackLock", "Steps", "Together", "arun", "drive", "run"]

X = TypeVar("X")
Steps: TypeAlias = Generator[Any, Any, X]
"""A procedure: yields each client call's return value, receives its answer, returns X."""
Awaited: TypeAlias = Coroutine[Any, Any, X]
"""What a driven procedure gives on asyncio (the overloads of its callers say so)."""


@dataclass(frozen=True, slots=True)
class Blocking:
    """A step that calls a blocking function (file I/O): directly, or in a worker thread."""

    function: Callable[[], Any]


@dataclass(frozen=True, slots=True)
class Together:
    """Calls made concurrently (at most ``limit`` at once); the answer is one outcome per
    call in order: its value, or the :class:`Exception` it raised (``errors`` types only;
    any other error is raised)."""

    calls: Sequence[Callable[[], Any]]
    errors: tuple[type[Exception], ...] = ()
    limit: int = 8


def _sync_outcome(call: Callable[[], Any], errors: tuple[type[Exception], ...]) -> Any:
    try:
        return call()
    except errors as e:
        return e


def run(steps: Steps[X]) -> X:
    """The procedure on the sync stack: each yielded value is already the call's answer."""
    try:
        step = next(steps)
        while True:
            if isinstance(step, Blocking):
                step = steps.send(step.function())
            elif isinstance(step, Together):
                with ThreadPoolExecutor(max_workers=max(1, step.limit)) as pool:
                    found = list(pool.map(partial(_sync_outcome, errors=step.errors), step.calls))
                step = steps.send(found)
            else:
                step = steps.send(step)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


async def _async_outcome(
    call: Callable[[], Any], errors: tuple[type[Exception], ...], gate: asyncio.Semaphore
) -> Any:
    async with gate:
        try:
            answer = call()
            return await answer if inspect.isawaitable(answer) else answer
        except errors as e:
            return e


async def _answer(step: Any) -> Any:
    if isinstance(step, Blocking):
        return await asyncio.to_thread(step.function)
    if isinstance(step, Together):
        gate = asyncio.Semaphore(max(1, step.limit))
        return list(
            await asyncio.gather(*(_async_outcome(c, step.errors, gate) for c in step.calls))
        )
    if inspect.isawaitable(step):
        return await step
    return step


async def arun(steps: Steps[X]) -> X:
    """The procedure on asyncio: each yielded awaitable is awaited; its error (cancellation
    included) is thrown into the procedure at its ``yield``."""
    try:
        step = next(steps)
        while True:
            try:
                answer = await _answer(step)
            except BaseException as e:  # noqa: BLE001 - handed to the procedure, which re-raises
                step = steps.throw(e)
            else:
                step = steps.send(answer)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    finally:
        steps.close()


class StackLock:
    """One caller at a time through a procedure: a thread lock (sync) or an asyncio lock."""

    def __init__(self) -> None:
        self.thread = threading.Lock()  # also held by sync code that changes the state
        self._async: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None

    def run(self, steps: Steps[X]) -> X:
        with self.thread:
            return run(steps)

    async def arun(self, steps: Steps[X]) -> X:
        loop = asyncio.get_running_loop()
        if self._async is None or self._async[0] is not loop:  # an asyncio lock serves one loop
            self._async = (loop, asyncio.Lock())
        async with self._async[1]:
            return await arun(steps)


def drive(
    is_async: bool, steps: Steps[X], lock: StackLock | None = None
) -> X | Coroutine[Any, Any, X]:
    """The procedure's answer (sync) or a coroutine giving it (asyncio), under ``lock``."""
    if is_async:
        return lock.arun(steps) if lock is not None else arun(steps)
    return lock.run(steps) if lock is not None else run(steps)
