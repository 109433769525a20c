"""XLIFF documents of a fiche's units: 2.0 (the default) or 1.2 for older tools.

States: a unit without a translation is `initial` (2.0) / `new` (1.2) and has no
target; a translation whose source block changed since it was stamped is
`initial` with subState `fiche:stale` (2.0) / `needs-review-translation` (1.2), its
old target kept for the translator to revise; an up-to-date one is `translated`.
"""

from __future__ import annotations

from lxml import etree

from fiche.tools.xliff.inline import NS2, NS12, Element, fill
from fiche.tools.xliff.units import Unit

VERSIONS = ("2.0", "1.2")
STATE_2 = {
    "new": ("initial", None),
    "stale": ("initial", "fiche:stale"),
    "translated": ("translated", None),
}
STATE_12 = {"new": "new", "stale": "needs-review-translation", "translated": "translated"}


def xliff_document(
    units: list[Unit], fiche: str, src_lang: str, lang: str, original: str, version: str = "2.0"
) -> bytes:
    """The XLIFF file of `units` (UTF-8, with an XML declaration)."""
    texts: list[tuple[Element, str]] = []
    build = _v2 if version == "2.0" else _v12
    root = build(units, fiche, src_lang, lang, original, texts)
    # Indent first, fill the texts after: indenting never reaches inside them then
    # (an indent before a code that opens a target would become part of the text).
    etree.indent(root, space="  ")
    for elem, text in texts:
        fill(elem, text, version)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


Texts = list[tuple[Element, str]]


def _v2(units: list[Unit], fiche: str, src: str, lang: str, original: str, texts: Texts) -> Element:
    q = lambda tag: f"{{{NS2}}}{tag}"  # noqa: E731
    root = etree.Element(q("xliff"), nsmap={None: NS2}, version="2.0", srcLang=src, trgLang=lang)
    file = etree.SubElement(root, q("file"), id=fiche, original=original)
    for unit in units:
        u = etree.SubElement(file, q("unit"), id=unit.id)
        if unit.notes:
            notes = etree.SubElement(u, q("notes"))
            for category, text in unit.notes:
                etree.SubElement(notes, q("note"), category=category).text = text
        state, sub = STATE_2[unit.state]
        seg = etree.SubElement(u, q("segment"), state=state)
        if sub:
            seg.set("subState", sub)
        texts.append((etree.SubElement(seg, q("source")), unit.source))
        if unit.target is not None:
            texts.append((etree.SubElement(seg, q("target")), unit.target))
    return root


def _v12(
    units: list[Unit], fiche: str, src: str, lang: str, original: str, texts: Texts
) -> Element:
    q = lambda tag: f"{{{NS12}}}{tag}"  # noqa: E731
    root = etree.Element(q("xliff"), nsmap={None: NS12}, version="1.2")
    file = etree.SubElement(
        root,
        q("file"),
        original=original,
        datatype="plaintext",
        attrib={"source-language": src, "target-language": lang},
    )
    file.set("product-name", f"fiche {fiche}")
    body = etree.SubElement(file, q("body"))
    for unit in units:
        tu = etree.SubElement(body, q("trans-unit"), id=unit.id)
        tu.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        if unit.budget is not None:
            tu.set("maxwidth", str(unit.budget))
            tu.set("size-unit", "char")
        texts.append((etree.SubElement(tu, q("source")), unit.source))
        if unit.target is not None:
            target = etree.SubElement(tu, q("target"), state=STATE_12[unit.state])
            texts.append((target, unit.target))
        for category, text in unit.notes:
            etree.SubElement(tu, q("note"), {"from": category}).text = text
    return root
