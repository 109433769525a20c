"""The translation units of one fiche in one language, with the context a translator needs.

A unit's id is the path of its text in the language file (`blocks.what.meanings.1`,
`sheets.n3-youth.title`, `meta.series`): stable while the source keeps its block ids,
readable in any tool, and all an import needs to know where a target goes. Ids are
XML name tokens (letters, digits, `.`, `-`), as XLIFF asks.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fiche.model.catalog import Catalog, FicheEntry
from fiche.model.content import block_hash
from fiche.model.layout import Layout, TextDecoration
from fiche.model.templates import fill_template

# The fields of a block that hold words a reader sees (image `alt` is read aloud).
TEXT_FIELDS = ("title", "term", "text", "meanings", "items", "alt")
META_NOTES = {
    "series": "the name of the series, in the header band of every sheet",
    "number_label": "the fiche's number, in the header band (keep the number)",
    "imprint_label": "heading of the box with the school's contact person (back page)",
}
SHEET_FIELDS = ("title", "subject")
# Lato's mean advance over running text, in em: enough for a budget in characters.
MEAN_ADVANCE_EM = 0.5
PT_MM = 25.4 / 72


@dataclass
class Unit:
    id: str
    path: tuple[str | int, ...]  # where the text sits in the language file
    source: str
    target: str | None
    state: str  # "new", "translated" or "stale"
    notes: list[tuple[str, str]] = field(default_factory=list)  # (category, text)
    budget: int | None = None  # characters, where the layout bounds the text

    @property
    def block(self) -> str | None:
        return str(self.path[1]) if self.path[0] == "blocks" else None


def unit_id(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path)


def texts_of(data: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every text of a block (as typed, marks included) with its path, in reading order."""
    if not isinstance(data, dict):
        return
    for key in TEXT_FIELDS:
        value = data.get(key)
        if isinstance(value, str):
            yield (*path, key), value
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    yield (*path, key, i), item
                else:  # a sub-list: its lead text and its items
                    yield from texts_of(item, (*path, key, i))


def lookup(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[part] if isinstance(part, int) else data.get(part)
    return data


def fiche_units(cat: Catalog, fiche: str, lang: str) -> list[Unit]:
    """The units of `fiche` for a translation into `lang`: every text of the source
    language file, with the current translation (if any) and its state."""
    entry = cat.fiches[fiche]
    assert entry.defn is not None
    src_lang = entry.defn.source_language
    source = entry.lang_srcs[src_lang].data
    target_src = entry.lang_srcs.get(lang)
    target = target_src.data if target_src is not None else {}
    places = _places(entry)
    out: list[Unit] = []
    meta = source.get("meta") or {}
    for key, note in META_NOTES.items():
        text = lookup(source, ("meta", key))
        if isinstance(text, str):
            unit = _unit(("meta", key), text, target, "translated", [note])
            unit.budget = _band_budget(cat, entry, key, meta)
            if unit.budget is not None:
                unit.notes.append(("budget", f"at most about {unit.budget} characters"))
            out.append(unit)
    for sheet, sdef in (source.get("sheets") or {}).items():
        for key in SHEET_FIELDS:
            text = lookup(sdef, (key,))
            if isinstance(text, str):
                note = f"document {key} of the PDF of sheet {sheet} (title bar, metadata)"
                out.append(_unit(("sheets", sheet, key), text, target, "translated", [note]))
    src_blocks = entry.langs[src_lang].blocks
    tgt_blocks = entry.langs[lang].blocks if lang in entry.langs else {}
    for bid, raw in (source.get("blocks") or {}).items():
        state = _state(src_blocks.get(bid), tgt_blocks.get(bid))
        notes = [f"block {bid}, {raw.get('kind')}" + _titled(raw)]
        notes += [f"on sheet {s}, {side} page, region {r}" for s, side, r in places.get(bid, [])]
        for path, text in texts_of(raw, ("blocks", bid)):
            unit = _unit(path, text, target, state, notes)
            unit.budget = _budget(cat, entry, bid, places.get(bid, []), raw)
            if unit.budget is not None:
                unit.notes.append(("budget", f"at most about {unit.budget} characters"))
            out.append(unit)
    return out


def _unit(
    path: tuple[str | int, ...], text: str, target: Any, state: str, notes: list[str]
) -> Unit:
    current = lookup(target, path)
    current = current if isinstance(current, str) else None
    return Unit(
        unit_id(path),
        path,
        text,
        current,
        state if current is not None else "new",
        [("context", n) for n in notes],
    )


def _state(src: Any, tgt: Any) -> str:
    if tgt is None or src is None:
        return "new"
    return "translated" if tgt.source == block_hash(src) else "stale"


def _titled(raw: dict) -> str:
    title = raw.get("title")
    return f" titled {title!r}" if isinstance(title, str) else ""


def _places(entry: FicheEntry) -> dict[str, list[tuple[str, str, str]]]:
    """Where each block is set: (sheet, page side, region)."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    assert entry.defn is not None
    for sheet, sdef in entry.defn.sheets.items():
        for side in ("front", "back"):
            regions = getattr(sdef, side, None) or {}
            for region, blocks in regions.items():
                for bid in blocks:
                    out.setdefault(bid, []).append((sheet, side, region))
    return out


def _per_line(width_mm: float, size_pt: float) -> float:
    """Characters of running text in `width_mm` at `size_pt`, on average."""
    return width_mm / (MEAN_ADVANCE_EM * size_pt * PT_MM)


def _band_budget(cat: Catalog, entry: FicheEntry, key: str, meta: dict) -> int | None:
    """Characters a header text may have: the narrowest place a layout of the fiche's
    sheets gives `{key}` in a page's header texts, at the style's smallest size, less the
    rest of that line (the number after the series name) as the source writes it."""
    assert entry.defn is not None
    budgets = []
    for sdef in entry.defn.sheets.values():
        layout = cat.layouts.get(sdef.layout)
        if layout is None:
            continue
        pages = [layout.pages.front, layout.pages.back]
        for page in (p for p in pages if p is not None):
            for d in page.decorations:
                if not isinstance(d, TextDecoration) or "{" + key + "}" not in d.text:
                    continue
                template = d.text
                style = layout.styles.get(d.style)
                if style is None:
                    continue
                rest = fill_template(
                    template.replace("{" + key + "}", ""),
                    {k: str(v) for k, v in meta.items() if isinstance(v, str)},
                )
                per_line = _per_line(d.max_width_mm, style.size_range[0])
                budgets.append(math.floor(per_line) - len(rest))
    return max(1, min(budgets)) if budgets else None


def _budget(
    cat: Catalog, entry: FicheEntry, bid: str, places: list[tuple[str, str, str]], raw: dict
) -> int | None:
    """Characters that fit where a heading stands alone in a region of fixed size (the
    title band): lines of the region at the style's smallest size. Running text has no
    such bound of its own: the fit check after an import judges the whole page."""
    if raw.get("kind") != "heading":
        return None
    budgets = []
    assert entry.defn is not None
    for sheet, side, region in places:
        sdef = entry.defn.sheets[sheet]
        layout: Layout | None = cat.layouts.get(sdef.layout)
        blocks = (getattr(sdef, side, None) or {}).get(region, [])
        page = getattr(layout.pages, side, None) if layout is not None else None
        if layout is None or page is None or region not in page.regions or len(blocks) != 1:
            continue
        box = page.regions[region]
        role = box.styles.get(f"h{raw.get('level', 2)}", f"h{raw.get('level', 2)}")
        style = layout.styles.get(role)
        if style is None:
            continue
        size = style.size_range[0]
        lines = max(1, math.floor(box.h_mm / (style.leading * size * PT_MM)))
        budgets.append(math.floor(_per_line(box.w_mm, size) * lines))
    return min(budgets) if budgets else None
