"""Marked content for a tagged PDF, written while the pages are drawn.

ReportLab writes no structure. While drawing, every piece of real content is
wrapped in a marked-content sequence with an MCID, and recorded with the chain
of structure elements it belongs to (e.g. L > LI > LBody); everything else
(bands, badges' discs, bullets, rules, page furniture) is wrapped as /Artifact.
`pdfpost.tags` then builds the structure tree from these records. With tagging
off every call does nothing, so the other profiles' files are unchanged.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

Chain = tuple[tuple[str, str], ...]  # (structure type, id) from the top down


@dataclass(frozen=True)
class Mark:
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
    marks: list[Mark] = field(default_factory=list)

    def begin(self, canv, chain: Chain, text: str = "", alt: str = "", lang: str = "") -> None:
        if not self.enabled:
            return
        canv._code.append(f"/{chain[-1][0]} <</MCID {self.mcid}>> BDC")
        self.marks.append(Mark(self.page, self.mcid, chain, text, alt, lang))
        self.mcid += 1

    def end(self, canv) -> None:
        if self.enabled:
            canv._code.append("EMC")

    @contextmanager
    def content(self, canv, chain: Chain, **info: str):
        self.begin(canv, chain, **info)
        try:
            yield
        finally:
            self.end(canv)

    @contextmanager
    def artifact(self, canv):
        if self.enabled:
            canv._code.append("/Artifact BMC")
        try:
            yield
        finally:
            if self.enabled:
                canv._code.append("EMC")

    def next_page(self) -> None:
        self.page += 1
        self.mcid = 0
