"""The README's "Testing your controller" section: its example runs, its unsupported list is
exactly :data:`backends.UNSUPPORTED` and :data:`backends.DIFFERENCES` (so they cannot drift)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from backends import DIFFERENCES, UNSUPPORTED

pytest_plugins = ["pytester"]

README = Path(__file__).resolve().parents[2] / "README.md"


def _section() -> str:
    return README.read_text().split("## Testing your controller", 1)[1].split("\n## ", 1)[0]


def test_readme_lists_exactly_the_unsupported_tests() -> None:
    block = (
        _section().split("<!-- unsupported:start -->", 1)[1].split("<!-- unsupported:end -->")[0]
    )
    listed = dict(re.findall(r"^- `(\w+)`: (.*)$", block, re.MULTILINE))
    assert listed == UNSUPPORTED | {name: d.reason for name, d in DIFFERENCES.items()}


def test_readme_example_passes(pytester: pytest.Pytester) -> None:
    example = re.search(r"```python\n(.*?)```", _section(), re.DOTALL)
    assert example is not None
    pytester.makepyfile(test_controller=example.group(1))
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
