"""What can be built: fiches, their languages and sheets, and the layouts they use.

Input: a project folder with `content/<fiche>/fiche.yaml`, `content/<fiche>/<lang>.yaml`
and `layouts/<name>.yaml`. Output: a `Catalog` holding the validated models,
their sources (for locations) and the problems found, grouped so that one bad
language or layout fails only the jobs that need it.

Validation runs in phases: each file's shape first (`content`, `layout`), then
the links between files, which only run on files that passed the first phase.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from fiche.core.colour import icc_path
from fiche.core.errors import FicheError, Problem
from fiche.core.safeio import Refused, check_regular
from fiche.model.content import (
    FicheDef,
    LanguageFile,
    SheetDef,
    load_fiche_def,
    load_language_file,
)
from fiche.model.contrast import contrast_problems
from fiche.model.images import MAX_IMAGE_BYTES, load_raster
from fiche.model.jobs import Job
from fiche.model.kinds import kind
from fiche.model.layout import (
    Layout,
    for_language,
    layout_links,
    legibility_problems,
    load_layout,
)
from fiche.model.source import Source, load_yaml, merge


@dataclass
class FicheEntry:
    slug: str
    folder: Path
    defn: FicheDef | None = None
    defn_src: Source | None = None
    langs: dict[str, LanguageFile] = field(default_factory=dict)
    lang_srcs: dict[str, Source] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    lang_problems: dict[str, list[Problem]] = field(default_factory=dict)
    # problems that stop only one sheet in one language, e.g. a missing translation
    sheet_problems: dict[tuple[str, str], list[Problem]] = field(default_factory=dict)


@dataclass
class Catalog:
    root: Path
    fiches: dict[str, FicheEntry] = field(default_factory=dict)
    layouts: dict[str, Layout] = field(default_factory=dict)
    layout_srcs: dict[str, Source] = field(default_factory=dict)
    layout_files: dict[str, list[Path]] = field(default_factory=dict)  # with its bases
    layout_problems: dict[str, list[Problem]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # The languages loaded, when not all were (`load_catalog(langs=…)`): jobs are made
    # only for these.
    only_langs: tuple[str, ...] = ()
    # (layout, language) -> the layout as a sheet in that language is drawn with it
    drawn_layouts: dict[tuple[str, str], Layout] = field(default_factory=dict, repr=False)

    @property
    def fonts_dir(self) -> Path:
        return self.root / "assets" / "fonts"

    def all_problems(self) -> list[Problem]:
        out = list(self.problems)
        for ps in self.layout_problems.values():
            out += ps
        for f in self.fiches.values():
            out += f.problems
            for ps in f.lang_problems.values():
                out += ps
            for ps in f.sheet_problems.values():
                out += ps
        return sorted(set(out))

    def jobs(self, langs: tuple[str, ...] = (), sheets: tuple[str, ...] = ()) -> list[Job]:
        out = []
        for slug, f in self.fiches.items():
            if f.defn is None:
                continue
            for sheet in f.defn.sheets:
                if sheets and sheet not in sheets and slug not in sheets:
                    continue
                for lang in f.defn.languages:
                    if (langs and lang not in langs) or (
                        self.only_langs and lang not in self.only_langs
                    ):
                        continue
                    out.append(Job(slug, sheet, lang))
        return sorted(out)

    def job_problems(self, job: Job) -> list[Problem]:
        """Everything that stops this job, from any file it depends on."""
        f = self.fiches[job.fiche]
        out = list(self.problems) + list(f.problems) + list(f.lang_problems.get(job.lang, []))
        out += f.sheet_problems.get((job.lang, job.sheet), [])
        if f.defn is not None:
            layout = f.defn.sheets[job.sheet].layout
            out += self.layout_problems.get(layout, [])
        return sorted(set(out))

    def layout_for(self, name: str, lang: str) -> Layout:
        """Layout `name` as a sheet in `lang` is set, drawn and checked with it: with the
        language's style changes, mirrored when the sheet reads right to left
        (`layout.for_language`), made once."""
        key = (name, lang)
        if key not in self.drawn_layouts:
            self.drawn_layouts[key] = for_language(self.layouts[name], lang)
        return self.drawn_layouts[key]

    def known_languages(self) -> set[str]:
        return {lang for f in self.fiches.values() if f.defn for lang in f.defn.languages}


def rel(root: Path, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def load_catalog(root: Path, langs: tuple[str, ...] = ()) -> Catalog:
    """Load and validate every fiche and layout under `root`: with `langs`, only the
    language files of those languages and of each fiche's source language (a build of
    one language need not read and validate the six others)."""
    root = root.resolve()
    cat = Catalog(root, only_langs=tuple(langs))
    content_dir, layouts_dir = root / "content", root / "layouts"
    if not content_dir.is_dir():
        raise FicheError.at(
            rel(root, content_dir),
            "",
            "no content folder here (run fiche in a project folder, or pass --root)",
        )
    _load_layouts(cat, layouts_dir)
    # Dot folders are not fiches: `fiche new` writes into one before renaming it.
    for folder in sorted(p for p in content_dir.iterdir() if p.is_dir() and p.name[0] != "."):
        if (folder / "fiche.yaml").exists():  # load_yaml says what is wrong with it
            cat.fiches[folder.name] = _load_fiche(cat, folder, langs)
    if not cat.fiches:
        cat.problems.append(
            Problem(
                rel(root, content_dir),
                0,
                0,
                "",
                "no fiche found (expected content/<name>/fiche.yaml)",
            )
        )
    _check_catalog(cat)
    _check_contrast(cat)
    return cat


def _load_layouts(cat: Catalog, layouts_dir: Path) -> None:
    raw: dict[str, Source] = {}
    failed: dict[str, list[Problem]] = {}
    for path in sorted(layouts_dir.glob("*.yaml")) if layouts_dir.is_dir() else []:
        name = path.stem
        try:
            raw[name] = load_yaml(path, rel(cat.root, path))
        except FicheError as e:
            failed[name] = e.problems
    font_files = _usable_fonts(cat.fonts_dir)
    for name in raw:
        if name.startswith("_"):
            continue  # a partial base, only used through `extends`
        try:
            merged = _resolve_extends(name, raw, ())
        except FicheError as e:
            failed[name] = e.problems
            continue
        try:
            layout = load_layout(merged)
        except FicheError as e:
            failed[name] = e.problems
            continue
        problems = layout_links(layout, merged, font_files)
        problems += legibility_problems(layout, merged, cat.fonts_dir, font_files)
        if problems:
            failed[name] = problems
            continue
        cat.layouts[name] = layout
        cat.layout_srcs[name] = merged
        cat.layout_files[name] = [layouts_dir / f"{n}.yaml" for n in _extends_chain(name, raw)]
    cat.layout_problems.update(failed)
    for name in failed:
        cat.layout_srcs.setdefault(name, raw.get(name) or Source(name, {}))


def _extends_chain(name: str, raw: dict[str, Source]) -> list[str]:
    """The layout and the bases it extends, nearest first, stopping at a loop."""
    chain: list[str] = []
    cur: str | None = name
    while cur is not None and cur not in chain:
        chain.append(cur)
        parent = raw[cur].data.get("extends")
        cur = parent if isinstance(parent, str) and parent in raw else None
    return chain


def _resolve_extends(name: str, raw: dict[str, Source], seen: tuple[str, ...]) -> Source:
    src = raw[name]
    parent = src.data.get("extends")
    if parent is None:
        return src
    if not isinstance(parent, str) or parent not in raw:
        known = ", ".join(
            sorted(n for n in raw if n != name and n.startswith("_"))
            + sorted(n for n in raw if n != name and not n.startswith("_"))
        )
        raise FicheError(
            [src.problem(("extends",), f"unknown layout '{parent}' (layouts: {known})")]
        )
    if parent in seen or parent == name:
        raise FicheError(
            [
                src.problem(
                    ("extends",),
                    "layouts extend each other in a loop: " + " -> ".join((*seen, name, parent)),
                )
            ]
        )
    base = _resolve_extends(parent, raw, (*seen, name))
    merged = merge(base, src)
    merged.data["extends"] = parent
    return merged


def _load_fiche(cat: Catalog, folder: Path, only: tuple[str, ...] = ()) -> FicheEntry:
    entry = FicheEntry(folder.name, folder)
    path = folder / "fiche.yaml"
    try:
        entry.defn_src = load_yaml(path, rel(cat.root, path))
        entry.defn = load_fiche_def(entry.defn_src)
    except FicheError as e:
        entry.problems += e.problems
        return entry
    for lang in entry.defn.languages:
        if only and lang not in only and lang != entry.defn.source_language:
            continue
        lpath = folder / f"{lang}.yaml"
        display = rel(cat.root, lpath)
        if not lpath.exists():
            entry.lang_problems[lang] = [
                entry.defn_src.problem(
                    ("languages",), f"language '{lang}' is listed but {display} does not exist"
                )
            ]
            continue
        try:
            src = load_yaml(lpath, display)
            entry.lang_srcs[lang] = src
            lf = load_language_file(src)
        except FicheError as e:
            entry.lang_problems[lang] = e.problems
            continue
        if lf.language != lang:
            entry.lang_problems[lang] = [
                src.problem(
                    ("language",), f"file is named {lang}.yaml but says language '{lf.language}'"
                )
            ]
            continue
        entry.langs[lang] = lf
    return entry


def _check_catalog(cat: Catalog) -> None:
    """Links between files: layouts, regions, blocks and sheets that must exist."""
    owners: dict[tuple[str, int], str] = {}
    sheet_owners: dict[str, str] = {}
    for slug, f in cat.fiches.items():
        if f.defn is None or f.defn_src is None:
            continue
        d, dsrc = f.defn, f.defn_src
        key = (d.series, d.number)
        if key in owners:
            f.problems.append(
                dsrc.problem(
                    ("number",),
                    f"series '{d.series}' number {d.number} is already used by "
                    f"content/{owners[key]}",
                )
            )
        owners[key] = slug
        for sheet, sd in d.sheets.items():
            if sheet in sheet_owners:
                f.problems.append(
                    dsrc.problem(
                        ("sheets", sheet),
                        f"sheet name '{sheet}' is already used by "
                        f"content/{sheet_owners[sheet]} (output names must differ)",
                        key=True,
                    )
                )
            sheet_owners[sheet] = slug
            f.problems += _sheet_layout_problems(cat, sheet, sd, dsrc)
        for lang in f.langs:
            _check_language(cat, f, lang, d, dsrc)
        for lang in list(f.lang_problems):
            f.lang_problems[lang] = sorted(set(f.lang_problems[lang]))


def _sheet_layout_problems(cat: Catalog, sheet: str, sd: SheetDef, dsrc: Source) -> list[Problem]:
    """The sheet's layout must exist and have every region the sheet fills."""
    layout = cat.layouts.get(sd.layout)
    if layout is None:
        if sd.layout in cat.layout_problems:
            return []  # its own errors are reported with the layout
        known = ", ".join(sorted(set(cat.layouts) | set(cat.layout_problems)))
        return [
            dsrc.problem(
                ("sheets", sheet, "layout"), f"unknown layout '{sd.layout}' (layouts: {known})"
            )
        ]
    if layout.pages.back is None and sd.back is not None:
        return [
            dsrc.problem(
                ("sheets", sheet, "back"),
                f"layout '{sd.layout}' has one page: a sheet drawn with it has no 'back' "
                f"(regions of its front: {', '.join(layout.pages.front.regions)})",
                key=True,
            )
        ]
    if layout.pages.back is not None and sd.back is None:
        # The message a two-sided sheet without a back got when `back` was required.
        return [dsrc.problem(("sheets", sheet), "required field 'back' is missing")]
    out = []
    for side, regions in sd.sides():
        page = getattr(layout.pages, side)
        for region in regions:
            if region not in page.regions:
                out.append(
                    dsrc.problem(
                        ("sheets", sheet, side, region),
                        f"layout '{sd.layout}' has no region '{region}' on the {side} "
                        f"(regions: {', '.join(page.regions)})",
                        key=True,
                    )
                )
    return out


def _check_language(cat: Catalog, f: FicheEntry, lang: str, d: FicheDef, dsrc: Source) -> None:
    """One language file against fiche.yaml: its sheets, its blocks and its images.
    A block missing from a translation stops only the sheets that use it."""
    lf, src = f.langs[lang], f.lang_srcs[lang]
    source = f.langs.get(d.source_language)
    problems = f.lang_problems.setdefault(lang, [])
    for sheet, sd in d.sheets.items():
        if sheet not in lf.sheets:
            problems.append(src.problem(("sheets",), f"no title for sheet '{sheet}'"))
        for side, region, i, bid in _missing_blocks(sd, lf):
            if lang != d.source_language and source and bid in source.blocks:
                f.sheet_problems.setdefault((lang, sheet), []).append(
                    src.problem(
                        ("blocks",),
                        f"translation missing for block '{bid}' (used by sheet '{sheet}')",
                    )
                )
            elif lang == d.source_language:
                f.problems.append(
                    dsrc.problem(
                        ("sheets", sheet, side, region, i),
                        f"unknown block '{bid}' (not in {d.source_language}.yaml)",
                    )
                )
    problems += _image_problems(cat.root, lf, src)
    for sheet in lf.sheets:
        if sheet not in d.sheets:
            problems.append(
                src.problem(
                    ("sheets", sheet), f"sheet '{sheet}' is not defined in fiche.yaml", key=True
                )
            )
    if not problems:
        del f.lang_problems[lang]


def _missing_blocks(sd: SheetDef, lf: LanguageFile) -> Iterator[tuple[str, str, int, str]]:
    """(side, region, index, id) of each block the sheet places that `lf` does not have."""
    for side, regions in sd.sides():
        for region, ids in regions.items():
            for i, bid in enumerate(ids):
                if bid not in lf.blocks:
                    yield side, region, i, bid


def image_path(root: Path, src: str) -> Path:
    """Where a file a block reads (its path relative to assets/images) lives."""
    return root / "assets" / "images" / src


def _image_problems(root: Path, lf: LanguageFile, src: Source) -> list[Problem]:
    """The files blocks read (as their kinds name them) must lie inside assets/images
    and pass the guarded loader of pictures, the only files a block reads (read in full)."""

    out = []
    folder = (root / "assets" / "images").resolve()
    for bid, block in lf.blocks.items():
        for at, name in kind(block.kind).files(block):
            loc = ("blocks", bid, *at)
            path = Path(name)
            if path.is_absolute() or ".." in path.parts:
                out.append(src.problem(loc, f"'{name}' must be a path inside assets/images"))
                continue
            target = image_path(root, name)
            if not target.resolve().is_relative_to(folder):
                out.append(src.problem(loc, f"'{name}' leads outside assets/images"))
                continue
            try:
                load_raster(target, MAX_IMAGE_BYTES)
            except Refused as e:
                reason = "not found in assets/images" if e.reason == "not found" else e.reason
                out.append(src.problem(loc, f"image '{name}' {reason}"))
    return out


MAX_FONT_BYTES = 64 << 20  # the largest CJK fonts are about 20 MiB


def _usable_fonts(fonts_dir: Path) -> dict[str, str | None]:
    """Font files in assets/fonts: name -> None if usable, else why not.

    A font must be a TrueType file with glyf outlines (ReportLab embeds only
    those) and must lie inside the folder (no symlink leading out of it).
    """
    out: dict[str, str | None] = {}
    if not fonts_dir.is_dir():
        return out
    root = fonts_dir.resolve()
    for p in sorted(fonts_dir.iterdir()):
        if p.suffix.lower() not in (".ttf", ".otf", ".ttc"):
            continue
        if not p.resolve().is_relative_to(root):
            out[p.name] = "leads outside assets/fonts"
            continue
        out[p.name] = _font_defect(p)
    return out


def _font_defect(path: Path) -> str | None:
    # fontTools is loaded only when a layout's font files are checked.
    from fontTools.ttLib import TTFont, TTLibError

    try:
        # fontTools and ReportLab open fonts by name: a FIFO would block them.
        check_regular(path, MAX_FONT_BYTES)
    except Refused as e:
        return e.reason
    try:
        with TTFont(str(path), lazy=True) as font:
            if "glyf" not in font:
                return "has no TrueType (glyf) outlines; use the .ttf version of the font"
            if "cmap" not in font:
                return "has no character map"
    except (TTLibError, OSError, AssertionError, ValueError, KeyError) as e:
        return f"is not a readable font ({e.__class__.__name__}: {e})"
    return None


def _check_contrast(cat: Catalog) -> None:
    """Text colours must be readable on what lies beneath them (WCAG 2.1)."""
    sheets = []
    for entry in cat.fiches.values():
        source = entry.langs.get(entry.defn.source_language) if entry.defn else None
        if entry.defn is not None and source is not None:
            sheets += [(sd, source.blocks) for sd in entry.defn.sheets.values()]
    icc = icc_path(cat.root / "assets")
    for layout, problems in contrast_problems(cat.layouts, cat.layout_srcs, sheets, icc).items():
        cat.layout_problems.setdefault(layout, []).extend(problems)
