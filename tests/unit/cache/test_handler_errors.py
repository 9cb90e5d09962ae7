"""A failing event handler is counted and logged once per exception type, then with a rate limit."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from kubeset.cache import EventHandlers, HandlerErrors, SharedInformerFactory
from kubeset.clock import FakeClock
from kubeset.testing import FakeTransport

LIVENESS = 30.0


def test_the_first_failure_of_a_type_is_traced_then_one_line_per_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    errors = HandlerErrors("h", clock=clock, interval=30)
    caplog.set_level(logging.ERROR, logger="kubeset.cache")
    for _ in range(1000):
        errors.record(KeyError("spec"), "add")
    errors.record(ValueError("bad"), "update")  # another type: traced too
    assert errors.total == 1001 and errors.by_type == {"KeyError": 1000, "ValueError": 1}
    assert len(caplog.records) == 2
    assert all(r.exc_info is not None for r in caplog.records)
    clock.step(29)
    errors.record(KeyError("spec"), "add")
    assert len(caplog.records) == 2  # within the interval: counted only
    clock.step(1)
    errors.record(KeyError("spec"), "delete")
    assert len(caplog.records) == 3
    last = caplog.records[-1]
    assert last.exc_info is None and "1000 more such failures" in last.getMessage()
    assert "KeyError" in last.getMessage() and "on delete" in last.getMessage()


def test_an_informer_counts_each_handlers_failures_and_goes_on(
    kube_fake: FakeTransport, caplog: pytest.LogCaptureFixture
) -> None:
    cs = kube_fake.clientset()
    cms = cs.core_v1.config_maps("default")
    for i in range(50):
        cms.create({"metadata": {"name": f"c{i}"}})
    seen: list[str] = []

    def faulty(obj: Any, _initial: bool) -> None:
        raise RuntimeError("handler bug")

    factory = SharedInformerFactory(namespace="default")
    informer = factory.informer_for(cs.core_v1.config_maps)
    bad = informer.add_event_handler(EventHandlers[Any](on_add=faulty))
    good = informer.add_event_handler(
        EventHandlers[Any](on_add=lambda obj, _: seen.append(obj.metadata.name))
    )
    caplog.set_level(logging.ERROR, logger="kubeset.cache")
    factory.start()
    try:
        assert factory.wait_for_cache_sync(timeout=LIVENESS)
        deadline = time.monotonic() + LIVENESS
        while not (bad.has_synced() and good.has_synced()) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert bad.errors.total == 50 and bad.errors.by_type == {"RuntimeError": 50}
        assert good.errors.total == 0 and len(seen) == 50
        assert informer.handler_errors() == 50
        failures = [r for r in caplog.records if "failed" in r.getMessage()]
        assert len(failures) == 1  # one traceback, not fifty
    finally:
        factory.shutdown()
