"""Marked content for a tagged PDF, written while the pages are drawn.

ReportLab writes no structure. While drawing, every piece of real content is
wrapped in a marked-content sequence with an MCID, and recorded with the chain
of structure elements it belongs to (e.g. L > LI > LBody); everything else
(bands, badges' discs, bullets, rules, page furniture) is wrapped as /Artifact.
`pdfpost.tags` then builds the structure tree from these records. With tagging
off every call does nothing, so the other profiles' files are unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field

from reportlab.pdfgen.canvas import Canvas

Chain = tuple[tuple[str, str], ...]  # (structure type, id) from the top down


@dataclass(frozen=True)
class MarkedContent:
    """One marked-content sequence drawn: its page, MCID and structure chain, and the
    text, alternative text or language the structure element will carry."""

    page: int
    mcid: int
    chain: Chain
    text: str = ""
    alt: str = ""
    lang: str = ""


@dataclass
class Tagger:
    enabled: bool
    page: int = 0
    mcid: int = 0
    marks: list[MarkedContent] = field(default_factory=list)

    def begin(
        self, canv: Canvas, chain: Chain, text: str = "", alt: str = "", lang: str = ""
    ) -> None:
        if not self.enabled:
            return
        canv.addLiteral(f"/{chain[-1][0]} <</MCID {self.mcid}>> BDC")
        self.marks.append(MarkedContent(self.page, self.mcid, chain, text, alt, lang))
        self.mcid += 1

    def end(self, canv: Canvas) -> None:
        if self.enabled:
            canv.addLiteral("EMC")

    @contextmanager
    def content(self, canv: Canvas, chain: Chain, **info: str) -> Iterator[None]:
        self.begin(canv, chain, **info)
        try:
            yield
        finally:
            self.end(canv)

    @contextmanager
    def artifact(self, canv: Canvas) -> Iterator[None]:
        if self.enabled:
            canv.addLiteral("/Artifact BMC")
        try:
            yield
        finally:
            if self.enabled:
                canv.addLiteral("EMC")

    def next_page(self) -> None:
        self.page += 1
        self.mcid = 0


@dataclass(frozen=True, slots=True)
class Tag:
    """How a flowable's content is marked: as part of the structure elements of
    `chain` (with its text, alternative text and language), or, with no chain, as an
    artifact."""

    tagger: Tagger
    chain: Chain = ()
    text: str = ""
    alt: str = ""
    lang: str = ""

    def marked(self, canv: Canvas) -> AbstractContextManager[None]:
        if self.chain:
            return self.tagger.content(
                canv, self.chain, text=self.text, alt=self.alt, lang=self.lang
            )
        return self.tagger.artifact(canv)
