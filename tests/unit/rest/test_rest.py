"""RESTClient and its request builder over real HTTP against the fake server."""

from __future__ import annotations

import gzip
import json
import socket
import time

import pytest
from fakeapi.fakeserver import FakeApiServer, status
from fakeapi.models import ConfigMap, Pod, PodList
from kubeset import errors
from kubeset.rest import HTTPTransport, PatchType, RESTClient, SessionTransport
from kubeset.transport import HTTPRequest, Response


def _pod(name: str, ns: str = "default", **labels: str) -> dict[str, object]:
    return {
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {"containers": [{"name": "c", "image": "i"}]},
    }


def test_builder_paths(rest: RESTClient) -> None:
    core = rest.get().group_version("", "v1")
    assert (
        core.namespace("ns").resource("pods").name("a").subresource("log").path()
        == "/api/v1/namespaces/ns/pods/a/log"
    )
    assert (
        rest.get().group_version("apps", "v1").resource("deployments").path()
        == "/apis/apps/v1/deployments"
    )
    # a namespace without a resource is not a path segment (client-go does the same)
    assert rest.get().group_version("", "v1").namespace("x").path() == "/api/v1"
    assert rest.get().abs_path("/version").url() == rest.host + "/version"
    with pytest.raises(ValueError, match="may not contain '/'"):
        rest.get().name("a/b")
    with pytest.raises(ValueError, match="must not be empty"):
        rest.get().resource("")


def test_do_into_and_params(server: FakeApiServer, rest: RESTClient) -> None:
    server.put("/api/v1", "pods", _pod("a", app="web"))
    server.put("/api/v1", "pods", _pod("b", app="db"))
    req = (
        rest.get()
        .group_version("", "v1")
        .namespace("default")
        .resource("pods")
        .param("labelSelector", "app=web")
    )
    result = req.param("limit", 10).param("allowWatchBookmarks", True).param("skipped", None).do()
    assert result.status_code == 200
    pods = result.into(PodList)
    assert [p.metadata.name for p in pods.items or []] == ["a"]  # type: ignore[union-attr]
    q = server.requests[-1].query
    assert q == {"labelSelector": ["app=web"], "limit": ["10"], "allowWatchBookmarks": ["true"]}
    headers = server.requests[-1].headers
    assert headers["Accept"] == "application/json" and "gzip" in headers["Accept-Encoding"]
    assert result.json()["kind"] == "PodList"


def test_body_encoding_and_content_type(server: FakeApiServer, rest: RESTClient) -> None:
    created = (
        rest.post()
        .group_version("", "v1")
        .namespace("default")
        .resource("configmaps")
        .body(ConfigMap(metadata={"name": "c"}, data={"k": "v"}))
        .do()
        .into(ConfigMap)
    )  # type: ignore[arg-type]
    assert created.data == {"k": "v"}
    sent = server.requests[-1]
    assert sent.headers["Content-Type"] == "application/json"
    assert json.loads(sent.body) == {
        "metadata": {"name": "c"},
        "data": {"k": "v"},
    }  # only what was set
    rest.patch(PatchType.MERGE).group_version("", "v1").namespace("default").resource(
        "configmaps"
    ).name("c").body({"data": {"k": "w"}}).do()
    assert server.requests[-1].headers["Content-Type"] == "application/merge-patch+json"


def test_gzip_answer_is_decoded(server: FakeApiServer, rest: RESTClient) -> None:
    body = gzip.compress(json.dumps({"kind": "PodList", "items": [_pod("z")]}).encode())
    server.fail_next(
        200, body, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}
    )
    pods = rest.get().group_version("", "v1").resource("pods").do().into(PodList)
    assert pods.items and pods.items[0].metadata and pods.items[0].metadata.name == "z"


def test_not_found_names_the_object(rest: RESTClient) -> None:
    with pytest.raises(errors.NotFound) as info:
        rest.get().group_version("", "v1").namespace("default").resource("pods").name("ghost").do()
    err = info.value
    assert err.status_code == 404 and err.name == "ghost" and err.kind == "pods"
    assert 'pods "ghost" not found' in str(
        err
    ) and "GET /api/v1/namespaces/default/pods/ghost" in str(err)


def test_429_with_retry_after_is_retried_then_succeeds(
    server: FakeApiServer, rest: RESTClient
) -> None:
    server.put("/api/v1", "pods", _pod("a"))
    server.fail_next(
        429, status(429, "TooManyRequests", "slow down"), headers={"Retry-After": "1"}, count=2
    )
    started = time.monotonic()
    pod = (
        rest.get()
        .group_version("", "v1")
        .namespace("default")
        .resource("pods")
        .name("a")
        .do()
        .into(Pod)
    )
    assert pod.metadata and pod.metadata.name == "a"
    assert time.monotonic() - started >= 2.0  # Retry-After honoured twice
    assert len([r for r in server.requests if r.path.endswith("/pods/a")]) == 3


def test_post_is_retried_only_on_429_with_retry_after(
    server: FakeApiServer, rest: RESTClient
) -> None:
    req = lambda: rest.post().group_version("", "v1").namespace("default").resource("configmaps")
    server.fail_next(
        429, status(429, "TooManyRequests", "x"), headers={"Retry-After": "0"}, method="POST"
    )
    req().body({"metadata": {"name": "one"}}).do()
    assert [r.method for r in server.requests] == ["POST", "POST"]
    # 503 on a create is not retried: it may have been applied
    server.fail_next(503, status(503, "ServiceUnavailable", "etcd"), method="POST")
    with pytest.raises(errors.ServiceUnavailable):
        req().body({"metadata": {"name": "two"}}).do()
    assert [r.method for r in server.requests] == ["POST", "POST", "POST"]
    # 429 without Retry-After on a create is not retried either
    server.fail_next(429, status(429, "TooManyRequests", "x"), method="POST")
    with pytest.raises(errors.TooManyRequests):
        req().body({"metadata": {"name": "three"}}).do()
    assert len(server.requests) == 4


def test_get_is_retried_on_503_with_backoff_and_gives_up(
    server: FakeApiServer, rest: RESTClient
) -> None:
    server.fail_next(503, b"<html>unavailable</html>", count=100)
    with pytest.raises(errors.ServiceUnavailable, match="not a Kubernetes Status"):
        rest.get().group_version("", "v1").resource("pods").max_retries(3).do()
    assert len(server.requests) == 4  # 1 + 3 retries


def test_slow_server_hits_the_timeout_with_a_clear_error(
    server: FakeApiServer, rest: RESTClient
) -> None:
    server.delay_next(1.5)
    started = time.monotonic()
    with pytest.raises(errors.RequestTimeout) as info:
        rest.get().group_version("", "v1").resource("pods").timeout(0.3).do()
    assert time.monotonic() - started < 1.4
    text = str(info.value)
    assert "no answer within 0.3 s" in text and "/api/v1/pods" in text
    assert isinstance(info.value, TimeoutError)


def test_unreachable_server_is_a_connection_error() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    rest = RESTClient(
        SessionTransport(), host=f"http://user:secret@127.0.0.1:{port}", max_retries=0
    )
    with pytest.raises(errors.ApiConnectionError) as info:
        rest.get().abs_path("version").do()
    assert f"127.0.0.1:{port}/version" in str(info.value)
    assert "secret" not in str(info.value) and "secret" not in repr(rest)


def test_a_host_is_required_with_a_bare_transport() -> None:
    with pytest.raises(ValueError, match="needs the server URL"):
        RESTClient(SessionTransport())
    with pytest.raises(ValueError, match="no scheme"):
        RESTClient(SessionTransport(), host="10.0.0.1:6443")


def test_protocol_accepts_any_transport(server: FakeApiServer) -> None:
    calls: list[str] = []

    class Recording:
        def __init__(self) -> None:
            self.inner = SessionTransport()
            self.host = server.url

        def send(self, request: HTTPRequest) -> Response:
            calls.append(f"{request.method} {request.url}")
            return self.inner.send(request)

        def close(self) -> None:
            self.inner.close()

    transport = Recording()
    assert isinstance(transport, HTTPTransport)
    rest = RESTClient(transport)
    rest.get().abs_path("version").do()
    assert calls == [f"GET {server.url}/version"]


def test_result_is_status_for_delete(server: FakeApiServer, rest: RESTClient) -> None:
    server.put("/api/v1", "configmaps", {"metadata": {"name": "c", "namespace": "default"}})
    result = (
        rest.delete()
        .group_version("", "v1")
        .namespace("default")
        .resource("configmaps")
        .name("c")
        .do()
    )
    assert result.is_status() and result.json()["status"] == "Success"


def test_get_is_retried_after_a_dropped_connection_but_post_is_not(
    server: FakeApiServer, rest: RESTClient
) -> None:
    server.put("/api/v1", "configmaps", {"metadata": {"name": "c", "namespace": "default"}})
    server.drop_next(method="GET", count=2)
    got = (
        rest.get()
        .group_version("", "v1")
        .namespace("default")
        .resource("configmaps")
        .name("c")
        .do()
    )
    assert got.json()["metadata"]["name"] == "c"
    assert len(server.requests) == 3
    server.drop_next(method="POST")
    with pytest.raises(errors.ApiConnectionError, match="cannot reach the server"):
        rest.post().group_version("", "v1").namespace("default").resource("configmaps").body(
            {"metadata": {"name": "d"}}
        ).do()
    assert len(server.requests) == 4  # a create that may have been applied is never re-sent


def test_answer_that_does_not_decode_gives_a_clear_error(
    server: FakeApiServer, rest: RESTClient
) -> None:
    server.fail_next(200, {"kind": "Pod", "metadata": "not-an-object"})
    with pytest.raises(errors.DecodeError) as info:
        rest.get().group_version("", "v1").namespace("d").resource("pods").name("x").do().into(Pod)
    text = str(info.value)
    assert (
        "does not decode into Pod" in text
        and "metadata" in text
        and "GET /api/v1/namespaces/d/pods/x" in text
    )


def test_rest_client_from_a_config_uses_the_transport(server: FakeApiServer) -> None:
    from kubeset.config import Config

    secret = "s3cr3t-token-value"
    rest = RESTClient(Config(host=server.url, bearer_token=secret, timeout=3.0))
    assert rest.timeout == 3.0 and rest.host == server.url
    server.fail_next(401, status(401, "Unauthorized", "Unauthorized"))
    with pytest.raises(errors.Unauthorized) as info:
        rest.get().abs_path("version").do()
    assert server.requests[-1].headers["Authorization"] == f"Bearer {secret}"
    assert "User-Agent" in server.requests[-1].headers
    assert (
        secret not in str(info.value)
        and secret not in repr(info.value)
        and secret not in repr(rest)
    )
    assert rest.get().abs_path("version").do().json()["gitVersion"] == "v1.36.0-fake"
    rest.close()


def test_compression_is_requested_unless_the_config_disables_it(server: FakeApiServer) -> None:
    from kubeset.config import Config

    with RESTClient(Config(host=server.url)) as rest:
        rest.get().abs_path("version").do()
    assert "gzip" in server.requests[-1].headers["Accept-Encoding"]
    with RESTClient(Config(host=server.url, disable_compression=True)) as rest:
        rest.get().abs_path("version").do()
    assert server.requests[-1].headers["Accept-Encoding"] == "identity"


def test_requests_and_retries_are_logged_without_secrets(
    server: FakeApiServer, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from kubeset.config import Config

    secret = "log-secret-token"
    server.fail_next(503, status(503, "ServiceUnavailable", "busy"), headers={"Retry-After": "0"})
    with (
        caplog.at_level(logging.DEBUG, logger="kubeset.rest"),
        RESTClient(Config(host=server.url, bearer_token=secret)) as rest,
    ):
        rest.get().abs_path("version").param("labelSelector", "a=b").do()
    messages = [r.getMessage() for r in caplog.records if r.name == "kubeset.rest"]
    assert messages[0].startswith("GET /version 503 in ")
    assert messages[1] == "GET /version: 503, retrying in 0.00s (attempt 1 of 5)"
    assert messages[2].startswith("GET /version 200 in ")
    assert not any(secret in m for m in messages)
