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

from fiche.typeset.typography import LINK, MARK

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
            url = m.group(0).rstrip(".,;:!?)")
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
    """A <target> as content text, and the ids of its codes in order."""
    ns = NS2 if version == "2.0" else NS12
    tag = f"{{{ns}}}pc" if version == "2.0" else f"{{{ns}}}g"
    ids: list[str] = []
    parts = [_plain(elem.text)]
    for child in elem:
        if not isinstance(child.tag, str):  # a comment or processing instruction
            parts.append(_plain(child.tail))
            continue
        if child.tag != tag:
            name = etree.QName(child).localname
            raise InlineError(
                f"<{name}> is not an inline code fiche knows (only <{tag.split('}')[1]}>)"
            )
        cid = child.get("id", "")
        if not re.fullmatch(r"[bil][1-9][0-9]*", cid) or len(child):
            raise InlineError(
                f"inline code id={cid!r} is not one fiche made (or holds other codes)"
            )
        ids.append(cid)
        inner = _plain(child.text)
        if not inner.strip():
            raise InlineError(f"inline code {cid} is empty")
        mark = KINDS[cid[0]][3]
        parts.append(f"{mark}{inner}{mark}")
        parts.append(_plain(child.tail))
    return "".join(parts), ids


def _plain(s: str | None) -> str:
    """Text outside codes: an asterisk there would become a mark no code stands for."""
    s = s or ""
    if "*" in s:
        raise InlineError(
            "an asterisk in the text would become strong or emphasis: use the inline codes"
        )
    return s


def code_ids(text: str) -> list[str]:
    return [s.code for s in spans(text) if s.code is not None]
