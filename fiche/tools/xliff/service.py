"""`fiche xliff export` and `fiche xliff import`: the steps, from files to files."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from fiche.core.atomic import write_atomic
from fiche.core.errors import FicheError, Problem
from fiche.model.catalog import Catalog, load_catalog
from fiche.model.content import LanguageFile, block_hash, load_language_file
from fiche.model.languages import known_languages, unknown_language
from fiche.model.source import MAX_FILE_BYTES, decode_text, parse_yaml
from fiche.tools.xliff.apply import HEADER, apply_targets
from fiche.tools.xliff.reader import check_returned, parse_xliff, read_file
from fiche.tools.xliff.units import Unit, fiche_units
from fiche.tools.xliff.writer import xliff_document


def export_fiche(cat: Catalog, fiche: str, lang: str, version: str) -> bytes:
    entry = cat.fiches[fiche]
    if entry.defn is None:
        raise FicheError(entry.problems)
    src_lang = entry.defn.source_language
    if lang == src_lang:
        raise FicheError.at(
            "", "--lang", f"{lang} is the source language of {fiche}: nothing to translate"
        )
    if src_lang not in entry.langs:
        raise FicheError(entry.lang_problems.get(src_lang, []))
    if lang in entry.lang_srcs and lang not in entry.langs:  # a file that does not load
        raise FicheError(entry.lang_problems.get(lang, []))
    units = fiche_units(cat, fiche, lang)
    original = f"content/{fiche}/{src_lang}.yaml"
    return xliff_document(units, fiche, src_lang, lang, original, version)


@dataclass
class ImportReport:
    fiche: str
    lang: str
    path: str  # the language file, relative to the project
    changed: list[str] = field(default_factory=list)  # unit ids
    stamped: list[str] = field(default_factory=list)  # block ids
    written: bool = False
    not_listed: bool = False  # the language is not (yet) among the fiche's languages
    pending: list[str] = field(default_factory=list)  # changed, but not marked translated
    empty: list[str] = field(default_factory=list)  # empty targets


def import_xliff(
    root: Path,
    xliff: Path,
    fiche: str | None = None,
    lang: str | None = None,
    fit: bool = True,
) -> ImportReport:
    """Check `xliff`, then write its translations into the language file and, with `fit`,
    set and draw the language's sheets: when a text no longer fits, the old file is put
    back and the problems name the units. With `lang`, the file must be a translation
    into that language."""
    name = str(xliff)
    got = parse_xliff(read_file(xliff), name)
    cat = load_catalog(root)
    slug = fiche or got.fiche
    if slug is None or slug not in cat.fiches:
        known = ", ".join(sorted(cat.fiches))
        raise FicheError.at(
            name, "file", f"no fiche {slug!r} here (known: {known}); pass --fiche", got.line
        )
    entry = cat.fiches[slug]
    if entry.defn is None:
        raise FicheError(entry.problems)
    _check_target_language(got.lang, lang, xliff, got.line)
    src_lang, lang = entry.defn.source_language, got.lang
    if src_lang not in entry.langs or (lang in entry.lang_srcs and lang not in entry.langs):
        raise FicheError(entry.lang_problems.get(src_lang, []) + entry.lang_problems.get(lang, []))
    units = fiche_units(cat, slug, lang)
    checked = check_returned(got, units, name, src_lang, lang, slug)
    changes = checked.changes
    path = entry.folder / f"{lang}.yaml"
    rel = f"content/{slug}/{lang}.yaml"
    if not path.exists():
        _check_complete(units, changes, name, got.line, rel)
    source = entry.langs[src_lang]
    target = entry.langs.get(lang)
    hashes = {bid: block_hash(b) for bid, b in source.blocks.items()}
    stamp = _to_stamp(units, got.done, changes, got.targets, hashes, target)
    report = ImportReport(slug, lang, rel, sorted(changes), sorted(stamp))
    report.pending, report.empty = checked.pending, checked.empty
    report.not_listed = lang not in entry.defn.languages
    if not changes and not stamp:
        return report
    old = decode_text(path.read_bytes(), rel) if path.exists() else ""
    header = HEADER.format(fiche=slug, lang=lang, source=src_lang)
    new = apply_targets(
        old, entry.lang_srcs[src_lang].data, units, changes, stamp, lang=lang, header=header
    )
    _check_language_file(new, rel)
    if new == old:
        return report
    write_atomic(path, new.encode("utf-8"))
    report.written = True
    if fit and not report.not_listed:
        problems = fit_problems(root, report)
        if problems:
            if old:
                write_atomic(path, old.encode("utf-8"))
            else:
                path.unlink()
            report.written = False
            said = f"{rel} was left as it was; shorten these texts, or import with --no-fit"
            raise FicheError([*problems, Problem.general(said)])
    return report


def _check_target_language(said: str, wanted: str | None, xliff: Path, line: int) -> None:
    """The file's target language is the one asked for (`--lang`), else the one its name
    gives (`n3.pl.xlf`, as `fiche xliff export` names it): a file whose trgLang a tool
    or a hand changed must not overwrite another language."""
    name = str(xliff)
    if said not in known_languages():
        raise FicheError.at(name, "target language", unknown_language(said), line)
    if wanted is not None and said != wanted:
        raise FicheError.at(name, "target language", f"{said!r}, not {wanted}", line)
    named = re.fullmatch(r".+\.([a-z]{2})\.xlf", xliff.name)
    if wanted is None and named and named.group(1) != said:
        raise FicheError.at(
            name,
            "target language",
            f"{said!r}, but the file is named for {named.group(1)}; "
            "pass --lang with the language it holds",
            line,
        )


def _check_complete(
    units: list[Unit], changes: dict[str, str], name: str, line: int, rel: str
) -> None:
    """A language file is written whole: a new one needs every text translated."""
    missing = [u.id for u in units if u.id not in changes]
    if missing:
        more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
        shown = ", ".join(missing[:8]) + more
        raise FicheError.at(
            name,
            "target language",
            f"{rel} does not exist yet, and a new language needs every text: "
            f"{len(missing)} unit(s) have no target marked translated ({shown})",
            line,
        )


def _to_stamp(
    units: list[Unit],
    done: frozenset[str],
    changes: dict[str, str],
    targets: dict[str, tuple[str, int, list[str]]],
    hashes: dict[str, str],
    target: LanguageFile | None,
) -> dict[str, str]:
    """The blocks whose every unit the translator marked done: their source hash, where
    the file does not hold it yet."""
    blocks: dict[str, list[Unit]] = {}
    for unit in units:
        if unit.block is not None:
            blocks.setdefault(unit.block, []).append(unit)
    out = {}
    for bid, members in blocks.items():
        complete = all(
            u.id in done and (u.id in changes or (u.target is not None and u.id in targets))
            for u in members
        )
        current = target.blocks.get(bid) if target is not None else None
        if complete and (current is None or current.source != hashes[bid]):
            out[bid] = hashes[bid]
    return out


def _check_language_file(text: str, name: str) -> None:
    """The new file must load as a language file before it replaces the old one."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise FicheError.at(name, "", "the translated file would be too large")
    load_language_file(parse_yaml(text, name))


def fit_problems(root: Path, report: ImportReport) -> list[Problem]:
    """The language's sheets set and drawn: what no longer fits, named with the units of
    the blocks the problem names."""
    from fiche.build.fitcheck import drawn_checks, render_sheet
    from fiche.model.profiles import PROFILES
    from fiche.typeset.sheet import typeset

    cat = load_catalog(root)
    units = fiche_units(cat, report.fiche, report.lang)
    out: list[Problem] = []
    for job in cat.jobs(langs=(report.lang,)):
        if job.fiche != report.fiche:
            continue
        problems = cat.job_problems(job)
        if not problems:
            try:
                sheet = typeset(cat, job)
                drawn_checks(cat, sheet, render_sheet(cat, sheet, PROFILES["print"]))
            except FicheError as e:
                problems = e.problems
        out += [_with_units(p, units) for p in problems]
    return out


def _with_units(p: Problem, units: list[Unit]) -> Problem:
    """`p` with the ids of the units it is about: the unit at its field, or every unit of
    a block it names."""
    field_id = re.sub(r"\[(\d+)\]", r".\1", p.field)
    ids = [u.id for u in units if u.id == field_id]
    said = f"{p.field} {p.message}"
    if not ids:
        ids = [u.id for u in units if u.block is not None and f"blocks.{u.block}" in said]
    if not ids:
        ids = [u.id for u in units if u.block is not None and f"'{u.block}'" in said]
    if not ids:
        return p
    return Problem(p.path, p.line, p.col, p.field, f"{p.message} (XLIFF unit: {', '.join(ids)})")
