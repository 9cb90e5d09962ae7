"""Copying files to and from a container as ``kubectl cp`` does: tar over exec.

    copy_to_pod(runner, Path("./site"), "/srv/site")      # tar -xmf - -C /srv  (in the container)
    warnings = copy_from_pod(runner, "/var/log", Path("./logs"))   # tar cf - /var/log

The rules are kubectl's (``kubectl/pkg/cmd/cp``): into an existing remote folder the source
keeps its name (``test -d`` decides), symlinks travel to the container as symlinks, and from
the container every member must start with the source path (else "tar contents corrupted"),
members that would land outside the destination are skipped with a warning, and symlinks are
skipped with a warning (``keep_symlinks=True`` keeps those that stay inside the destination).
The container needs ``tar``: without it the copy raises :class:`~kubeset.errors.StreamError`
saying so.  The pure path rules are separate from the runs (:func:`member_target`).
"""

from __future__ import annotations

import io
import os
import posixpath
import shutil
import tarfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from ..errors import ApiError, KubesetError, StreamError
from .remotecommand import Session

__all__ = ["CpRunner", "copy_from_pod", "copy_to_pod", "member_target", "strip_shortcuts"]

_NO_TAR = (126, 127)  # the shell's "cannot execute" and "not found"
_BUFFER = 256 * 1024
_CLOSING = 10.0  # seconds for a stream that failed a write to tell why


class CpRunner(Protocol):
    """Starts commands in the one container a copy is about."""

    def open(self, command: Sequence[str], stdin: bool) -> Session: ...


def strip_shortcuts(path: str) -> str:
    """kubectl's ``stripPathShortcuts``: leading ``../``, a lone ``.``/``..`` and one leading
    ``/`` removed."""
    while path.startswith("../"):
        path = path[3:]
    if path in (".", ".."):
        path = ""
    return path.removeprefix("/")


def _inside(base: str, target: str) -> bool:
    rel = os.path.relpath(target, base)
    return rel == "." or rel == strip_shortcuts(rel)


def member_target(prefix: str, name: str, destination: str) -> str | None:
    """Where a member ``name`` of the container's archive goes under ``destination`` (None:
    outside it); ``prefix`` is the cleaned source path every member starts with."""
    if not name.startswith(prefix):
        raise StreamError("cp: tar contents corrupted (a member outside the source path)")
    rest = name[len(prefix) :].replace("\\", "/").rstrip("/")
    target = os.path.normpath(os.path.join(destination, rest.lstrip("/"))) if rest else destination
    return target if _inside(destination, target) else None


def _no_tar(exc: Exception | None = None, code: int | None = None) -> StreamError:
    why = f" ({exc})" if exc is not None else f" (exit code {code})" if code is not None else ""
    return StreamError(
        f"cp: tar could not run in the container{why}; copying needs the 'tar' binary in the image"
    )


def _finish(session: Session, what: str) -> None:
    """Wait for the tar command; its failure to run or a non-zero exit raise StreamError."""
    try:
        code = session.wait()
    except ApiError as exc:  # the command could not be started: no tar
        raise _no_tar(exc) from None
    if code in _NO_TAR:
        raise _no_tar(code=code)
    if code:
        err = (
            session.stderr.read().decode("utf-8", errors="replace").strip()
            if session.stderr
            else ""
        )
        raise StreamError(f"cp: {what} failed with exit code {code}: {err}")


def _add(tar: tarfile.TarFile, path: Path, name: str) -> None:
    info = tar.gettarinfo(str(path), arcname=name)
    if info.isdir():
        children = sorted(path.iterdir())
        if not children:
            tar.addfile(info)
        for child in children:
            _add(tar, child, f"{name}/{child.name}")
    elif info.isreg():
        with path.open("rb") as fh:
            tar.addfile(info, fh)
    else:
        tar.addfile(info)  # symlinks (and other special files) as they are


def _is_dir(runner: CpRunner, path: str) -> bool:
    """``test -d`` in the container; any failure to run it means "not a folder" (kubectl)."""
    with runner.open(["test", "-d", path], stdin=False) as session:
        try:
            return session.wait() == 0
        except ApiError:
            return False


def copy_to_pod(runner: CpRunner, source: Path, destination: str) -> None:
    """Copy the local file or folder ``source`` to ``destination`` in the container."""
    if not destination:
        raise ValueError("cp: the destination path must not be empty")
    if not os.path.lexists(source):
        raise StreamError(f"cp: {source} doesn't exist in local filesystem")
    dest = posixpath.normpath(destination.replace("\\", "/"))
    if _is_dir(runner, dest):
        dest = posixpath.join(dest, source.resolve().name)
    command = ["tar", "-xmf", "-"]
    folder = posixpath.dirname(dest)
    if folder:
        command += ["-C", folder]
    session = runner.open(command, stdin=True)
    with session:
        assert session.stdin is not None
        try:
            with (
                io.BufferedWriter(session.stdin, _BUFFER) as writer,
                tarfile.open(fileobj=writer, mode="w|", format=tarfile.GNU_FORMAT) as tar,
            ):
                _add(tar, source, posixpath.basename(dest))
        except KubesetError as exc:
            try:  # tar ended early (or never ran): its reason first
                session.wait(_CLOSING)
            except ApiError:
                pass
            except KubesetError:
                raise exc from None
            _finish(session, "tar -x")
            raise
        _finish(session, "tar -x")


def copy_from_pod(
    runner: CpRunner, source: str, destination: Path, *, keep_symlinks: bool = False
) -> list[str]:
    """Copy ``source`` of the container to the local ``destination``; the warnings returned
    name what was skipped (kubectl prints them)."""
    if not source:
        raise ValueError("cp: the source path must not be empty")
    clean = posixpath.normpath(source.replace("\\", "/"))
    prefix = strip_shortcuts(clean.lstrip("/"))
    dest = os.path.normpath(str(destination))
    warnings: list[str] = []
    session = runner.open(["tar", "cf", "-", source], stdin=False)
    with session:
        assert session.stdout is not None
        try:
            with tarfile.open(fileobj=session.stdout, mode="r|") as tar:
                for member in tar:
                    target = member_target(prefix, member.name, dest)
                    if target is None:
                        warnings.append(
                            f"file {member.name!r} is outside target destination, skipping"
                        )
                        continue
                    _extract(tar, member, target, dest, keep_symlinks, warnings)
        except tarfile.ReadError as exc:
            _finish(session, "tar -c")  # no tar, or tar failed: its error first
            raise StreamError(f"cp: the container's archive is unreadable: {exc}") from None
        _finish(session, "tar -c")
    return warnings


def _extract(
    tar: tarfile.TarFile,
    member: tarfile.TarInfo,
    target: str,
    dest: str,
    keep_symlinks: bool,
    warnings: list[str],
) -> None:
    os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
    if member.isdir():
        os.makedirs(target, exist_ok=True)
    elif member.issym():
        link = os.path.normpath(os.path.join(os.path.dirname(target), member.linkname))
        if keep_symlinks and not os.path.isabs(member.linkname) and _inside(dest, link):
            if os.path.lexists(target):
                os.remove(target)
            os.symlink(member.linkname, target)
        else:
            warnings.append(f"skipping symlink: {target!r} -> {member.linkname!r}")
    elif member.isreg():
        source = tar.extractfile(member)
        assert source is not None
        with open(target, "wb") as out:
            shutil.copyfileobj(source, out, _BUFFER)  # default permissions, as kubectl
    else:
        warnings.append(f"skipping {member.name!r}: not a file, folder or symlink")
