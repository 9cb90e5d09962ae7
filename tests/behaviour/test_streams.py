"""Streams on both backends: what exec answers before any process runs (the fake's exec needs a
handler, ``fake.on_exec``; a pod that runs needs the kubelet stand-in, tests/e2e/test_streams_e2e.py)."""

from __future__ import annotations

import pytest
from backends import Backend
from kubeset import errors


def test_exec_into_a_missing_pod_is_not_found(backend: Backend, ns: str) -> None:
    pods = backend.cs.core_v1.pods(ns)
    with pytest.raises(errors.NotFound):
        pods.exec_run("no-such-pod", ["true"], timeout=30)
    with pytest.raises(errors.NotFound):
        pods.exec("no-such-pod", ["true"], stdin=True, timeout=30)
