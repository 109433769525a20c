"""Checks of a written PDF against what a print shop needs.

Input: PDF bytes (or a path). Output: a `PreflightReport` with one `Check` per
rule (pass / warn / fail with detail). Reads only the file itself, with pikepdf
and pdfium, never the objects that made it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from .textcheck import bad_characters, extract_pages

MM = 72 / 25.4
BASE14 = {
    "Courier",
    "Courier-Bold",
    "Courier-Oblique",
    "Courier-BoldOblique",
    "Helvetica",
    "Helvetica-Bold",
    "Helvetica-Oblique",
    "Helvetica-BoldOblique",
    "Times-Roman",
    "Times-Bold",
    "Times-Italic",
    "Times-BoldItalic",
    "Symbol",
    "ZapfDingbats",
}


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # "pass", "warn" or "fail"
    detail: str

    def __str__(self) -> str:
        return f"{self.status.upper():4} {self.name}: {self.detail}"


@dataclass
class PreflightReport:
    path: str
    checks: list[Check] = field(default_factory=list)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.status == "fail"]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.status == "warn"]

    def ok(self, strict: bool = False) -> bool:
        return not self.failed and not (strict and self.warnings)

    def add(self, name: str, problems: list[str], ok_detail: str, warn: bool = False) -> None:
        if problems:
            self.checks.append(Check(name, "warn" if warn else "fail", "; ".join(problems)))
        else:
            self.checks.append(Check(name, "pass", ok_detail))


def preflight(
    pdf: bytes | Path,
    name: str = "",
    pages: int = 2,
    bleed_mm: float = 3.0,
    trim_mm: tuple[float, float] = (210.0, 297.0),
) -> PreflightReport:
    """Check page count, boxes, fonts, text and metadata of a print PDF."""
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    report = PreflightReport(name or (str(pdf) if isinstance(pdf, Path) else "<pdf>"))
    try:
        doc = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as e:
        report.add("readable", [f"not a readable PDF: {e}"], "")
        return report
    with doc:
        n = len(doc.pages)
        report.add("pages", [] if n == pages else [f"{n} pages, expected {pages}"], f"{n} pages")
        report.add(
            "page boxes",
            _box_problems(doc, bleed_mm, trim_mm),
            f"TrimBox {trim_mm[0]:g}×{trim_mm[1]:g} mm and BleedBox +{bleed_mm:g} mm on every page",
        )
        fonts, problems = _font_problems(doc)
        report.add(
            "fonts embedded",
            problems,
            f"{len(fonts)} fonts, all embedded: " + ", ".join(sorted(fonts)),
        )
        meta = []
        title = str(doc.docinfo.get("/Title", "")).strip()
        lang = str(doc.Root.get("/Lang", "")).strip()
        if not title or title == "untitled":  # ReportLab's default
            meta.append("no document title")
        if not lang:
            meta.append("no /Lang in the catalogue")
        report.add("metadata", meta, f"title {title!r}, language {lang}")
    texts = extract_pages(data)
    bad = sorted({b for t in texts for b in bad_characters(t)})
    report.add(
        "text extraction",
        [f"extracted text contains {', '.join(bad)}"] if bad else [],
        f"{sum(len(t) for t in texts)} characters, no broken mapping",
    )
    return report


def _box_problems(doc: pikepdf.Pdf, bleed_mm: float, trim_mm: tuple[float, float]) -> list[str]:
    out = []
    for i, page in enumerate(doc.pages, start=1):
        boxes = {}
        for key in ("/MediaBox", "/BleedBox", "/TrimBox"):
            if key not in page.obj:
                out.append(f"page {i}: no {key[1:]}")
                continue
            boxes[key] = [float(v) for v in page.obj[key]]
        if len(boxes) < 3:
            continue
        t, b, m = boxes["/TrimBox"], boxes["/BleedBox"], boxes["/MediaBox"]
        w, h = (t[2] - t[0]) / MM, (t[3] - t[1]) / MM
        if abs(w - trim_mm[0]) > 0.2 or abs(h - trim_mm[1]) > 0.2:
            out.append(
                f"page {i}: TrimBox is {w:.1f}×{h:.1f} mm, expected "
                f"{trim_mm[0]:g}×{trim_mm[1]:g} mm"
            )
        for j, sign in enumerate((-1, -1, 1, 1)):
            if abs((b[j] - t[j]) - sign * bleed_mm * MM) > 0.1:
                out.append(f"page {i}: BleedBox is not {bleed_mm:g} mm outside the TrimBox")
                break
        if not (m[0] <= b[0] and m[1] <= b[1] and m[2] >= b[2] and m[3] >= b[3]):
            out.append(f"page {i}: BleedBox reaches outside the MediaBox")
    return out


def _font_problems(doc: pikepdf.Pdf) -> tuple[set[str], list[str]]:
    names: set[str] = set()
    problems: list[str] = []
    seen: set = set()
    for i, page in enumerate(doc.pages, start=1):
        for font in _page_fonts(page):
            key = font.objgen if font.is_indirect else id(font)
            if key in seen:
                continue
            seen.add(key)
            base = str(font.get("/BaseFont", "?")).lstrip("/")
            names.add(base.split("+", 1)[-1])
            subtype = str(font.get("/Subtype", ""))
            if subtype == "/Type3":
                problems.append(f"page {i}: Type 3 font {base}")
                continue
            desc = font.get("/FontDescriptor")
            if subtype == "/Type0":
                desc = font.DescendantFonts[0].get("/FontDescriptor")
            embedded = desc is not None and any(
                k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            if not embedded:
                label = "base-14 font" if base in BASE14 else "font"
                problems.append(f"page {i}: {label} {base} is not embedded")
    return names, problems


def _page_fonts(page: pikepdf.Page):
    res = page.obj.get("/Resources", {})
    fonts = res.get("/Font", {})
    yield from fonts.values()
    for xobj in res.get("/XObject", {}).values():
        xfonts = xobj.get("/Resources", {}).get("/Font", {})
        yield from xfonts.values()
