"""What ReportLab does not write itself, added to the PDF bytes with pikepdf.

Input: PDF bytes, the page boxes, the document's metadata and the profile.
Output: new PDF bytes, saved so that equal input gives equal bytes. Each
concern is one step; a profile's fields decide which steps run:
- boxes: TrimBox and BleedBox on every page (profiles with a trim),
- metadata: /Lang, Info and XMP in agreement, dates from the build date,
- output intent: the CMYK ICC profile and PDF/X-4 identification (print),
- viewer: title in the title bar, long-edge duplex for office printing.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pikepdf

from .profiles import PageBoxes, Profile

PROFILE_KEY = "/FicheProfile"  # Info key naming the profile a file was made for


@dataclass(frozen=True)
class DocMeta:
    title: str
    author: str
    subject: str
    lang: str
    identity: str  # stable name of the document (fiche, sheet, language, profile)
    date: datetime
    keywords: str = ""


def postprocess(
    pdf: bytes, boxes: PageBoxes, meta: DocMeta, profile: Profile, icc: Path | None = None
) -> bytes:
    """Run the profile's post-processing steps; return the saved bytes."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        _boxes(doc, boxes)
        if profile.output_intent:
            if icc is None:
                raise ValueError("the print profile needs the ICC profile's path")
            _output_intent(doc, icc)
        _viewer(doc, profile)
        _metadata(doc, meta, profile)
        out = io.BytesIO()
        doc.save(
            out,
            deterministic_id=True,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
        return out.getvalue()


def _boxes(doc: pikepdf.Pdf, boxes: PageBoxes) -> None:
    for page in doc.pages:
        page.obj.MediaBox = pikepdf.Array(boxes.media)
        for key, box in (("/BleedBox", boxes.bleed), ("/TrimBox", boxes.trim)):
            if box is not None:
                page.obj[key] = pikepdf.Array(box)
            elif key in page.obj:
                del page.obj[key]
        if "/CropBox" in page.obj:
            del page.obj["/CropBox"]


def _output_intent(doc: pikepdf.Pdf, icc: Path) -> None:
    stream = doc.make_stream(icc.read_bytes())
    stream.N = 4
    stream.Alternate = pikepdf.Name.DeviceCMYK
    intent = pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent,
        S=pikepdf.Name.GTS_PDFX,
        OutputConditionIdentifier=pikepdf.String("FOGRA39"),
        OutputCondition=pikepdf.String(
            "Offset printing, ISO 12647-2:2004/Amd 1, "
            "paper type 1 or 2, 115 g/m2 gloss or matte coated"
        ),
        RegistryName=pikepdf.String("http://www.color.org"),
        Info=pikepdf.String("ISO Coated v2 (ECI)"),
        DestOutputProfile=doc.make_indirect(stream),
    )
    doc.Root.OutputIntents = pikepdf.Array([intent])


def _viewer(doc: pikepdf.Pdf, profile: Profile) -> None:
    prefs = pikepdf.Dictionary(DisplayDocTitle=True)
    if profile.duplex:
        prefs.Duplex = pikepdf.Name.DuplexFlipLongEdge
        prefs.PrintScaling = pikepdf.Name("/None")
    doc.Root.ViewerPreferences = prefs
    if profile.bookmarks and "/Outlines" in doc.Root:
        doc.Root.PageMode = pikepdf.Name.UseOutlines


def _pdf_date(d: datetime) -> str:
    return d.strftime("D:%Y%m%d%H%M%SZ")


def _metadata(doc: pikepdf.Pdf, meta: DocMeta, profile: Profile) -> None:
    doc.Root.Lang = pikepdf.String(meta.lang)
    info = doc.docinfo
    info.Title = pikepdf.String(meta.title)
    info.Author = pikepdf.String(meta.author)
    info.Subject = pikepdf.String(meta.subject)
    info.Creator = pikepdf.String("fiche")
    info.CreationDate = pikepdf.String(_pdf_date(meta.date))
    info.ModDate = pikepdf.String(_pdf_date(meta.date))
    info[PROFILE_KEY] = pikepdf.Name("/" + profile.name)
    if meta.keywords:
        info.Keywords = pikepdf.String(meta.keywords)
    if profile.output_intent:
        info.GTS_PDFXVersion = pikepdf.String("PDF/X-4")
        info.Trapped = pikepdf.Name("/False")
    # Identifiers derived from the document's identity, so rebuilding gives the same file.
    doc_id = uuid.uuid5(uuid.NAMESPACE_URL, "fiche:" + meta.identity)
    iso = meta.date.isoformat().replace("+00:00", "Z")
    with doc.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        xmp["dc:title"] = meta.title
        xmp["dc:creator"] = [meta.author]
        xmp["dc:description"] = meta.subject
        xmp["dc:language"] = [meta.lang]
        xmp["pdf:Producer"] = str(info.get("/Producer", "fiche"))
        xmp["xmp:CreatorTool"] = "fiche"
        xmp["xmp:CreateDate"] = iso
        xmp["xmp:ModifyDate"] = iso
        xmp["xmp:MetadataDate"] = iso
        xmp["xmpMM:DocumentID"] = f"uuid:{doc_id}"
        xmp["xmpMM:InstanceID"] = f"uuid:{doc_id}"
        if profile.output_intent:
            xmp["pdfxid:GTS_PDFXVersion"] = "PDF/X-4"
            xmp["pdf:Trapped"] = "False"
            xmp["xmpMM:VersionID"] = "1"
            xmp["xmpMM:RenditionClass"] = "default"


def build_date() -> datetime:
    """`SOURCE_DATE_EPOCH` if set, else a fixed date: never the clock."""
    import os

    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    seconds = int(raw) if raw.isdigit() else 946684800  # 2000-01-01
    return datetime.fromtimestamp(seconds, UTC)
