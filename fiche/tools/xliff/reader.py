"""A returned XLIFF file, checked, as content text per unit id.

Everything is checked before anything is written: the XLIFF version and namespace,
the languages, that every unit id is one of the fiche's, and that each target keeps
exactly its source's inline codes and invents no mark. Problems name the XLIFF file,
the line and the unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from fiche.core.errors import FicheError, Problem
from fiche.tools.xliff.inline import NS2, NS12, Element, InlineError, code_ids, text_of
from fiche.tools.xliff.units import Unit

MAX_XLIFF_BYTES = 20 * 1024 * 1024
DONE_2 = ("translated", "reviewed", "final")
DONE_12 = ("translated", "final", "signed-off")


@dataclass(frozen=True)
class Returned:
    version: str
    src_lang: str
    lang: str
    fiche: str | None  # the <file id> (2.0) or product-name (1.2)
    targets: dict[str, tuple[str, int, list[str]]]  # unit id -> (text, line, code ids)
    done: frozenset[str]  # the units a translator marked translated (or reviewed, final)
    line: int = 1  # of the element that names the languages


def parse_xliff(data: bytes, name: str) -> Returned:
    """The targets of an XLIFF 2.0 or 1.2 file; `FicheError` naming `name` if it is not one."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        line = e.lineno or 1
        raise FicheError([Problem(name, line, 0, "", f"not well-formed XML: {e.msg}")]) from None
    tag = etree.QName(root)
    if tag.localname != "xliff" or tag.namespace not in (NS2, NS12):
        raise FicheError.at(name, "xliff", "not an XLIFF 2.0 or 1.2 document", root.sourceline or 1)
    if tag.namespace == NS2:
        return _read2(root, name)
    return _read12(root, name)


def _read2(root: Element, name: str) -> Returned:
    files = root.findall(f"{{{NS2}}}file")
    src, lang = lang_code(root.get("srcLang", "")), lang_code(root.get("trgLang", ""))
    targets: dict[str, tuple[str, int, list[str]]] = {}
    done: set[str] = set()
    problems: list[Problem] = []
    for file in files:
        for unit in file.iter(f"{{{NS2}}}unit"):
            uid = unit.get("id", "")
            segs = unit.findall(f"{{{NS2}}}segment")
            if len(segs) != 1:
                problems.append(
                    _at(name, unit, uid, "a unit of fiche has one segment; keep it whole")
                )
                continue
            target = segs[0].find(f"{{{NS2}}}target")
            if target is not None:
                _take(targets, problems, name, uid, target, "2.0")
                if segs[0].get("state", "initial") in DONE_2:
                    done.add(uid)
    if problems:
        raise FicheError(problems)
    fiche = files[0].get("id") if len(files) == 1 else None
    return Returned("2.0", src, lang, fiche, targets, frozenset(done), root.sourceline or 1)


def _read12(root: Element, name: str) -> Returned:
    files = root.findall(f"{{{NS12}}}file")
    targets: dict[str, tuple[str, int, list[str]]] = {}
    done: set[str] = set()
    problems: list[Problem] = []
    src = lang_code(files[0].get("source-language", "")) if files else ""
    lang = lang_code(files[0].get("target-language", "")) if files else ""
    for file in files:
        for tu in file.iter(f"{{{NS12}}}trans-unit"):
            target = tu.find(f"{{{NS12}}}target")
            if target is not None:
                _take(targets, problems, name, tu.get("id", ""), target, "1.2")
                # 1.2 leaves the state optional: a target without one is taken as done
                state = target.get("state", "translated")
                if state in DONE_12 or tu.get("approved") == "yes":
                    done.add(tu.get("id", ""))
    if problems:
        raise FicheError(problems)
    product = files[0].get("product-name", "") if len(files) == 1 else ""
    fiche = product.removeprefix("fiche ") if product.startswith("fiche ") else None
    line = (files[0].sourceline or 1) if files else (root.sourceline or 1)
    return Returned("1.2", src, lang, fiche, targets, frozenset(done), line)


def _take(
    targets: dict[str, tuple[str, int, list[str]]],
    problems: list[Problem],
    name: str,
    uid: str,
    target: Element,
    version: str,
) -> None:
    try:
        text, ids = text_of(target, version)
    except InlineError as e:
        problems.append(_at(name, target, uid, str(e)))
        return
    if uid in targets:
        problems.append(_at(name, target, uid, "a second unit with this id"))
        return
    targets[uid] = (flat(text), target.sourceline or 1, ids)


def flat(text: str) -> str:
    """Line breaks and runs of spaces as one space, as a folded YAML text reads; the
    no-break spaces a translator typed (Polish "w\u00a0domu") stay."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip(" ")


def lang_code(tag: str) -> str:
    """A language tag as fiche names languages: `pl-PL` and `pl_PL` (memoQ, Trados) are
    `pl`."""
    return re.split(r"[-_]", tag.strip(), maxsplit=1)[0].lower()


def _at(name: str, elem: Element, uid: str, message: str) -> Problem:
    return Problem(name, elem.sourceline or 1, 0, f"unit {uid[:80]}", message)


@dataclass
class Checked:
    changes: dict[str, str]  # unit id -> new content text, of units marked done
    pending: list[str]  # units whose new target is not marked translated: left out
    empty: list[str]  # units with an empty target: left as they were


def check_returned(
    got: Returned, units: list[Unit], name: str, src_lang: str, lang: str, fiche: str
) -> Checked:
    """What the file changes, once every check passed. Only targets a translator marked
    translated (reviewed, final; 1.2 also approved) are taken: a draft or a machine
    suggestion left in `initial` stays out of the sheets."""
    problems = _header_problems(got, name, src_lang, lang, fiche)
    by_id = {u.id: u for u in units}
    out = Checked({}, [], [])
    for uid, (text, line, ids) in got.targets.items():
        unit = by_id.get(uid)
        if unit is None:
            problems.append(Problem(name, line, 0, f"unit {uid[:80]}", "no such text in the fiche"))
            continue
        if not text.strip():
            out.empty.append(uid)
            continue
        said = _codes_differ(code_ids(unit.source), ids)
        if said:
            problems.append(Problem(name, line, 0, f"unit {uid}", said))
            continue
        if text == flat(unit.target or ""):
            continue
        if uid in got.done:
            out.changes[uid] = text
        else:
            out.pending.append(uid)
    if problems:
        raise FicheError(problems)
    return out


def _header_problems(
    got: Returned, name: str, src_lang: str, lang: str, fiche: str
) -> list[Problem]:
    problems = []
    if got.src_lang != src_lang:
        said = f"{got.src_lang!r}, but {fiche} is written in {src_lang}"
        problems.append(Problem(name, got.line, 0, "source language", said))
    if got.lang != lang:
        problems.append(Problem(name, got.line, 0, "target language", f"{got.lang!r}, not {lang}"))
    if got.fiche is not None and got.fiche != fiche:
        said = f"made for fiche {got.fiche!r}, not {fiche}"
        problems.append(Problem(name, got.line, 0, "file", said))
    return problems


def _codes_differ(want: list[str], have: list[str]) -> str:
    """What is wrong with a target's inline codes, or "" when they are the source's. A
    link the source does not have may be added (a translator may give an address in the
    reader's language); every code of the source must stay."""
    if sorted(want) == sorted(have):
        return ""
    lost = sorted(set(want) - set(have))
    extra = sorted(c for c in set(have) - set(want) if c[0] != "l")
    if not lost and not extra and len(set(have)) == len(have):
        return ""
    said = []
    if lost:
        said.append(f"inline code(s) of the source lost: {', '.join(lost)}")
    if extra:
        said.append(f"inline code(s) not in the source: {', '.join(extra)}")
    return "; ".join(said) or "an inline code used twice"


def read_file(path: Path) -> bytes:
    from fiche.core.safeio import read_user_file

    return read_user_file(path, MAX_XLIFF_BYTES, str(path))
