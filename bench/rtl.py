"""Arabic text extraction: how exactly readers get Arabic text back out of PDFs made by
Typst and by fiche.

Run it with `make bench-rtl` or `python -m bench.rtl [--fonts DIR] [--keep DIR]
[--side-by-side PNG]`. Writes bench/rtl-results.md and prints the same report. Twelve
sentences of an info sheet for parents (six pure Arabic, six mixing in digits, a Latin
name, an e-mail address, a URL, brackets and a phone number) are set one per line, once by
Typst and once by fiche; each PDF is then read by pdfminer.six, pdfium, poppler's
pdftotext and through its structure tree (the /ActualText of its P, H…, LI and LBody
elements). A sentence counts as exact for a reader when one of the lines it gives equals
the sentence after normalisation (NFC, whitespace runs, no-break spaces included, made one
space, ends stripped).

With --side-by-side PNG it also sets one paragraph of the same sheet (`PARAGRAPH`) with
both, justified at one size, leading and measure (`SIDE`), and writes the two first pages,
rendered by pdfium and each cropped to its text, side by side in one picture.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "assets" / "fonts"
NASKH = "NotoNaskhArabic-Regular.ttf"
NBSP = "\u00a0"


class Sentence(NamedTuple):
    kind: str
    text: str


# From an info sheet on sexting for parents, in Modern Standard Arabic. The phone number's
# digit groups are joined by no-break spaces, as fiche's typesetting joins them.
SENTENCES: tuple[Sentence, ...] = (
    Sentence("pure", "ما التراسل الجنسي، ولماذا يلجأ إليه المراهقون؟"),
    Sentence("pure", "تحدثوا مع أطفالكم بهدوء، ولا تلوموهم على ما حدث."),
    Sentence("pure", "إذا وصلتكم صورة حميمة لقاصر، فلا تعيدوا إرسالها إلى أحد."),
    Sentence("pure", "هل يعرف طفلكم أن الصورة قد تبقى على الإنترنت إلى الأبد؟"),
    Sentence("pure", "الثقة أساس الحوار؛ استمعوا إلى طفلكم قبل أن تحكموا عليه."),
    Sentence("pure", "الضحية ليست مذنبة؛ فالمسؤول هو من ينشر الصورة دون إذن."),
    Sentence("digits", "يحصل كثير من الأطفال على هاتف ذكي قبل أن يبلغوا 13 عامًا."),
    Sentence("Latin name", "تقدم منظمة Child Focus المساعدة للأهل والأطفال مجانًا."),
    Sentence("e-mail", "لأي سؤال، راسلوا منسق الرعاية في المدرسة على contact@school.be."),
    Sentence("URL", "لمزيد من المعلومات، زوروا الموقع https://www.childfocus.be"),
    Sentence("brackets", "التراسل الجنسي (إرسال صور أو رسائل جنسية) ليس أمرًا جديدًا."),
    Sentence("phone", f"في حالة الطوارئ، اتصلوا مجانًا بالرقم 116{NBSP}000."),
)

# One paragraph of the same sheet (71 words), for --side-by-side: ، ؛ ؟ and a colon, a
# Western-digit number, a Latin name, the phone number and a URL (each followed by an
# Arabic comma), an Arabic aside in brackets, and an e-mail address ending the paragraph.
PARAGRAPH = (
    "ما التراسل الجنسي؟ إنه تبادل صور أو رسائل ذات طابع جنسي عبر الهاتف أو الإنترنت، وقد "
    "يبدأ مبكرًا: فمعظم شبكات التواصل الاجتماعي لا تقبل من هم دون 13 عامًا، لكن كثيرًا من "
    "الأطفال يستخدمونها قبل ذلك. تحدثوا مع أطفالكم بهدوء (دون لوم أو تهديد)؛ فالضحية ليست "
    "مذنبة. إذا انتشرت صورة لطفلكم، فاتصلوا مجانًا بمنظمة Child Focus على الرقم "
    f"116{NBSP}000، أو زوروا موقعها https://www.childfocus.be، أو راسلوا منسق الرعاية في "
    "المدرسة على contact@school.be."
)


class Setting(NamedTuple):
    """One paragraph's type: its size (pt), the distance from baseline to baseline (times
    the size) and its measure (mm); justified, right to left."""

    size_pt: float
    leading: float
    width_mm: float


SIDE = Setting(size_pt=11, leading=1.5, width_mm=90)
MARGIN_MM = 15  # around the paragraph on both pages


# --- what counts --------------------------------------------------------------------


def normalise(text: str) -> str:
    """NFC, every run of whitespace (no-break spaces too) one space, ends stripped."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def exact(sentences: Sequence[str], lines: Sequence[str]) -> list[bool]:
    """Per sentence: does some extracted line equal it, both normalised?"""
    got = {normalise(line) for line in lines}
    return [normalise(s) in got for s in sentences]


def is_bad(ch: str) -> bool:
    """A Private-Use code point (BMP, planes 15 and 16), an Arabic presentation form
    (U+FB50–U+FDFF, U+FE70–U+FEFF) or U+FFFD: what a reader gives when the PDF does not
    say which characters a glyph stands for."""
    c = ord(ch)
    return (
        0xE000 <= c <= 0xF8FF
        or c >= 0xF0000
        or 0xFB50 <= c <= 0xFDFF
        or 0xFE70 <= c <= 0xFEFF
        or c == 0xFFFD
    )


def bad_lines(lines: Sequence[str]) -> int:
    """How many of the extracted lines hold a bad code point (see `is_bad`)."""
    return sum(any(is_bad(ch) for ch in line) for line in lines)


# Invisible bidi controls (embeddings, overrides, isolates, marks). The normalisation keeps
# them: a reader that adds them does not give the sentence. The report says how many lines
# hold one and what the reader would score without them.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass
class Read:
    """What one reader got out of one PDF."""

    hits: list[bool]  # per sentence: given exactly
    bad: int  # lines holding a bad code point
    marked: int = 0  # lines holding a bidi control
    hits_unmarked: int = 0  # sentences given exactly once bidi controls are removed

    @classmethod
    def of(cls, sentences: Sequence[str], lines: Sequence[str]) -> Read:
        lines = [x for x in map(normalise, lines) if x]
        bare = [BIDI_CONTROLS.sub("", x) for x in lines]
        return cls(
            exact(sentences, lines),
            bad_lines(lines),
            sum(a != b for a, b in zip(lines, bare, strict=True)),
            sum(exact(sentences, bare)),
        )


# --- the readers ----------------------------------------------------------------------


class Unavailable(Exception):
    """A reader, or a producer, that cannot run here: the message says why."""


def pdfminer_lines(pdf: Path) -> list[str]:
    from pdfminer.high_level import extract_text

    return extract_text(str(pdf)).splitlines()


def pdfium_lines(pdf: Path) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        return [line for page in doc for line in page.get_textpage().get_text_range().splitlines()]
    finally:
        doc.close()


def pdftotext_lines(pdf: Path) -> list[str]:
    """poppler's pdftotext, plain (no -layout, no -raw)."""
    exe = shutil.which("pdftotext")
    if exe is None:
        raise Unavailable("not installed (`make poppler`)")
    res = subprocess.run(
        [exe, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, text=True
    )
    return res.stdout.replace("\f", "\n").splitlines()


# Standard structure types whose /ActualText is read: paragraphs, headings, list items.
TEXT_TYPES = frozenset({"P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "LI", "LBody"})


def structure_lines(pdf: Path) -> list[str]:
    """The /ActualText of every P, H…, LI and LBody element of the structure tree, in the
    tree's order (custom types mapped through /RoleMap); each split into lines."""
    import pikepdf

    with pikepdf.open(pdf) as doc:
        tree = doc.Root.get("/StructTreeRoot")
        if tree is None:
            return []
        roles = {str(k)[1:]: str(v)[1:] for k, v in dict(tree.get("/RoleMap", {})).items()}
        texts: list[str] = []
        _walk(tree.get("/K"), roles, texts, set())
    return [line for text in texts for line in text.splitlines()]


def _walk(node: Any, roles: dict[str, str], texts: list[str], seen: set) -> None:
    import pikepdf

    if isinstance(node, pikepdf.Array):
        for kid in node:
            _walk(kid, roles, texts, seen)
        return
    if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
        return  # a marked-content id, a marked-content or object reference
    if node.is_indirect:
        if node.objgen in seen:
            return
        seen.add(node.objgen)
    kind = str(node.S)[1:]
    for _ in range(len(roles) + 1):  # a chain of mappings ends at a standard type
        if kind in TEXT_TYPES or kind not in roles:
            break
        kind = roles[kind]
    if kind in TEXT_TYPES and "/ActualText" in node:
        texts.append(str(node.ActualText))
    _walk(node.get("/K"), roles, texts, seen)


READERS: dict[str, Callable[[Path], list[str]]] = {
    "pdfminer": pdfminer_lines,
    "pdfium": pdfium_lines,
    "pdftotext": pdftotext_lines,
    "structure text": structure_lines,
}


# --- the producers --------------------------------------------------------------------


def _string(s: str) -> str:
    """`s` as a Typst string: no markup is read inside it (`@`, `https://`)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def typst_source(sentences: Sequence[str]) -> str:
    """One paragraph per sentence, each a Typst string."""
    body = "\n\n".join(f"#{_string(s)}" for s in sentences)
    return f"""#set page(width: 297mm, height: 210mm, margin: 15mm)
#set text(lang: "ar", dir: rtl, font: ("Noto Naskh Arabic", "Lato"), size: 12pt)
#set par(justify: false)

{body}
"""


def typst_paragraph_source(text: str, st: Setting = SIDE) -> str:
    """`text` as one justified paragraph in `st`. Each line's box is cut at its baseline
    (top-edge and bottom-edge), so that `leading` is the whole distance between baselines,
    as in fiche."""
    pt, page_mm = st.size_pt, st.width_mm + 2 * MARGIN_MM
    return f"""#set page(width: {page_mm}mm, height: auto, margin: {MARGIN_MM}mm)
#set text(lang: "ar", dir: rtl, font: ("Noto Naskh Arabic", "Lato"), size: {pt}pt,
  top-edge: "baseline", bottom-edge: "baseline")
#set par(justify: true, leading: {round(pt * st.leading, 3)}pt)

#{_string(text)}
"""


def typst_pdf(source_text: str, out: Path, fonts: Sequence[Path]) -> Path:
    """Compile `source_text` (a `typst_source`, written beside `out`) with only the given
    font folders, no system fonts."""
    try:
        import typst
    except ImportError as e:
        raise Unavailable(f"the `typst` binding is not installed ({e}): `make bench-rtl`") from e
    source = out.with_suffix(".typ")
    source.write_text(source_text, encoding="utf-8")
    typst.compile(source, output=out, font_paths=list(fonts), ignore_system_fonts=True)
    return out


SHEET = "rtl"
LAYOUT: dict[str, Any] = {
    "extends": "_base",
    "description": "One wide region: every sentence of bench/rtl.py on a line of its own.",
    "page": {"width_mm": 297, "height_mm": 210},
    "fit": {"stretch": 1, "max_empty_cm2": 10000},
    "pages": {"front": {"regions": {"main": {"x_mm": 15, "y_mm": 15, "w_mm": 267, "h_mm": 180}}}},
}


# For --side-by-side: one region of SIDE's measure; every paragraph (the body style) at
# SIDE's size and leading, justified; the Arabic scales of _base (`languages`) undone.
SIDE_LAYOUT: dict[str, Any] = {
    **LAYOUT,
    "description": "One region of bench/rtl.py's side-by-side measure.",
    "page": {"width_mm": SIDE.width_mm + 2 * MARGIN_MM, "height_mm": 150},
    "languages": {"ar": {"size_scale": 1, "leading_scale": 1}},
    "styles": {"body": {"size_pt": SIDE.size_pt, "leading": SIDE.leading, "align": "justify"}},
    "pages": {
        "front": {
            "regions": {
                "main": {"x_mm": MARGIN_MM, "y_mm": MARGIN_MM, "w_mm": SIDE.width_mm, "h_mm": 120}
            }
        }
    },
}


def _content(lang: str, title: str, texts: Sequence[str]) -> dict[str, Any]:
    return {
        "language": lang,
        "meta": {"series": "Bench", "number_label": "N°1", "author": "bench", "imprint_label": "-"},
        "sheets": {SHEET: {"title": title, "subject": title}},
        "blocks": {f"s{i:02d}": {"kind": "paragraph", "text": t} for i, t in enumerate(texts, 1)},
    }


def project_files(
    sentences: Sequence[str], layout: dict[str, Any] = LAYOUT
) -> dict[str, dict[str, Any]]:
    """Path in the project -> the data written there as YAML: `layout` (one wide region),
    and a fiche in Dutch (the source, placeholders) and Arabic, each sentence a
    paragraph block of its own on one sheet."""
    ids = [f"s{i:02d}" for i in range(1, len(sentences) + 1)]
    return {
        "layouts/bench-rtl.yaml": layout,
        f"content/{SHEET}/fiche.yaml": {
            "series": "bench",
            "number": 1,
            "source_language": "nl",
            "languages": ["nl", "ar"],
            "sheets": {SHEET: {"layout": "bench-rtl", "front": {"main": ids}}},
        },
        f"content/{SHEET}/nl.yaml": _content("nl", "Sexting", [f"Zin {i}." for i in ids]),
        f"content/{SHEET}/ar.yaml": _content("ar", "التراسل الجنسي", sentences),
    }


def fiche_pdf(
    sentences: Sequence[str],
    out: Path,
    *,
    fonts: Path | None = None,
    layout: dict[str, Any] = LAYOUT,
) -> Path:
    """Build the sentences in Arabic in `layout` with fiche's command line (`fiche build
    --lang ar --profile screen`) in a throw-away project holding a copy of layouts/ and
    assets/, and copy the PDF to `out`. Arabic fonts in `fonts` that assets/fonts lacks
    are added to the copy.
    A failed build raises `Unavailable` ("fiche could not build the sentences: …")."""
    import yaml

    with tempfile.TemporaryDirectory(prefix="fiche-rtl-") as tmp:
        root = Path(tmp)
        for folder in ("layouts", "assets"):
            shutil.copytree(ROOT / folder, root / folder)
        for font in fonts.glob("*Arabic*.[ot]tf") if fonts else ():
            if not (root / "assets" / "fonts" / font.name).exists():
                shutil.copy(font, root / "assets" / "fonts")
        for name, data in project_files(sentences, layout).items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)
            (root / name).write_text(text, encoding="utf-8")
        cmd = ["build", "--root", tmp, "--lang", "ar", "--profile", "screen", "--out", "dist"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's fiche
        res = subprocess.run(
            [sys.executable, "-m", "fiche", *cmd, "-q"],
            capture_output=True,
            text=True,
            cwd=tmp,
            env=env,
        )
        pdf = root / "dist" / "ar" / f"{SHEET}.screen.pdf"
        if res.returncode != 0 or not pdf.exists():
            said = [ln.strip() for ln in (res.stderr or res.stdout).splitlines() if ln.strip()]
            more = f" (and {len(said) - 3} more)" if len(said) > 3 else ""
            why = "; ".join(said[:3]) + more
            raise Unavailable(f"fiche could not build the sentences: {why}")
        shutil.copyfile(pdf, out)
    return out


# --- side by side --------------------------------------------------------------------

SCALE = 3  # pixels per PDF point
PAD = 12  # white kept around each paragraph's ink, in pixels
LABEL = 56  # the band above the paragraphs that holds their labels, in pixels


def first_page(pdf: Path, scale: float = SCALE) -> Any:
    """The PDF's first page rendered by pdfium, as an RGB Pillow image."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        return doc[0].render(scale=scale).to_pil().convert("RGB")
    finally:
        doc.close()


def cropped(page: Any, pad: int = PAD) -> Any:
    """The page cut to its ink (every pixel not white), `pad` pixels around it."""
    from PIL import ImageOps

    box = ImageOps.invert(page.convert("L")).getbbox()
    if box is None:
        return page
    left, top, right, bottom = box
    return page.crop((left - pad, top - pad, right + pad, bottom + pad))


def side_by_side(panels: Sequence[tuple[str, Any]]) -> Any:
    """The images in a row, at their own size, tops aligned, each labelled above in
    Pillow's default font."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=LABEL // 2)
    width = sum(img.width for _, img in panels) + LABEL * (len(panels) + 1)
    height = max(img.height for _, img in panels) + 2 * LABEL
    out = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(out)
    x = LABEL
    for label, img in panels:
        out.paste(img, (x, LABEL + LABEL // 2))
        draw.text((x + PAD, LABEL // 3), label, fill="black", font=font)
        x += img.width + LABEL
    return out


def side_by_side_png(folder: Path, fonts: Path, font_dirs: Sequence[Path], png: Path) -> None:
    """PARAGRAPH set by Typst and by fiche in SIDE (PDFs in `folder`), side by side in
    `png`. Raises `Unavailable` when one of them cannot set it."""
    made = {
        "Typst": typst_pdf(typst_paragraph_source(PARAGRAPH), folder / "typst-side.pdf", font_dirs),
        "fiche": fiche_pdf([PARAGRAPH], folder / "fiche-side.pdf", fonts=fonts, layout=SIDE_LAYOUT),
    }
    picture = side_by_side([(name, cropped(first_page(pdf))) for name, pdf in made.items()])
    png.parent.mkdir(parents=True, exist_ok=True)
    picture.convert("L").save(png, optimize=True)  # grey: a third of the bytes


# --- the report -----------------------------------------------------------------------


@dataclass
class Row:
    producer: str
    reads: dict[str, Read | str]  # reader -> what it got, or why it could not read the PDF
    why_not: str = ""  # the producer made no PDF: why


def measure(producer: str, make: Callable[[], Path], sentences: Sequence[str]) -> Row:
    try:
        pdf = make()
    except Unavailable as e:
        return Row(producer, {}, str(e))
    reads: dict[str, Read | str] = {}
    for name, read in READERS.items():
        try:
            reads[name] = Read.of(sentences, read(pdf))
        except Unavailable as e:
            reads[name] = str(e)
    return Row(producer, reads)


def report(rows: Sequence[Row], sentences: Sequence[Sentence], header: str) -> str:
    n = len(sentences)
    names = list(READERS)
    lines = [
        header,
        "",
        f"Exact lines out of {n}; bad code points: lines holding a Private-Use code point, an",
        "Arabic presentation form or U+FFFD, per reader in the order of the columns.",
        "",
        f"| producer | {' | '.join(names)} | bad code points |",
        "|---|" + "---|" * (len(names) + 1),
    ]
    for row in rows:
        if row.why_not:
            lines.append(f"| {row.producer} |" + " not built |" * len(names) + " |")
            continue
        cells = [r if isinstance(r, str) else f"{sum(r.hits)} of {n}" for r in row.reads.values()]
        bad = " / ".join("–" if isinstance(r, str) else str(r.bad) for r in row.reads.values())
        lines.append(f"| {row.producer} | {' | '.join(cells)} | {bad} |")
    lines.append("")
    for row in rows:
        if row.why_not:
            lines.append(f"{row.producer}: {row.why_not}")
        for name, r in row.reads.items():
            if isinstance(r, Read) and r.marked:
                lines.append(
                    f"{row.producer}, {name}: {r.marked} lines hold bidi controls (U+202A–U+202E, "
                    f"U+2066–U+2069, U+200E/F, U+061C), which the normalisation keeps; without "
                    f"them {r.hits_unmarked} of {n}."
                )
    lines += ["", "Per sentence, the readers that gave it exactly:", ""]
    for i, s in enumerate(sentences):
        got = []
        for row in rows:
            who = [k for k, r in row.reads.items() if isinstance(r, Read) and r.hits[i]]
            said = "not built" if row.why_not else ", ".join(who) or "none"
            got.append(f"{row.producer}: {said}")
        lines.append(f"{i + 1}. {s.kind} — {'; '.join(got)} — {s.text.replace(NBSP, ' ')}")
    return "\n".join(lines) + "\n"


def _versions(typst_pdf_path: Path | None) -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for dist in ("typst", "pdfminer.six", "pypdfium2", "pikepdf"):
        try:
            parts.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            parts.append(f"{dist} not installed")
    exe = shutil.which("pdftotext")
    if exe:
        res = subprocess.run([exe, "-v"], capture_output=True, text=True)
        parts.append((res.stderr or res.stdout).splitlines()[0])
    return ", ".join(parts) + _fonts_of(typst_pdf_path)


def _fonts_of(pdf: Path | None) -> str:
    """The fonts a PDF embeds: shows that Typst found Noto Naskh Arabic."""
    if pdf is None or not pdf.exists():
        return ""
    import pikepdf

    names = set()
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            for font in dict(page.Resources.get("/Font", {})).values():
                names.add(str(font.get("/BaseFont", "?")).lstrip("/").split("+")[-1])
    return f"; Typst's fonts: {', '.join(sorted(names))}"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--fonts", type=Path, default=FONTS, help=f"folder holding {NASKH} (default assets/fonts)"
    )
    ap.add_argument("--keep", type=Path, help="keep the PDFs (and Typst sources) in this folder")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "rtl-results.md")
    ap.add_argument(
        "--side-by-side",
        type=Path,
        metavar="PNG",
        help="also set one paragraph with Typst and with fiche and write them side by side here",
    )
    args = ap.parse_args(argv)
    if not (args.fonts / NASKH).exists():
        print(
            f"{args.fonts / NASKH} is missing. For a test: in /tmp, `apt-get download "
            "fonts-noto-core`, `dpkg-deb -x fonts-noto-core_*.deb x`, then --fonts "
            "x/usr/share/fonts/truetype/noto",
            file=sys.stderr,
        )
        return 2
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-rtl-"))
    folder.mkdir(parents=True, exist_ok=True)
    texts = [s.text for s in SENTENCES]
    font_dirs = list(dict.fromkeys([args.fonts.resolve(), FONTS]))
    rows = [
        measure(
            "Typst", lambda: typst_pdf(typst_source(texts), folder / "typst.pdf", font_dirs), texts
        ),
        measure("fiche", lambda: fiche_pdf(texts, folder / "fiche.pdf", fonts=args.fonts), texts),
    ]
    header = (
        f"# Arabic text extraction ({time.strftime('%Y-%m-%d')})\n\n"
        + _versions(folder / "typst.pdf")
        + "."
    )
    text = report(rows, SENTENCES, header)
    args.out.write_text(text, encoding="utf-8")
    print(text, end="")
    status = 0
    if args.side_by_side:
        try:
            side_by_side_png(folder, args.fonts, font_dirs, args.side_by_side)
            print(f"\nSide by side: {args.side_by_side}")
        except Unavailable as e:
            print(f"side by side not written: {e}", file=sys.stderr)
            status = 1
    if args.keep is None:
        shutil.rmtree(folder)
    return status


if __name__ == "__main__":
    sys.exit(main())
