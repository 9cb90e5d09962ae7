"""``wait_for`` is driven by watches: one list, then a watch, however long it waits."""

from __future__ import annotations

import threading
import time

from kubeset.discovery import CachedDiscoveryClient, DiscoveryClient
from kubeset.dynamic import DynamicClient
from kubeset.dynamic.wait import wait_for
from kubeset.testing import FakeTransport


def test_a_long_wait_lists_once_and_watches() -> None:
    fake = FakeTransport()
    rest = fake.clientset().rest
    dyn = DynamicClient(rest, discovery=CachedDiscoveryClient(DiscoveryClient(rest), disk=False))
    cms = dyn.resource("", "v1", "configmaps").in_namespace("default")
    cm = cms.create({"metadata": {"name": "doomed"}})
    before = len(fake.requests)

    def later() -> None:
        time.sleep(1.5)  # a poller every fraction of a second would ask several times by now
        cms.delete("doomed")

    thread = threading.Thread(target=later, daemon=True)
    thread.start()
    [result] = wait_for(dyn, [cm], condition="delete", timeout=20)
    thread.join(5)
    assert result.ready and result.message == "deleted"
    asked = [
        r
        for r in fake.requests[before:]
        if r.url.endswith("/namespaces/default/configmaps") and r.method == "GET"
    ]
    watching = [r for r in asked if ("watch", "true") in r.params or ("watch", "1") in r.params]
    assert len(watching) == 1 and len(asked) == 2, [(r.method, r.params) for r in asked]
    assert ("fieldSelector", "metadata.name=doomed") in watching[0].params
