"""Smoke tests of the real kube-apiserver with plain `requests` (no kubeset runtime code).

They prove the e2e server is a complete, real v1.36 API server: version, health, discovery,
OpenAPI v2/v3, CRUD + watch with both the token user and the client-certificate user,
authentication (401) and RBAC authorization (403) for a service account token.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from kube_apiserver import ApiServer

pytestmark = pytest.mark.e2e

TIMEOUT = 30


def new_session(srv: ApiServer, auth: str) -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # REQUESTS_CA_BUNDLE would override Session.verify
    s.verify = str(srv.ca_file)
    if auth == "token":
        s.headers["Authorization"] = f"Bearer {srv.token}"
    elif auth == "client-cert":
        s.cert = srv.client_cert
    elif auth != "anonymous":
        raise ValueError(auth)
    return s


@pytest.fixture(scope="module")
def admin(apiserver: ApiServer) -> Iterator[requests.Session]:
    with new_session(apiserver, "token") as s:
        yield s


@pytest.fixture(params=["token", "client-cert"])
def user(
    request: pytest.FixtureRequest, apiserver: ApiServer
) -> Iterator[tuple[str, requests.Session]]:
    with new_session(apiserver, request.param) as s:
        yield request.param, s


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_version(apiserver: ApiServer, admin: requests.Session) -> None:
    r = admin.get(f"{apiserver.server}/version", timeout=TIMEOUT)
    assert r.status_code == 200, r.text
    info = r.json()
    assert re.fullmatch(r"v1\.36\.\d+", info["gitVersion"]), info
    assert (info["major"], info["minor"]) == ("1", "36")


def test_readyz_and_livez(apiserver: ApiServer, admin: requests.Session) -> None:
    # Anonymous access is allowed on these health endpoints (and /version) only.
    with new_session(apiserver, "anonymous") as anon:
        for path in ("/readyz", "/livez", "/healthz"):
            r = anon.get(f"{apiserver.server}{path}", params={"verbose": "1"}, timeout=TIMEOUT)
            assert r.status_code == 200, (path, r.text)
            assert "check passed" in r.text
        assert anon.get(f"{apiserver.server}/readyz/etcd", timeout=TIMEOUT).status_code == 401
    r = admin.get(f"{apiserver.server}/readyz/etcd", timeout=TIMEOUT)
    assert r.status_code == 200 and r.text == "ok"
    r = admin.get(f"{apiserver.server}/readyz", params={"verbose": "1"}, timeout=TIMEOUT)
    assert "[+]poststarthook/rbac/bootstrap-roles ok" in r.text


def served_group_versions(srv: ApiServer, s: requests.Session) -> set[str]:
    core = s.get(f"{srv.server}/api", timeout=TIMEOUT).json()
    assert core["kind"] == "APIVersions"
    groups = s.get(f"{srv.server}/apis", timeout=TIMEOUT).json()
    assert groups["kind"] == "APIGroupList"
    gvs = set(core["versions"])
    for g in groups["groups"]:
        gvs.update(v["groupVersion"] for v in g["versions"])
    return gvs


def test_discovery_serves_every_default_built_in_api(
    apiserver: ApiServer, admin: requests.Session, shared_dir: Path
) -> None:
    served = served_group_versions(apiserver, admin)
    # Other tests share this server and may have added CustomResourceDefinitions.
    r = admin.get(
        f"{apiserver.server}/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        timeout=TIMEOUT,
    )
    served -= {
        f"{crd['spec']['group']}/{v['name']}"
        for crd in r.json()["items"]
        for v in crd["spec"]["versions"]
    }
    spec = json.loads((shared_dir / "openapi/kubernetes/v1.36/swagger.json").read_text())
    in_spec = set()
    for path in spec["paths"]:
        m = re.match(r"^/apis/([^/]+/[^/]+)/", path) or re.match(r"^/api/(v1)/", path)
        if m:
            in_spec.add(m.group(1))
    # Everything the server serves is a v1.36 built-in API ...
    assert served <= in_spec, served - in_spec
    # ... every GA group version of v1.36 is served ...
    ga = {gv for gv in in_spec if not re.search(r"v\d+(alpha|beta)\d+$", gv)}
    assert ga <= served, ga - served
    # ... and no alpha API is (alpha needs --runtime-config; the defaults are used).
    assert not {gv for gv in served if "alpha" in gv}


def test_discovery_resources_and_aggregated(apiserver: ApiServer, admin: requests.Session) -> None:
    r = admin.get(f"{apiserver.server}/api/v1", timeout=TIMEOUT)
    resources = {x["name"]: x for x in r.json()["resources"]}
    assert resources["configmaps"]["namespaced"] is True
    assert {"create", "get", "list", "watch", "delete"} <= set(resources["configmaps"]["verbs"])
    assert "pods/log" in resources
    r = admin.get(f"{apiserver.server}/apis/apps/v1", timeout=TIMEOUT)
    assert "deployments/scale" in {x["name"] for x in r.json()["resources"]}
    # Aggregated discovery (apidiscovery.k8s.io/v2), what client-go asks for first.
    accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    r = admin.get(f"{apiserver.server}/apis", headers={"Accept": accept}, timeout=TIMEOUT)
    assert r.status_code == 200
    doc = r.json()
    assert doc["kind"] == "APIGroupDiscoveryList"
    assert "apps" in {g["metadata"]["name"] for g in doc["items"]}


def test_openapi_v2(apiserver: ApiServer, admin: requests.Session) -> None:
    r = admin.get(
        f"{apiserver.server}/openapi/v2", headers={"Accept": "application/json"}, timeout=120
    )
    assert r.status_code == 200
    doc = r.json()
    assert doc["swagger"] == "2.0"
    cm = doc["definitions"]["io.k8s.api.core.v1.ConfigMap"]
    assert {"data", "binaryData", "metadata"} <= set(cm["properties"])
    assert "/api/v1/namespaces/{namespace}/configmaps" in doc["paths"]
    assert len(doc["paths"]) > 300


def test_openapi_v3(apiserver: ApiServer, admin: requests.Session) -> None:
    r = admin.get(f"{apiserver.server}/openapi/v3", timeout=TIMEOUT)
    assert r.status_code == 200
    index = r.json()["paths"]
    assert {"api/v1", "apis/apps/v1", "apis/apiextensions.k8s.io/v1"} <= set(index)
    r = admin.get(f"{apiserver.server}{index['api/v1']['serverRelativeURL']}", timeout=120)
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    assert "io.k8s.api.core.v1.ConfigMap" in doc["components"]["schemas"]
    assert "/api/v1/namespaces/{namespace}/configmaps/{name}" in doc["paths"]


EXPECTED_USER = {"token": "kubeset-admin", "client-cert": "kubeset-cert-admin"}


def whoami(srv: ApiServer, s: requests.Session) -> dict[str, object]:
    body = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
    r = s.post(
        f"{srv.server}/apis/authentication.k8s.io/v1/selfsubjectreviews", json=body, timeout=TIMEOUT
    )
    assert r.status_code == 201, r.text
    info: dict[str, object] = r.json()["status"]["userInfo"]
    return info


def test_both_kubeconfig_users_authenticate(
    apiserver: ApiServer, user: tuple[str, requests.Session]
) -> None:
    auth, s = user
    info = whoami(apiserver, s)
    assert info["username"] == EXPECTED_USER[auth]
    assert "system:masters" in info["groups"]  # type: ignore[operator]


def test_configmap_create_get_list_watch_delete(
    apiserver: ApiServer, user: tuple[str, requests.Session]
) -> None:
    auth, s = user
    base = f"{apiserver.server}/api/v1/namespaces/default/configmaps"
    name = unique(f"smoke-{auth}")
    label = {"kubeset-e2e": name}

    r = s.get(base, params={"labelSelector": f"kubeset-e2e={name}"}, timeout=TIMEOUT)
    assert r.status_code == 200 and r.json()["items"] == []
    list_rv = r.json()["metadata"]["resourceVersion"]

    body = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "labels": label},
        "data": {"greeting": "hello"},
    }
    r = s.post(base, json=body, timeout=TIMEOUT)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["metadata"]["uid"] and created["data"] == {"greeting": "hello"}

    r = s.get(f"{base}/{name}", timeout=TIMEOUT)
    assert r.status_code == 200
    assert r.json()["metadata"]["uid"] == created["metadata"]["uid"]

    r = s.get(base, params={"labelSelector": f"kubeset-e2e={name}"}, timeout=TIMEOUT)
    assert [i["metadata"]["name"] for i in r.json()["items"]] == [name]

    # Watch from before the create: the ADDED event must arrive.
    events = watch(
        s,
        base,
        {"resourceVersion": list_rv, "fieldSelector": f"metadata.name={name}"},
        until=lambda e: e["type"] == "ADDED",
    )
    added = events[-1]
    assert added["object"]["metadata"]["name"] == name
    assert added["object"]["data"] == {"greeting": "hello"}

    r = s.delete(f"{base}/{name}", timeout=TIMEOUT)
    assert r.status_code == 200, r.text
    r = s.get(f"{base}/{name}", timeout=TIMEOUT)
    assert r.status_code == 404
    assert r.json()["reason"] == "NotFound"

    events = watch(
        s,
        base,
        {
            "resourceVersion": created["metadata"]["resourceVersion"],
            "fieldSelector": f"metadata.name={name}",
        },
        until=lambda e: e["type"] == "DELETED",
    )
    assert events[-1]["object"]["metadata"]["name"] == name


def watch(s: requests.Session, url: str, params: dict[str, str], until: object) -> list[dict]:  # type: ignore[type-arg]
    """Read watch events until `until(event)` is true (the server closes the watch after 20 s)."""
    seen: list[dict] = []  # type: ignore[type-arg]
    with s.get(
        url,
        params={**params, "watch": "true", "timeoutSeconds": "20"},
        stream=True,
        timeout=TIMEOUT,
    ) as r:
        assert r.status_code == 200, r.text
        for line in r.iter_lines():
            if not line:
                continue
            event = json.loads(line)
            seen.append(event)
            if until(event):  # type: ignore[operator]
                return seen
    pytest.fail(f"watch ended without the expected event; saw {[e['type'] for e in seen]}")


def test_request_without_credentials_is_401(apiserver: ApiServer) -> None:
    url = f"{apiserver.server}/api/v1/namespaces/default/configmaps"
    with new_session(apiserver, "anonymous") as anon:
        r = anon.get(url, timeout=TIMEOUT)
        assert r.status_code == 401
        assert r.json()["reason"] == "Unauthorized"
        r = anon.get(url, headers={"Authorization": "Bearer not-a-valid-token"}, timeout=TIMEOUT)
        assert r.status_code == 401


def test_unprivileged_service_account_is_403(apiserver: ApiServer, admin: requests.Session) -> None:
    ns_url = f"{apiserver.server}/api/v1/namespaces/default"
    name = unique("unprivileged")
    r = admin.post(
        f"{ns_url}/serviceaccounts",
        timeout=TIMEOUT,
        json={"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name}},
    )
    assert r.status_code == 201, r.text
    try:
        r = admin.post(
            f"{ns_url}/serviceaccounts/{name}/token",
            timeout=TIMEOUT,
            json={
                "apiVersion": "authentication.k8s.io/v1",
                "kind": "TokenRequest",
                "spec": {"expirationSeconds": 600},
            },
        )
        assert r.status_code == 201, r.text
        sa_token = r.json()["status"]["token"]
        with new_session(apiserver, "anonymous") as sa:
            sa.headers["Authorization"] = f"Bearer {sa_token}"
            # Authenticated (the token is valid) ...
            assert whoami(apiserver, sa)["username"] == f"system:serviceaccount:default:{name}"
            # ... but not authorized by RBAC.
            r = sa.get(f"{ns_url}/configmaps", timeout=TIMEOUT)
            assert r.status_code == 403
            status = r.json()
            assert status["reason"] == "Forbidden"
            assert f"system:serviceaccount:default:{name}" in status["message"]
    finally:
        admin.delete(f"{ns_url}/serviceaccounts/{name}", timeout=TIMEOUT)
