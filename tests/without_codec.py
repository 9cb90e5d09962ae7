"""Run pytest as on a machine where kubeset was installed without a Rust toolchain.

``kubeset._codec`` is made unimportable before anything imports kubeset (the pytest plugin of
``kubeset.testing`` does, before any conftest), so the models use their Python descriptors and
pydantic decodes and encodes everything: the results the tests check must be the same.

Usage (``make test-without-codec``)::

    python tests/without_codec.py -q tests/unit/model tests/unit/codec
"""

from __future__ import annotations

import os
import sys

import pytest

if __name__ == "__main__":
    sys.modules["kubeset._codec"] = None  # type: ignore[assignment]  # import fails: no extension
    os.environ.pop(
        "KUBESET_NATIVE", None
    )  # "required" would turn the missing extension into errors
    sys.exit(pytest.main(sys.argv[1:]))
