"""A school's own profile: who pupils can talk to, the school's logo and its links.

Input: a YAML file given with `fiche build --school`. Output: a validated,
frozen `School`, with its logo's path checked to lie beside the file. The
imprint is drawn by `render` in the region every layout keeps for it.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field

from .address import Email, Url, UrlTemplate
from .content import LangCode, Name, Text
from .errors import ContentError
from .source import Source, load_yaml
from .validation import Model, validate

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


def load_school(path: Path, display: str | None = None) -> LoadedSchool:
    """A school profile file into a `LoadedSchool`, or `FicheError` naming the place."""
    src = load_yaml(path, display or str(path))
    school = validate(School, src, ContentError)
    logo = None
    if school.logo:
        folder = path.resolve().parent
        given = Path(school.logo)
        logo = (folder / given).resolve()
        if given.is_absolute() or ".." in given.parts or not logo.is_relative_to(folder):
            raise ContentError(
                [
                    src.problem(
                        ("logo",),
                        f"'{school.logo}' must be a file beside "
                        f"{path.name} or in a folder below it",
                    )
                ]
            )
        if not logo.is_file():
            raise ContentError([src.problem(("logo",), f"logo '{school.logo}' not found")])
        if logo.stat().st_size > MAX_LOGO_BYTES:
            raise ContentError(
                [
                    src.problem(
                        ("logo",),
                        f"logo '{school.logo}' is "
                        f"{logo.stat().st_size >> 20} MiB; at most "
                        f"{MAX_LOGO_BYTES >> 20} MiB",
                    )
                ]
            )
        if logo.suffix.lower() not in (".svg", ".png", ".jpg", ".jpeg"):
            raise ContentError([src.problem(("logo",), "a logo is an SVG, PNG or JPEG file")])
    return LoadedSchool(school, src, path, logo)
