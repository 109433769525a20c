"""The same two-page fiche written for Typst and for WeasyPrint, from fiche's own
typeset text: same words, same font (Lato), same A4 trim with 3 mm bleed, a header
band, two columns on the front and numbered tips on the back."""

from __future__ import annotations

import html
from pathlib import Path

from fiche.typeset.sheet import TBlock, TypesetSheet


def _blocks(sheet: TypesetSheet, side: str) -> list[TBlock]:
    """The side's blocks in reading order; none for a side the sheet does not have (a
    poster is one-sided)."""
    return [b for p in sheet.pages if p.side == side for r in p.regions for b in r.blocks]


def _typst_escape(s: str) -> str:
    for ch in "\\#*_`$@<>[]~/=-+":
        s = s.replace(ch, "\\" + ch)
    return s


def typst_source(
    sheet: TypesetSheet,
    width_mm: float = 210.0,
    height_mm: float = 297.0,
    bleed_mm: float = 3.0,
    colour: str = "cmyk(0%, 88%, 30%, 0%)",
) -> str:
    """The fiche for Typst; by default the A4 print page (3 mm bleed, CMYK brand colour).
    `bench/run.py` passes each layout's trim and each profile's bleed and colour, so that
    the documents compiled in one process differ as fiche's outputs do (Typst would
    otherwise answer a repeated document from its memo cache)."""

    def block(b: TBlock) -> str:
        out = []
        if b.title:
            out.append(
                f"#text(fill: brand, weight: 900, size: 11pt)[{_typst_escape(b.title.plain)}]\n"
            )
        if b.text:
            size = "30pt" if getattr(b, "level", None) == 1 else "9.5pt"
            out.append(f"#text(size: {size})[{_typst_escape(b.text.plain)}]\n")
        for i, it in enumerate(b.items, start=1):
            mark = f"{i}." if b.kind in ("tips", "definition") else "-"
            out.append(f"{mark} {_typst_escape(it.text.plain)}")
            for sub in it.sub:
                out.append(f"  - {_typst_escape(sub.plain)}")
        return "\n".join(out) + "\n\n"

    front = "".join(block(b) for b in _blocks(sheet, "front"))
    back = "".join(block(b) for b in _blocks(sheet, "back"))
    back_page = f"#pagebreak()\n#columns(2, gutter: 8mm)[\n{back}]\n" if back else ""
    b = bleed_mm
    return f"""#let brand = {colour}
#set page(width: {width_mm + 2 * b:g}mm, height: {height_mm + 2 * b:g}mm,
  margin: (x: {14 + b:g}mm, top: {48 + b:g}mm, bottom: {13 + b:g}mm),
  background: place(top, rect(width: 100%, height: {40 + b:g}mm, fill: brand)))
#set text(font: "Lato", size: 9.5pt, lang: "{sheet.lang}", hyphenate: true)
#set par(leading: 0.55em)
#columns(2, gutter: 5mm)[
{front}]
{back_page}"""


def html_source(sheet: TypesetSheet, fonts: Path) -> str:
    def block(b: TBlock) -> str:
        out = []
        if b.title:
            out.append(f"<h3>{html.escape(b.title.plain)}</h3>")
        if b.text:
            tag = "h1" if getattr(b, "level", None) == 1 else "p"
            out.append(f"<{tag}>{html.escape(b.text.plain)}</{tag}>")
        if b.items:
            tag = "ol" if b.kind in ("tips", "definition") else "ul"
            items = []
            for it in b.items:
                sub = "".join(f"<li>{html.escape(s.plain)}</li>" for s in it.sub)
                items.append(
                    f"<li>{html.escape(it.text.plain)}"
                    + (f"<ul>{sub}</ul>" if sub else "")
                    + "</li>"
                )
            out.append(f"<{tag}>{''.join(items)}</{tag}>")
        return "".join(out)

    faces = "".join(
        f"@font-face {{ font-family: Lato; font-weight: {w}; src: url('{(fonts / f).as_uri()}'); }}"
        for w, f in ((400, "Lato-Regular.ttf"), (700, "Lato-Bold.ttf"), (900, "Lato-Black.ttf"))
    )
    css = (
        faces
        + """
    @page { size: 210mm 297mm; bleed: 3mm; marks: crop; margin: 48mm 14mm 13mm 14mm;
            background: linear-gradient(to bottom, #e8336e 0, #e8336e 43mm, white 43mm); }
    body { font-family: Lato; font-size: 9.5pt; line-height: 1.28; hyphens: auto; }
    section { columns: 2; column-gap: 5mm; }
    h1 { font-size: 30pt; color: white; margin: 0; }
    h3 { color: #e8336e; font-size: 11pt; font-weight: 900; margin: 9pt 0 3pt; }
    p, li { margin: 0 0 3pt; }
    .back { page-break-before: always; }
    """
    )
    front = "".join(block(b) for b in _blocks(sheet, "front"))
    back = "".join(block(b) for b in _blocks(sheet, "back"))
    return (
        f"<html lang='{sheet.lang}'><head><style>{css}</style></head><body>"
        f"<section>{front}</section><section class='back'>{back}</section></body></html>"
    )
