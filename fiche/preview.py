"""PDF pages into PNG images (pypdfium2), for looking at what a build made."""

from __future__ import annotations

import io
from pathlib import Path

from .errors import io_errors
from .preflight import pdfium_document, pdfium_errors, read_pdf


def render_png(pdf: Path, out_dir: Path, dpi: int = 110) -> list[Path]:
    """Each page of `pdf` as `out_dir/<stem>-p<N>.png`; returns the paths.

    A file that is not a readable PDF, or a folder or file that cannot be written, is a
    `FicheError` naming the path and the reason.
    """
    from .build import write_atomic

    doc = pdfium_document(read_pdf(pdf), str(pdf))
    paths = []
    try:
        with io_errors(out_dir, "cannot create the folder"):
            out_dir.mkdir(parents=True, exist_ok=True)
        for i in range(len(doc)):
            with pdfium_errors(str(pdf)):
                page = doc[i]
                image = page.render(scale=dpi / 72).to_pil()
                page.close()
            target = out_dir / f"{pdf.stem}-p{i + 1}.png"
            buf = io.BytesIO()
            image.save(buf, format="PNG")
            with io_errors(target):
                write_atomic(target, buf.getvalue())
            paths.append(target)
    finally:
        doc.close()
    return paths
