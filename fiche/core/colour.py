"""Colour conversion with ICC profiles (Pillow's ImageCms, i.e. LittleCMS).

Layouts define their palette in CMYK for the print condition of the shipped
output-intent profile (ISO Coated v2, FOGRA39). RGB outputs get those colours
converted to sRGB through that profile; raster images go the other way for print.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from PIL import Image, ImageCms

ICC_NAME = "ISOcoated_v2_eci.icc"
INTENT = ImageCms.Intent.RELATIVE_COLORIMETRIC
FLAGS = ImageCms.Flags.BLACKPOINTCOMPENSATION


def icc_path(assets: Path) -> Path:
    return assets / "icc" / ICC_NAME


@functools.cache
def _cmyk_profile(path: Path) -> ImageCms.ImageCmsProfile:
    # From bytes in memory, never from the file: LittleCMS reads a profile's tags when
    # first needed, from the FILE it opened, and a FILE opened before the build's
    # workers fork shares one offset among them all (their seeks and reads interleave).
    return ImageCms.ImageCmsProfile(io.BytesIO(path.read_bytes()))


@functools.cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@functools.cache
def _cmyk_to_rgb(path: Path) -> ImageCms.ImageCmsTransform:
    return ImageCms.buildTransform(
        _cmyk_profile(path), _srgb(), "CMYK", "RGB", renderingIntent=INTENT, flags=FLAGS
    )


@functools.cache
def cmyk_to_rgb(cmyk_percent: tuple[float, ...], path: Path) -> tuple[float, float, float]:
    """A CMYK colour (percent) as sRGB (0..1) under the profile at `path`."""
    px = Image.new("CMYK", (1, 1), tuple(round(v * 2.55) for v in cmyk_percent))
    r, g, b = _pixel(_made(ImageCms.applyTransform(px, _cmyk_to_rgb(path))))
    return r / 255, g / 255, b / 255


def _made(im: Image.Image | None) -> Image.Image:
    # ImageCms answers None only for a conversion in place, which this module never asks for.
    if im is None:
        raise ImageCms.PyCMSError("ImageCms converted no image")
    return im


def _pixel(im: Image.Image) -> tuple[int, ...]:
    """The first pixel's bands; Pillow gives a bare number only for one-band modes."""
    px = im.getpixel((0, 0))
    if not isinstance(px, tuple):
        raise TypeError(f"a one-pixel {im.mode} image has no bands")
    return px


def _source_profile(im: Image.Image) -> ImageCms.ImageCmsProfile:
    data = im.info.get("icc_profile")
    if data:
        try:
            return ImageCms.ImageCmsProfile(io.BytesIO(data))
        except (OSError, ImageCms.PyCMSError):
            pass  # a broken embedded profile: treat the pixels as sRGB
    return _srgb()


def image_to_cmyk(im: Image.Image, path: Path) -> Image.Image:
    """A raster image converted into the print condition's CMYK."""
    if im.mode == "CMYK":
        return im.copy()
    rgb = im.convert("RGB") if im.mode != "RGB" else im
    return _made(
        ImageCms.profileToProfile(
            rgb,
            _source_profile(im),
            _cmyk_profile(path),
            renderingIntent=ImageCms.Intent.PERCEPTUAL,
            outputMode="CMYK",
            flags=FLAGS,
        )
    )


def image_to_rgb(im: Image.Image, path: Path) -> Image.Image:
    """A raster image as sRGB; CMYK images are read as the print condition's CMYK."""
    if im.mode == "CMYK":
        return _made(ImageCms.applyTransform(im, _cmyk_to_rgb(path)))
    return im.convert("RGB") if im.mode != "RGB" else im.copy()


@functools.cache
def _rgb_to_cmyk(path: Path) -> ImageCms.ImageCmsTransform:
    return ImageCms.buildTransform(
        _srgb(), _cmyk_profile(path), "RGB", "CMYK", renderingIntent=INTENT, flags=FLAGS
    )


@functools.cache
def rgb_to_cmyk(rgb: tuple[float, float, float], path: Path) -> tuple[float, ...]:
    """An sRGB colour (0..1) in the print condition's CMYK (0..1)."""
    px = Image.new("RGB", (1, 1), tuple(round(v * 255) for v in rgb))
    return tuple(v / 255 for v in _pixel(_made(ImageCms.applyTransform(px, _rgb_to_cmyk(path)))))


def flatten(im: Image.Image) -> Image.Image:
    """An image with transparency laid on white paper (print has no transparency here);
    any other image as it is. Keeps the embedded ICC profile."""
    if im.mode not in ("RGBA", "LA", "PA") and "transparency" not in im.info:
        return im
    rgba = im.convert("RGBA")
    flat = Image.new("RGB", im.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    if im.info.get("icc_profile"):
        flat.info["icc_profile"] = im.info["icc_profile"]
    return flat
