"""Two PDFs, or two build folders, compared page by page for release review.

Output: for every page that differs, a PNG of the new page with the changed areas
tinted and framed in red, and a word-level diff of the extracted text. Pages are
compared as rendered pixels (pypdfium2), so any visible change counts, and the
text diff says what changed in words.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageChops, ImageDraw

from fiche.check.preflight import pdfium_document, pdfium_errors, read_pdf
from fiche.check.textcheck import extract_pages
from fiche.core.atomic import write_atomic
from fiche.core.errors import FicheError, io_errors
from fiche.tools.preview import page_pixels

if TYPE_CHECKING:
    import pypdfium2

DPI = 60
CELL = 8  # pixels: changed pixels are grouped into cells, cells into framed areas
# Pixels of one rendered page. Comparing a pair holds about ten images of it at once, so a
# 5080 mm page at DPI (144 million pixels) would need several GB. 12 million is an A0
# poster at twice DPI; bigger pages are compared at the lower resolution that fits.
MAX_PIXELS = 12_000_000


@dataclass
class PageDiff:
    old: str
    new: str
    page: int
    areas: int
    image: Path | None
    words: list[str] = field(default_factory=list)


@dataclass
class DiffReport:
    pages: list[PageDiff] = field(default_factory=list)
    only_old: list[str] = field(default_factory=list)
    only_new: list[str] = field(default_factory=list)
    compared: int = 0

    @property
    def identical(self) -> bool:
        return not (self.pages or self.only_old or self.only_new)


def _pairs(old: Path, new: Path) -> tuple[list[tuple[Path, Path]], list[str], list[str]]:
    """The files to compare, and the names only in `old` or only in `new`.

    Two files are compared as they are (`read_pdf` refuses what is not a regular file); a
    file and a folder, or two folders without a single PDF, are a mistake in the arguments.
    """
    if old.is_dir() != new.is_dir():
        file, folder = (new, old) if old.is_dir() else (old, new)
        raise FicheError.at(str(file), "", f"cannot compare a file with a folder ({folder})")
    if not old.is_dir():
        return [(old, new)], [], []
    olds = {str(p.relative_to(old)): p for p in old.rglob("*.pdf")}
    news = {str(p.relative_to(new)): p for p in new.rglob("*.pdf")}
    if not olds and not news:
        raise FicheError.at(str(old), "", f"no PDF files in this folder nor in {new}")
    pairs = [(olds[k], news[k]) for k in sorted(olds.keys() & news.keys())]
    return pairs, sorted(olds.keys() - news.keys()), sorted(news.keys() - olds.keys())


def diff(old: Path, new: Path, out_dir: Path) -> DiffReport:
    """Compare `old` and `new` (files or folders); write highlight PNGs into `out_dir`."""
    pairs, only_old, only_new = _pairs(old, new)
    report = DiffReport(only_old=only_old, only_new=only_new)
    for a, b in pairs:
        report.compared += 1
        data_a, data_b = read_pdf(a), read_pdf(b)
        if data_a == data_b:
            continue
        report.pages += _compare(
            (a, data_a),
            (b, data_b),
            out_dir,
            name=str(b.relative_to(new)) if new.is_dir() else b.name,
        )
    return report


def _compare(
    old: tuple[Path, bytes], new: tuple[Path, bytes], out_dir: Path, name: str
) -> list[PageDiff]:
    (a, data_a), (b, data_b) = old, new
    out: list[PageDiff] = []
    with contextlib.ExitStack() as opened:
        da = pdfium_document(data_a, str(a))
        opened.callback(da.close)
        db = pdfium_document(data_b, str(b))
        opened.callback(db.close)
        with pdfium_errors(str(a)):
            ta = extract_pages(data_a)
        with pdfium_errors(str(b)):
            tb = extract_pages(data_b)
        for i in range(max(len(da), len(db))):
            if i >= len(da) or i >= len(db):
                only = "page only in " + ("new" if i >= len(da) else "old")
                out.append(PageDiff(str(a), str(b), i + 1, 1, None, [only]))
                continue
            ia, ib = _render_pair((a, da), (b, db), i)
            boxes = _areas(_changed(ia, ib))
            words = _word_diff(ta[i], tb[i])
            if not boxes and not words:
                continue
            target = out_dir / f"{name.replace('/', '_').removesuffix('.pdf')}-p{i + 1}.png"
            _write_marked(ib, boxes, target)
            out.append(PageDiff(str(a), str(b), i + 1, len(boxes), target, words))
    return out


def _render_pair(
    old: tuple[Path, pypdfium2.PdfDocument], new: tuple[Path, pypdfium2.PdfDocument], i: int
) -> tuple[Image.Image, Image.Image]:
    """Page `i` of both as RGB images of one size, at a scale that keeps them small."""
    (a, da), (b, db) = old, new
    with pdfium_errors(str(a)):
        pa = da[i]
    with pdfium_errors(str(b)):
        pb = db[i]
    scale = _scale(pa, pb)
    with pdfium_errors(str(a)):
        ia = pa.render(scale=scale).to_pil().convert("RGB")
    with pdfium_errors(str(b)):
        ib = pb.render(scale=scale).to_pil().convert("RGB")
    return (ia.resize(ib.size) if ia.size != ib.size else ia), ib


def _changed(ia: Image.Image, ib: Image.Image) -> Image.Image:
    """A black and white mask of the pixels that differ visibly."""
    return ImageChops.difference(ia, ib).convert("L").point(lambda v: 255 if v > 24 else 0)


def _write_marked(page: Image.Image, boxes: list[tuple[int, int, int, int]], target: Path) -> None:
    """The new page with each changed area boxed in red, as a PNG file."""
    overlay = Image.new("RGBA", page.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for x0, y0, x1, y1 in boxes:
        draw.rectangle(
            (x0 - 2, y0 - 2, x1 + 2, y1 + 2),
            fill=(255, 0, 0, 60),
            outline=(220, 0, 0, 255),
            width=2,
        )
    marked = Image.alpha_composite(page.convert("RGBA"), overlay).convert("RGB")
    buf = io.BytesIO()
    marked.save(buf, format="PNG")
    with io_errors(target):
        write_atomic(target, buf.getvalue())


def _scale(*pages: pypdfium2.PdfPage) -> float:
    """DPI as a pdfium scale, lowered when the bigger page would need more than
    `MAX_PIXELS`; both pages of a pair at the same scale, so their pixels line up."""
    scale = DPI / 72
    pixels = max(w * h for w, h in (page_pixels(p, scale) for p in pages))
    if pixels <= MAX_PIXELS:
        return scale
    # page_pixels rounds each side up: aim a little lower so the result stays under.
    return scale * math.sqrt(MAX_PIXELS / pixels) * 0.999


def _areas(mask) -> list[tuple[int, int, int, int]]:
    """Changed pixels grouped into rectangles (cells that touch belong together)."""
    # Each cell becomes one pixel, the mean of its own (an edge cell of what it has): any
    # changed pixel makes it non-zero. Pillow does it in C; a loop here took minutes on a
    # big page.
    cells_image = mask.reduce(CELL)
    cw = cells_image.size[0]
    cells = {(k % cw, k // cw) for k, v in enumerate(cells_image.tobytes()) if v}
    boxes = []
    while cells:
        stack = [cells.pop()]
        group = []
        while stack:
            c = stack.pop()
            group.append(c)
            # Cells up to two apart are one area: a reflowed paragraph is one change.
            for dx in (-2, -1, 0, 1, 2):
                for dy in (-2, -1, 0, 1, 2):
                    n = (c[0] + dx, c[1] + dy)
                    if n in cells:
                        cells.remove(n)
                        stack.append(n)
        xs = [c[0] for c in group]
        ys = [c[1] for c in group]
        boxes.append((min(xs) * CELL, min(ys) * CELL, (max(xs) + 1) * CELL, (max(ys) + 1) * CELL))
    return sorted(boxes, key=lambda b: (b[1], b[0]))


def _words(text: str) -> list[str]:
    return text.replace("\ufffe", "").split()


def _sentence_bounds(words: list[str], i1: int, i2: int) -> tuple[int, int]:
    """Widen words[i1:i2] to whole sentences."""
    start = i1
    while start > 0 and not words[start - 1].endswith((".", "!", "?", ":", ";")):
        start -= 1
    end = max(i2, i1 + 1)
    while end < len(words) and not words[end - 1].endswith((".", "!", "?")):
        end += 1
    return start, min(end, len(words))


def _word_diff(old: str, new: str) -> list[str]:
    """Each changed sentence, old ('- ') and new ('+ '), the changed words in [-…-] {+…+}."""
    a, b = _words(old), _words(new)
    ops = [
        o
        for o in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
        if o[0] != "equal"
    ]
    out: list[str] = []
    done_to = -1
    for _, i1, i2, j1, j2 in ops:
        if i1 < done_to:
            continue  # already shown with an earlier change in the same sentence
        s1, e1 = _sentence_bounds(a, i1, i2)
        s2, e2 = _sentence_bounds(b, j1, j2)
        in_a = [o for o in ops if s1 <= o[1] <= e1]
        old_words = [
            f"[-{w}-]" if any(o[1] <= k < o[2] for o in in_a) else w
            for k, w in enumerate(a[s1:e1], start=s1)
        ]
        new_words = [
            f"{{+{w}+}}" if any(o[3] <= k < o[4] for o in in_a) else w
            for k, w in enumerate(b[s2:e2], start=s2)
        ]
        out.append("- " + " ".join(old_words))
        out.append("+ " + " ".join(new_words))
        done_to = e1
    return out
