"""A package generated from a real CRD manifest drives that CRD's resources on the real server:
kubeset-gen --spec crd.yaml -> typed models and clients -> create, get, list, watch, patch, delete."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubeset
import pytest
import yaml
from kube_apiserver import ApiServer
from kubeset import errors

MANIFEST = "gateway-api__httproutes.gateway.networking.k8s.io.yaml"
CRD_NAME = "httproutes.gateway.networking.k8s.io"

USER_CODE = """
import sys, time
import kubeset
from gwapi import Clientset
from gwapi.models.gateway.v1 import HTTPRoute, HTTPRouteSpec
from kubeset.kubernetes.models.meta.v1 import ObjectMeta

cs = Clientset(kubeset.load_kubeconfig(sys.argv[1]))
routes = cs.gateway_v1.http_routes(sys.argv[2])
route = HTTPRoute(
    metadata=ObjectMeta(name="web"),
    spec=HTTPRouteSpec(parent_refs=[{"name": "gw"}], hostnames=["example.com"],
                       rules=[{"backendRefs": [{"name": "web", "port": 8080}]}]),
)
deadline = time.monotonic() + 30
while True:  # the resource is served a moment after the CRD is Established
    try:
        created = routes.create(route)
        break
    except kubeset.NotFound:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.2)
got = routes.get("web")
assert type(got) is HTTPRoute, type(got)
assert got.spec.hostnames == ["example.com"]
assert got.spec.parent_refs[0].kind == "Gateway", "the CRD schema's default, decoded into the typed model"
print("list", [r.metadata.name for r in routes.list().items])
watch = routes.watch(resource_version=got.metadata.resource_version, timeout_seconds=20)
routes.patch("web", {"spec": {"hostnames": ["example.org"]}})
for event in watch:
    print("watch", event.type, type(event.object).__name__, event.object.spec.hostnames)
    break
watch.stop()
routes.delete("web")
try:
    routes.get("web")
except kubeset.NotFound as e:
    print("gone", e.kind, e.name)
"""


def _crd_doc(shared_dir: Path, manifest: str = MANIFEST) -> dict[str, Any]:
    path = shared_dir / "crds" / manifest
    if not path.exists():
        pytest.skip(f"{manifest} not in the shared inputs")
    [doc] = [
        d
        for d in yaml.safe_load_all(path.read_text())
        if d and d.get("kind") == "CustomResourceDefinition"
    ]
    return doc


@contextlib.contextmanager
def _installed(apiserver: ApiServer, doc: dict[str, Any]) -> Iterator[None]:
    """The CRD created and Established for the block; deleted (and its group gone) after."""
    from kubeset.kubernetes import Clientset

    name, group = doc["metadata"]["name"], doc["spec"]["group"]
    with Clientset(kubeset.load_kubeconfig(apiserver.kubeconfig)) as cs:
        crds = cs.apiextensions_v1.custom_resource_definitions()
        deadline = time.monotonic() + 60
        while True:  # another test may still be removing the same CRD
            try:
                crds.create(doc)
                break
            except errors.AlreadyExists:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        while not any(
            c.type == "Established" and c.status == "True"
            for c in (crds.get(name).status.conditions or [])  # type: ignore[union-attr]
        ):
            assert time.monotonic() < deadline, f"{name} never became Established"
            time.sleep(0.2)
        try:
            yield
        finally:
            crds.delete(name)
            while any(g.name == group for g in cs.discovery.server_groups()):
                if time.monotonic() > deadline + 60:
                    break
                time.sleep(0.2)


@pytest.fixture
def installed_crd(apiserver: ApiServer, shared_dir: Path) -> Iterator[None]:
    with _installed(apiserver, _crd_doc(shared_dir)):
        yield


def test_generated_crd_package_drives_the_real_server(
    apiserver: ApiServer, shared_dir: Path, installed_crd: None, tmp_path: Path
) -> None:
    gen = subprocess.run(
        [
            sys.executable,
            "-m",
            "kubeset.codegen",
            "generate",
            "--spec",
            str(shared_dir / "crds" / MANIFEST),
            "--out",
            str(tmp_path / "gwapi"),
            "--package",
            "gwapi",
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert gen.returncode == 0, gen.stderr
    script = tmp_path / "user_code.py"
    script.write_text(USER_CODE)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, str(script), str(apiserver.kubeconfig), "default"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.splitlines() == [
        "list ['web']",
        "watch MODIFIED HTTPRoute ['example.org']",
        "gone httproutes web",  # the server names the resource in Status.details.kind
    ]


def test_cluster_group_generates_what_the_manifest_gives(
    apiserver: ApiServer, shared_dir: Path, installed_crd: None, tmp_path: Path
) -> None:
    """--cluster --group reads the group's /openapi/v3 documents and generates only that group,
    with the very models the CRD manifest gives."""

    def gen(*args: str) -> None:
        proc = subprocess.run(
            [sys.executable, "-m", "kubeset.codegen", "generate", *args],
            check=False,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr

    gen(
        "--spec",
        str(shared_dir / "crds" / MANIFEST),
        "--out",
        str(tmp_path / "manifest"),
        "--package",
        "gw",
    )
    gen(
        "--cluster",
        "--kubeconfig",
        str(apiserver.kubeconfig),
        "--group",
        "gateway.networking.k8s.io",
        "--out",
        str(tmp_path / "live"),
        "--package",
        "gw",
    )

    def models(root: Path) -> dict[str, list[str]]:
        return {
            p.relative_to(root).as_posix(): p.read_text().splitlines()[1:]  # line 1 names the input
            for p in sorted((root / "models").rglob("*.py"))
        }

    manifest, live = models(tmp_path / "manifest"), models(tmp_path / "live")
    assert sorted(live) == sorted(manifest)
    assert "models/gateway/v1.py" in live and not any("core" in m or "apps" in m for m in live)
    for rel in manifest:
        assert live[rel] == manifest[rel], rel
    record = json.loads((tmp_path / "live" / "kubeset-gen.json").read_text())
    assert record["source"]["groups"] == ["gateway.networking.k8s.io"]
    check = subprocess.run(
        [
            sys.executable,
            "-m",
            "kubeset.codegen",
            "check",
            str(tmp_path / "live"),
            "--kubeconfig",
            str(apiserver.kubeconfig),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr


PROM_MANIFEST = "prometheus-operator__prometheusrules.monitoring.coreos.com.yaml"

PROM_USER_CODE = """
import sys, time
import kubeset
from prom import Clientset
from prom.models.monitoring.v1 import PrometheusRule, PrometheusRuleSpec, PrometheusRuleSpecGroups, PrometheusRuleSpecGroupsRules
from kubeset.kubernetes.models.meta.v1 import ObjectMeta

cs = Clientset(kubeset.load_kubeconfig(sys.argv[1]))
rules = cs.monitoring_v1.prometheus_rules(sys.argv[2])
rule = PrometheusRule(metadata=ObjectMeta(name="alerts"), spec=PrometheusRuleSpec(groups=[PrometheusRuleSpecGroups(
    name="g", interval="30s", rules=[PrometheusRuleSpecGroupsRules(alert="Down", expr="up == 0", for_="5m",
                                                                  labels={"severity": "page"})])]))
deadline = time.monotonic() + 30
while True:  # the resource is served a moment after the CRD is Established
    try:
        rules.create(rule)
        break
    except kubeset.NotFound:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.2)
got = rules.get("alerts")
assert type(got) is PrometheusRule, type(got)
r = got.spec.groups[0].rules[0]
print("get", r.alert, r.expr, r.for_, r.labels)
print("list", [x.metadata.name for x in rules.list().items])
watch = rules.watch(resource_version=got.metadata.resource_version, timeout_seconds=20)
got.spec.groups[0].rules[0].expr = 1  # int-or-string
rules.update(got)
for event in watch:
    print("watch", event.type, type(event.object).__name__, event.object.spec.groups[0].rules[0].expr)
    break
watch.stop()
rules.delete("alerts")
try:
    rules.get("alerts")
except kubeset.NotFound as e:
    print("gone", e.name)
"""


def test_prometheus_rule_package_drives_the_real_server(
    apiserver: ApiServer, shared_dir: Path, tmp_path: Path
) -> None:
    doc = _crd_doc(shared_dir, PROM_MANIFEST)
    gen = subprocess.run(
        [
            sys.executable,
            "-m",
            "kubeset.codegen",
            "generate",
            "--spec",
            str(shared_dir / "crds" / PROM_MANIFEST),
            "--out",
            str(tmp_path / "prom"),
            "--package",
            "prom",
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert gen.returncode == 0, gen.stderr
    script = tmp_path / "user_code.py"
    script.write_text(PROM_USER_CODE)
    with _installed(apiserver, doc):
        run = subprocess.run(
            [sys.executable, str(script), str(apiserver.kubeconfig), "default"],
            check=False,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(tmp_path)},
            timeout=120,
        )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.splitlines() == [
        "get Down up == 0 5m {'severity': 'page'}",
        "list ['alerts']",
        "watch MODIFIED PrometheusRule 1",
        "gone alerts",
    ]
