"""Hostile files: special files, files without end, decompression bombs, truncated and
disguised images, SVGs that would depend on the machine or read other files, and text
files in the wrong encoding. Each gives one clear message naming the file (and the
YAML field it came from) and exit 2; none hangs, none eats the machine's memory.

Whatever could hang or allocate without bound runs in a subprocess with a timeout
and an address-space limit: a regression fails the test instead of the machine.
"""

from __future__ import annotations

import io
import os
import random
import resource
import socket
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from fiche.build.run import build
from fiche.core.errors import FicheError
from fiche.core.safeio import Refused, read_capped
from fiche.model.catalog import load_catalog
from fiche.model.images import load_svg
from fiche.model.source import MAX_FILE_BYTES, load_yaml

from .conftest import REPO, edit, line_of, write_school

MEMORY_LIMIT = 3 << 30  # far above a build's needs, far below what a bomb takes


def _fiche(project: Path, *args: str) -> subprocess.CompletedProcess:
    """The command line in a process of its own, bounded in time and memory."""

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run(
        [sys.executable, "-m", "fiche", *args],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit_memory,
    )


def _build(project: Path, *args: str) -> subprocess.CompletedProcess:
    return _fiche(
        project,
        "build",
        "--root",
        str(project),
        "-q",
        "--jobs",
        "1",
        "--lang",
        "nl",
        "--sheet",
        "n3-youth",
        "--profile",
        "print",
        *args,
    )


def _validate(project: Path) -> subprocess.CompletedProcess:
    return _fiche(project, "validate", "--root", str(project))


def _one(project: Path, school: Path):
    return build(
        project,
        project / "dist",
        langs=("nl",),
        sheets=("n3-youth",),
        profiles=("print",),
        school=school,
        jobs=1,
    )


def _logo_error(project: Path, school: Path) -> str:
    """The one problem a build reports for `school`, checked to point at its logo line."""
    report = _one(project, school)
    assert report.exit_code == 2 and not report.built
    (p,) = report.problems
    line = line_of(school, "logo:")
    assert str(p).startswith(f"myschool/school.yaml:{line}:7: logo: "), str(p)
    return p.message


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _flat_png(path: Path, width: int, height: int) -> None:
    """A valid grey PNG of one colour, compressed row by row: a few hundred kilobytes
    on disk whatever its size in pixels, and never whole in this process's memory."""
    z = zlib.compressobj(9)
    row = bytes(width + 1)  # filter byte 0, then black pixels
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def _noise(fmt: str, size: tuple[int, int] = (1200, 800)) -> bytes:
    """An image that does not compress, so that cutting it leaves its data unfinished."""
    from PIL import Image

    rnd = random.Random(13)
    im = Image.frombytes("RGB", size, rnd.randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    im.save(out, fmt)
    return out.getvalue()


def _image_block(project: Path, src: str, placed: bool = False) -> None:
    """An image block in nl.yaml; `placed`: also on the first sheet, small enough to fit."""
    edit(
        project / "content/n3/nl.yaml",
        "  # --- on every sheet",
        f"  logo:\n    kind: image\n    src: {src}\n    alt: Logo\n    width_mm: 30\n\n"
        "  # --- on every sheet",
    )
    if placed:
        edit(
            project / "content/n3/fiche.yaml",
            "main: [careful, spread]",
            "main: [logo, careful, spread]",
        )


def _image_messages(project: Path) -> list[str]:
    return [str(p) for p in load_catalog(project).all_problems()]


# --- 1. special files and files without end ----------------------------------------


def test_a_fifo_as_school_profile_is_refused_at_once(project):
    fifo = project / "school.yaml"
    os.mkfifo(fifo)
    run = _build(project, "--school", str(fifo))
    assert run.returncode == 2, run.stderr
    assert "error: school.yaml: file is a FIFO, not a regular file" in run.stderr


def test_dev_zero_as_school_profile_is_refused_unread(project):
    run = _build(project, "--school", "/dev/zero")
    assert run.returncode == 2, run.stderr
    assert "error: /dev/zero: file is a character device, not a regular file" in run.stderr


def test_an_over_large_school_profile_names_its_size(project):
    big = project / "school.yaml"
    big.write_bytes(b"name: " + b"x" * (3 << 20))
    run = _build(project, "--school", str(big))
    assert run.returncode == 2, run.stderr
    assert "error: school.yaml: file is 3 MiB, above the limit of 1 MiB" in run.stderr


def test_fifos_among_content_layouts_and_fonts_are_refused_at_once(project):
    os.mkfifo(project / "layouts/pipe.yaml")
    (project / "content/n3/fr.yaml").unlink()
    os.mkfifo(project / "content/n3/fr.yaml")
    (project / "assets/fonts/Lato-BoldItalic.ttf").unlink()
    os.mkfifo(project / "assets/fonts/Lato-BoldItalic.ttf")
    run = _validate(project)
    assert run.returncode == 2, run.stderr
    assert "layouts/pipe.yaml: file is a FIFO, not a regular file" in run.stderr
    assert "content/n3/fr.yaml: file is a FIFO, not a regular file" in run.stderr
    assert "font file 'Lato-BoldItalic.ttf' is a FIFO, not a regular file" in run.stderr


def test_a_fifo_as_content_image_is_refused_at_once(project):
    os.mkfifo(project / "assets/images/pipe.png")
    _image_block(project, "pipe.png")
    run = _validate(project)
    assert run.returncode == 2, run.stderr
    assert "blocks.logo.src: image 'pipe.png' is a FIFO, not a regular file" in run.stderr


def test_hyphenation_list_that_is_a_fifo_or_not_utf8(project):
    (project / "hyphenation").mkdir()
    exceptions = project / "hyphenation/nl.txt"
    exceptions.write_bytes("sms-je\ncaf\u00e9-tje\n".encode("latin-1"))
    run = _build(project)
    assert run.returncode == 2, run.stderr
    assert "hyphenation/nl.txt:2:4: not UTF-8 text (byte 0xE9); save the file as UTF-8" in (
        run.stderr
    )
    exceptions.unlink()
    os.mkfifo(exceptions)
    run = _build(project)
    assert run.returncode == 2, run.stderr
    assert "hyphenation/nl.txt: file is a FIFO, not a regular file" in run.stderr


@pytest.mark.parametrize("kind", ["folder", "char device", "socket", "too big", "growing"])
def test_the_safe_reader_refuses_all_but_small_regular_files(tmp_path, kind):
    path = tmp_path / "x"
    limit = 1 << 20
    if kind == "folder":
        path.mkdir()
        reason = "is a folder, not a regular file"
    elif kind == "char device":
        path = Path("/dev/zero")
        reason = "is a character device, not a regular file"
    elif kind == "socket":
        path = Path(os.path.relpath(tmp_path / "s"))  # a socket's name is short
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(path))  # the name stays when the socket is closed
        reason = "is a socket, not a regular file"
    elif kind == "too big":
        path.write_bytes(bytes(limit + 1))
        reason = "is 1048577 bytes, above the limit of 1048576 bytes"
    else:  # a regular file that says it is empty, and is not
        path, limit = Path("/proc/self/status"), 10
        reason = "is larger than the limit of 10 bytes"
    with pytest.raises(Refused) as e:
        read_capped(path, limit)
    assert e.value.reason == reason


# --- 2. raster images: one guarded loader for logos and content images ---------------


def test_huge_png_logo_is_refused_before_decoding(project):
    folder = project / "myschool"
    folder.mkdir()
    _flat_png(folder / "big.png", 13000, 13000)
    school = write_school(project, logo="big.png")
    run = _build(project, "--school", str(school))
    assert run.returncode == 2, run.stderr
    line = line_of(school, "logo:")
    assert (
        f"error: myschool/school.yaml:{line}:7: logo: logo 'big.png' is too large to decode "
        "safely: 13000×13000 px, above the limit of 40 million pixels"
    ) in run.stderr


def test_truncated_png_logo_is_an_input_error_at_its_line(project):
    folder = project / "myschool"
    folder.mkdir()
    data = _noise("PNG")
    (folder / "cut.png").write_bytes(data[: len(data) // 2])
    message = _logo_error(project, write_school(project, logo="cut.png"))
    assert message.startswith("logo 'cut.png' cannot be read: image file is truncated"), message


def test_logo_that_is_not_png_or_jpeg_inside(project):
    from PIL import Image

    folder = project / "myschool"
    folder.mkdir()
    Image.new("P", (1200, 800)).save(folder / "logo.png", "GIF")
    message = _logo_error(project, write_school(project, logo="logo.png"))
    assert message == "logo 'logo.png' is not a PNG or JPEG image"


def test_low_resolution_logo_is_reported_at_the_logo_line(project):
    from PIL import Image

    folder = project / "myschool"
    folder.mkdir()
    Image.new("RGB", (120, 80), (29, 78, 137)).save(folder / "small.png")
    school = write_school(project, logo="small.png")
    (r,) = _one(project, school).failed
    (p,) = [p for p in r.problems if "ppi" in p.message]
    line = line_of(school, "logo:")
    assert f"myschool/school.yaml:{line}:7: logo: the logo small.png is 120×80 px" in str(p)


def test_a_fifo_as_logo_is_refused_at_once(project):
    school = write_school(project, logo="pipe.png")
    os.mkfifo(school.parent / "pipe.png")
    run = _build(project, "--school", str(school))
    assert run.returncode == 2, run.stderr
    line = line_of(school, "logo:")
    assert (
        f"myschool/school.yaml:{line}:7: logo: logo 'pipe.png' is a FIFO, not a regular file"
    ) in run.stderr


def test_content_image_above_the_pixel_limit_is_refused_from_its_header(project):
    _flat_png(project / "assets/images/big.png", 8000, 8000)
    _image_block(project, "big.png")
    (m,) = _image_messages(project)
    assert m.endswith(
        "blocks.logo.src: image 'big.png' is too large to decode safely: "
        "8000×8000 px, above the limit of 40 million pixels"
    ), m


def test_truncated_jpeg_content_image_is_refused_when_validated(project):
    data = _noise("JPEG")
    (project / "assets/images/cut.jpg").write_bytes(data[: len(data) // 2])
    _image_block(project, "cut.jpg")
    (m,) = _image_messages(project)
    assert "blocks.logo.src: image 'cut.jpg' cannot be read: image file is truncated" in m, m


def test_content_image_in_another_format_is_refused(project):
    from PIL import Image

    Image.new("P", (60, 40)).save(project / "assets/images/anim.png", "GIF")
    _image_block(project, "anim.png")
    (m,) = _image_messages(project)
    assert m.endswith("blocks.logo.src: image 'anim.png' is not a PNG or JPEG image"), m


def test_content_image_with_a_colour_profile_for_another_colour_space_is_placed(project):
    from PIL import Image, ImageCms

    lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    Image.new("RGB", (600, 300), (230, 40, 120)).save(
        project / "assets/images/lab.png", icc_profile=lab
    )
    _image_block(project, "lab.png", placed=True)
    report = build(
        project, project / "dist", langs=("nl",), sheets=("n3-youth",), profiles=("print",), jobs=1
    )
    assert report.exit_code == 0, [str(p) for r in report.failed for p in r.problems]


def test_png_with_a_compressed_text_bomb_is_refused(project):
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (4, 4)).save(out, "PNG")
    png = out.getvalue()
    bomb = _chunk(b"zTXt", b"k\0\0" + zlib.compress(bytes(200 << 20), 9))
    (project / "assets/images/text.png").write_bytes(png[:33] + bomb + png[33:])
    _image_block(project, "text.png")
    (m,) = _image_messages(project)
    assert "image 'text.png' cannot be read: Decompressed data too large" in m, m


# --- 3. SVG logos: self-contained, no text --------------------------------------------

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80">{}</svg>'


def _svg_logo(project: Path, body: str, name: str = "logo.svg") -> Path:
    school = write_school(project, logo=name)
    (school.parent / name).write_text(body, encoding="utf-8")
    return school


def test_svg_logo_with_text_is_refused(project):
    school = _svg_logo(project, SVG.format('<text x="10" y="40">Sint-Jozef</text>'))
    assert _logo_error(project, school) == (
        "logo 'logo.svg' has text (<text>), which would be set in whatever font this "
        "computer has; convert text to paths (outlines) in your drawing program"
    )


def test_broken_svg_logo_points_at_the_logo_line(project):
    school = _svg_logo(project, '<svg xmlns="http://www.w3.org/2000/svg" width="1"><rect')
    assert _logo_error(project, school) == (
        "logo 'logo.svg' cannot be read as SVG: Couldn't find end of Start Tag rect line 1 "
        "(its line 1, column 56)"
    )


def test_svg_logo_without_a_size(project):
    school = _svg_logo(project, '<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    assert _logo_error(project, school) == (
        "logo 'logo.svg' has no size (give its <svg> element a width and height, or a viewBox)"
    )


@pytest.mark.parametrize(
    "body, says",
    [
        ('<image href="photo.png" width="10" height="10"/>', "has a raster image inside"),
        ('<use href="other.svg#a"/>', "refers to another file ('other.svg#a')"),
        ('<rect width="9" height="9" fill="url(other.svg#g)"/>', "refers to another file"),
        ("<style>@import url(x.css);</style>", "imports a style sheet (@import)"),
    ],
)
def test_svg_logo_that_would_read_other_files_is_refused(project, body, says):
    school = _svg_logo(project, SVG.format(body))
    assert says in _logo_error(project, school)


def test_svg_logo_that_multiplies_through_use_is_refused(project):
    defs = ['<rect id="g0" width="1" height="1"/>']
    for i in range(1, 9):
        uses = "".join(f'<use href="#g{i - 1}"/>' for _ in range(10))
        defs.append(f'<g id="g{i}">{uses}</g>')
    school = _svg_logo(project, SVG.format(f"<defs>{''.join(defs)}</defs><use href='#g8'/>"))
    assert _logo_error(project, school) == (
        "logo 'logo.svg' repeats shapes through <use> more than 2000 times; simplify the drawing"
    )
    school = _svg_logo(project, SVG.format('<g id="a"><use href="#a"/></g>'))
    assert _logo_error(project, school) == "logo 'logo.svg' has a <use> that refers to itself"


def test_svg_logo_with_a_long_chain_of_use_is_refused(project):
    # Each link uses the next one, written first so the walk goes deep before the
    # copies add up: one recursion per link overflowed Python's stack.
    links = [f'<g id="g{i}"><use href="#g{i + 1}"/></g>' for i in range(1500)]
    body = f"<defs>{''.join(links)}<rect id='g1500' width='1' height='1'/></defs>"
    school = _svg_logo(project, SVG.format(body + "<use href='#g0'/>"))
    assert _logo_error(project, school) == (
        "logo 'logo.svg' nests <use> more than 50 deep; simplify the drawing"
    )


def test_svg_logo_referring_to_a_fifo_does_not_hang(project):
    school = _svg_logo(project, SVG.format('<use href="pipe.svg#a"/>'))
    os.mkfifo(school.parent / "pipe.svg")
    run = _build(project, "--school", str(school))
    assert run.returncode == 2, run.stderr
    assert "logo 'logo.svg' refers to another file ('pipe.svg#a')" in run.stderr


def _drawn_text(node) -> list[str]:
    """Every string the drawing would show: the text of its String nodes, at any depth."""
    found, stack = [], [node]
    while stack:
        n = stack.pop()
        if isinstance(getattr(n, "text", None), str):
            found.append(n.text)
        stack.extend(getattr(n, "contents", ()) or ())
    return found


def test_svg_entities_are_never_expanded(project):
    # The secret is markup that would be drawn where the entity stands: expanded by the
    # check it is text (refused); expanded by svglib it is a String in the drawing.
    secret = project / "secret.txt"  # by full path: read from memory, a bare name is not found
    secret.write_text('<text x="1" y="9">TOP-SECRET</text>', encoding="utf-8")
    body = (
        f'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY s SYSTEM "{secret.as_uri()}">'
        '<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        + SVG.format('<rect width="120" height="80" fill="#1d4e89"/><g>&s;&b;</g>')
    )
    school = _svg_logo(project, body)
    drawing = load_svg(school.parent / "logo.svg", 1 << 20)
    assert not any("TOP-SECRET" in t for t in _drawn_text(drawing))
    report = _one(project, school)
    assert report.exit_code == 0, [str(p) for p in report.problems]


def test_the_example_svg_logo_is_still_drawn(project):
    report = _one(project, write_school(project))
    assert report.exit_code == 0, [str(p) for p in report.problems]


# --- 4. encodings and control characters in YAML -------------------------------------


def test_yaml_with_a_utf8_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: caf\xc3\xa9\n")
    assert load_yaml(path, "x.yaml").data == {"name": "café"}


@pytest.mark.parametrize(
    "raw, message",
    [
        ("name: x\n".encode("utf-16"), "x.yaml: file is UTF-16 text; save it as UTF-8"),
        ("name: x\n".encode("utf-16-le"), "x.yaml: file is UTF-16 text; save it as UTF-8"),
        ("name: x\n".encode("utf-32"), "x.yaml: file is UTF-32 text; save it as UTF-8"),
        (
            b"a: 1\nname: caf\xe9\n",
            "x.yaml:2:10: not UTF-8 text (byte 0xE9); save the file as UTF-8",
        ),
        (
            b"a: 1\nname: x\x00y\n",
            "x.yaml:2:8: character U+0000 (a control character) is not allowed; remove it",
        ),
        (
            b"a: 1\nb: 2\nname: \x1b[31mred\n",
            "x.yaml:3:7: character U+001B (a control character) is not allowed; remove it",
        ),
        (
            "name: a\ufffeb\n".encode(),
            "x.yaml:1:8: character U+FFFE (a noncharacter) is not allowed; remove it",
        ),
    ],
)
def test_yaml_in_the_wrong_encoding_or_with_control_characters(tmp_path, raw, message):
    path = tmp_path / "x.yaml"
    path.write_bytes(raw)
    with pytest.raises(FicheError) as e:
        load_yaml(path, "x.yaml")
    assert str(e.value) == message


def test_yaml_size_limit_still_counts_bytes_when_sizes_round_alike(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a: " + b"x" * MAX_FILE_BYTES)
    with pytest.raises(FicheError) as e:
        load_yaml(path, "x.yaml")
    assert str(e.value) == (
        f"x.yaml: file is {MAX_FILE_BYTES + 3} bytes, above the limit of {MAX_FILE_BYTES} bytes"
    )


@pytest.mark.parametrize(
    ("size", "says"),
    [
        ('width="inf" height="inf"', "has a size of inf × inf pt"),
        ('width="NaN" height="10"', "has a size of nan × 7.5 pt"),
        ('width="-5" height="10"', "has a size of -3.75 × 7.5 pt"),
        ('width="1e-30" height="1e-30"', "has a size of 7.5e-31 × 7.5e-31 pt"),
        ('width="10" height="10" viewBox="0 0 nan 10"', "has a transform or viewBox that is"),
    ],
)
def test_svg_logo_with_a_size_that_is_no_size(project, size, says):
    """inf ended as 'internal error: ZeroDivisionError', NaN was blamed on contact.person,
    a negative size was drawn without a word."""
    body = f'<svg xmlns="http://www.w3.org/2000/svg" {size}><rect width="5" height="5"/></svg>'
    school = _svg_logo(project, body)
    assert _logo_error(project, school).startswith(f"logo 'logo.svg' {says}")
