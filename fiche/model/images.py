"""The one way into fiche for a picture: content images and school logos alike.

A raster image is read through `safeio` (a regular file under a size cap), must
be PNG or JPEG, and its pixel count is compared with a limit from the header
alone, before anything is decoded: a 13000 × 13000 PNG of one colour is a few
kilobytes on disk and gigabytes in memory. It is then decoded in full, so a
truncated file fails here, with a message, instead of in the middle of a build.

An SVG must be one self-contained drawing: no text (svglib would set it in
whatever font the machine has, so the output would depend on the machine), no
raster image inside it and no reference to another file (those would be read
past every guard above). Refusals are `safeio.Refused`; the caller words them
with the field the file came from.

Pillow, svglib and lxml are imported in the functions that use them: the catalogue
imports this module, and a catalogue without pictures needs none of them.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fiche.core.safeio import Refused, read_capped

if TYPE_CHECKING:
    from PIL.Image import Image
    from reportlab.graphics.shapes import Drawing

# An A4 page at 600 ppi is 35 million pixels; no print needs more, and decoding
# that many takes about half a gigabyte with the conversions that follow.
MAX_PIXELS = 40_000_000
# A photograph across a whole page at 300 ppi is a few MiB as JPEG.
MAX_IMAGE_BYTES = 20 << 20
FORMATS = ("PNG", "JPEG")
# Copies of shapes made by <use>: plenty for a logo, far below what hangs svglib.
MAX_SVG_COPIES = 2000
# <use> inside the target of a <use>, and so on: a logo needs a handful of levels;
# svglib and ReportLab draw each level through a few nested Python calls.
MAX_SVG_USE_DEPTH = 50

_TEXT_TAGS = {"text", "tspan", "textPath", "tref", "altGlyph", "flowRoot"}
_URL = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)")


def load_raster(path: Path, max_bytes: int) -> Image:
    """A decoded PNG or JPEG image, or `Refused` saying why not."""
    from PIL import Image as PILImage

    data = read_capped(path, max_bytes)
    with warnings.catch_warnings():
        # Opening reads the header only. Pillow's warning is silenced there because
        # _check_pixels, next, refuses the same images and says their size;
        # Pillow's error (twice its limit) stays an error.
        warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
        try:
            im = PILImage.open(io.BytesIO(data), formats=FORMATS)
        except PILImage.DecompressionBombError as e:
            raise Refused(f"is too large to decode safely ({e})") from None
        except PILImage.UnidentifiedImageError:
            raise Refused("is not a PNG or JPEG image") from None
        except Exception as e:  # Pillow raises many kinds for broken headers
            raise Refused(f"cannot be read: {_why(e)}") from None
    _check_pixels(im)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            im.load()
        except Exception as e:  # truncated or corrupt data
            raise Refused(f"cannot be read: {_why(e)}") from None
    _drop_unusable_profile(im)
    return im


def _drop_unusable_profile(im: Image) -> None:
    """colour.py takes every image but a CMYK one through RGB with its embedded profile:
    a profile for another colour space (grey, Lab) cannot convert RGB and would stop
    the build. Without it the pixels count as sRGB, as with a profile that is broken."""
    from PIL import ImageCms

    data = im.info.get("icc_profile")
    if not data or im.mode == "CMYK":
        return
    try:
        space = ImageCms.ImageCmsProfile(io.BytesIO(data)).profile.xcolor_space
    except (OSError, ImageCms.PyCMSError):
        return  # colour.py already treats a broken profile as sRGB
    if space != "RGB ":
        del im.info["icc_profile"]


def _check_pixels(im: Image) -> None:
    from PIL import Image as PILImage

    limit = MAX_PIXELS
    if PILImage.MAX_IMAGE_PIXELS:  # a lower limit set for Pillow counts too
        limit = min(limit, int(PILImage.MAX_IMAGE_PIXELS))
    w, h = im.size
    if w * h > limit:
        raise Refused(
            f"is too large to decode safely: {w}×{h} px, above the limit of "
            f"{limit / 1e6:g} million pixels"
        )


def _why(e: Exception) -> str:
    text = str(e).strip()
    return text or e.__class__.__name__


def load_svg(path: Path, max_bytes: int, color_converter: Any = None) -> Drawing:
    """A self-contained SVG drawing as a ReportLab Drawing, or `Refused` saying why not."""
    data = read_capped(path, max_bytes)
    _check_svg(data)
    from svglib.svglib import svg2rlg

    try:
        # From memory, not by name: svglib cannot then open any other file itself.
        d = svg2rlg(io.BytesIO(data), color_converter=color_converter)
    except Exception as e:  # svglib on a drawing it does not understand
        raise Refused(f"cannot be read as SVG: {_why(e)}") from None
    if d is None:
        raise Refused("cannot be read as SVG")
    if not d.width or not d.height:
        raise Refused("has no size (give its <svg> element a width and height, or a viewBox)")
    if not all(SVG_MIN_PT <= v <= SVG_MAX_PT for v in (d.width, d.height)):
        # inf, NaN, a negative or an absurd size: scaling it into the imprint would divide
        # by zero, draw nothing or draw it mirrored.
        raise Refused(
            f"has a size of {d.width:g} × {d.height:g} pt; give its <svg> element a width "
            f'and height between {SVG_MIN_PT:g} and {SVG_MAX_PT:g} pt (e.g. width="120" '
            'height="80")'
        )
    if not _finite_transforms(d):
        raise Refused("has a transform or viewBox that is not a finite number")
    return d


# The size an SVG declares only sets its proportions (it is scaled to its box), but it
# must be a real, positive number; a metre is far beyond any logo.
SVG_MIN_PT = 0.01
SVG_MAX_PT = 2835.0


def _finite_transforms(node: Any) -> bool:
    """No transform in the drawing holds inf or NaN (a viewBox of "0 0 nan 10" makes one)."""
    import math

    stack = [node]
    while stack:
        n = stack.pop()
        transform = getattr(n, "transform", None)
        if transform is not None and not all(math.isfinite(v) for v in transform):
            return False
        stack.extend(getattr(n, "contents", ()) or ())
    return True


def _check_svg(data: bytes) -> None:
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        line, col = e.position
        what = re.sub(r",\s*line \d+, column \d+$", "", e.msg or "not XML")
        raise Refused(f"cannot be read as SVG: {what} (its line {line}, column {col})") from None
    if not isinstance(root.tag, str) or etree.QName(root).localname != "svg":
        raise Refused("is not an SVG drawing (its outermost element is not <svg>)")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue  # comments, processing instructions, unexpanded entities
        _check_element(etree.QName(el).localname, el)
    _check_copies(root)


def _check_copies(root: Any) -> None:
    """<use> inside <use> multiplies: ten groups of ten uses each make 10^10 shapes from
    a file of a few lines. svglib stops at 10000 and drops the rest silently, so count
    the copies first and refuse a drawing that has too many. The walk keeps its own
    stack: a chain of a few thousand <use> would overflow Python's."""
    from lxml import etree

    by_id = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}

    def targets(el: Any) -> Iterator[Any]:
        for sub in el.iter():
            if isinstance(sub.tag, str) and etree.QName(sub).localname == "use":
                href = next((v for k, v in sub.attrib.items() if k.endswith("href")), "")
                target = by_id.get(href.strip()[1:])
                if target is not None:
                    yield target

    done: dict[Any, int] = {}
    active = {root}
    # Each frame: an element, the targets of its uses still to count, the copies so far.
    stack: list[list[Any]] = [[root, targets(root), 0]]
    while stack:
        frame = stack[-1]
        for target in frame[1]:
            if target in done:
                frame[2] = _more_copies(frame[2], done[target])
                continue
            if target in active:
                raise Refused("has a <use> that refers to itself")
            if len(stack) > MAX_SVG_USE_DEPTH:
                raise Refused(
                    f"nests <use> more than {MAX_SVG_USE_DEPTH} deep; simplify the drawing"
                )
            active.add(target)
            stack.append([target, targets(target), 0])
            break
        else:
            el, _, n = stack.pop()
            active.discard(el)
            done[el] = n
            if stack:
                stack[-1][2] = _more_copies(stack[-1][2], n)


def _more_copies(so_far: int, copies_of_target: int) -> int:
    """The count after one more <use>: itself and what its target repeats."""
    n = so_far + 1 + copies_of_target
    if n > MAX_SVG_COPIES:
        raise Refused(
            f"repeats shapes through <use> more than {MAX_SVG_COPIES} times; simplify the drawing"
        )
    return n


def _check_element(name: str, el: Any) -> None:
    if name in _TEXT_TAGS:
        raise Refused(
            f"has text (<{name}>), which would be set in whatever font this computer "
            "has; convert text to paths (outlines) in your drawing program"
        )
    if name == "image":
        raise Refused(
            "has a raster image inside (<image>); use the PNG or JPEG itself as the logo, "
            "or draw it as shapes"
        )
    values = list(el.attrib.items())
    if name == "style" and el.text:
        if "@import" in el.text:
            raise Refused(
                "imports a style sheet (@import); a logo must be one self-contained SVG file"
            )
        values.append(("style", el.text))
    for attr, value in values:
        targets = _URL.findall(value)
        if attr.endswith("href"):
            targets.append(value.strip())
        for target in targets:
            if target and not target.startswith("#"):
                raise Refused(
                    f"refers to another file ('{target[:80]}'); a logo must be one "
                    "self-contained SVG file"
                )
