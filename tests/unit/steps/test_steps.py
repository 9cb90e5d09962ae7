"""kubeset.steps: one procedure, run by the sync driver and awaited by the asyncio one."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from kubeset.errors import NotFound
from kubeset.steps import Blocking, StackLock, Steps, Together, arun, drive, run


def _not_found() -> NotFound:
    return NotFound(404, "NotFound", "gone")


def procedure(get: Callable[[str], Any], log: list[str]) -> Steps[str]:
    """Calls ``get`` twice; a NotFound of the second is handled inside; ``finally`` logs."""
    try:
        first = yield get("a")
        try:
            second = yield get("missing")
        except NotFound:
            second = "default"
        where = yield Blocking(lambda: threading.current_thread().name)
        return f"{first}+{second}@{where}"
    finally:
        log.append("closed")


def sync_get(name: str) -> str:
    if name == "missing":
        raise _not_found()
    return name.upper()


async def async_get(name: str) -> str:
    await asyncio.sleep(0)
    if name == "missing":
        raise _not_found()
    return name.upper()


def test_the_same_procedure_on_both_drivers() -> None:
    log: list[str] = []
    assert run(procedure(sync_get, log)) == f"A+default@{threading.current_thread().name}"
    found = asyncio.run(arun(procedure(async_get, log)))
    first, where = found.split("@")
    assert first == "A+default"
    assert where != threading.current_thread().name  # Blocking ran in a worker thread
    assert log == ["closed", "closed"]


def test_an_unhandled_error_leaves_the_procedure_through_its_finally() -> None:
    def steps(log: list[str]) -> Steps[None]:
        try:
            yield async_get("missing")
        finally:
            log.append("finally")

    log: list[str] = []
    with pytest.raises(NotFound):
        asyncio.run(arun(steps(log)))
    assert log == ["finally"]


def test_cancelling_the_task_is_thrown_into_the_procedure() -> None:
    seen: list[str] = []

    def steps() -> Steps[None]:
        try:
            yield asyncio.sleep(30)
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise

    async def main() -> None:
        task = asyncio.ensure_future(arun(steps()))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert seen == ["cancelled"]


def test_together_runs_concurrently_within_its_limit_and_returns_errors_in_order() -> None:
    running = 0
    peak = 0

    async def call(i: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.02)
        running -= 1
        if i == 3:
            raise _not_found()
        return i

    def steps() -> Steps[list[Any]]:
        calls = [lambda i=i: call(i) for i in range(10)]
        return (yield Together(calls, errors=(NotFound,), limit=4))

    outcomes = asyncio.run(arun(steps()))
    assert [o if not isinstance(o, Exception) else "error" for o in outcomes] == [
        0,
        1,
        2,
        "error",
        *range(4, 10),
    ]
    assert peak == 4

    lock = threading.Lock()
    threads: set[str] = set()
    barrier = threading.Barrier(3, timeout=10)  # three calls must be running at once

    def sync_call(i: int) -> int:
        with lock:
            threads.add(threading.current_thread().name)
        if i < 3:
            barrier.wait()
        return i

    def sync_steps() -> Steps[list[Any]]:
        return (yield Together([lambda i=i: sync_call(i) for i in range(6)], limit=3))

    assert run(sync_steps()) == list(range(6))
    assert len(threads) == 3


def test_an_error_together_does_not_expect_is_raised() -> None:
    def boom() -> None:
        raise ValueError("bug")

    def steps() -> Steps[Any]:
        return (yield Together([boom], errors=(NotFound,)))

    with pytest.raises(ValueError):
        run(steps())
    with pytest.raises(ValueError):
        asyncio.run(arun(steps()))


def test_drive_picks_the_stack_and_the_lock_lets_one_caller_through() -> None:
    assert drive(False, procedure(sync_get, [])).startswith("A+default")
    inside = 0
    peak = 0

    def steps() -> Steps[None]:
        nonlocal inside, peak
        inside += 1
        peak = max(peak, inside)
        yield asyncio.sleep(0.01)
        inside -= 1

    lock = StackLock()

    async def main() -> None:
        await asyncio.gather(*(drive(True, steps(), lock) for _ in range(5)))  # type: ignore[misc]

    asyncio.run(main())
    assert peak == 1
    asyncio.run(main())  # the same lock on another event loop
    assert peak == 1
