"""`fiche new`: a new fiche folder with a placeholder block for every region.

Input: a slug, series, number, layout and languages. Output: content/<slug>/
with fiche.yaml (one sheet, named after the slug, using the layout) and one file
per language whose blocks are marked `todo: true`, so that `fiche status`
lists them until they are written.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import FicheError

LABELS = {
    "nl": ("Aanspreekpunt op school", "Te schrijven"),
    "fr": ("Personne de contact à l'école", "À écrire"),
    "en": ("Contact person at school", "To be written"),
    "de": ("Ansprechperson an der Schule", "Noch zu schreiben"),
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


def new_fiche(
    root: Path, slug: str, series: str, number: int, layout: str, langs: tuple[str, ...]
) -> Path:
    """Create content/<slug>/ and return its folder; never overwrites anything."""
    from .catalog import load_catalog

    cat = load_catalog(root)
    if layout not in cat.layouts:
        known = ", ".join(sorted(cat.layouts))
        raise FicheError.at("", "--layout", f"unknown layout '{layout}' (layouts: {known})")
    folder = root / "content" / slug
    if folder.exists():
        raise FicheError.at(str(folder), "", "already exists; choose another name")
    taken = {(f.defn.series, f.defn.number): s for s, f in cat.fiches.items() if f.defn}
    if (series, number) in taken:
        raise FicheError.at(
            "",
            "--number",
            f"{series} N°{number} already exists in content/{taken[(series, number)]}",
        )
    pages = cat.layouts[layout].pages
    sheet = {"layout": layout, "front": {}, "back": {}}
    blocks = {}
    for side in ("front", "back"):
        for region in getattr(pages, side).regions:
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
    folder.mkdir(parents=True)
    (folder / "fiche.yaml").write_text(
        header.format("fiche") + yaml.safe_dump(fiche, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    for lang in langs:
        label, todo = LABELS.get(lang, LABELS["en"])
        data = {
            "language": lang,
            "meta": {
                "series": series.replace("-", " ").title(),
                "number_label": f"N°{number}",
                "author": todo,
                "imprint_label": label,
            },
            "sheets": {slug: {"title": f"{todo} – N°{number}", "subject": todo}},
            "blocks": {
                bid: _block_for(region, bid.split("-")[0], todo) for bid, region in blocks.items()
            },
        }
        (folder / f"{lang}.yaml").write_text(
            header.format("content") + yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
    return folder
