"""How much of each page stays white: issue 15's measure, before and after the engine fills pages.

    .venv/bin/python bench/space.py     # no options; about 15 s; prints a Markdown table

It sets every sheet of the catalogue in every language for the print profile, and again
N°3 with every text at 60, 75, 90, 110 and 125 % of its words (`bench/lengths.py`, each
variant in a temporary copy of the project), and prints a row per page and a column per
share: the fitted body size and the largest empty rectangle of the page's body whose
both sides are at least 2 cm (`fiche.check.space`: the text regions, without the
margins, the header band and the imprint; a column gutter is a long thin hole), in cm²
with its size in mm; "too long" where the build fails with too much text. Nothing is
written to the project; this is a diagnostic, not a test.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.lengths import variant  # noqa: E402
from fiche.build.fitcheck import render_sheet  # noqa: E402
from fiche.check.space import Hole, empty_areas  # noqa: E402
from fiche.core.errors import FitError  # noqa: E402
from fiche.model.catalog import load_catalog  # noqa: E402
from fiche.model.profiles import PROFILES  # noqa: E402
from fiche.typeset.sheet import typeset  # noqa: E402

SHARES = (0.6, 0.75, 0.9, 1.0, 1.1, 1.25)  # 1.0: the catalogue itself

Row = tuple[str, str, str]  # sheet, language, page side
Measure = tuple[float, Hole]  # body size, largest hole with both sides ≥ fit.min_empty_side_mm


def measure(root: Path) -> dict[Row, Measure]:
    """Every sheet × language set for print, and its pages' largest holes."""
    cat = load_catalog(root)
    profile = PROFILES["print"]
    out: dict[Row, Measure] = {}
    for job in cat.jobs():
        if problems := cat.job_problems(job):
            print(f"skipped {job}: {problems[0]}", file=sys.stderr)
            continue
        sheet = typeset(cat, job)
        layout = cat.layout_for(sheet.layout, sheet.lang)
        try:
            result = render_sheet(cat, sheet, profile)
        except FitError:  # too much text: the table says "too long"
            continue
        # the build's own measure: sides of at least the layout's fit.min_empty_side_mm
        for fit, area in zip(result.fits, empty_areas(sheet, layout, result.drawn), strict=True):
            out[(job.sheet, job.lang, area.side)] = (fit.body_pt, area.hole)
    return out


def _hole(h: Hole) -> str:
    if not h.area_cm2:
        return "–"
    return f"{h.area_cm2:.0f} cm² ({h.w_mm:.0f} × {h.h_mm:.0f})"


def _cell(m: Measure | None) -> str:
    if m is None:
        return "too long"
    body_pt, hole = m
    return f"{body_pt:g} pt, {_hole(hole)}"


def table(by_share: dict[float, dict[Row, Measure]]) -> str:
    """A row per page, a column per share: the body size and the largest hole whose
    both sides are at least 2 cm (the issue's measure)."""
    head = ["sheet", "lang", "page", *(_pct(s) for s in by_share)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    rows = set().union(*by_share.values())
    for row in sorted(rows, key=lambda r: (r[0], r[1], r[2] != "front")):
        cells = [*row, *(_cell(m.get(row)) for m in by_share.values())]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _pct(share: float) -> str:
    return f"{share * 100:.0f} %"


def main() -> None:
    by_share: dict[float, dict[Row, Measure]] = {}
    counts: dict[float, dict[str, tuple[int, int]]] = {}
    for share in SHARES:
        if share == 1:
            by_share[share] = measure(ROOT)
            continue
        with tempfile.TemporaryDirectory(prefix="fiche-space-") as tmp:
            counts[share] = variant(share, Path(tmp))
            by_share[share] = measure(Path(tmp))
    print(
        "Largest empty rectangle with both sides ≥ 2 cm of each page's body (print "
        "profile; body size, cm², width × height in mm), N°3 at each share of its words:"
    )
    for share, per_lang in counts.items():
        words = ", ".join(f"{lang} {a}/{b}" for lang, (b, a) in per_lang.items())
        print(f"- {_pct(share)}: {words} words")
    print()
    print(table(by_share))


if __name__ == "__main__":
    main()
