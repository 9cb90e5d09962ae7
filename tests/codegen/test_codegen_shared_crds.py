"""Every CRD in ../shared/crds generates a package that type-checks under ``mypy --strict`` in a
sample program using its typed client and models (and fails it where the types are wrong).

Round trips of a realistic sample of each are in tests/test_generation.py
(``test_crd_manifest_generates_and_round_trips``); CRUD and watch on the real server in
tests/e2e/test_crd_codegen_e2e.py.  Both tables must cover every shared CRD: see
``test_every_shared_crd_is_covered``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from kubeset.codegen.emit import generate, write_tree
from kubeset.codegen.loader import load_spec

BIN = Path(sys.executable).parent

PROGRAMS = {
    "gateway-api__httproutes.gateway.networking.k8s.io.yaml": (
        "gwpkg",
        """
from typing import assert_type

from gwpkg import Clientset
from gwpkg.models.gateway.v1 import HTTPRoute, HTTPRouteList, HTTPRouteSpec, HTTPRouteSpecParentRefs
from kubeset.kubernetes.models.meta.v1 import ObjectMeta


def run(cs: Clientset) -> list[str]:
    routes = cs.gateway_v1.http_routes("default")
    spec = HTTPRouteSpec(hostnames=["example.com"], parent_refs=[HTTPRouteSpecParentRefs(name="gw")])
    created = routes.create(HTTPRoute(metadata=ObjectMeta(name="web"), spec=spec))
    assert_type(created, HTTPRoute)
    assert_type(routes.list(), HTTPRouteList)
    for event in routes.watch(timeout_seconds=1):
        assert_type(event.object, HTTPRoute)
    hosts = created.spec.hostnames if created.spec else None
    return list(hosts or [])
""",
        "HTTPRouteSpec(hostnames=5)",
    ),
    "prometheus-operator__prometheusrules.monitoring.coreos.com.yaml": (
        "prompkg",
        """
from typing import assert_type

from prompkg import Clientset
from prompkg.models.monitoring.v1 import (
    PrometheusRule, PrometheusRuleList, PrometheusRuleSpec, PrometheusRuleSpecGroups, PrometheusRuleSpecGroupsRules,
)
from kubeset.kubernetes.models.meta.v1 import ObjectMeta


def run(cs: Clientset) -> str | None:
    rules = cs.monitoring_v1.prometheus_rules("default")
    rule = PrometheusRuleSpecGroupsRules(alert="Down", expr="up == 0", for_="5m", labels={"severity": "page"})
    created = rules.create(PrometheusRule(metadata=ObjectMeta(name="r"),
                                          spec=PrometheusRuleSpec(groups=[PrometheusRuleSpecGroups(name="g", rules=[rule])])))
    assert_type(created, PrometheusRule)
    assert_type(rules.list(), PrometheusRuleList)
    for event in rules.watch(timeout_seconds=1):
        assert_type(event.object, PrometheusRule)
    return created.spec.groups[0].name if created.spec and created.spec.groups else None
""",
        "PrometheusRuleSpecGroups(name=3)",
    ),
}


def _mypy(folder: Path, program: str) -> subprocess.CompletedProcess[str]:
    (folder / "program.py").write_text(program)
    return subprocess.run(
        [str(BIN / "mypy"), "--strict", "--no-incremental", "--show-error-codes", "program.py"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=folder,
    )


def test_every_shared_crd_is_covered(shared_dir: Path) -> None:
    from test_generation import CRD_SAMPLES  # type: ignore[import-not-found,unused-ignore]

    shared = {p.name for p in (shared_dir / "crds").glob("*.y*ml")}
    assert shared, "no CRDs in the shared inputs"
    assert shared == set(PROGRAMS) == set(CRD_SAMPLES)
    e2e = (Path(__file__).parents[1] / "e2e" / "test_crd_codegen_e2e.py").read_text()
    assert all(name in e2e for name in shared)


@pytest.mark.slow
@pytest.mark.parametrize("manifest", sorted(PROGRAMS))
def test_sample_program_passes_mypy_strict(manifest: str, shared_dir: Path, tmp_path: Path) -> None:
    package, program, wrong = PROGRAMS[manifest]
    out = tmp_path / package
    write_tree(generate(load_spec(str(shared_dir / "crds" / manifest)), package, out=out), out)
    ok = _mypy(tmp_path, program)
    assert ok.returncode == 0, ok.stdout[-3000:] + ok.stderr[-2000:]
    # the types are real: a wrong argument is an error on that line
    bad = _mypy(tmp_path, program + f"\n\nBAD = {wrong}\n")
    last = len((program + "\n\n").splitlines()) + 1
    assert bad.returncode == 1 and re.search(
        rf"program\.py:{last}: error: .*\[arg-type\]", bad.stdout
    ), bad.stdout
