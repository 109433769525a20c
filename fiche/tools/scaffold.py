"""`fiche new`: a new fiche folder with a placeholder block for every region.

Input: a slug, series, number, layout and languages. Output: content/<slug>/
with fiche.yaml (one sheet, named after the slug, using the layout) and one file
per language whose blocks are marked `todo: true`, so that `fiche status`
lists them until they are written.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from pathlib import Path

import yaml

from fiche.core.errors import FicheError, Problem
from fiche.model.catalog import load_catalog
from fiche.model.languages import known_languages, unknown_language
from fiche.typeset.casing import title

LABELS = {
    "ar": ("مسؤول الاتصال في المدرسة", "قيد الكتابة"),
    "nl": ("Aanspreekpunt op school", "Te schrijven"),
    "fr": ("Personne de contact à l'école", "À écrire"),
    "en": ("Contact person at school", "To be written"),
    "de": ("Ansprechperson an der Schule", "Noch zu schreiben"),
    "pl": ("Osoba kontaktowa w szkole", "Do napisania"),
    "tr": ("Okuldaki irtibat kişisi", "Yazılacak"),
    "uk": ("Контактна особа в школі", "Ще не написано"),
}


def _block_for(region: str, side: str, placeholder: str) -> dict:
    if region == "title":
        return {"kind": "heading", "level": 1, "text": placeholder, "todo": True}
    if region == "contact":
        return {
            "kind": "list",
            "title": placeholder,
            "marker": "none",
            "items": [f"{placeholder} (e-mail)", f"{placeholder} (website)"],
            "todo": True,
        }
    if region == "footer":
        return {
            "kind": "paragraph",
            "role": "small",
            "text": f"{placeholder}: credits",
            "todo": True,
        }
    return {
        "kind": "list",
        "title": f"{placeholder}: {side} {region}",
        "items": [f"{placeholder}."],
        "todo": True,
    }


def check_arguments(slug: str, series: str, langs: tuple[str, ...]) -> None:
    """Every problem with the arguments of `fiche new`, before anything is read or written.

    The slug becomes a folder and each language a file name, so both must be plain
    names: nothing here may lead outside content/<slug>/.
    """
    problems = []
    name = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
    if not name.fullmatch(slug):
        problems.append(
            Problem.general(
                f"{slug[:80]!r}: use lower-case letters, digits and '-' "
                "(at most 80, starting with a letter or digit)",
                "SLUG",
            )
        )
    if not name.fullmatch(series):
        problems.append(
            Problem.general(
                f"{series[:80]!r}: use lower-case letters, digits and "
                "'-' (at most 80, starting with a letter or digit)",
                "--series",
            )
        )
    if not langs:
        problems.append(Problem.general("give at least one language", "--lang"))
    for lang in langs:
        if lang not in known_languages():
            problems.append(Problem.general(unknown_language(lang), "--lang"))
    for lang in sorted({x for x in langs if langs.count(x) > 1}):
        problems.append(Problem.general(f"'{lang}' is given twice", "--lang"))
    if problems:
        raise FicheError(problems)


def new_fiche(
    root: Path, slug: str, series: str, number: int, layout: str, langs: tuple[str, ...]
) -> Path:
    """Create content/<slug>/ and return its folder; never overwrites anything.

    All or nothing: the files are written into a hidden folder inside content/ and that
    folder is renamed to content/<slug> at the end, so a failure (a full disk, an
    interrupt) leaves no half-made fiche for the next build to trip on.
    """
    check_arguments(slug, series, langs)
    cat = load_catalog(root)
    if layout not in cat.layouts:
        known = ", ".join(sorted(n for n in cat.layouts if not n.startswith("_")))
        raise FicheError.at("", "--layout", f"unknown layout {layout[:80]!r} (layouts: {known})")
    content = root / "content"
    folder = content / slug
    if folder.exists() or folder.is_symlink():
        raise FicheError.at(f"content/{slug}", "", "already exists; choose another name")
    taken = {(f.defn.series, f.defn.number): s for s, f in cat.fiches.items() if f.defn}
    if (series, number) in taken:
        raise FicheError.at(
            "",
            "--number",
            f"{series} N°{number} already exists in content/{taken[(series, number)]}",
        )
    files = _files(slug, series, number, layout, langs, cat.layouts[layout].pages)
    try:
        _write_all(content, folder, files)
    except OSError as e:
        raise FicheError.at(
            f"content/{slug}", "", f"cannot create the fiche: {e.strerror or e}"
        ) from None
    return folder


def _files(
    slug: str, series: str, number: int, layout: str, langs: tuple[str, ...], pages
) -> dict[str, str]:
    """File name -> text of every file of the new fiche."""
    sheet: dict = {"layout": layout}
    blocks = {}
    for side, page in pages.sides():
        sheet[side] = {}
        for region in page.regions:
            bid = f"{side}-{region}"
            sheet[side][region] = [bid]
            blocks[bid] = region
    header = "# yaml-language-server: $schema=../../schemas/{}.schema.json\n"
    fiche = {
        "series": series,
        "number": number,
        "source_language": langs[0],
        "languages": list(langs),
        "sheets": {slug: sheet},
    }
    out = {"fiche.yaml": header.format("fiche") + _dump(fiche)}
    for lang in langs:
        label, todo = LABELS[lang]
        data = {
            "language": lang,
            "meta": {
                "series": title(series.replace("-", " "), lang),
                "number_label": f"N°{number}",
                "author": todo,
                "imprint_label": label,
            },
            "sheets": {slug: {"title": f"{todo} – N°{number}", "subject": todo}},
            "blocks": {
                bid: _block_for(region, bid.split("-")[0], todo) for bid, region in blocks.items()
            },
        }
        out[f"{lang}.yaml"] = header.format("content") + _dump(data)
    return out


def _dump(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _write_all(content: Path, folder: Path, files: dict[str, str]) -> None:
    # A dot folder: the catalogue skips it, should a killed process leave it behind.
    tmp = Path(tempfile.mkdtemp(prefix=f".new-{folder.name}-", dir=content))
    try:
        for name, text in files.items():
            _write(tmp / name, text)
        if folder.exists() or folder.is_symlink():  # made meanwhile by someone else
            raise FileExistsError(errno.EEXIST, f"content/{folder.name} already exists")
        # Replaces at most an empty folder made in the instant since the check above.
        os.rename(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write(path: Path, text: str) -> None:
    with open(path, "x", encoding="utf-8") as f:
        f.write(text)
