"""End-to-end tests: everything in this folder gets the ``e2e`` marker.

The fixtures ``apiserver`` (session), ``apiserver_kubeconfig``, ``apiserver_binary``,
``kubelet_node`` (session) and ``local_pod`` live in tests/conftest.py (shared with
tests/behaviour); the helpers in kube_apiserver.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kube_apiserver import E2E_DIR


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
