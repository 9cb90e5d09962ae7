"""The pytest plugin: a fresh fake cluster per test, as the ``kube_fake`` fixture.

    def test_reconcile(kube_fake):               # kubeset.testing.FakeTransport
        cs = kube_fake.clientset()
        cs.core_v1.config_maps("default").create({"metadata": {"name": "c"}})
        assert kube_fake.cluster.get(kube_fake.cluster.kind("", "v1", "configmaps"), "default", "c")

Installed with kubeset (``[project.entry-points.pytest11] kubeset = "kubeset.testing.fixture"``),
so there is nothing to import or configure. ``kube_clientset`` is ``kube_fake.clientset()``;
``kube_async_clientset`` is ``kube_fake.async_clientset()``, the asyncio clientset over the same
cluster, for async tests under any runner (pytest-asyncio, anyio, or ``asyncio.run``)::

    async def test_reconcile_async(kube_async_clientset):
        pods = kube_async_clientset.core_v1.pods("default")
        assert (await pods.list()).items == []
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from .transport import FakeTransport

if TYPE_CHECKING:
    from kubeset.kubernetes.clientset import AsyncClientset, Clientset

__all__ = ["kube_async_clientset", "kube_clientset", "kube_fake"]


@pytest.fixture
def kube_fake() -> Iterator[FakeTransport]:
    """A new in-memory cluster (namespaces default, kube-system, ...) behind a FakeTransport."""
    with FakeTransport() as fake:
        yield fake


@pytest.fixture
def kube_clientset(kube_fake: FakeTransport) -> Clientset:
    """The generated ``kubeset.kubernetes.Clientset`` talking to ``kube_fake``."""
    return kube_fake.clientset()


@pytest.fixture
def kube_async_clientset(kube_fake: FakeTransport) -> AsyncClientset:
    """The generated ``kubeset.kubernetes.AsyncClientset`` talking to ``kube_fake``."""
    return kube_fake.async_clientset()
