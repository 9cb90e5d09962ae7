"""--cluster against a small local HTTP server: /openapi/v3 per group version preferred, /openapi/v2
when the server has no v3, --group errors.  (The real kube-apiserver: tests/e2e/.)"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubeset.codegen.errors import GenError
from kubeset.codegen.loader import load

THING = {
    "type": "object",
    "properties": {"name": {"type": "string"}},
    "x-kubernetes-group-version-kind": [{"group": "example.com", "version": "v1", "kind": "Thing"}],
}
PODLIKE = {
    "type": "object",
    "properties": {"spec": {"$ref": "#/components/schemas/io.k8s.api.core.v1.PodSpec"}},
    "x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "Pod"}],
}


def _v3(schemas: dict[str, Any], paths: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.36.5"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def _op(kind: dict[str, str]) -> dict[str, Any]:
    return {
        "get": {
            "x-kubernetes-action": "list",
            "x-kubernetes-group-version-kind": kind,
            "responses": {"200": {"description": "OK"}},
        }
    }


V3 = {
    "/openapi/v3": {
        "paths": {
            "apis/example.com/v1": {"serverRelativeURL": "/openapi/v3/apis/example.com/v1?hash=A"},
            "api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=B"},
            "version": {"serverRelativeURL": "/openapi/v3/version?hash=C"},
        }
    },
    "/openapi/v3/apis/example.com/v1": _v3(
        {"com.example.v1.Thing": THING},
        {
            "/apis/example.com/v1/namespaces/{namespace}/things": _op(
                {"group": "example.com", "version": "v1", "kind": "Thing"}
            )
        },
    ),
    "/openapi/v3/api/v1": _v3(
        {"io.k8s.api.core.v1.Pod": PODLIKE, "io.k8s.api.core.v1.PodSpec": {"type": "object"}},
        {"/api/v1/namespaces/{namespace}/pods": _op({"group": "", "version": "v1", "kind": "Pod"})},
    ),
    "/version": {"gitVersion": "v1.36.5"},
}
V2_ONLY = {
    "/openapi/v2": {
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": "v1.20.0"},
        "paths": {},
        "definitions": {
            "io.example.v1.Old": {"type": "object", "properties": {"a": {"type": "string"}}}
        },
    },
    "/version": {"gitVersion": "v1.20.0"},
}


@pytest.fixture()
def server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Path, list[str]]]:
    routes: dict[str, Any] = request.param
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            body = routes.get(self.path.split("?", 1)[0])
            data = (
                json.dumps(body).encode() if body is not None else b'{"kind":"Status","code":404}'
            )
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *a: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "fake",
                "clusters": [
                    {
                        "name": "c",
                        "cluster": {"server": f"http://127.0.0.1:{httpd.server_address[1]}"},
                    }
                ],
                "users": [{"name": "u", "user": {}}],
                "contexts": [{"name": "fake", "context": {"cluster": "c", "user": "u"}}],
            }
        )
    )
    try:
        yield kubeconfig, seen
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("server", [V3], indirect=True)
def test_v3_documents_are_read_per_group_version_and_merged(server: tuple[Path, list[str]]) -> None:
    kubeconfig, seen = server
    loaded = load(cluster=True, kubeconfig=str(kubeconfig))
    assert "/openapi/v2" not in seen
    assert {"/openapi/v3/apis/example.com/v1?hash=A", "/openapi/v3/api/v1?hash=B"} <= set(seen)
    assert "/openapi/v3/version?hash=C" not in seen  # not a group version
    assert set(loaded.doc["components"]["schemas"]) == {
        "com.example.v1.Thing",
        "io.k8s.api.core.v1.Pod",
        "io.k8s.api.core.v1.PodSpec",
    }
    assert loaded.cluster is not None and (
        loaded.cluster.context,
        loaded.cluster.server_version,
    ) == ("fake", "v1.36.5")


@pytest.mark.parametrize("server", [V3], indirect=True)
def test_group_reads_only_that_group_and_rebuilds_its_crds(server: tuple[Path, list[str]]) -> None:
    kubeconfig, seen = server
    loaded = load(cluster=True, kubeconfig=str(kubeconfig), groups=("example.com",))
    assert "/openapi/v3/api/v1?hash=B" not in seen
    assert "com.example.v1.Thing" in loaded.doc["definitions"]  # named as the CRD manifest names it
    assert loaded.doc["definitions"]["com.example.v1.Thing"]["properties"]["metadata"][
        "$ref"
    ].endswith("ObjectMeta")
    assert loaded.cluster is not None and loaded.cluster.groups == ("example.com",)


@pytest.mark.parametrize("server", [V3], indirect=True)
def test_group_errors_name_the_problem(server: tuple[Path, list[str]]) -> None:
    kubeconfig, _ = server
    with pytest.raises(
        GenError, match=r"serves none of the groups nope.io \(served: core, example.com\)"
    ):
        load(cluster=True, kubeconfig=str(kubeconfig), groups=("nope.io",))
    with pytest.raises(GenError, match="not served by a CustomResourceDefinition"):
        load(cluster=True, kubeconfig=str(kubeconfig), groups=("core",))
    with pytest.raises(GenError, match="--group goes with --cluster"):
        load(spec="x.yaml", groups=("example.com",))


@pytest.mark.parametrize("server", [V2_ONLY], indirect=True)
def test_without_v3_the_aggregated_v2_is_read(server: tuple[Path, list[str]]) -> None:
    kubeconfig, seen = server
    loaded = load(cluster=True, kubeconfig=str(kubeconfig))
    assert seen[:2] == ["/openapi/v3", "/openapi/v2"]
    assert "io.example.v1.Old" in loaded.doc["definitions"]
    assert loaded.cluster is not None and loaded.cluster.server_version == "v1.20.0"
