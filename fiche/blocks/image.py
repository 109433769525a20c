"""Image: a raster picture from assets/images, with alt text or marked decorative."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable

from fiche.core.colour import flatten, image_to_cmyk, image_to_rgb
from fiche.core.errors import FicheError
from fiche.core.safeio import Refused
from fiche.engine.context import Ctx
from fiche.engine.flowables import Picture
from fiche.engine.tagging import Tag
from fiche.model.catalog import image_path
from fiche.model.content import BlockModel, Text
from fiche.model.images import MAX_IMAGE_BYTES, load_raster
from fiche.model.kinds import BlockKind, Typeset, register
from fiche.model.layout import Look
from fiche.model.profiles import MM
from fiche.typeset.sheet import TBlock


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


@register
class ImageKind(BlockKind):
    name = "image"
    model = Image
    order = 7

    def typeset(self, bid: str, block: Image, t: Typeset, root: Path) -> TBlock:
        src = str(image_path(root, block.src))
        return TBlock(bid, "image", src=src, alt=block.alt or "", width_mm=block.width_mm)

    def flowables(self, ctx: Ctx, b: TBlock, st: dict) -> list[Flowable]:
        return [_image(ctx, b)]

    def styles(self, block: Image, look: Look) -> Sequence[tuple[str, str | None]]:
        return []  # no text: the alt text is read by screen readers, never printed

    def texts(self, b: TBlock) -> list[str]:
        return []


def _image(ctx: Ctx, b: TBlock) -> Flowable:
    """A picture as wide as `width_mm` (or its column), never distorted, never split."""

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
    )
