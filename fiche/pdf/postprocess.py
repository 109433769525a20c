"""What ReportLab does not write itself, added to the PDF bytes with pikepdf.

Input: PDF bytes, the page boxes, the document's metadata and the profile.
Output: new PDF bytes, saved so that equal input gives equal bytes. Each
concern is one step; a profile's fields decide which steps run:
- boxes: TrimBox and BleedBox on every page (profiles with a trim),
- metadata: /Lang, Info and XMP in agreement, dates from the build date,
- output intent: the CMYK ICC profile and PDF/X-4 identification (print),
- viewer: title in the title bar, long-edge duplex for office printing,
- structure: the tagged PDF's structure tree, from the marks made while drawing.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import re
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pikepdf

from fiche.core.machinecache import load, store
from fiche.engine.tagging import MarkedContent
from fiche.model.languages import rules_for
from fiche.model.profiles import PageBoxes, Profile

N = pikepdf.Name

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
    pdf: bytes,
    boxes: PageBoxes,
    meta: DocMeta,
    profile: Profile,
    icc: Path | None = None,
    marks: tuple[MarkedContent, ...] = (),
) -> bytes:
    """Run the profile's post-processing steps; return the saved bytes."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        _boxes(doc, boxes)
        if profile.output_intent:
            if icc is None:
                raise ValueError("the print profile needs the ICC profile's path")
            _output_intent(doc, icc)
        # Right to left: the page text is each reader's guess at the order, the
        # structure's /ActualText is exact (RTL-NOTES); every profile gets the tree.
        rtl = rules_for(meta.lang).rtl
        _viewer(doc, profile, rtl)
        _metadata(doc, meta, profile)
        if profile.tagged or rtl:
            _structure(doc, marks, meta, actual_text=rtl)
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
    st = icc.stat()
    # written already compressed: qpdf keeps Flate data as it is, and compressing the
    # 1.8 MB profile again for every print file took most of a print job's time
    stream = doc.make_stream(b"")
    stream.write(_deflated(str(icc), st.st_size, st.st_mtime_ns), filter=pikepdf.Name.FlateDecode)
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


@functools.lru_cache(maxsize=4)
def _deflated(path: str, size: int, mtime_ns: int) -> bytes:
    """The file at `path`, zlib-compressed once per process (and per version of it), and
    once per machine: compressing the profile took 65 ms of every print file's process.
    What the cache holds is used only if it inflates back to the file itself."""
    data = Path(path).read_bytes()
    key = hashlib.sha256(data + f"\0{zlib.ZLIB_RUNTIME_VERSION}".encode()).hexdigest()
    name = f"{Path(path).stem}-{key[:32]}.deflate"
    kept = load("icc", name)
    if kept is not None:
        with contextlib.suppress(zlib.error):
            if zlib.decompress(kept) == data:
                return kept
    packed = zlib.compress(data)
    store("icc", name, packed)
    return packed


def _viewer(doc: pikepdf.Pdf, profile: Profile, rtl: bool = False) -> None:
    prefs = pikepdf.Dictionary(DisplayDocTitle=True)
    if rtl:  # pages and spreads read from right to left
        prefs.Direction = pikepdf.Name.R2L
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
        if profile.tagged:
            xmp["pdfuaid:part"] = "1"
        if profile.output_intent:
            xmp["pdfxid:GTS_PDFXVersion"] = "PDF/X-4"
            xmp["pdf:Trapped"] = "False"
            xmp["xmpMM:VersionID"] = "1"
            xmp["xmpMM:RenditionClass"] = "default"


def _structure(
    doc: pikepdf.Pdf, marks: tuple[MarkedContent, ...], meta: DocMeta, actual_text: bool = False
) -> None:
    """The structure tree from the marks recorded while drawing (PDF/UA-1).

    Each mark names the chain of elements its content belongs to, so elements are
    made in reading order as they first appear. Link and widget annotations get
    Link and Form elements with object references, placed in the paragraph that
    shows the link's text.
    """
    tree = _StructTree(doc, meta.lang)
    for m in marks:
        tree.add_mark(m)
    tree.add_annotations()
    if actual_text:
        tree.add_actual_text()
    tree.finish()
    doc.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
    _clean_to_unicode(doc)


class _StructTree:
    """A structure tree under construction. Kids are collected apart from the
    elements (keyed by the element's id) and written once every mark is placed."""

    def __init__(self, doc: pikepdf.Pdf, lang: str) -> None:
        self.doc = doc
        self.pages = list(doc.pages)
        self.root = doc.make_indirect(pikepdf.Dictionary(Type=N.StructTreeRoot))
        self.document = doc.make_indirect(
            pikepdf.Dictionary(
                Type=N.StructElem, S=N.Document, P=self.root, Lang=pikepdf.String(lang)
            )
        )
        self.root.K = pikepdf.Array([self.document])
        self.elems: dict[str, pikepdf.Object] = {}
        self.kids: dict[int, list[pikepdf.Object | int]] = {id(self.document): []}
        self.parts: dict[str, list[str]] = {}  # the distinct texts of each element's marks
        # the parent tree: per page the leaf of each MCID, then one annotation element
        # per key from len(pages) on
        self.mark_rows: dict[int, list[pikepdf.Object | None]] = {
            i: [] for i in range(len(self.pages))
        }
        self.annot_elems: dict[int, pikepdf.Object] = {}
        self.last_heading = 0

    def element(self, role: str, key: str, parent: pikepdf.Object) -> pikepdf.Object:
        if key not in self.elems:
            if len(role) == 2 and role[0] == "H" and role[1].isdigit():
                # Headings never skip a level in reading order (a block title after H1
                # becomes H2), as screen readers navigate by them.
                level = min(int(role[1]), self.last_heading + 1)
                self.last_heading = level
                role = f"H{level}"
            e = self.doc.make_indirect(
                pikepdf.Dictionary(Type=N.StructElem, S=N("/" + role), P=parent)
            )
            self.elems[key] = e
            self.kids[id(e)] = []
            self.kids[id(parent)].append(e)
        return self.elems[key]

    def add_mark(self, m: MarkedContent) -> None:
        leaf: pikepdf.Object = self.document
        for role, key in m.chain:
            leaf = self.element(role, key, leaf)
        page = self.pages[m.page].obj
        if "/Pg" not in leaf:
            leaf.Pg = page
        if m.alt:
            leaf.Alt = pikepdf.String(m.alt)
        if m.lang:
            leaf.Lang = pikepdf.String(m.lang)
        if leaf.Pg.objgen == page.objgen:
            self.kids[id(leaf)].append(m.mcid)
        else:
            self.kids[id(leaf)].append(pikepdf.Dictionary(Type=N.MCR, Pg=page, MCID=m.mcid))
        key = m.chain[-1][1]
        if m.text and m.text not in self.parts.setdefault(key, []):
            self.parts[key].append(m.text)  # a paragraph split over columns: once
        row = self.mark_rows[m.page]
        row.extend([None] * (m.mcid + 1 - len(row)))
        row[m.mcid] = leaf

    def add_actual_text(self) -> None:
        """Each element that shows text carries it as /ActualText, in logical order: what
        readers of a right-to-left page cannot rebuild from the glyphs drawn."""
        for key, parts in self.parts.items():
            e = self.elems.get(key)
            if e is None:
                continue
            kids = self.kids[id(e)]
            own = [k for k in kids if _shows_own_text(k)]
            if len(own) == len(kids):
                e.ActualText = pikepdf.String(" ".join(parts))
                continue
            # An item with a list of its own: its text moves to a body of its own, as an
            # ActualText on the item would hide the nested items from a screen reader.
            body = self.doc.make_indirect(
                pikepdf.Dictionary(
                    Type=N.StructElem,
                    S=N.LBody if e.S == N.LI else N.Span,
                    P=e,
                    Pg=e.Pg,
                    ActualText=pikepdf.String(" ".join(parts)),
                )
            )
            self.kids[id(body)] = own
            for k in own:
                if not isinstance(k, int) and k.get("/S") == N.Link:
                    k.P = body
            # the body stands where the item's own text stood: a label drawn first stays first
            at = next(i for i, k in enumerate(kids) if _shows_own_text(k))
            rest = [k for k in kids if not _shows_own_text(k)]
            self.kids[id(e)] = [*rest[:at], body, *rest[at:]]
            self.elems[f"{key}/text"] = body
            for row in self.mark_rows.values():
                for i, leaf in enumerate(row):
                    if leaf is not None and leaf.objgen == e.objgen:
                        row[i] = body

    def add_annotations(self) -> None:
        for i, page in enumerate(self.pages):
            page.obj.StructParents = i
            page.obj.Tabs = N.S
            for annot in page.obj.get("/Annots", []):
                sub = annot.get("/Subtype")
                if sub == "/Link":
                    e = self._link(annot, page.obj)
                elif sub == "/Widget":
                    e = self._annotation(
                        N.Form, self.elems.get("imprint", self.document), annot, page.obj
                    )
                else:
                    continue
                key = len(self.pages) + len(self.annot_elems)
                annot.StructParent = key
                self.annot_elems[key] = e

    def _link(self, annot: pikepdf.Object, page: pikepdf.Object) -> pikepdf.Object:
        action = annot.get("/A")
        uri = str(action.get("/URI", "")) if action is not None else ""
        shown = uri.removeprefix("mailto:").removeprefix("https://")
        shown = shown.removeprefix("http://")
        annot.Contents = pikepdf.String(f"Link: {shown}")
        owner = next(
            (
                self.elems[k]
                for k, parts in self.parts.items()
                if shown and shown in " ".join(parts) and k in self.elems
            ),
            self.document,
        )
        return self._annotation(N.Link, owner, annot, page)

    def _annotation(
        self, role: pikepdf.Name, owner: pikepdf.Object, annot: pikepdf.Object, page: pikepdf.Object
    ) -> pikepdf.Object:
        e = self.doc.make_indirect(pikepdf.Dictionary(Type=N.StructElem, S=role, P=owner, Pg=page))
        self.kids[id(e)] = [pikepdf.Dictionary(Type=N.OBJR, Obj=annot, Pg=page)]
        self.kids[id(owner)].append(e)
        return e

    def finish(self) -> None:
        for e in [self.document, *self.elems.values(), *self.annot_elems.values()]:
            e.K = pikepdf.Array(self.kids[id(e)])
        nums: list[int | pikepdf.Object] = []
        for k, row in self.mark_rows.items():
            nums += [k, pikepdf.Array([x if x is not None else pikepdf.Null() for x in row])]
        for k, e in self.annot_elems.items():
            nums += [k, e]
        self.root.ParentTree = self.doc.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(nums)))
        self.root.ParentTreeNextKey = len(self.pages) + len(self.annot_elems)
        self.doc.Root.StructTreeRoot = self.root


def _shows_own_text(kid: pikepdf.Object | int) -> bool:
    """Whether a structure kid is its element's own text: marked content, or a link's
    element (which holds only its annotation: the text it shows is its owner's)."""
    return isinstance(kid, int) or "/MCID" in kid or kid.get("/S") == N.Link


def _fonts(page: pikepdf.Object) -> list[pikepdf.Object]:
    resources = page.get("/Resources")
    fonts = resources.get("/Font") if resources is not None else None
    return list(fonts.values()) if fonts is not None else []


def _clean_to_unicode(doc: pikepdf.Pdf) -> None:
    """Drop ReportLab's mapping of the .notdef code to U+0000 (PDF/UA forbids it)."""

    seen = set()
    for page in doc.pages:
        for font in _fonts(page.obj):
            cmap = font.get("/ToUnicode")
            if cmap is None or cmap.objgen in seen:
                continue
            seen.add(cmap.objgen)
            text = cmap.read_bytes().decode("latin-1")
            lines = text.split("\n")
            out, removed = [], 0
            for line in lines:
                if re.fullmatch(r"<[0-9A-Fa-f]+> <(0000|FEFF|FFFE|feff|fffe)>", line.strip()):
                    removed += 1
                    continue
                out.append(line)
            if not removed:
                continue
            text = "\n".join(out)
            # the block's entry count comes just before "beginbfchar"
            count = re.search(r"(\d+) beginbfchar", text)
            if count:
                text = (
                    text[: count.start(1)]
                    + str(int(count.group(1)) - removed)
                    + text[count.end(1) :]
                )
            cmap.write(text.encode("latin-1"))
