"""The behaviour suite's backends: the real kube-apiserver of tests/e2e and kubeset.testing's fake.

Every test takes ``backend`` and runs four times: ``[apiserver]`` and ``[fake]`` through the sync
clients, ``[apiserver-aio]`` and ``[fake-aio]`` through the asyncio ones (the same test body: the
``AsyncClientset`` is seen through a blocking bridge, tests/asyncbridge.py).  What the fake does
not do is listed ONCE, in :data:`backends.UNSUPPORTED` (test name -> reason): this file marks
those tests ``xfail(strict=True)`` for the fake only, so the list cannot drift (a fixed one
fails as XPASS). The README's "Testing your controller" section shows this list.  What the
asyncio clients do not offer yet is :data:`backends.ASYNC_NOT_YET` (skipped on the -aio backends).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import kubeset
import pytest
from asyncbridge import AsyncBridge
from backends import ASYNC_NOT_YET, UNSUPPORTED, Backend
from kube_apiserver import ApiServer
from kubeset.testing import FakeTransport


@pytest.fixture(scope="session")
def real_clientset(request: pytest.FixtureRequest) -> Iterator[Any]:
    server: ApiServer = request.getfixturevalue("apiserver")
    from kubeset.kubernetes import Clientset

    config = dataclasses.replace(kubeset.load_kubeconfig(server.kubeconfig), qps=-1)  # no limiter
    with Clientset(config) as cs:
        yield cs


@pytest.fixture(params=["apiserver", "fake", "apiserver-aio", "fake-aio"])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    bridge: AsyncBridge | None = None
    if request.param == "apiserver":
        found = Backend("apiserver", request.getfixturevalue("real_clientset"))
    elif request.param == "fake":
        fake = FakeTransport()
        found = Backend("fake", fake.clientset(), fake=fake)
    else:
        from kubeset.kubernetes import AsyncClientset

        bridge = AsyncBridge()
        if request.param == "apiserver-aio":
            server: ApiServer = request.getfixturevalue("apiserver")
            config = dataclasses.replace(kubeset.load_kubeconfig(server.kubeconfig), qps=-1)
            found = Backend("apiserver-aio", bridge.wrap(AsyncClientset(config)), bridge=bridge)
        else:
            fake = FakeTransport()
            found = Backend(
                "fake-aio", bridge.wrap(fake.async_clientset()), fake=fake, bridge=bridge
            )
    try:
        yield found
    finally:
        for undo in reversed(found.cleanup):
            undo()
        if bridge is not None:
            found.cs.aclose()
            bridge.close()


@pytest.fixture
def ns(backend: Backend) -> str:
    return backend.namespace()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        which = callspec.params.get("backend") if callspec is not None else None
        if which in ("apiserver", "apiserver-aio"):
            item.add_marker(pytest.mark.e2e)
        name = getattr(item, "originalname", item.name)
        if which in ("fake", "fake-aio") and name in UNSUPPORTED:
            item.add_marker(pytest.mark.xfail(strict=True, reason=UNSUPPORTED[name]))
        if which in ("apiserver-aio", "fake-aio") and name in ASYNC_NOT_YET:
            item.add_marker(pytest.mark.skip(reason=ASYNC_NOT_YET[name]))
