"""Reading a user's file: a regular file only, and never more than a limit.

`stat()` then `read()` is not enough: `/dev/zero` reports a size of 0 and never
ends, a FIFO blocks the build until someone writes into it, and a file can be
swapped between the check and the read. So the file is opened first (without
blocking, which makes a FIFO open at once), the opened descriptor is examined,
and at most one byte more than the limit is read.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from fiche.core.errors import FicheError

KIB = 1 << 10
MIB = 1 << 20

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class Refused(Exception):
    """A file that is not read; `reason` completes a sentence about it ("is a FIFO, …")."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def size_text(n: int) -> str:
    """3145728 -> '3 MiB', 1536 -> '1.5 KiB', 500 -> '500 bytes'."""
    for unit, name in ((MIB, "MiB"), (KIB, "KiB")):
        if n >= unit:
            return f"{n / unit:.1f}".removesuffix(".0") + f" {name}"
    return f"{n} bytes"


def _too_big(size: int, limit: int) -> Refused:
    said, allowed = size_text(size), size_text(limit)
    if said == allowed:  # rounding would hide the difference
        said, allowed = f"{size} bytes", f"{limit} bytes"
    return Refused(f"is {said}, above the limit of {allowed}")


def _kind(mode: int) -> str | None:
    """What a non-regular file is, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def _os_reason(path: Path, e: OSError) -> Refused:
    if e.errno == errno.ENOENT:
        return Refused("not found")
    if e.errno == errno.ENXIO:  # opening a socket
        try:
            kind = _kind(os.stat(path).st_mode)
        except OSError:
            kind = None
        if kind:
            return Refused(f"is {kind}, not a regular file")
    return Refused(f"cannot be read: {e.strerror or e}")


def _open_regular(path: Path) -> tuple[int, int]:
    """An open descriptor of `path` and its size; `Refused` for anything but a regular file."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise _os_reason(path, e) from None
    try:
        st = os.fstat(fd)
    except OSError as e:
        os.close(fd)
        raise _os_reason(path, e) from None
    kind = _kind(st.st_mode)
    if kind:
        os.close(fd)
        raise Refused(f"is {kind}, not a regular file")
    return fd, st.st_size


def read_capped(path: Path, limit: int) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them, or `Refused`."""
    fd, size = _open_regular(path)
    try:
        if size > limit:
            raise _too_big(size, limit)
        chunks, got = [], 0
        # The size may lie (files in /proc say 0) or grow: read one byte past the limit.
        while got <= limit:
            try:
                chunk = os.read(fd, min(limit + 1 - got, MIB))
            except OSError as e:
                raise _os_reason(path, e) from None
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > limit:
            raise Refused(f"is larger than the limit of {size_text(limit)}")
        return b"".join(chunks)
    finally:
        os.close(fd)


def check_regular(path: Path, limit: int) -> None:
    """`Refused` unless `path` is a regular file of at most `limit` bytes, for files
    that a library opens by name (fonts): checked the same way, not read here."""
    fd, size = _open_regular(path)
    os.close(fd)
    if size > limit:
        raise _too_big(size, limit)


def read_user_file(path: Path, limit: int, display: str | None = None) -> bytes:
    """`read_capped`, with a refusal as a `FicheError` naming the file."""
    try:
        return read_capped(path, limit)
    except Refused as e:
        raise FicheError.at(display or str(path), "", f"file {e.reason}") from None


def open_own(path: Path, flags: int) -> int:
    """`path` opened with `flags` (e.g. O_RDWR | O_CREAT), for a file fiche keeps in its
    output folder (lock, journal, manifest, PDFs): never through a symbolic link, since a
    planted link would turn fiche's write into one on the link's target, and only a
    regular file. Raises OSError with the path and the reason otherwise."""
    extra = os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags | extra, 0o644)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise OSError(e.errno, "is a symbolic link, not a file fiche made", str(path)) from None
        raise
    try:
        kind = _kind(os.fstat(fd).st_mode)
    except OSError:
        os.close(fd)
        raise
    if kind:
        os.close(fd)
        raise OSError(errno.EINVAL, f"is {kind}, not a file fiche made", str(path))
    return fd
