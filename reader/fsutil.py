"""Durable file writes shared by the store and the exports.

``atomic_write`` never leaves a half-written file where a reader could find it: the bytes go to a temp
file in the same folder, are fsynced, then ``os.replace`` swaps it in and the folder is fsynced so the
rename itself survives a power cut. On any failure the temp file is removed and the old file is intact.
"""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path
from typing import Callable

TEMP_SUFFIX = ".tmp"


class WriteError(OSError):
    """A write that did not happen; ``str()`` is one sentence a user can act on."""

    def __str__(self) -> str:
        return self.strerror or super().__str__()


def temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # not supported on this platform (Windows): the rename is as durable as it gets
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def describe_os_error(exc: OSError, path: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return f"the disk is full: could not write {path} (nothing was changed)"
    if exc.errno == errno.EDQUOT:
        return f"the disk quota is exhausted: could not write {path} (nothing was changed)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied: cannot write {path}"
    if exc.errno == errno.EROFS:
        return f"the file system is read-only: cannot write {path}"
    return f"could not write {path}: {exc.strerror or exc}"


def write_problem(folder: Path | str) -> str | None:
    """Why a file could not be written in ``folder`` now (one sentence), or None: a cheap probe.

    It creates and removes one empty temp file (a name ``remove_stale_temps`` would clear) in ``folder``, or,
    when the folder does not exist yet, in its nearest existing parent (where it would be made). This is
    the real test: permission bits, ACLs and read-only mounts all answer it, and root passes it as it passes
    a real write."""
    target = Path(folder)
    while not target.is_dir():
        if target.parent == target:
            return f"could not write {folder}: no such folder"
        target = target.parent
    probe = temp_name(target / "write-probe")
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as exc:
        return describe_os_error(exc, target)
    os.close(fd)
    try:
        os.unlink(probe)
    except OSError:
        pass
    return None


def atomic_write(path: Path | str, data: bytes, *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically; with ``durable``, return only once it is on disk."""
    path = Path(path)
    tmp = temp_name(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise WriteError(exc.errno, describe_os_error(exc, path)) from exc
    if durable:
        fsync_dir(path.parent)


def _remove_where(folder: Path | str, doomed: Callable[[str], bool]) -> int:
    """Remove the files of ``folder`` whose name ``doomed`` accepts; returns how many went (errors skip)."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if doomed(entry.name):
            try:
                os.unlink(entry.path)
                removed += 1
            except OSError:
                pass
    return removed


def remove_stale_temps(folder: Path) -> int:
    """Remove temp files left by a writer that died mid-write; call it only while holding the lock."""
    return _remove_where(folder, lambda name: name.startswith(".") and name.endswith(TEMP_SUFFIX))


def pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True   # exists, but not ours to signal
    return True


def remove_dead_temps(path: Path | str) -> int:
    """Remove the temp files of ``path`` left by writers that died (their pid is gone); no lock needed.

    Used where no lock guards the file (an export target): a live writer's temp is never touched.
    """
    path = Path(path)
    prefix = f".{path.name}."

    def dead_writers_temp(name: str) -> bool:
        if not (name.startswith(prefix) and name.endswith(TEMP_SUFFIX)):
            return False
        middle = name[len(prefix):-len(TEMP_SUFFIX)].split(".")
        return len(middle) == 2 and middle[0].isdigit() and not pid_alive(int(middle[0]))

    return _remove_where(path.parent, dead_writers_temp)
