"""An output folder checked as a whole against its manifest: before a release is published.

Every output the manifest lists is there with its recorded checksum, every PDF in the
folder is listed, and each passes the preflight with its own layout's page count, trim
and bleed (which `fiche check` must be told, file by file). After a sharded build this
is the check of the merged whole: it needs no shard's manifest, only the merged one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from fiche.build.manifest import NAME, VERSION, Entry, file_sha256, parse, recorded_in
from fiche.core.errors import FicheError, Problem

if TYPE_CHECKING:
    from fiche.model.catalog import Catalog
    from fiche.model.layout import Layout

SCHOOLS = "schools"  # a school build's own folder, with its own manifest


def verify(
    root: Path,
    folder: Path,
    strict: bool = False,
    checked: Callable[[str], None] | None = None,
) -> list[Problem]:
    """What is wrong with `folder` (its manifest, files and their preflight); a
    `FicheError` when it has no manifest of fiche's or the catalogue cannot be read.
    `checked(path)` is told each output that passed."""
    from fiche.check.preflight import preflight  # pikepdf: only when there is a file
    from fiche.model.catalog import load_catalog

    data = parse(folder / NAME)
    if data is None or data.get("version") != VERSION:
        raise FicheError.at(str(folder / NAME), "", f"not a manifest of version {VERSION}")
    entries = recorded_in(data).entries
    problems = [
        Problem.general(f"{folder / p.relative_to(folder)}: not in the manifest")
        for p in sorted(folder.rglob("*.pdf"))
        if str(p.relative_to(folder)) not in entries and p.relative_to(folder).parts[0] != SCHOOLS
    ]
    cat = load_catalog(root)
    for rel, entry in sorted(entries.items()):
        path = folder / rel
        found = _intact(path, entry)
        if found:
            problems.append(Problem.general(f"{path}: {found}"))
            continue
        layout = _layout(cat, entry)
        if layout is None:
            problems.append(Problem.general(f"{path}: sheet {entry.sheet} is not in the catalogue"))
            continue
        report = preflight(
            path,
            pages=len(layout.pages.sides()),
            trim_mm=(layout.page.width_mm, layout.page.height_mm),
            bleed_mm=layout.page.bleed_mm,
        )
        bad = report.failed + (report.warnings if strict else [])
        problems += [Problem.general(f"{path}: preflight {c.name}: {c.detail}") for c in bad]
        if not bad and checked:
            checked(str(path))
    return problems


def _intact(path: Path, entry: Entry) -> str:
    """Why the file is not the one recorded, or ''."""
    if not path.exists():
        return "listed in the manifest but missing"
    if file_sha256(path, entry.bytes) != entry.sha256:
        return "not the file the manifest records (its sha256 differs)"
    return ""


def _layout(cat: Catalog, entry: Entry) -> Layout | None:
    f = cat.fiches.get(entry.fiche)
    if f is None or f.defn is None or entry.sheet not in f.defn.sheets:
        return None
    return cat.layouts.get(f.defn.sheets[entry.sheet].layout)
