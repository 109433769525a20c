"""How much of each page stays white: issue 15's measure, before the engine fills pages.

Run it with `.venv/bin/python bench/space.py` (no options). It sets every sheet of the
catalogue in every language for the print profile and prints, per page, the largest
empty rectangle of the page's body (`fiche.check.space`: the text regions as placed,
without the margins, the header band and the imprint) in cm² with its size in mm, and
the largest whose both sides are at least the layout's `fit.min_empty_side_mm` (2 cm by
default: the holes a reader sees, the ones the build warns about; a column gutter is a
long thin hole). It does the same for N°3 with every text cut to 75 % of its words, set
from a temporary copy of the project. Nothing is written to the project; this is a
diagnostic, not a test.
"""

from __future__ import annotations

import math
import re
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fiche.build.fitcheck import FIT_PROFILE, render_sheet  # noqa: E402
from fiche.check.space import Hole, empty_areas, largest_hole, page_body  # noqa: E402
from fiche.model.catalog import load_catalog  # noqa: E402
from fiche.model.profiles import PROFILES  # noqa: E402
from fiche.typeset.sheet import typeset  # noqa: E402

SHARE = 0.75
FICHE = "n3"
# The fields of a block that hold printed text (headings, titles, terms, list items…).
TEXT_KEYS = {"title", "text", "term", "meanings", "items"}
# A sentence ends at . ! ? or … before a space, but not after an abbreviation of N°3's.
_SENTENCE_END = re.compile(
    r"(?<![ (]bv\.)(?<![ (]e\.g\.)(?<![ (]z\.)(?<![ (]z\. B\.)(?<=[.!?…])\s+"
)
_TRAILING = ",;:–-"

Row = tuple[str, str, str]  # sheet, language, page side
Measure = tuple[float, Hole, Hole]  # body size, largest hole, largest with both sides ≥ 2 cm


def shortened(text: str, share: float) -> str:
    """`text` cut to `share` of its words, rounded: each sentence keeps its share (at
    least one word) and loses the rest from its end."""
    sentences = _SENTENCE_END.split(text.strip())
    sizes = [len(s.split()) for s in sentences]
    keep = [max(1, math.floor(n * share)) for n in sizes]
    # the words still to keep go to the sentences that lost most of a word by rounding down
    left = math.floor(sum(sizes) * share + 0.5) - sum(keep)
    order = sorted(range(len(sizes)), key=lambda i: keep[i] - sizes[i] * share)
    for i in [i for i in order if keep[i] < sizes[i]][: max(left, 0)]:
        keep[i] += 1
    out, marks = [], []  # the strong and emphasis marks open at a sentence's start
    for sentence, k in zip(sentences, keep, strict=True):
        out.append(_cut(sentence, k, marks))
        marks = _open_marks(sentence, marks)
    return " ".join(out)


def _cut(sentence: str, keep: int, marks: list[str]) -> str:
    """The first `keep` words of `sentence` and its end, as a passage of its own: the
    marks open at its start opened again and every mark and bracket it leaves open closed."""
    words = sentence.split()
    end = sentence[-1] if keep < len(words) and sentence[-1] in ".!?…" else ""
    kept = " ".join(words[:keep])
    if end:
        kept = kept.rstrip(_TRAILING + " ")
    closers = "".join(reversed(_open_marks(kept, marks)))
    closers = ")" * max(kept.count("(") - kept.count(")"), 0) + closers
    if closers and not end and kept[-1:] in ".!?…":  # close inside the sentence's end
        kept, end = kept[:-1], kept[-1]
    return "".join(marks) + kept + closers + end


def _open_marks(text: str, marks: list[str]) -> list[str]:
    """The marks (`**`, `*`) open after `text`, given those open before it, innermost last."""
    stack = list(marks)
    for mark in re.findall(r"\*\*|\*", text):
        if mark in stack:
            del stack[stack.index(mark) :]
        else:
            stack.append(mark)
    return stack


def _shorten(value: object, share: float) -> object:
    if isinstance(value, str):
        return shortened(value, share)
    if isinstance(value, list):
        return [_shorten(v, share) for v in value]
    if isinstance(value, dict):  # a list item with a list of its own
        return {k: _shorten(v, share) if k in TEXT_KEYS else v for k, v in value.items()}
    return value


def _words(value: object) -> int:
    if isinstance(value, str):
        return len(value.split())
    if isinstance(value, list):
        return sum(_words(v) for v in value)
    if isinstance(value, dict):
        return sum(_words(v) for k, v in value.items() if k in TEXT_KEYS)
    return 0


def variant(share: float, into: Path) -> dict[str, tuple[int, int]]:
    """A copy of the project in `into` with every block text of N°3 cut to `share`;
    returns the words before and after per language."""
    for name in ("content", "layouts", "assets", "hyphenation"):
        shutil.copytree(ROOT / name, into / name)
    counts = {}
    for path in sorted((into / "content" / FICHE).glob("*.yaml")):
        if path.name == "fiche.yaml":
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        blocks = data["blocks"]
        before = sum(_words(b) for b in blocks.values())
        data["blocks"] = {bid: _shorten(b, share) for bid, b in blocks.items()}
        after = sum(_words(b) for b in data["blocks"].values())
        path.write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000),
            encoding="utf-8",
        )
        counts[path.stem] = (before, after)
    return counts


def measure(root: Path) -> dict[Row, Measure]:
    """Every sheet × language set for print, and its pages' largest holes."""
    cat = load_catalog(root)
    profile = PROFILES[FIT_PROFILE]
    out: dict[Row, Measure] = {}
    for job in cat.jobs():
        if problems := cat.job_problems(job):
            print(f"skipped {job}: {problems[0]}", file=sys.stderr)
            continue
        sheet = typeset(cat, job)
        layout = cat.layouts[sheet.layout]
        result = render_sheet(cat, sheet, profile)
        holes = empty_areas(sheet, layout, result.drawn)
        for tpage, fit, drawn, e in zip(sheet.pages, result.fits, result.drawn, holes, strict=True):
            lpage = getattr(layout.pages, tpage.side)
            body = page_body([d.box for d in drawn if d.what == "region"], lpage.decorations)
            taken = [d.box for d in drawn if d.what != "region"]
            out[(job.sheet, job.lang, tpage.side)] = (
                fit.body_pt,
                largest_hole(body, taken),
                e.hole,
            )
    return out


def _hole(h: Hole) -> str:
    if not h.area_cm2:
        return "–"
    return f"{h.area_cm2:.0f} cm² ({h.w_mm:.0f} × {h.h_mm:.0f})"


def _cells(m: Measure | None) -> list[str]:
    if m is None:
        return ["not built", "", ""]
    body_pt, largest, square = m
    return [f"{body_pt:g}", _hole(largest), _hole(square)]


def table(full: dict[Row, Measure], cut: dict[Row, Measure]) -> str:
    pct = f"{SHARE:.0%}".replace("%", " %")
    head = ["sheet", "lang", "page"]
    for what in ("100 %", pct):
        head += [f"{what}: body pt", f"{what}: largest", f"{what}: sides ≥ 2 cm"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in sorted(full.keys() | cut.keys(), key=lambda r: (r[0], r[1], r[2] != "front")):
        cells = [*row, *_cells(full.get(row)), *_cells(cut.get(row))]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    full = measure(ROOT)
    with tempfile.TemporaryDirectory(prefix="fiche-space-") as tmp:
        counts = variant(SHARE, Path(tmp))
        cut = measure(Path(tmp))
    print(
        f"Largest empty rectangle of each page's body (print profile; sizes in mm, "
        f"width × height); N°3 cut to {SHARE:.0%} of its words per sentence:".replace("%", " %")
    )
    print(", ".join(f"{lang} {a}/{b} words" for lang, (b, a) in counts.items()))
    print()
    print(table(full, cut))


if __name__ == "__main__":
    main()
