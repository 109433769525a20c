"""PDF pages into PNG images (pypdfium2), for looking at what a build made."""

from __future__ import annotations

import io
from pathlib import Path


def render_png(pdf: Path, out_dir: Path, dpi: int = 110) -> list[Path]:
    """Each page of `pdf` as `out_dir/<stem>-p<N>.png`; returns the paths."""
    import pypdfium2 as pdfium

    from .build import write_atomic

    out_dir.mkdir(parents=True, exist_ok=True)
    doc = pdfium.PdfDocument(str(pdf))
    paths = []
    try:
        for i in range(len(doc)):
            page = doc[i]
            image = page.render(scale=dpi / 72).to_pil()
            page.close()
            target = out_dir / f"{pdf.stem}-p{i + 1}.png"
            buf = io.BytesIO()
            image.save(buf, format="PNG")
            write_atomic(target, buf.getvalue())
            paths.append(target)
    finally:
        doc.close()
    return paths
