"""A blocking face over kubeset's asyncio objects, so that one test body runs both stacks.

    with AsyncBridge() as bridge:
        rest = bridge.wrap(AsyncRESTClient(transport, host=url))
        rest.get().abs_path("version").do().json()      # awaited on the bridge's loop

Test-only (never a way to use kubeset): every coroutine a wrapped object's method returns is
run to completion on one event loop in a background thread; an async iterator is iterated
there; ``with`` maps to ``async with``; what comes back is wrapped again when it is itself an
asyncio object (a request builder, a watch, a typed client), else returned as it is (models,
results, plain values).  The hostile-wire, REST, behaviour and e2e suites use it to hold the
asyncio clients to exactly the assertions the sync ones meet.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any, Self

__all__ = ["AsyncBridge", "is_async_object"]

CALL_TIMEOUT = 300.0  # no single bridged call of a test waits longer

_async_classes: dict[type, bool] = {}


def is_async_object(value: object) -> bool:
    """Whether ``value`` is an asyncio object of kubeset's (it has coroutine methods, is
    iterated / entered asynchronously, or holds an asyncio REST client: a typed client)."""
    from kubeset.rest.aio import AsyncRESTClient

    if isinstance(getattr(value, "rest", None), AsyncRESTClient):
        return True
    if getattr(value, "is_async", None) is True:  # discovery, a RESTMapper: over an asyncio client
        return True
    cls = type(value)
    known = _async_classes.get(cls)
    if known is None:
        known = cls.__module__.startswith("kubeset") and any(
            name in ("__aiter__", "__aenter__")
            or inspect.iscoroutinefunction(attr)
            or inspect.isasyncgenfunction(attr)
            for klass in cls.__mro__
            for name, attr in vars(klass).items()
        )
        _async_classes[cls] = known
    return known


class AsyncBridge:
    """One event loop in a thread, and wrappers that run asyncio objects on it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="asyncbridge", daemon=True
        )
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float = CALL_TIMEOUT) -> Any:
        """Run ``coro`` on the loop; its result (or exception)."""
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    def wrap(self, value: Any) -> Any:
        """``value`` with a blocking face when it is an asyncio object, else as it is."""
        if isinstance(value, Bridged):
            return value
        if inspect.iscoroutine(value):
            return self.wrap(self.run(value))
        if isinstance(value, AsyncIterator) and not is_async_object(value):
            return self.iterate(value)
        if is_async_object(value):
            return Bridged(self, value)
        return value

    def blocking(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function`` (a kubeset function taking asyncio objects, e.g. ``apply_manifests``)
        with a blocking face: bridged arguments are handed over as themselves, the call runs
        on the loop and what it gives is wrapped."""

        def call(*args: Any, **kwargs: Any) -> Any:
            args = tuple(a.target if isinstance(a, Bridged) else a for a in args)
            kwargs = {k: v.target if isinstance(v, Bridged) else v for k, v in kwargs.items()}
            return self.wrap(self.run(_called(function, args, kwargs)))

        return call

    def iterate(self, iterator: AsyncIterator[Any]) -> Iterator[Any]:
        try:
            while True:
                try:
                    item = self.run(iterator.__anext__())
                except StopAsyncIteration:
                    return
                yield self.wrap(item)
        finally:
            close = getattr(iterator, "aclose", None)
            if close is not None and not self.loop.is_closed():
                self.run(close())

    def close(self) -> None:
        async def cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.get_running_loop().shutdown_asyncgens()

        self.run(cancel_all(), timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


async def _called(function: Any, args: Any, kwargs: Any) -> Any:
    result = function(*args, **kwargs)
    if inspect.iscoroutine(result):
        return await result
    return result


class Bridged:
    """An asyncio object seen through a bridge (attribute reads, calls, iteration, ``with``)."""

    __slots__ = ("_bridge", "_iterator", "_target")

    def __init__(self, bridge: AsyncBridge, target: Any) -> None:
        object.__setattr__(self, "_bridge", bridge)
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_iterator", None)

    @property
    def target(self) -> Any:
        """The asyncio object itself."""
        return self._target

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if callable(value) and not isinstance(value, type):

            def call(*args: Any, **kwargs: Any) -> Any:
                # on the loop's thread: asyncio objects are not thread-safe, plain methods included
                return self._bridge.wrap(self._bridge.run(_called(value, args, kwargs)))

            return call
        return self._bridge.wrap(value)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target, name, value)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._bridge.wrap(self._target(*args, **kwargs))

    def __iter__(self) -> Iterator[Any]:
        target = self._target
        if hasattr(target, "__aiter__"):
            return self._bridge.iterate(target.__aiter__())
        return iter(target)

    def __next__(self) -> Any:
        if self._iterator is None:
            object.__setattr__(self, "_iterator", iter(self))
        return next(self._iterator)

    def __enter__(self) -> Any:
        target = self._target
        if hasattr(target, "__aenter__"):
            return self._bridge.wrap(self._bridge.run(target.__aenter__()))
        return self._bridge.wrap(target.__enter__())

    def __exit__(self, *exc: object) -> Any:
        target = self._target
        if hasattr(target, "__aexit__"):
            return self._bridge.run(target.__aexit__(*exc))
        return target.__exit__(*exc)

    def __repr__(self) -> str:
        return f"<bridged {self._target!r}>"
