"""What ReportLab does not write itself, added to the PDF bytes with pikepdf.

Input: PDF bytes, the page boxes and the document's metadata. Output: new PDF
bytes with TrimBox and BleedBox on every page, the catalogue's /Lang, XMP
metadata matching the Info dictionary, and a deterministic file ID, saved so
that equal input gives equal bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf

from .profiles import PageBoxes


@dataclass(frozen=True)
class DocMeta:
    title: str
    author: str
    subject: str
    lang: str
    keywords: str = ""


def postprocess(pdf: bytes, boxes: PageBoxes, meta: DocMeta) -> bytes:
    """Add boxes, language and XMP metadata; return the saved bytes."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            page.obj.MediaBox = pikepdf.Array(boxes.media)
            page.obj.BleedBox = pikepdf.Array(boxes.bleed)
            page.obj.TrimBox = pikepdf.Array(boxes.trim)
            if "/CropBox" in page.obj:
                del page.obj["/CropBox"]
        doc.Root.Lang = pikepdf.String(meta.lang)
        doc.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        info = doc.docinfo
        info.Title = pikepdf.String(meta.title)
        info.Author = pikepdf.String(meta.author)
        info.Subject = pikepdf.String(meta.subject)
        if meta.keywords:
            info.Keywords = pikepdf.String(meta.keywords)
        with doc.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            xmp["dc:title"] = meta.title
            xmp["dc:creator"] = [meta.author]
            xmp["dc:description"] = meta.subject
            xmp["dc:language"] = [meta.lang]
            xmp["pdf:Producer"] = str(info.get("/Producer", "fiche"))
            xmp["xmp:CreatorTool"] = "fiche"
        out = io.BytesIO()
        doc.save(
            out,
            deterministic_id=True,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
        return out.getvalue()
