"""A school's own profile: who pupils can talk to, the school's logo and its links.

Input: a YAML file given with `fiche build --school`. Output: a validated,
frozen `School`, with its logo's path checked to lie beside the file. The
imprint is drawn by `render` in the region every layout keeps for it.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field

from fiche.core.errors import ContentError
from fiche.core.safeio import Refused
from fiche.model.address import Email, Url, UrlTemplate
from fiche.model.content import LangCode, Name, Text
from fiche.model.images import load_raster, load_svg
from fiche.model.source import Source, load_yaml
from fiche.model.validation import Model, validate

MAX_LOGO_BYTES = 5 << 20


class Contact(Model):
    person: Text
    role: Text | None = None
    room_or_hours: Text | None = None
    phone: Text | None = None
    email: Email | None = None


class School(Model):
    name: Text
    slug: Name | None = Field(default=None, description="Output folder name (default: file name).")
    language: LangCode
    logo: Text | None = Field(default=None, description="SVG, or PNG/JPEG at 300 ppi or more.")
    contact: Contact
    website: Url | None = None
    fiche_url: UrlTemplate | None = Field(
        default=None,
        description="Online version of each sheet for the QR code; may use {sheet} and {lang}.",
    )


class LoadedSchool:
    """A school with where it came from (for messages) and its logo's path."""

    def __init__(self, school: School, src: Source, path: Path, logo: Path | None):
        self.school = school
        self.src = src
        self.path = path
        self.logo = logo

    @property
    def slug(self) -> str:
        # A file name with no letter or digit in it ("___.yaml") still needs a folder of its
        # own: an empty slug would put the school's files straight into <out>/schools/.
        from_name = re.sub(r"[^a-z0-9-]+", "-", self.path.stem.lower()).strip("-")[:80]
        return self.school.slug or from_name or "school"


def _logo(given: str, src: Source, path: Path) -> Path:
    """The logo's path, after the one guarded loader has read it in full: a bad logo
    is reported here, at the `logo` line, not halfway through a build."""
    folder = path.resolve().parent
    logo = (folder / given).resolve()
    if Path(given).is_absolute() or ".." in Path(given).parts or not logo.is_relative_to(folder):
        raise ContentError(
            [
                src.problem(
                    ("logo",),
                    f"'{given}' must be a file beside {path.name} or in a folder below it",
                )
            ]
        )
    if logo.suffix.lower() not in (".svg", ".png", ".jpg", ".jpeg"):
        raise ContentError([src.problem(("logo",), "a logo is an SVG, PNG or JPEG file")])
    try:
        if logo.suffix.lower() == ".svg":
            load_svg(logo, MAX_LOGO_BYTES)
        else:
            load_raster(logo, MAX_LOGO_BYTES)
    except Refused as e:
        raise ContentError([src.problem(("logo",), f"logo '{given}' {e.reason}")]) from None
    return logo


def load_school(path: Path, display: str | None = None) -> LoadedSchool:
    """A school profile file into a `LoadedSchool`, or `FicheError` naming the place."""
    src = load_yaml(path, display or str(path))
    school = validate(School, src, ContentError)
    logo = _logo(school.logo, src, path) if school.logo else None
    return LoadedSchool(school, src, path, logo)
