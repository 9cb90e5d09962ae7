"""The one error type of the generator: a clear message, shown without a traceback."""

from __future__ import annotations


class GenError(Exception):
    """A problem with the generator's input or output (bad spec, unknown release, drift, ...).

    The CLI prints ``str(error)`` and exits with status 1; the message names the file,
    the field and what was expected.
    """
