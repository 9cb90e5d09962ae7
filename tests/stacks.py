"""The two client stacks a test can run on: the sync one, and asyncio through a bridge.

    @pytest.fixture(params=STACKS)
    def stack(request) -> Iterator[Stack]:
        with Stack(request.param) as s:
            yield s

    rest = stack.rest_client(host=url, timeout=2)     # RESTClient, or a bridged AsyncRESTClient
    rest.get().abs_path("version").do()                # the same test body for both

``Stack.wrap`` gives any asyncio object a blocking face (:mod:`asyncbridge`), so suites written
for the sync clients hold the asyncio ones to the same assertions.
"""

from __future__ import annotations

from typing import Any, Self

from asyncbridge import AsyncBridge
from kubeset.config import Config
from kubeset.rest import RESTClient
from kubeset.transport.session import SessionTransport

__all__ = ["STACKS", "Stack"]

STACKS = ("sync", "asyncio")


class Stack:
    """One stack of a parametrized test (``name`` is "sync" or "asyncio")."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.bridge = AsyncBridge() if name == "asyncio" else None
        self._async_clients: list[Any] = []

    @property
    def is_async(self) -> bool:
        return self.bridge is not None

    def wrap(self, value: Any) -> Any:
        return self.bridge.wrap(value) if self.bridge is not None else value

    def rest_client(self, *, host: str, max_body_size: int | None = 1 << 30, **options: Any) -> Any:
        """A REST client for a plain http server at ``host`` (no credentials)."""
        if self.bridge is None:
            return RESTClient(SessionTransport(max_body_size=max_body_size), host=host, **options)
        from kubeset.rest.aio import AsyncRESTClient
        from kubeset.transport.aiosession import AsyncTransport

        transport = AsyncTransport(Config(host=host))
        transport.max_body_size = max_body_size
        rest = AsyncRESTClient(transport, host=host, **options)
        self._async_clients.append(rest)
        return self.bridge.wrap(rest)

    def close(self) -> None:
        if self.bridge is not None:
            for rest in self._async_clients:
                self.bridge.run(rest.aclose())
            self.bridge.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
