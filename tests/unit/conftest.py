from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakeapi.clients import Clientset
from fakeapi.fakeserver import FakeApiServer
from kubeset.rest import RESTClient, SessionTransport


@pytest.fixture
def server() -> Iterator[FakeApiServer]:
    srv = FakeApiServer()
    srv.add_kind(
        "/api/v1",
        "pods",
        "Pod",
        True,
        "status",
        "eviction",
        "binding",
        "ephemeralcontainers",
        "resize",
        "log",
    )
    srv.add_kind("/api/v1", "configmaps", "ConfigMap", True)
    srv.add_kind("/api/v1", "events", "Event", True)
    srv.add_kind("/api/v1", "serviceaccounts", "ServiceAccount", True, "token")
    srv.add_kind("/api/v1", "nodes", "Node", False, "status")
    srv.add_kind("/api/v1", "namespaces", "Namespace", False, "status", "finalize")
    srv.add_kind("/apis/apps/v1", "deployments", "Deployment", True, "status", "scale")
    srv.add_kind("/apis/coordination.k8s.io/v1", "leases", "Lease", True)
    srv.add_kind(
        "/apis/certificates.k8s.io/v1",
        "certificatesigningrequests",
        "CertificateSigningRequest",
        False,
        "approval",
        "status",
    )
    srv.add_kind(
        "/apis/example.com/v1", "widgets", "Widget", True, "status", "scale", strategic=False
    )
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def rest(server: FakeApiServer) -> Iterator[RESTClient]:
    client = RESTClient(SessionTransport(), host=server.url, timeout=5.0, backoff_base=0.01)
    yield client
    client.close()


@pytest.fixture
def cs(rest: RESTClient) -> Clientset:
    return Clientset(rest)
