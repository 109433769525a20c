"""The unit of work, kept apart so that the fast no-op path can name jobs
without importing the content model (pydantic) or the renderer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Job:
    """One output: a sheet of a fiche in one language."""

    fiche: str
    sheet: str
    lang: str
