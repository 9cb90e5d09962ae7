"""Smoke test: real CustomResourceDefinitions from ../shared/crds on the real kube-apiserver.

Each CRD is created unmodified, becomes Established, and a custom resource of it can be
created, read (with the server's structural-schema defaulting applied), listed, rejected when
invalid, and deleted.  Plain `requests` only.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from kube_apiserver import ApiServer

pytestmark = pytest.mark.e2e

TIMEOUT = 30
CRD_URL = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"

# A valid object for the stored version of each shared CRD, and a field the server defaults.
SAMPLES: dict[str, dict[str, Any]] = {
    "httproutes.gateway.networking.k8s.io": {
        "spec": {
            "parentRefs": [{"name": "example-gateway"}],
            "hostnames": ["example.com"],
            "rules": [
                {
                    "matches": [{"path": {"type": "PathPrefix", "value": "/api"}}],
                    "backendRefs": [{"name": "api-svc", "port": 8080}],
                }
            ],
        },
    },
    "prometheusrules.monitoring.coreos.com": {
        "spec": {
            "groups": [
                {
                    "name": "example",
                    "rules": [
                        {
                            "alert": "HighLatency",
                            "expr": "job:request_latency_seconds:mean5m > 0.5",
                            "for": "10m",
                            "labels": {"severity": "page"},
                        }
                    ],
                }
            ]
        },
    },
}
# A field the CRD's schema defaults, with the default: proves structural defaulting ran.
DEFAULTED: dict[str, tuple[tuple[str | int, ...], Any]] = {
    "httproutes.gateway.networking.k8s.io": (("spec", "parentRefs", 0, "kind"), "Gateway"),
}
# An object the CRD's schema rejects (422).
INVALID: dict[str, dict[str, Any]] = {
    "httproutes.gateway.networking.k8s.io": {"spec": {"hostnames": ["not a hostname!"]}},
    "prometheusrules.monitoring.coreos.com": {"spec": {"groups": [{"rules": []}]}},  # no name
}


def crd_documents(shared_dir: Path) -> list[dict[str, Any]]:
    docs = []
    for path in sorted((shared_dir / "crds").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get("kind") == "CustomResourceDefinition":
                docs.append(doc)
    return docs


@pytest.fixture(scope="module")
def admin(apiserver: ApiServer) -> Iterator[requests.Session]:
    with requests.Session() as s:
        s.trust_env = False  # REQUESTS_CA_BUNDLE would override Session.verify
        s.verify = str(apiserver.ca_file)
        s.headers["Authorization"] = f"Bearer {apiserver.token}"
        yield s


def wait_established(s: requests.Session, url: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    conditions: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        crd: dict[str, Any] = s.get(url, timeout=TIMEOUT).json()
        conditions = crd.get("status", {}).get("conditions") or []
        if any(c["type"] == "Established" and c["status"] == "True" for c in conditions):
            return crd
        time.sleep(0.2)
    pytest.fail(f"CRD at {url} not Established after {timeout}s: {conditions}")


def wait_served(s: requests.Session, url: str, timeout: float = 30) -> None:
    """Established can come a moment before the resource's REST handler is installed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if s.get(url, timeout=TIMEOUT).status_code == 200:
            return
        time.sleep(0.2)
    pytest.fail(f"{url} not served {timeout}s after the CRD was established")


def test_shared_crds_are_found(shared_dir: Path) -> None:
    names = {d["metadata"]["name"] for d in crd_documents(shared_dir)}
    assert names, f"no CRDs in {shared_dir / 'crds'}"
    # Every shared CRD is exercised: a new one needs a sample object here.
    assert names == set(SAMPLES), f"CRDs without a sample: {names - set(SAMPLES)}"


@pytest.mark.parametrize("crd_name", sorted(SAMPLES))
def test_crd_established_and_custom_resource_usable(
    apiserver: ApiServer, admin: requests.Session, shared_dir: Path, crd_name: str
) -> None:
    crds = {d["metadata"]["name"]: d for d in crd_documents(shared_dir)}
    assert crd_name in crds, f"{crd_name} not in {shared_dir / 'crds'}"
    exercise_crd(apiserver, admin, crds[crd_name], SAMPLES[crd_name], INVALID[crd_name])


def exercise_crd(
    srv: ApiServer,
    s: requests.Session,
    crd: dict[str, Any],
    sample: dict[str, Any],
    invalid: dict[str, Any],
) -> None:
    name = crd["metadata"]["name"]
    r = s.post(f"{srv.server}{CRD_URL}", json=crd, timeout=TIMEOUT)
    # 409: another test sharing this server installed it already; use it, leave it.
    assert r.status_code in (201, 409), f"creating CRD {name}: {r.status_code} {r.text[:2000]}"
    created_here = r.status_code == 201
    crd_url = f"{srv.server}{CRD_URL}/{name}"
    try:
        established = wait_established(s, crd_url)
        spec = crd["spec"]
        assert established["status"]["acceptedNames"]["kind"] == spec["names"]["kind"]
        version = next(v["name"] for v in spec["versions"] if v["storage"])
        group, plural, kind = spec["group"], spec["names"]["plural"], spec["names"]["kind"]
        base = f"{srv.server}/apis/{group}/{version}/namespaces/default/{plural}"
        wait_served(s, base)

        # Discovery lists the new resource.
        r = s.get(f"{srv.server}/apis/{group}/{version}", timeout=TIMEOUT)
        assert plural in {x["name"] for x in r.json()["resources"]}

        obj_name = f"smoke-{uuid.uuid4().hex[:8]}"
        obj = {"apiVersion": f"{group}/{version}", "kind": kind, "metadata": {"name": obj_name}}
        r = s.post(base, json={**obj, **sample}, timeout=TIMEOUT)
        assert r.status_code == 201, f"creating {kind}: {r.status_code} {r.text[:2000]}"
        created = r.json()

        r = s.get(f"{base}/{obj_name}", timeout=TIMEOUT)
        assert r.status_code == 200
        got = r.json()
        assert got["metadata"]["uid"] == created["metadata"]["uid"]
        assert_contains(got["spec"], sample["spec"])
        if name in DEFAULTED:
            where, default = DEFAULTED[name]
            value: Any = got
            for key in where:
                value = value[key]
            assert value == default, f"{where} not defaulted to {default!r}: {value!r}"

        r = s.get(base, timeout=TIMEOUT)
        assert obj_name in [i["metadata"]["name"] for i in r.json()["items"]]

        bad = {**obj, "metadata": {"name": f"{obj_name}-bad"}, **invalid}
        r = s.post(base, json=bad, timeout=TIMEOUT)
        assert r.status_code == 422, f"invalid {kind} accepted: {r.status_code} {r.text[:500]}"
        assert r.json()["reason"] == "Invalid"

        r = s.delete(f"{base}/{obj_name}", timeout=TIMEOUT)
        assert r.status_code == 200, r.text
        assert s.get(f"{base}/{obj_name}", timeout=TIMEOUT).status_code == 404
    finally:
        if created_here:
            s.delete(crd_url, timeout=TIMEOUT)


def assert_contains(actual: Any, expected: Any, path: str = "spec") -> None:
    """Everything sent is read back (the server may add defaulted fields)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        for k, v in expected.items():
            assert k in actual, f"{path}.{k} missing"
            assert_contains(actual[k], v, f"{path}.{k}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), path
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_contains(a, e, f"{path}[{i}]")
    else:
        assert actual == expected, path
