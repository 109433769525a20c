"""Image: a raster picture from assets/images, with alt text or marked decorative."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, model_validator

from fiche.core.errors import FicheError
from fiche.core.safeio import Refused
from fiche.model.catalog import image_path
from fiche.model.content import Text
from fiche.model.images import MAX_IMAGE_BYTES, load_raster
from fiche.model.kinds import BlockKind, BlockModel, FileRef, Typeset, register
from fiche.model.layout import Look
from fiche.model.profiles import MM
from fiche.typeset.sheet import TBlock

if TYPE_CHECKING:
    from fiche.engine.context import Ctx
    from fiche.engine.flowables import BlockFlowable


class Image(BlockModel):
    kind: Literal["image"]
    src: Text
    alt: Text | None = None
    decorative: bool = False
    width_mm: Annotated[float, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _alt_or_decorative(self) -> Image:
        if not self.decorative and not self.alt:
            raise ValueError("an image needs 'alt' text, or 'decorative: true'")
        return self


@dataclass(frozen=True)
class TImage(TBlock):
    src: str = ""  # the file's path, checked by the catalogue
    alt: str = ""
    width_mm: float | None = None


@register
class ImageKind(BlockKind):
    name = "image"
    model = Image
    roles = ()  # no text: the alt text is read by screen readers, never printed
    order = 7

    def typeset(self, bid: str, block: Image, t: Typeset, root: Path) -> TImage:
        src = str(image_path(root, block.src))
        return TImage(bid, "image", src=src, alt=block.alt or "", width_mm=block.width_mm)

    def flowables(self, ctx: Ctx, b: TImage, st: dict) -> list[BlockFlowable]:
        return [_image(ctx, b)]

    def styles(self, block: Image, look: Look) -> Sequence[tuple[str, str | None]]:
        return []

    def texts(self, b: TImage) -> list[str]:
        return []

    def files(self, block: Image) -> Sequence[FileRef]:
        return [(("src",), block.src)]


def _image(ctx: Ctx, b: TImage) -> BlockFlowable:
    """A picture as wide as `width_mm` (or its column), never distorted, never split."""
    # ReportLab, Pillow and the engine: only a build that sets the picture needs them.
    from reportlab.lib.utils import ImageReader

    from fiche.core.colour import flatten, image_to_cmyk, image_to_rgb
    from fiche.engine.flowables import Picture
    from fiche.engine.tagging import Tag

    try:
        im = flatten(load_raster(Path(b.src), MAX_IMAGE_BYTES))
    except Refused as e:  # validated with the catalogue, so changed since
        raise FicheError.at(b.src, "", f"image {e.reason}") from None
    convert = image_to_cmyk if ctx.profile.colour == "cmyk" else image_to_rgb
    pic = convert(im, ctx.icc)
    return Picture(
        ImageReader(pic),
        pic.width / pic.height,
        b.width_mm * MM if b.width_mm else None,
        ctx.layout.look.image.space_after_pt,
        tag=Tag(ctx.tagger, (("Figure", b.id),) if b.alt else (), alt=b.alt),
        rtl=ctx.rtl,
    )
