"""Inline marks as XLIFF inline codes, and back.

Content text has two marks, `**strong**` and `*emphasis*`, and web and e-mail addresses
that become links. In XLIFF they travel as paired codes (`<pc>` in 2.0, `<g>` in 1.2),
so that a translator's tool shows them as tags to keep, never as asterisks to type.
A code's id says what it is and which one: `b1` the first strong part, `i2` the second
emphasis, `l1` the first link; a target's codes match the source's by id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from fiche.typeset.typography import LINK, MARK, address

# lxml's element type: lxml ships no type hints that mypy reads here
Element = Any
NS2 = "urn:oasis:names:tc:xliff:document:2.0"
NS12 = "urn:oasis:names:tc:xliff:document:1.2"
# code letter -> (2.0 type, 2.0 subType, 1.2 ctype, the mark around it in content text)
KINDS = {
    "b": ("fmt", "xlf:b", "bold", "**"),
    "i": ("fmt", "xlf:i", "italic", "*"),
    "l": ("link", None, "link", ""),
}


@dataclass(frozen=True)
class Span:
    text: str
    code: str | None = None  # "b1", "i1", "l1": the id of the code around `text`


def spans(text: str) -> list[Span]:
    """Content text as plain spans and coded spans, codes numbered per kind."""
    out: list[Span] = []
    count = {"b": 0, "i": 0, "l": 0}

    def code(kind: str) -> str:
        count[kind] += 1
        return f"{kind}{count[kind]}"

    def plain(part: str) -> None:  # links inside plain text
        pos = 0
        for m in LINK.finditer(part):
            url = address(m)
            if pos < m.start():
                out.append(Span(part[pos : m.start()]))
            out.append(Span(url, code("l")))
            pos = m.start() + len(url)
        if pos < len(part):
            out.append(Span(part[pos:]))

    pos = 0
    for m in MARK.finditer(text):
        plain(text[pos : m.start()])
        kind = "b" if m.group(1) is not None else "i"
        out.append(Span(m.group(1) if kind == "b" else m.group(2), code(kind)))
        pos = m.end()
    plain(text[pos:])
    return out


def fill(elem: Element, text: str, version: str) -> None:
    """Put `text` into a <source> or <target> element, marks as inline codes."""
    last: Element | None = None
    for span in spans(text):
        if span.code is None:
            if last is None:
                elem.text = (elem.text or "") + span.text
            else:
                last.tail = (last.tail or "") + span.text
            continue
        kind2, sub, ctype, _ = KINDS[span.code[0]]
        if version == "2.0":
            last = etree.SubElement(elem, f"{{{NS2}}}pc", id=span.code, type=kind2)
            if sub:
                last.set("subType", sub)
            last.set("canCopy", "no")
            last.set("canDelete", "no")
        else:
            last = etree.SubElement(elem, f"{{{NS12}}}g", id=span.code, ctype=ctype)
        last.text = span.text


class InlineError(ValueError):
    """A target whose codes or marks cannot be turned back into content text."""


def text_of(elem: Element, version: str) -> tuple[str, list[str]]:
    """A <target> as content text, and the ids of its codes in order.

    `<mrk>` annotations that translation tools add (terms, comments) are unwrapped; a
    text that would hold a mark no code stands for (`**` typed by hand) is refused, but
    a lone asterisk that makes no mark (Schüler*innen) is text like any other."""
    ns = NS2 if version == "2.0" else NS12
    tag = f"{{{ns}}}pc" if version == "2.0" else f"{{{ns}}}g"
    ids: list[str] = []
    parts: list[str] = []
    _walk(elem, tag, ns, ids, parts, inside=None)
    text = "".join(parts)
    marks = sorted(s.code[0] for s in spans(text) if s.code is not None and s.code[0] != "l")
    coded = sorted(c[0] for c in ids if c[0] != "l")
    if marks != coded:
        raise InlineError(
            "an asterisk in the text would become strong or emphasis: use the inline codes"
        )
    return text, ids


def _walk(
    elem: Element, tag: str, ns: str, ids: list[str], parts: list[str], inside: str | None
) -> None:
    parts.append(elem.text or "")
    for child in elem:
        if not isinstance(child.tag, str):  # a comment or processing instruction
            parts.append(child.tail or "")
            continue
        if child.tag == f"{{{ns}}}mrk":  # an annotation: its text counts, not the mark
            _walk(child, tag, ns, ids, parts, inside)
            parts.append(child.tail or "")
            continue
        if child.tag != tag:
            name = etree.QName(child).localname
            raise InlineError(
                f"<{name}> is not an inline code fiche knows (only <{tag.split('}')[1]}>)"
            )
        cid = child.get("id", "")
        if inside is not None or not re.fullmatch(r"[bil][1-9][0-9]*", cid):
            raise InlineError(
                f"inline code id={cid!r} is not one fiche made (or holds other codes)"
            )
        ids.append(cid)
        inner: list[str] = []
        _walk(child, tag, ns, ids, inner, cid)
        content = "".join(inner)
        if not content.strip():
            raise InlineError(f"inline code {cid} is empty")
        if cid[0] == "l" and not _is_address(content):
            raise InlineError(
                f"link {cid} must hold a web or e-mail address, not {content[:40]!r}: "
                "the sheet prints the address itself"
            )
        mark = KINDS[cid[0]][3]
        parts.append(f"{mark}{content}{mark}")
        parts.append(child.tail or "")


def _is_address(text: str) -> bool:
    m = LINK.fullmatch(text.strip())
    return m is not None


def code_ids(text: str) -> list[str]:
    return [s.code for s in spans(text) if s.code is not None]
