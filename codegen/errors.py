"""The one error type of the generator: a clear message, shown without a traceback."""

from __future__ import annotations

__all__ = ["GenError", "InputsMissing"]


class GenError(Exception):
    """A problem with the generator's input or output (bad spec, unknown release, drift, ...).

    The CLI prints ``str(error)`` and exits with status 2; the message names the file,
    the field and what was expected.
    """


class InputsMissing(GenError):
    """``kubeset-gen check`` cannot regenerate: the record or an input it names is gone (exit 2)."""
