"""The behaviour suite's backends: the real kube-apiserver of tests/e2e and kubeset.testing's fake.

Every test takes ``backend`` and runs twice, ``[apiserver]`` and ``[fake]``. What the fake does
not do is listed ONCE, in :data:`backends.UNSUPPORTED` (test name -> reason): this file marks
those tests ``xfail(strict=True)`` for the fake only, so the list cannot drift (a fixed one
fails as XPASS). The README's "Testing your controller" section shows this list.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import kubeset
import pytest
from backends import UNSUPPORTED, Backend
from kube_apiserver import ApiServer
from kubeset.testing import FakeTransport


@pytest.fixture(scope="session")
def real_clientset(request: pytest.FixtureRequest) -> Iterator[Any]:
    server: ApiServer = request.getfixturevalue("apiserver")
    from kubeset.kubernetes import Clientset

    config = dataclasses.replace(kubeset.load_kubeconfig(server.kubeconfig), qps=-1)  # no limiter
    with Clientset(config) as cs:
        yield cs


@pytest.fixture(params=["apiserver", "fake"])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    if request.param == "apiserver":
        found = Backend("apiserver", request.getfixturevalue("real_clientset"))
    else:
        fake = FakeTransport()
        found = Backend("fake", fake.clientset(), fake=fake)
    try:
        yield found
    finally:
        for undo in reversed(found.cleanup):
            undo()


@pytest.fixture
def ns(backend: Backend) -> str:
    return backend.namespace()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        which = callspec.params.get("backend") if callspec is not None else None
        if which == "apiserver":
            item.add_marker(pytest.mark.e2e)
        name = getattr(item, "originalname", item.name)
        if which == "fake" and name in UNSUPPORTED:
            item.add_marker(pytest.mark.xfail(strict=True, reason=UNSUPPORTED[name]))
