"""Differential test: seeded cases of API calls sent to the real kube-apiserver and to the fake
cluster side by side, every answer compared (status code, reason, the normalised object).

    make fuzz-fake FUZZ_SEED=7 FUZZ_CASES=3000       # a longer run (KUBESET_DIFF_SEED, _CASES)

The default (seed 2027, 300 cases) keeps this test well under a minute.  Differences the fake
keeps are listed in tests/behaviour/backends.py's ``DIFFERENCES`` (the README's "Not supported"
list shows them beside the behaviour suite's); each must still occur in a long enough run, and
any other difference fails the test.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import kubeset
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "behaviour"))
from backends import DIFFERENCES  # the fake's one "Not supported" source
from differential import compare, generate, run
from kube_apiserver import ApiServer
from kubeset.rest import RESTClient
from kubeset.testing import FakeTransport

pytestmark = pytest.mark.e2e

SEED = int(os.environ.get("KUBESET_DIFF_SEED", "2027"))
CASES = int(os.environ.get("KUBESET_DIFF_CASES", "300"))
SHOW = os.environ.get("KUBESET_DIFF_SHOW", "").split(",")  # case numbers: print both answers
ONLY = {n for n in os.environ.get("KUBESET_DIFF_ONLY", "").split(",") if n}  # run just these


@pytest.fixture(scope="module")
def real(apiserver: ApiServer) -> Iterator[RESTClient]:
    config = kubeset.load_kubeconfig(apiserver.kubeconfig)
    with RESTClient(dataclasses.replace(config, qps=-1)) as rest:
        yield rest


def test_the_fake_answers_like_kube_apiserver(real: RESTClient) -> None:
    fake = FakeTransport().rest_client()
    namespace = f"diff-{uuid.uuid4().hex[:6]}"
    for rest in (real, fake):
        rest.post().abs_path("/api/v1/namespaces").body({"metadata": {"name": namespace}}).do()
    cases = [c for c in generate(SEED, CASES) if not ONLY or str(c.number) in ONLY]
    differences: list[str] = []
    try:
        for case in cases:
            a, b = run(real, namespace, case), run(fake, namespace, case)
            if str(case.number) in SHOW:
                for step, x, y in zip(case.steps, a, b, strict=True):
                    print(f"\n{step.what}\n  real {x.summary()} {x.message} {json.dumps(x.body)}")
                    print(f"  fake {y.summary()} {y.message} {json.dumps(y.body)}")
            differences += compare(case, a, b)
    finally:
        real.delete().abs_path(f"/api/v1/namespaces/{namespace}").do()
    steps = sum(len(c.steps) for c in cases)
    known = {
        name: [d for d in differences if re.search(k.pattern, d)] for name, k in DIFFERENCES.items()
    }
    unknown = [d for d in differences if not any(d in found for found in known.values())]
    counts = ", ".join(f"{name} {len(found)}" for name, found in known.items())
    print(
        f"\ndifferential: seed {SEED}, {len(cases)} cases, {steps} steps,"
        f" {len(unknown)} unknown differences; known: {counts}"
    )
    assert unknown == [], "\n".join(unknown[:40])
