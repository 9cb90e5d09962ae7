"""The User-Agent kubeset sends: it names the program, like client-go's default.

client-go sends ``<program>/<version> (<os>/<arch>) kubernetes/<commit>`` so that API
server audit logs show which tool made a request.  kubeset's default has the same
shape with kubeset and its version at the end; a program names itself (and its
version) with :func:`build_user_agent`::

    from kubeset.config import Config, build_user_agent

    cfg = Config(host="https://10.0.0.1:6443")
    cfg.user_agent = build_user_agent("my-controller", "1.4.2")
    # 'my-controller/1.4.2 (linux/amd64) kubeset/0.1.0'
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import platform
import sys

from .._version import __version__

__all__ = ["build_user_agent", "default_user_agent", "program_name"]

_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i386": "386", "i686": "386"}


def program_name(argv0: str | None = None) -> str:
    """The name of the running program, from ``sys.argv[0]`` (client-go: the base name
    of ``os.Args[0]``).  ``python -m pkg`` gives ``pkg``; a script ``tool.py`` gives
    ``tool``; an interactive interpreter or ``-c`` gives ``python``."""
    arg = sys.argv[0] if argv0 is None and sys.argv else (argv0 or "")
    if arg in ("", "-c", "-m", "-"):
        return "python"
    base = os.path.basename(arg.rstrip("/\\"))
    if base == "__main__.py":  # python -m pkg
        base = os.path.basename(os.path.dirname(os.path.abspath(arg))) or "python"
    base = base.removesuffix(".py")
    return _token(base) or "unknown"


def _token(text: str) -> str:
    """``text`` reduced to characters legal in a User-Agent product token."""
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-._+~") else "_" for ch in text)


def build_user_agent(program: str, version: str = "") -> str:
    """``<program>/<version> (<os>/<arch>) kubeset/<kubeset version>``.

    ``version`` empty gives ``unknown`` (client-go does the same); a version with a
    pre-release suffix is kept whole.
    """
    system = platform.system().lower() or "unknown"
    machine = platform.machine().lower() or "unknown"
    arch = _ARCH.get(machine, machine)
    return (
        f"{_token(program) or 'unknown'}/{_token(version) or 'unknown'} "
        f"({system}/{arch}) kubeset/{__version__}"
    )


@functools.cache
def default_user_agent() -> str:
    """The User-Agent sent when ``Config.user_agent`` is not set: this program's name
    (:func:`program_name`), the version of the installed distribution of that name if
    there is one (a console script ``mytool`` from the package ``mytool``) else
    ``unknown``, then kubeset's own version."""
    program = program_name()
    try:
        version = importlib.metadata.version(program)
    except (importlib.metadata.PackageNotFoundError, ValueError):
        version = ""
    return build_user_agent(program, version)
