"""Problems a user can fix, each carrying the place it was found.

A stage never formats its own location into a message: it raises a
`FicheError` holding `Problem`s (file, line, column, field path, reason) and the
CLI prints them, one line each. Any other exception is a bug and keeps its
traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem; `line`/`col` are 1-based, 0 when unknown."""

    path: str
    line: int
    col: int
    field: str
    message: str
    severity: str = "error"

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


class FicheError(Exception):
    """A failure caused by the input, reported without a traceback."""

    stage = "input"

    def __init__(self, problems: Iterable[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem("", 0, 0, "", problems)]
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
    stage = "content"


class LayoutError(FicheError):
    stage = "layout"


class FitError(FicheError):
    """Text that does not fit its region, even at the smallest declared size."""

    stage = "render"


class GlyphError(FicheError):
    stage = "render"


class PreflightError(FicheError):
    stage = "check"
