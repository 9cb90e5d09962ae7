"""The one Jinja2 environment of the generator's templates (codegen/templates)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).with_name("templates")


def py_literal(value: Any) -> str:
    """A Python literal: strings in double quotes (like the rest of the generated code), None as None."""
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def environment(*, trim_blocks: bool = False) -> jinja2.Environment:
    """Templates from codegen/templates; undefined names are errors; ``| py`` writes a literal.

    ``trim_blocks`` also strips the newline after a block tag and the indentation before it
    (the client templates are written that way)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        keep_trailing_newline=True,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=trim_blocks,
        lstrip_blocks=trim_blocks,
    )
    env.filters["py"] = py_literal
    return env
