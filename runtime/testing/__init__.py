"""kubeset.testing: an in-memory Kubernetes API server for your tests, behind the Transport seam.

    from kubeset.testing import FakeTransport

    fake = FakeTransport()                      # in process, no sockets
    cs = fake.clientset()                       # the real typed clients
    cs.core_v1.namespaces().create({"metadata": {"name": "team"}})
    cs.core_v1.config_maps("team").create({"metadata": {"name": "c"}, "data": {"k": "v"}})
    fake.cluster.compact()                      # older watches -> 410 Expired

With pytest the ``kube_fake`` fixture (installed as a plugin) gives a fresh one per test.
- :mod:`.cluster`: :class:`FakeCluster`, the store and the verbs' semantics.
- :mod:`.transport`: :class:`FakeTransport`, HTTP routing, faults, reactors, recorded requests.
- :mod:`.record`: the request record (:class:`Call`) and ``assert_writes(Write(...))``.
- :mod:`.faults`: :class:`Fault` rules (429/5xx with Retry-After, slow answers, dropped, silent
  or expired watches, expired continue tokens), scoped by verb, resource and namespace.
- :mod:`.selectors`, :mod:`.patch`, :mod:`.apply`, :mod:`.watch`, :mod:`.gc`: the parts.
- :mod:`.server`: the same over HTTP on 127.0.0.1 (for kubectl or a subprocess).
"""

from __future__ import annotations

from .cluster import DeleteOptions, FakeCluster, ListOptions, WriteOptions
from .faults import Fault, WatchShape
from .record import Call, UnexpectedWrites, Write
from .transport import Action, FakeTransport, Reactor

__all__ = [
    "Action",
    "Call",
    "DeleteOptions",
    "FakeCluster",
    "FakeTransport",
    "Fault",
    "ListOptions",
    "Reactor",
    "UnexpectedWrites",
    "WatchShape",
    "Write",
    "WriteOptions",
]
