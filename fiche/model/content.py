"""The content model: a fiche definition and its named blocks, one file a language.

Input: YAML `Source`s. Output: frozen models (`FicheDef`, `LanguageFile`).
This module knows nothing of layout or PDF; it checks only what a content
file can say about itself. Links between files are checked in `catalog`. Each kind
of block brings its own model (see `fiche.blocks`); `kinds.BlockModel` is what they share.

Text fields hold plain text with two inline marks: `**strong**` and `*emphasis*`.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import (
    AfterValidator,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from fiche.core.characters import check_readable
from fiche.core.errors import ContentError
from fiche.model.address import UrlTemplate
from fiche.model.kinds import BlockModel, kinds
from fiche.model.languages import check_language, known_languages
from fiche.model.source import Source
from fiche.model.validation import Model, validate

# Names become file names (content/<fiche>/, <sheet>.print.pdf): the length cap keeps
# them well under the 255 bytes a file name may have.
Name = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
# Every text must print as written and come back from the PDF as written.
Text = Annotated[
    str, StringConstraints(min_length=1, strip_whitespace=True), AfterValidator(check_readable)
]


def _language_tag(code: str) -> str:
    if not re.fullmatch(r"[a-z]{2}", code):
        raise ValueError(f"{code[:40]!r} is not a language code (two lower-case letters, e.g. nl)")
    return code


# A language fiche sets text in: one of typography's rules, never a fallback.
LangCode = Annotated[
    str,
    AfterValidator(check_language),
    WithJsonSchema({"type": "string", "enum": list(known_languages())}),
]
# The language of a quoted passage: only marked in the PDF for screen readers, so any code.
PassageLang = Annotated[
    str, AfterValidator(_language_tag), WithJsonSchema({"type": "string", "pattern": "^[a-z]{2}$"})
]


class Meta(Model):
    series: Text = Field(description="Series name shown in the header band, e.g. Cyberpesten.")
    number_label: Text = Field(description="The fiche's number as printed, e.g. N°3.")
    author: Text
    imprint_label: Text = Field(
        description="Label of the school's contact area, e.g. 'Aanspreekpunt op school'."
    )


class SheetText(Model):
    title: Text = Field(description="Document title (PDF metadata and viewer title bar).")
    subject: Text = Field(description="One sentence on what the sheet is about.")


def _block_union() -> Any:
    """The union of every registered kind's model (each checked when it registered),
    told apart by `kind`."""
    models = tuple(k.model for k in kinds())
    return Annotated[Union[models], Field(discriminator="kind")]  # noqa: UP007


if TYPE_CHECKING:
    # The kinds register at run time, so no checker knows the union: a block is any of
    # them (code that reads a kind's own field has tested `kind` first).
    Block = Any


class LanguageFile(Model):
    language: LangCode
    meta: Meta
    sheets: dict[Name, SheetText]
    # `Block`, the union of the registered kinds, is made when pydantic first needs it.
    blocks: Annotated[dict[Name, Block], Field(min_length=1)]

    @classmethod
    def model_rebuild(cls, **kwargs: Any) -> bool | None:
        """Pydantic calls this on the model's first use (validation or JSON Schema), since
        `Block` is undefined until then: the moment to load the kinds and make it. So
        the kinds, and what they import, are loaded only when a content file is read."""
        global Block
        Block = _block_union()
        # Names come from this module alone, never from whichever frame called.
        return super().model_rebuild(**{**kwargs, "_types_namespace": {"Block": Block}})


class SheetDef(Model):
    layout: Name
    front: Annotated[dict[Name, list[Name]], Field(min_length=1)]
    # Required when the layout has a back page: the catalogue checks it against the layout.
    back: Annotated[dict[Name, list[Name]], Field(min_length=1)] | None = None

    @field_validator("front", "back")
    @classmethod
    def _regions_not_empty(cls, v: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
        for region, ids in (v or {}).items():
            if not ids:
                raise ValueError(f"region '{region}' lists no blocks")
        return v

    def sides(self) -> tuple[tuple[str, dict[str, list[str]]], ...]:
        """The regions the sheet fills, by side name, front first."""
        return (("front", self.front),) + ((("back", self.back),) if self.back else ())


class FicheDef(Model):
    series: Name
    number: Annotated[int, Field(ge=1)]
    source_language: LangCode
    languages: Annotated[list[LangCode], Field(min_length=1)]
    sheets: Annotated[dict[Name, SheetDef], Field(min_length=1)]
    url: UrlTemplate | None = Field(
        default=None,
        description="Online version of each sheet, for its QR code; may use {sheet} and {lang}.",
    )

    @field_validator("languages")
    @classmethod
    def _languages_once(cls, v: list[str]) -> list[str]:
        twice = sorted({lang for lang in v if v.count(lang) > 1})
        if twice:  # each would be built twice, into the same files
            raise ValueError(f"listed more than once: {', '.join(twice)}")
        return v

    @model_validator(mode="after")
    def _source_listed(self) -> FicheDef:
        if self.source_language not in self.languages:
            raise ValueError(f"source_language '{self.source_language}' is not in languages")
        return self


def load_fiche_def(src: Source) -> FicheDef:
    """A fiche.yaml `Source` into a `FicheDef`."""
    return validate(FicheDef, src, ContentError)


def load_language_file(src: Source) -> LanguageFile:
    """A language file `Source` into a `LanguageFile`."""
    return validate(LanguageFile, src, ContentError)


def block_hash(block: BlockModel) -> str:
    """Short hash of a block's words, used to tell when a translation is stale."""
    # Unset optional fields are left out, so adding a field to the model later does not
    # make every existing translation look stale.
    data = block.model_dump(exclude={"source", "todo"}, exclude_none=True)
    raw = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(raw).hexdigest()[:10]
