"""Fixtures of the stream tests: the in-process channel-protocol server and a clientset on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kubeset.config import Config
from kubeset.kubernetes import Clientset
from kubeset.kubernetes.clients.core_v1 import PodsClient

from .wsserver import StreamServer


@pytest.fixture
def server() -> Iterator[StreamServer]:
    srv = StreamServer()
    yield srv
    srv.close()


def pods_of(url: str, **config: object) -> PodsClient:
    return Clientset(Config(host=url, **config)).core_v1.pods("default")  # type: ignore[arg-type]


@pytest.fixture
def pods(server: StreamServer) -> PodsClient:
    return pods_of(server.url)
