"""The behaviour suite's backends and helpers (imported by its tests; fixtures in conftest.py).

    def test_something(backend: Backend, ns: str) -> None:
        backend.cs.core_v1.config_maps(ns).create(...)      # the real server or the fake
        eventually(lambda: ...)                            # controllers of the real one are async

What the fake does not do is listed ONCE, in :data:`UNSUPPORTED` (test name -> reason): those
tests are marked ``xfail(strict=True)`` for the fake only (see conftest.py), so the list cannot
drift (a fixed one fails as XPASS); :data:`DIFFERENCES` are the differential test's tolerated
differences (one that no longer occurs fails that test).  The README's "Testing your
controller" section shows both.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from kubeset import errors
from kubeset.testing import FakeTransport

__all__ = ["ASYNC_NOT_YET", "DIFFERENCES", "UNSUPPORTED", "Backend", "Difference", "eventually"]

UNSUPPORTED: dict[str, str] = {
    "test_builtin_defaults": "built-in defaulting (the SetDefaults_* functions) is not done;"
    " only CRD structural defaults are applied",
    "test_scheduled_pod_deletion_is_graceful": "deletion is immediate unless finalizers hold it;"
    " graceful deletion of pods bound to a node is not modelled",
}
"""Behaviour tests the fake is known to fail (test function name -> why). Keep in one place."""

_STREAMS = "exec/attach/port-forward are sync only (asyncio: not yet)"
ASYNC_NOT_YET: dict[str, str] = {
    "test_exec_into_a_missing_pod_is_not_found": _STREAMS,
}
"""Behaviour tests that use what the asyncio clients do not offer yet (test name -> what)."""


@dataclass(frozen=True)
class Difference:
    """A difference the differential test (tests/e2e/test_fake_differential_e2e.py) finds and
    the fake keeps: ``pattern`` (a regular expression) matches its description."""

    reason: str
    pattern: str


DIFFERENCES: dict[str, Difference] = {
    "fieldsv1_whole_members": Difference(
        "managedFields: which maps, lists and structs a manager owns as a whole (the `.` members"
        " of fieldsV1) follows Go's zero values (pointer or struct, omitempty), which the OpenAPI"
        " spec does not carry; the fake marks maps and list items, and drops a list emptied by"
        " a patch from its owner's set (the differential test compares fieldsV1 without `.`)",
        r"/managedFields/\d+/fieldsV1/.*: keys \['f:\w+'\] vs \[\]$",
    ),
}
"""Differences from kube-apiserver the differential test tolerates (name -> why and how to
recognise it); README's "Not supported" list shows them with :data:`UNSUPPORTED`."""

T = TypeVar("T")
CHURN_SECONDS = 300.0  # at most this long to outlive the real server's watch cache window


@dataclass
class Backend:
    """One API server for a test: its Clientset and what only some backends can do."""

    name: str  # "apiserver", "fake", "apiserver-aio" or "fake-aio"
    cs: Any  # kubeset.kubernetes.Clientset (or an AsyncClientset seen through the test bridge)
    fake: FakeTransport | None = None
    cleanup: list[Callable[[], None]] = field(default_factory=list)
    bridge: Any = None  # the -aio backends: the AsyncBridge their clients are seen through

    @property
    def rest(self) -> Any:
        """The clientset's REST client itself (an AsyncRESTClient on the -aio backends)."""
        rest = self.cs.rest
        return getattr(rest, "target", rest)

    def wrap(self, client: Any) -> Any:
        """A client made by hand from :attr:`rest`, seen as the test sees ``cs``'s clients."""
        return self.bridge.wrap(client) if self.bridge is not None else client

    def expire(self, namespace: str, resource_version: str) -> None:
        """Make configmap watches from ``resource_version`` get 410 Expired.

        The fake compacts on demand.  The real server's etcd compacts every 5 minutes, but its
        watch cache keeps only a window of recent events per resource (it grows while events
        are younger than about 75 s): configmap writes spread over time push the version out.
        Probed every few seconds, up to CHURN_SECONDS; a server still holding it is a skip.
        """
        if self.fake is not None:
            self.fake.cluster.compact()
            return
        cms = self.cs.core_v1.config_maps(namespace)
        cms.create({"metadata": {"name": "churn"}})
        started, i = time.monotonic(), 0
        while time.monotonic() - started < CHURN_SECONDS:
            for _ in range(20):
                i += 1
                cms.patch("churn", {"data": {"n": str(i)}})
                time.sleep(0.2)
            try:
                with cms.watch(resource_version=resource_version, timeout_seconds=1) as w:
                    list(w)
            except errors.Expired:
                return
        pytest.skip(f"the real server's watch cache still held it after {CHURN_SECONDS:.0f} s")

    def namespace(self) -> str:
        """A fresh namespace with its "default" service account, deleted after the test."""
        name = f"b-{uuid.uuid4().hex[:8]}"
        self.cs.core_v1.namespaces().create({"metadata": {"name": name}})
        self.cleanup.append(lambda: _quietly(lambda: self.cs.core_v1.namespaces().delete(name)))
        eventually(lambda: self.cs.core_v1.service_accounts(name).get("default"))
        return name


def _quietly(call: Callable[[], object]) -> None:
    try:
        call()
    except errors.NotFound:
        pass


def eventually(check: Callable[[], T], timeout: float = 30.0) -> T:
    """``check()``'s value once it stops raising (AssertionError, an ApiError, or NoMatchError:
    a new CRD reaches discovery a moment later): controllers of the real server act
    asynchronously."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except (AssertionError, errors.ApiError, errors.NoMatchError, pytest.fail.Exception):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
