"""PDF pages into PNG images (pypdfium2), for looking at what a build made."""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import TYPE_CHECKING

from fiche.check.preflight import pdfium_document, pdfium_errors, read_pdf
from fiche.core.atomic import write_atomic
from fiche.core.errors import FicheError, Problem, io_errors

if TYPE_CHECKING:
    import pypdfium2

# Pixels of one rendered page. pdfium allocates the whole bitmap at once and Pillow copies
# it, so a 5080 mm page at 600 dpi (14 billion pixels) would ask for tens of GB. 50 million
# pixels (about 150 MB a copy) is an A0 poster at 300 dpi, and leaves our A4 pages at any
# --dpi far below it.
MAX_PIXELS = 50_000_000


def page_pixels(page: pypdfium2.PdfPage, scale: float) -> tuple[int, int]:
    """The size in pixels pdfium gives `page` rendered at `scale` (it rounds up)."""
    w, h = page.get_size()
    return math.ceil(w * scale), math.ceil(h * scale)


def _count(n: int) -> str:
    for size, word in ((10**9, "billion"), (10**6, "million")):
        if n >= size:
            value = n / size
            return f"{value:.0f} {word}" if value >= 10 else f"{value:.1f} {word}"
    return str(n)


def check_page_sizes(doc: pypdfium2.PdfDocument, dpi: float, name: str) -> None:
    """A `FicheError` naming the file and each page that needs more than `MAX_PIXELS` at
    `dpi`, before any page is rendered (so no PNG of the file is written)."""
    problems = []
    for i in range(len(doc)):
        with pdfium_errors(name):
            page = doc[i]
        try:
            w, h = page_pixels(page, dpi / 72)
            if w * h > MAX_PIXELS:
                mm = [round(side * 25.4 / 72) for side in page.get_size()]
                problems.append(
                    Problem(
                        name,
                        0,
                        0,
                        "",
                        f"page {i + 1} is {mm[0]} × {mm[1]} mm: at {dpi:g} dpi that is "
                        f"{_count(w * h)} pixels, above the limit of {_count(MAX_PIXELS)}; "
                        "use a lower --dpi",
                    )
                )
        finally:
            page.close()
    if problems:
        raise FicheError(problems)


def render_png(pdf: Path, out_dir: Path, dpi: int = 110, compress_level: int = 6) -> list[Path]:
    """Each page of `pdf` as `out_dir/<stem>-p<N>.png`; returns the paths.

    `compress_level` is zlib's (0 to 9): `fiche serve`, whose images never leave the
    machine, takes 1, which encodes several times faster.

    A file that is not a readable PDF, a page too big to render at `dpi`, or a folder or
    file that cannot be written, is a `FicheError` naming the path and the reason.
    """
    doc = pdfium_document(read_pdf(pdf), str(pdf))
    paths = []
    try:
        check_page_sizes(doc, dpi, str(pdf))
        with io_errors(out_dir, "cannot create the folder"):
            out_dir.mkdir(parents=True, exist_ok=True)
        for i in range(len(doc)):
            with pdfium_errors(str(pdf)):
                page = doc[i]
                image = page.render(scale=dpi / 72).to_pil()
                page.close()
            target = out_dir / f"{pdf.stem}-p{i + 1}.png"
            buf = io.BytesIO()
            image.save(buf, format="PNG", compress_level=compress_level)
            with io_errors(target):
                write_atomic(target, buf.getvalue())
            paths.append(target)
    finally:
        doc.close()
    return paths
