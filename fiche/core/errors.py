"""Problems a user can fix, each carrying the place it was found.

A stage never formats its own location into a message: it raises a
`FicheError` holding `Problem`s (file, line, column, field path, reason) and the
CLI prints them, one line each. Any other exception is a bug and keeps its
traceback.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem; `line`/`col` are 1-based, 0 when unknown."""

    path: str
    line: int
    col: int
    field: str
    message: str
    severity: str = "error"

    def __post_init__(self) -> None:
        # Problems are sorted, so every field must compare: no None, no Path beside a str.
        for name, empty in (("path", ""), ("field", ""), ("message", ""), ("severity", "error")):
            value = getattr(self, name)
            object.__setattr__(self, name, empty if value is None else str(value))
        for name in ("line", "col"):
            object.__setattr__(self, name, int(getattr(self, name) or 0))

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}:{self.col or 1}"
        parts = [where] if where else []
        if self.severity != "error":
            parts.append(self.severity)
        if self.field:
            parts.append(self.field)
        return ": ".join([*parts, self.message])

    @classmethod
    def general(cls, message: str, field: str = "") -> Problem:
        """A problem with no place in a file: an option, the whole build, the machine."""
        return cls("", 0, 0, field, message)


class FicheError(Exception):
    """A failure caused by the input, reported without a traceback."""

    def __init__(self, problems: Iterable[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem.general(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, path: str, field: str, message: str, line: int = 0, col: int = 0) -> FicheError:
        return cls([Problem(path, line, col, field, message)])

    def summary(self) -> str:
        files = {p.path for p in self.problems if p.path}
        n = len(self.problems)
        s = f"{n} error{'s' if n != 1 else ''}"
        if files:
            s += f" in {len(files)} file{'s' if len(files) != 1 else ''}"
        return s


class ContentError(FicheError):
    """A content file (fiche, language, school) that does not validate."""


class LayoutError(FicheError):
    """A layout file that does not validate."""


class FitError(FicheError):
    """Text that does not fit its region, even at the smallest declared size."""


class GlyphError(FicheError):
    """Text with a character its font cannot draw or the PDF cannot give back as written."""


# Failures of the machine's storage that the user can fix even when the OS names no file:
# a full disk or quota, a read-only mount, a missing permission, a broken medium.
USER_FIXABLE_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO, errno.EFBIG}
)


def os_reason(e: OSError) -> str:
    """The OS's own words for `e` ("No space left on device"), without Python's dressing."""
    return e.strerror or str(e)


@contextmanager
def io_errors(path: Path | str, doing: str = "cannot write") -> Iterator[None]:
    """Turn an `OSError` inside the block into a `FicheError` naming `path` and the reason.

    The path is the one the user knows (the target), not the temporary file or the parent
    folder the OS may name.
    """
    try:
        yield
    except OSError as e:
        raise FicheError.at(str(path), "", f"{doing}: {os_reason(e)}") from None
