"""Shared test settings: where the read-only inputs live."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("KUBESET_SHARED_DIR", PROJECT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared inputs not found at {SHARED} (set KUBESET_SHARED_DIR)")
    return SHARED
