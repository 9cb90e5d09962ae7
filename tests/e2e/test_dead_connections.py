"""Dead and cut connections to the real kube-apiserver, through a fault-injecting TCP proxy.

A watch whose connection goes silent (the proxy keeps it open and forwards nothing) is detected
within ``watch_idle_timeout`` and raises ``ConnectionLost``; resuming from its resourceVersion
loses nothing.  A GET whose connection is reset before the answer is sent again; a GET that
gets no answer ends at the call's deadline.  Each test bounds the time the failure took.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import kubeset
import pytest
from faultproxy import FaultProxy
from kube_apiserver import ApiServer
from kubeset import errors
from kubeset.rest import RESTClient

pytestmark = pytest.mark.e2e


@pytest.fixture
def proxy(apiserver: ApiServer) -> Iterator[FaultProxy]:
    with FaultProxy.to(apiserver.server) as p:
        yield p


def _clientset(apiserver: ApiServer, port: int | None = None, **rest_options: Any) -> Any:
    from kubeset.kubernetes import Clientset

    config = kubeset.load_kubeconfig(apiserver.kubeconfig)
    if port is not None:
        config = config.copy(host=f"https://127.0.0.1:{port}")
    return Clientset(RESTClient(config, **rest_options))


@pytest.fixture(scope="module")
def direct(apiserver: ApiServer) -> Iterator[Any]:
    with _clientset(apiserver) as cs:
        yield cs


@pytest.fixture(scope="module")
def ns(direct: Any) -> Iterator[str]:
    name = f"dead-{uuid.uuid4().hex[:6]}"
    direct.core_v1.namespaces().create({"metadata": {"name": name}})
    yield name
    direct.core_v1.namespaces().delete(name)


def test_silent_watch_is_detected_and_resumes_without_loss(
    apiserver: ApiServer, proxy: FaultProxy, direct: Any, ns: str
) -> None:
    maps = direct.core_v1.config_maps(ns)
    maps.create({"metadata": {"name": "before"}})
    with _clientset(apiserver, proxy.port, watch_idle_timeout=3.0) as cs:
        watch = cs.core_v1.config_maps(ns).watch(resource_version="0")
        seen = [next(watch)]
        assert seen[0].type == "ADDED" and seen[0].object.metadata.name == "before"
        proxy.blackhole()
        maps.create({"metadata": {"name": "during"}})  # happens while the watch hears nothing
        started = time.monotonic()
        with pytest.raises(errors.ConnectionLost) as info:
            seen.extend(watch)
        took = time.monotonic() - started
        assert isinstance(info.value, errors.KubesetError)
        assert took < 10, f"the dead watch took {took:.1f} s to notice"
        assert "presumed dead" in str(info.value)
        resume = watch.resource_version
        assert resume is not None
        proxy.forward()
        # (without bookmarks: this test's 3 s idle limit is below the server's bookmark period)
        again = cs.core_v1.config_maps(ns).watch(
            resource_version=resume, timeout_seconds=5, allow_watch_bookmarks=False
        )
        with again as w:
            names = [e.object.metadata.name for e in w if e.type == "ADDED"]
        assert names == ["during"]


def test_get_reset_before_the_answer_is_sent_again(
    apiserver: ApiServer, proxy: FaultProxy, ns: str
) -> None:
    with _clientset(apiserver, proxy.port) as cs:
        maps = cs.core_v1.config_maps(ns)
        maps.list()  # connection up
        proxy.blackhole()
        connections = proxy.connections

        def cut_then_forward() -> None:
            time.sleep(0.5)
            proxy.cut()
            proxy.forward()

        threading.Thread(target=cut_then_forward, daemon=True).start()
        started = time.monotonic()
        assert maps.list().items is not None  # the retry succeeded
        assert time.monotonic() - started < 10
        assert proxy.connections > connections  # on a new connection


def test_get_without_an_answer_ends_at_the_deadline(
    apiserver: ApiServer, proxy: FaultProxy, ns: str
) -> None:
    with _clientset(apiserver, proxy.port, timeout=2.0) as cs:
        maps = cs.core_v1.config_maps(ns)
        maps.list()
        proxy.blackhole()
        started = time.monotonic()
        with pytest.raises(errors.RequestTimeout) as info:
            maps.list()
        assert isinstance(info.value, errors.KubesetError)
        assert time.monotonic() - started < 4


def test_create_reset_before_the_answer_is_not_sent_again(
    apiserver: ApiServer, proxy: FaultProxy, direct: Any, ns: str
) -> None:
    with _clientset(apiserver, proxy.port) as cs:
        maps = cs.core_v1.config_maps(ns)
        maps.list()
        proxy.blackhole()
        connections = proxy.connections
        threading.Timer(0.5, proxy.cut).start()
        started = time.monotonic()
        with pytest.raises(errors.ConnectionLost) as info:
            maps.create({"metadata": {"name": "cut-create"}})
        assert isinstance(info.value, errors.KubesetError)
        assert time.monotonic() - started < 5
        assert proxy.connections == connections  # no second attempt
