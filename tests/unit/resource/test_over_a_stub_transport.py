"""Typed clients, watches and log streams run unchanged over any transport: here a function,
with sockets forbidden for the whole test."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest
from kubeset import errors
from kubeset.kubernetes import Clientset
from kubeset.kubernetes.models.core.v1 import ConfigMap
from kubeset.kubernetes.models.meta.v1 import ObjectMeta
from kubeset.rest import RESTClient
from kubeset.transport import HTTPRequest, MockTransport, Response

JSON = {"Content-Type": "application/json"}


@pytest.fixture(autouse=True)
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def _cm(name: str, rv: str) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "default", "resourceVersion": rv},
        "data": {"k": name},
    }


def _clientset(handler: MockTransport) -> Clientset:
    return Clientset(RESTClient(handler, host="http://stub", sleep=lambda s: None))


def test_verbs_build_the_requests_client_go_sends() -> None:
    def handler(req: HTTPRequest) -> Response:
        if req.method == "POST":
            body = json.loads(req.body or b"{}")
            body["metadata"]["resourceVersion"] = "1"
            return Response(201, JSON, json.dumps(body).encode())
        if req.method == "GET" and req.url.endswith("/configmaps"):
            items = [_cm("a", "1"), _cm("b", "2")]
            return Response(
                200, JSON, json.dumps({"kind": "ConfigMapList", "items": items}).encode()
            )
        if req.method == "PATCH":
            return Response(200, JSON, json.dumps(_cm("a", "3")).encode())
        return Response(
            404, JSON, json.dumps({"kind": "Status", "code": 404, "reason": "NotFound"}).encode()
        )

    transport = MockTransport(handler)
    cms = _clientset(transport).core_v1.config_maps("default")
    created = cms.create(ConfigMap(metadata=ObjectMeta(name="a"), data={"k": "a"}), dry_run=True)
    assert isinstance(created, ConfigMap) and created.metadata is not None
    assert created.metadata.resource_version == "1"
    assert [c.metadata.name for c in cms.list(label_selector="x=y").items if c.metadata] == [
        "a",
        "b",
    ]
    assert cms.patch_with("a", {"data": {"k": "v"}}).metadata.resource_version == "3"
    with pytest.raises(errors.NotFound):
        cms.get("missing")
    sent = [(r.method, r.url, r.params) for r in transport.requests]
    assert sent == [
        ("POST", "http://stub/api/v1/namespaces/default/configmaps", (("dryRun", "All"),)),
        ("GET", "http://stub/api/v1/namespaces/default/configmaps", (("labelSelector", "x=y"),)),
        ("PATCH", "http://stub/api/v1/namespaces/default/configmaps/a", ()),
        ("GET", "http://stub/api/v1/namespaces/default/configmaps/missing", ()),
    ]
    assert transport.requests[2].headers["content-type"] == "application/merge-patch+json"


def test_a_get_is_retried_after_503_and_a_lost_connection() -> None:
    answers: list[Response | errors.KubesetError] = [
        Response(503, JSON, b'{"kind":"Status","code":503}'),
        errors.ConnectionLost("reset"),
        Response(200, JSON, json.dumps(_cm("a", "7")).encode()),
    ]

    def handler(req: HTTPRequest) -> Response:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    cm = _clientset(MockTransport(handler)).core_v1.config_maps("default").get("a")
    assert cm.metadata is not None and cm.metadata.resource_version == "7"
    assert answers == []


def test_watch_events_arrive_from_a_streamed_body_and_stop_wakes_the_reader() -> None:
    release = threading.Event()

    def body() -> Iterator[bytes]:
        event = {"type": "ADDED", "object": _cm("a", "5")}
        line = json.dumps(event).encode() + b"\n"
        yield line[:10]  # a line split across chunks
        yield line[10:]
        yield b'{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1",'
        yield b'"metadata":{"resourceVersion":"9"}}}\n'
        release.wait(10)  # the server is quiet until the watch is stopped

    def handler(req: HTTPRequest) -> Response:
        assert req.stream and req.param("watch") == "true"
        return Response(200, JSON, body(), abort=release.set)

    with _clientset(MockTransport(handler)).core_v1.config_maps("default").watch() as w:
        events = iter(w)
        first = next(events)
        assert first.type == "ADDED" and isinstance(first.object, ConfigMap)
        assert next(events).type == "BOOKMARK" and w.resource_version == "9"
        threading.Timer(0.05, w.stop).start()
        assert list(events) == []
    assert release.is_set()


def test_a_log_stream_reads_lines_over_the_seam() -> None:
    def handler(req: HTTPRequest) -> Response:
        assert req.url.endswith("/pods/web/log") and req.param("follow") == "true"
        return Response(200, {"Content-Type": "text/plain"}, iter([b"one\ntw", b"o\nthree"]))

    pods = _clientset(MockTransport(handler)).core_v1.pods("default")
    with pods.log_stream("web") as lines:
        assert list(lines) == ["one", "two", "three"]
