"""Checks of a written PDF against its output profile.

Input: PDF bytes (or a path) and, optionally, the profile; otherwise the profile
is read from the file (the `/FicheProfile` Info key, else the `.print.pdf`
style name). Output: a `PreflightReport` with one `Check` per rule, each pass,
warn or fail with detail. Reads only the file, with pikepdf and pdfium, never
the objects that made it.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from fiche.check.textcheck import bad_characters, extract_pages
from fiche.core.errors import FicheError
from fiche.core.safeio import read_user_file
from fiche.model.profiles import PAPERS, PROFILES, Profile

# A fiche is a few hundred kilobytes; far larger files are not worth reading whole.
MAX_PDF_BYTES = 256 << 20
ENCRYPTED = "encrypted: it opens only with a password, which fiche does not take"
# What a malformed file makes the structure walk raise (a missing key, a wrong type).
_MALFORMED = (pikepdf.PdfError, KeyError, AttributeError, TypeError, ValueError, IndexError)

MM = 72 / 25.4
BASE14 = {
    "Courier",
    "Courier-Bold",
    "Courier-Oblique",
    "Courier-BoldOblique",
    "Helvetica",
    "Helvetica-Bold",
    "Helvetica-Oblique",
    "Helvetica-BoldOblique",
    "Times-Roman",
    "Times-Bold",
    "Times-Italic",
    "Times-BoldItalic",
    "Symbol",
    "ZapfDingbats",
}


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # "pass", "warn" or "fail"
    detail: str

    def __str__(self) -> str:
        return f"{self.status.upper():4} {self.name}: {self.detail}"


@dataclass
class PreflightReport:
    path: str
    profile: str = "?"
    checks: list[Check] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # each page's text, as pdfium extracts it

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.status == "fail"]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.status == "warn"]

    def ok(self, strict: bool = False) -> bool:
        return not self.failed and not (strict and self.warnings)

    def add(self, name: str, problems: list[str], ok_detail: str, warn: bool = False) -> None:
        if problems:
            self.checks.append(Check(name, "warn" if warn else "fail", "; ".join(problems)))
        else:
            self.checks.append(Check(name, "pass", ok_detail))


def profile_of(doc: pikepdf.Pdf, name: str) -> Profile | None:
    """The profile a file says it was made for."""
    key = doc.docinfo.get("/FicheProfile")
    if key is not None and str(key).lstrip("/") in PROFILES:
        return PROFILES[str(key).lstrip("/")]
    for pname, p in PROFILES.items():
        if f".{pname}." in Path(name).name or Path(name).name.endswith(f".{pname}.pdf"):
            return p
    return None


def read_pdf(path: Path) -> bytes:
    """The bytes of a PDF file the user named, or a `FicheError` naming it and why not:
    a regular file only (a pipe would hang, a device never end), of at most MAX_PDF_BYTES."""

    return read_user_file(path, MAX_PDF_BYTES)


def pdfium_document(data: bytes, name: str) -> pdfium.PdfDocument:
    """The PDF opened with pdfium, or a `FicheError` naming it: not a PDF, or encrypted."""

    with pdfium_errors(name):
        return pdfium.PdfDocument(data)


@contextmanager
def pdfium_errors(name: str) -> Iterator[None]:
    """pdfium's failures inside the block (a page that does not load) as a `FicheError`
    naming the file."""

    try:
        yield
    except pdfium.PdfiumError as e:
        raise FicheError.at(name, "", _pdfium_reason(e)) from None


def _pdfium_reason(e: Exception) -> str:

    if getattr(e, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
        return ENCRYPTED
    detail = re.search(r"\((PDFium: [^)]*)\)", str(e))
    return f"not a readable PDF ({detail.group(1) if detail else str(e).rstrip('.')})"


def _pikepdf_reason(e: Exception, stream: io.BytesIO) -> str:
    """qpdf's reason, without the Python object it was read from (`<_io.BytesIO …>`)."""
    return str(e).replace(f"stream {stream!r}: ", "").replace(repr(stream), "the file")


def _malformed_reason(e: Exception, stream: io.BytesIO) -> str:
    if isinstance(e, pikepdf.PdfError):
        return _pikepdf_reason(e, stream)
    return f"an object a PDF must have is missing or broken ({e})"


def preflight(
    pdf: bytes | Path,
    *,
    name: str = "",
    profile: Profile | None = None,
    pages: int = 2,
    trim_mm: tuple[float, float] = (210.0, 297.0),
    bleed_mm: float = 3.0,
    source: str = "",
) -> PreflightReport:
    """Check page count, boxes, fonts, colour, output intent, images, text, metadata.

    `source`, the text the PDF was made from when it is known, may itself contain what
    would otherwise look like broken text mapping (e.g. the letters "(cid:").
    """

    report = PreflightReport(name or (str(pdf) if isinstance(pdf, Path) else "<pdf>"))
    try:
        data = read_pdf(pdf) if isinstance(pdf, Path) else pdf
    except FicheError as e:
        report.add("readable", [e.problems[0].message], "")
        return report
    stream = io.BytesIO(data)
    try:
        doc = pikepdf.open(stream)
    except pikepdf.PasswordError:
        report.add("readable", [ENCRYPTED], "")
        return report
    except pikepdf.PdfError as e:
        report.add("readable", [f"not a readable PDF: {_pikepdf_reason(e, stream)}"], "")
        return report
    try:
        with doc:
            profile = _structure_checks(report, doc, profile, pages, trim_mm, bleed_mm)
        _rendered_checks(report, data, profile, source)
    except _MALFORMED as e:
        report.add("readable", [f"malformed PDF: {_malformed_reason(e, stream)}"], "")
    except pdfium.PdfiumError as e:
        report.add("readable", [_pdfium_reason(e)], "")
    return report


def _structure_checks(
    report: PreflightReport,
    doc: pikepdf.Pdf,
    profile: Profile | None,
    pages: int,
    trim_mm: tuple[float, float],
    bleed_mm: float,
) -> Profile:
    """The checks that read the file's objects (pikepdf); returns the profile checked."""
    profile = profile or profile_of(doc, report.path)
    if profile is None:
        report.add("profile", ["cannot tell which profile the file is for; pass --profile"], "")
        profile = PROFILES["print"]
    report.profile = profile.name
    n = len(doc.pages)
    report.add("pages", [] if n == pages else [f"{n} pages, expected {pages}"], f"{n} pages")
    report.add(
        "page boxes",
        _box_problems(doc, profile, bleed_mm, trim_mm),
        _box_detail(profile, bleed_mm, trim_mm),
    )
    fonts, problems = _font_problems(doc)
    report.add(
        "fonts embedded",
        problems,
        f"{len(fonts)} fonts, all embedded: " + ", ".join(sorted(fonts)),
    )
    usage = _colour_and_images(doc)
    _colour_check(report, usage.spaces, profile)
    report.add(
        "output intent",
        _intent_problems(doc) if profile.output_intent else [],
        "CMYK ICC profile embedded, PDF/X-4 identified"
        if profile.output_intent
        else "not required",
    )
    _image_check(report, usage.images, profile.min_image_ppi)
    if profile.links or profile.bookmarks:
        report.add(
            "navigation",
            _navigation_problems(doc, profile),
            "clickable links and bookmarks",
            warn=True,
        )
    _metadata_check(report, doc)
    return profile


def _colour_check(report: PreflightReport, spaces: set[str], profile: Profile) -> None:
    report.add(
        "colour spaces", _colour_problems(spaces, profile), ", ".join(sorted(spaces)) or "none"
    )
    if profile.colour == "rgb" and "DeviceCMYK" in spaces:
        report.checks[-1] = Check(
            "colour spaces",
            "warn",
            "CMYK colour in a file for RGB devices: " + ", ".join(sorted(spaces)),
        )


def _image_check(report: PreflightReport, images: list[PlacedImage], min_ppi: float) -> None:
    low = [
        f"page {p}: image {w}×{h} px placed at {ppi:.0f} ppi"
        for p, w, h, ppi in images
        if ppi < min_ppi
    ]
    report.add(
        "image resolution",
        [*low, f"(needs {min_ppi:g} ppi)"] if low else [],
        f"{len(images)} image(s)"
        + (f", lowest {min(i[3] for i in images):.0f} ppi" if images else ""),
        warn=True,
    )


def _metadata_check(report: PreflightReport, doc: pikepdf.Pdf) -> None:
    meta = []
    title = str(doc.docinfo.get("/Title", "")).strip()
    lang = str(doc.Root.get("/Lang", "")).strip()
    if not title or title == "untitled":  # ReportLab's default
        meta.append("no document title")
    if not lang:
        meta.append("no /Lang in the catalogue")
    report.add("metadata", meta, f"title {title!r}, language {lang}")


def _rendered_checks(report: PreflightReport, data: bytes, profile: Profile, source: str) -> None:
    """The checks that render the pages or extract their text (pdfium)."""
    if profile.safe_margin_mm:
        report.add(
            "printable area",
            _margin_problems(data, profile.safe_margin_mm),
            f"nothing drawn within {profile.safe_margin_mm:g} mm of the paper edge",
        )
    texts = report.texts = extract_pages(_upright(data) if profile.paper else data)
    bad = sorted({b for t in texts for b in bad_characters(t, source)})
    report.add(
        "text extraction",
        [f"extracted text contains {', '.join(bad)}"] if bad else [],
        f"{sum(len(t) for t in texts)} characters, no broken mapping",
    )


def _upright(data: bytes) -> bytes:
    """The PDF with each page whose text runs upside down turned the right way up.

    On paper, the backs of two cards lying across the sheet are drawn turned by 180°
    (so that they stand behind their fronts after long-edge duplex). A reader turns
    such a page to read it; pdfium does not, and reads the runs of a line (a bold
    lead-in, then the rest) from the page's left, which is the line's end. The text
    is read as a reader would: from the page turned round.
    """
    doc = pdfium.PdfDocument(data)
    turned = []
    try:
        for i in range(len(doc)):
            page = doc[i]
            tp = page.get_textpage()
            angles = [pdfium_c.FPDFText_GetCharAngle(tp.raw, k) for k in range(tp.count_chars())]
            tp.close()
            page.close()
            upside_down = sum(abs(a - math.pi) < 0.1 for a in angles)
            if upside_down * 2 > len(angles):
                turned.append(i)
    finally:
        doc.close()
    if not turned:
        return data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for i in turned:
            page = pdf.pages[i]
            x0, y0, x1, y1 = (float(v) for v in page.mediabox)
            turn = f"q -1 0 0 -1 {x0 + x1:.4f} {y0 + y1:.4f} cm\n".encode()
            page.contents_add(pdf.make_stream(turn), prepend=True)
            page.contents_add(pdf.make_stream(b"\nQ"))
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def _box_detail(profile: Profile, bleed_mm: float, trim_mm: tuple[float, float]) -> str:
    if profile.paper:
        return f"{' or '.join(PAPERS)} paper, portrait or landscape, pages not rotated"
    if profile.bleed:
        return f"TrimBox {trim_mm[0]:g}×{trim_mm[1]:g} mm and BleedBox +{bleed_mm:g} mm"
    return f"page {trim_mm[0]:g}×{trim_mm[1]:g} mm"


def _box(page: pikepdf.Page, key: str) -> list[float] | None:
    return [float(v) for v in page.obj[key]] if key in page.obj else None


def _box_problems(
    doc: pikepdf.Pdf, profile: Profile, bleed_mm: float, trim_mm: tuple[float, float]
) -> list[str]:
    out = []
    for i, page in enumerate(doc.pages, start=1):
        m = _box(page, "/MediaBox")
        if m is None or len(m) != 4:
            out.append(f"page {i}: no MediaBox")
            continue
        size = ((m[2] - m[0]) / MM, (m[3] - m[1]) / MM)
        if int(page.obj.get("/Rotate", 0)) % 360:
            out.append(f"page {i}: rotated by {page.obj.Rotate}°")
        if profile.paper:
            # The paper turns with the design (a landscape layout, two A5 cards side by
            # side): either way round, but turned by its size, never by /Rotate.
            papers = [
                k
                for k, (w, h) in PAPERS.items()
                if any(
                    abs(size[0] - a) < 0.3 and abs(size[1] - b) < 0.3 for a, b in ((w, h), (h, w))
                )
            ]
            if not papers:
                out.append(
                    f"page {i}: {size[0]:.1f}×{size[1]:.1f} mm is not an "
                    f"{' or '.join(PAPERS)} sheet, portrait or landscape"
                )
            continue
        if not profile.bleed:
            if abs(size[0] - trim_mm[0]) > 0.3 or abs(size[1] - trim_mm[1]) > 0.3:
                out.append(
                    f"page {i}: {size[0]:.1f}×{size[1]:.1f} mm, expected "
                    f"{trim_mm[0]:g}×{trim_mm[1]:g} mm"
                )
            continue
        t, b = _box(page, "/TrimBox"), _box(page, "/BleedBox")
        if t is None or b is None:
            out += [f"page {i}: no {k}" for k, v in (("TrimBox", t), ("BleedBox", b)) if v is None]
            continue
        w, h = (t[2] - t[0]) / MM, (t[3] - t[1]) / MM
        if abs(w - trim_mm[0]) > 0.2 or abs(h - trim_mm[1]) > 0.2:
            out.append(
                f"page {i}: TrimBox is {w:.1f}×{h:.1f} mm, expected "
                f"{trim_mm[0]:g}×{trim_mm[1]:g} mm"
            )
        for j, sign in enumerate((-1, -1, 1, 1)):
            if abs((b[j] - t[j]) - sign * bleed_mm * MM) > 0.1:
                out.append(f"page {i}: BleedBox is not {bleed_mm:g} mm outside the TrimBox")
                break
        if not (m[0] <= b[0] and m[1] <= b[1] and m[2] >= b[2] and m[3] >= b[3]):
            out.append(f"page {i}: BleedBox reaches outside the MediaBox")
        elif profile.crop_marks and min(b[0] - m[0], b[1] - m[1]) < 5 * MM:
            out.append(f"page {i}: no room for crop marks outside the BleedBox")
    return out


def _font_problems(doc: pikepdf.Pdf) -> tuple[set[str], list[str]]:
    names: set[str] = set()
    problems: list[str] = []
    seen: set[tuple[int, int] | int] = set()
    for i, page in enumerate(doc.pages, start=1):
        for font in _resources_fonts(page.obj.get("/Resources"), set()):
            key = font.objgen if font.is_indirect else id(font)
            if key in seen:
                continue
            seen.add(key)
            base = str(font.get("/BaseFont", "?")).lstrip("/")
            names.add(base.split("+", 1)[-1])
            subtype = str(font.get("/Subtype", ""))
            if subtype == "/Type3":
                problems.append(f"page {i}: Type 3 font {base}")
                continue
            desc = font.get("/FontDescriptor")
            if subtype == "/Type0":
                desc = font.DescendantFonts[0].get("/FontDescriptor")
            embedded = desc is not None and any(
                k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            if not embedded:
                label = "base-14 font" if base in BASE14 else "font"
                problems.append(f"page {i}: {label} {base} is not embedded")
    return names, problems


def _resources_fonts(
    res: pikepdf.Object | None, seen: set[tuple[int, int]]
) -> Iterator[pikepdf.Object]:
    """The fonts of a resource dictionary and of the form XObjects it holds."""
    if res is None:
        return
    yield from _entries(res, "/Font")
    for xobj in _entries(res, "/XObject"):
        if xobj.objgen in seen or xobj.get("/Subtype") != "/Form":
            continue
        seen.add(xobj.objgen)
        yield from _resources_fonts(xobj.get("/Resources"), seen)


def _entries(res: pikepdf.Object, category: str) -> list[pikepdf.Object]:
    table = res.get(category)
    return list(table.values()) if table is not None else []


_OP_SPACE = {
    "rg": "DeviceRGB",
    "RG": "DeviceRGB",
    "k": "DeviceCMYK",
    "K": "DeviceCMYK",
    "g": "DeviceGray",
    "G": "DeviceGray",
}


def _space_name(cs: pikepdf.Object | None, res: pikepdf.Object) -> str:
    """A colour space object or name, reduced to its family (DeviceRGB, ICCBased-RGB …)."""
    if isinstance(cs, pikepdf.Name):
        name = str(cs).lstrip("/")
        if name in ("DeviceRGB", "DeviceCMYK", "DeviceGray", "Pattern"):
            return name
        named = _entry(res, "/ColorSpace", str(cs))
        return _space_name(named, res) if named is not None else name
    if isinstance(cs, pikepdf.Array) and len(cs):
        family = str(cs[0]).lstrip("/")
        if family == "ICCBased":
            n = int(cs[1].get("/N", 0))
            return {1: "ICCBased-Gray", 3: "ICCBased-RGB", 4: "ICCBased-CMYK"}.get(n, "ICCBased")
        if family in ("Indexed", "Separation", "DeviceN"):
            base = cs[1] if family == "Indexed" else cs[2]
            return f"{family}({_space_name(base, res)})"
        return family
    return "unknown"


PlacedImage = tuple[int, int, int, float]  # page, width and height in pixels, ppi
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)


@dataclass
class _Usage:
    """What the content streams use, gathered while walking them."""

    spaces: set[str] = field(default_factory=set)
    images: list[PlacedImage] = field(default_factory=list)
    seen: set[tuple[int, int]] = field(default_factory=set)  # form XObjects walked


def _colour_and_images(doc: pikepdf.Pdf) -> _Usage:
    """Colour spaces used by content and images, and each placed image's resolution."""
    usage = _Usage()
    for i, page in enumerate(doc.pages, start=1):
        usage.seen = set()
        _walk(page, page.obj.get("/Resources", pikepdf.Dictionary()), IDENTITY, i, usage)
    return usage


def _mul(a: Sequence[float], b: Matrix) -> Matrix:
    return (
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    )


def _walk(
    stream: pikepdf.Page | pikepdf.Object,
    res: pikepdf.Object,
    ctm: Matrix,
    page_no: int,
    usage: _Usage,
) -> None:
    stack: list[Matrix] = []
    for instruction in pikepdf.parse_content_stream(stream):
        op, operands = str(instruction.operator), instruction.operands
        if op == "q":
            stack.append(ctm)
        elif op == "Q" and stack:
            ctm = stack.pop()
        elif op == "cm":
            ctm = _mul([float(v) for v in operands], ctm)
        elif op in _OP_SPACE:
            usage.spaces.add(_OP_SPACE[op])
        elif op in ("cs", "CS"):
            usage.spaces.add(_space_name(operands[0], res))
        elif op == "Do":
            _walk_xobject(res, str(operands[0]), ctm, page_no, usage)
        elif op == "INLINE IMAGE":  # pikepdf's name for BI … ID … EI
            usage.spaces.add("inline image")


def _walk_xobject(res: pikepdf.Object, name: str, ctm: Matrix, page_no: int, usage: _Usage) -> None:
    """An image XObject placed at `ctm`, or the content of a form XObject (walked once)."""
    xobj = _entry(res, "/XObject", name)
    if xobj is None:
        return
    if xobj.get("/Subtype") == "/Image":
        if not xobj.get("/ImageMask", False):
            usage.spaces.add(_space_name(xobj.get("/ColorSpace"), res))
        w, h = int(xobj.Width), int(xobj.Height)
        placed_w = (ctm[0] ** 2 + ctm[1] ** 2) ** 0.5 / 72
        placed_h = (ctm[2] ** 2 + ctm[3] ** 2) ** 0.5 / 72
        ppi = min(w / placed_w if placed_w else 1e9, h / placed_h if placed_h else 1e9)
        usage.images.append((page_no, w, h, ppi))
    elif xobj.get("/Subtype") == "/Form" and xobj.objgen not in usage.seen:
        usage.seen.add(xobj.objgen)
        matrix = [float(v) for v in xobj.get("/Matrix", IDENTITY)]
        _walk(xobj, xobj.get("/Resources", res), _mul(matrix, ctm), page_no, usage)


def _entry(res: pikepdf.Object, category: str, name: str) -> pikepdf.Object | None:
    """The resource `name` of a category (/XObject, /ColorSpace), if the page has it."""
    table = res.get(category)
    return table.get(name) if table is not None else None


def _colour_problems(spaces: set[str], profile: Profile) -> list[str]:
    if profile.colour != "cmyk":
        return []
    rgb = sorted(s for s in spaces if "RGB" in s or s in ("CalRGB", "Lab", "unknown"))
    return [f"{s} used in a print file (only CMYK and gray are allowed)" for s in rgb]


def _intent_problems(doc: pikepdf.Pdf) -> list[str]:
    out = []
    intents = doc.Root.get("/OutputIntents")
    pdfx = [i for i in (intents or []) if i.get("/S") == "/GTS_PDFX"]
    if not pdfx:
        out.append("no /GTS_PDFX output intent")
    else:
        prof = pdfx[0].get("/DestOutputProfile")
        if prof is None:
            out.append("the output intent embeds no ICC profile")
        elif int(prof.get("/N", 0)) != 4:
            out.append("the output intent's ICC profile is not CMYK")
    version = str(doc.docinfo.get("/GTS_PDFXVersion", ""))
    if not version.startswith("PDF/X-4"):
        out.append("Info has no GTS_PDFXVersion PDF/X-4")
    if str(doc.docinfo.get("/Trapped", "")) not in ("/True", "/False"):
        out.append("Info /Trapped is not True or False")
    meta = doc.open_metadata()
    if meta.get("pdfxid:GTS_PDFXVersion", "") != "PDF/X-4":
        out.append("XMP has no pdfxid:GTS_PDFXVersion PDF/X-4")
    return out


def _navigation_problems(doc: pikepdf.Pdf, profile: Profile) -> list[str]:
    out = []
    if profile.links:
        links = sum(
            1
            for page in doc.pages
            for a in page.obj.get("/Annots", [])
            if a.get("/Subtype") == "/Link"
        )
        if not links:
            out.append("no clickable links")
    if profile.bookmarks and "/Outlines" not in doc.Root:
        out.append("no bookmarks")
    return out


def _margin_problems(data: bytes, margin_mm: float, dpi: int = 40) -> list[str]:
    """Pages rendered at low resolution: any ink within `margin_mm` of the edge?"""

    out = []
    doc = pdfium.PdfDocument(data)
    try:
        for i in range(len(doc)):
            page = doc[i]
            img = page.render(scale=dpi / 72).to_pil().convert("L")
            page.close()
            w, h = img.size
            m = int(margin_mm / 25.4 * dpi) - 1  # a pixel of tolerance for anti-aliasing
            # the four edge strips, each read by Pillow for its darkest pixel
            mx, my = min(m, w), min(m, h)  # a crop past the page would read as black
            strips = [(0, 0, w, my), (0, h - my, w, h), (0, 0, mx, h), (w - mx, 0, w, h)]
            inked = m > 0 and any(img.crop(box).getextrema()[0] < 245 for box in strips)
            if inked:
                out.append(f"page {i + 1}: ink within {margin_mm:g} mm of the paper edge")
    finally:
        doc.close()
    return out
