"""One build at a time per output folder, and only into folders fiche may write.

The lock is an advisory `flock` on `<out>/.fiche.lock`, held for the whole build; the
kernel drops it when the holder exits, however it ends, so a killed build never
leaves a stale lock. The file holds the holder's pid, for the message of a build
that has to wait. Forked workers inherit the open file and so keep the folder
locked while any of them still writes.
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from fiche.build.manifest import JOURNAL
from fiche.build.manifest import NAME as MANIFEST_NAME
from fiche.build.manifest import parse as parse_manifest
from fiche.core.errors import os_reason
from fiche.core.safeio import open_own

LOCK_NAME = ".fiche.lock"


class Busy(Exception):
    """Another build holds the folder and the caller would not wait."""

    def __init__(self, pid: int | None):
        super().__init__(f"locked by pid {pid}")
        self.pid = pid


class Unlockable(Exception):
    """The lock file cannot be made or locked (read-only folder, full disk...)."""

    def __init__(self, error: OSError):
        self.reason = os_reason(error)
        super().__init__(self.reason)


@contextmanager
def hold(
    folder: Path, wait: bool = True, on_wait: Callable[[int | None], None] | None = None
) -> Iterator[None]:
    """Hold `folder`'s build lock (the folder must exist). If another process holds it:
    call `on_wait(pid)` and wait, or raise `Busy` when not `wait`. Raises `Unlockable`
    when the lock cannot be taken at all; what the body raises passes unchanged."""
    try:
        # Not through a link: the pid written below would overwrite the link's target.
        fd = open_own(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT)
    except OSError as e:
        raise Unlockable(e) from e
    try:
        _acquire(fd, wait, on_wait)
        yield
    finally:
        os.close(fd)  # releases the lock (forked workers that still run keep it)


def _acquire(fd: int, wait: bool, on_wait: Callable[[int | None], None] | None) -> None:
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise Busy(_holder(fd)) from None
            if on_wait is not None:
                on_wait(_holder(fd))
            fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError as e:
        raise Unlockable(e) from e
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    except OSError:
        pass  # the pid only makes a waiting build's message more helpful


def _holder(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 32, 0).decode().strip())
    except (OSError, ValueError):
        return None


def is_root(folder: Path) -> bool:
    resolved = folder.resolve()
    return resolved == Path(resolved.anchor)


def foreign(folder: Path) -> bool:
    """The folder holds files, and nothing says fiche made them: neither its lock file,
    nor a manifest of fiche's (here or in a school's subfolder), nor a layout of only
    language folders of PDFs (a build whose manifest was lost). OSError when the folder
    cannot be read: nobody can then say whose files it holds."""
    if not folder.is_dir() or not any(folder.iterdir()):
        return False
    if (folder / LOCK_NAME).is_file():
        return False
    candidates = [folder / MANIFEST_NAME, *folder.glob(f"schools/*/{MANIFEST_NAME}")]
    if any(parse_manifest(p) is not None for p in candidates):
        return False
    return not _fiche_shaped(folder)


def _fiche_shaped(folder: Path) -> bool:
    """Only what a build writes: language folders holding PDFs (and a build's hidden
    temporary files), the journal, and schools/<slug>/ folders of the same kind."""
    for entry in folder.iterdir():
        if entry.name == JOURNAL and entry.is_file():
            continue
        if entry.name == "schools" and _is_real_dir(entry):
            if all(_is_real_dir(s) and _fiche_shaped(s) for s in entry.iterdir()):
                continue
            return False
        if not (_LANGUAGE_FOLDER.fullmatch(entry.name) and _is_real_dir(entry)):
            return False
        if not all(_is_output(f) for f in entry.iterdir()):
            return False
    return True


_LANGUAGE_FOLDER = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")


def _is_real_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _is_output(path: Path) -> bool:
    name = path.name
    shaped = name.endswith(".pdf") or (name.startswith(".") and name.endswith(".tmp"))
    return shaped and path.is_file() and not path.is_symlink()
