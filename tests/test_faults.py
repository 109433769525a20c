"""Bad input, hostile files, faults and interruptions: one clear message, nothing lost."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from fiche.build import build
from fiche.catalog import load_catalog
from fiche.cli import main
from fiche.errors import FicheError
from fiche.source import MAX_FILE_BYTES, load_yaml

from .conftest import REPO, edit, line_of


def messages(root: Path) -> list[str]:
    return [str(p) for p in load_catalog(root).all_problems()]


def test_unknown_style_and_style_role(project):
    lay = project / "layouts/original.yaml"
    edit(
        lay,
        'style: band-number, text: "{number_label}"',
        'style: band-numbr, text: "{number_label}"',
    )
    edit(
        lay,
        "styles: {list: contact, h3: contact-title}",
        "styles: {lists: contact, h3: contact-title}",
    )
    found = messages(project)
    assert any("pages.front.decorations[2].style: unknown style 'band-numbr'" in m for m in found)
    assert any(
        "pages.back.regions.contact.styles.lists: 'lists' is not a style role" in m for m in found
    )
    assert all(m.startswith("layouts/original.yaml:") for m in found)


def test_listed_language_without_its_file(project):
    (project / "content/n3/de.yaml").unlink()
    (m,) = messages(project)
    line = line_of(project / "content/n3/fiche.yaml", "languages:")
    assert m == (
        f"content/n3/fiche.yaml:{line}:12: languages: language 'de' is listed but "
        "content/n3/de.yaml does not exist"
    )


def test_invalid_colour(project):
    edit(
        project / "layouts/_base.yaml",
        "brand: {cmyk: [0, 88, 30, 0]}",
        "brand: {cmyk: [0, 88, 30]}",
    )
    (m,) = messages(project)
    assert "palette.brand.cmyk: needs at least 4 item(s)" in m


def test_corrupt_font_and_font_symlink_leaving_the_project(project, tmp_path):
    fonts = project / "assets/fonts"
    (fonts / "Lato-Black.ttf").write_bytes(b"not a font at all")
    outside = tmp_path / "elsewhere.ttf"
    shutil.copy(REPO / "assets/fonts/Lato-Bold.ttf", outside)
    (fonts / "Lato-Bold.ttf").unlink()
    (fonts / "Lato-Bold.ttf").symlink_to(outside)
    found = messages(project)
    assert any(
        "fonts.lato-black.regular: font file 'Lato-Black.ttf' is not a readable font" in m
        for m in found
    ), found
    assert any("font file 'Lato-Bold.ttf' leads outside assets/fonts" in m for m in found)
    assert all(m.startswith("layouts/_base.yaml:") for m in found)


def _image_block(project: Path, src: str) -> None:
    edit(
        project / "content/n3/nl.yaml",
        "  # --- on every sheet",
        f"  logo:\n    kind: image\n    src: {src}\n    alt: Logo\n\n  # --- on every sheet",
    )


def test_image_symlink_leaving_the_project(project, tmp_path):
    from PIL import Image

    Image.new("RGB", (10, 10)).save(tmp_path / "x.png")
    (project / "assets/images/link.png").symlink_to(tmp_path / "x.png")
    _image_block(project, "link.png")
    (m,) = messages(project)
    assert "blocks.logo.src: 'link.png' leads outside assets/images" in m


def test_decompression_bomb_is_refused(project, monkeypatch):
    from PIL import Image

    Image.new("L", (200, 200)).save(project / "assets/images/big.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    _image_block(project, "big.png")
    (m,) = messages(project)
    assert "blocks.logo.src: image 'big.png' is too large to decode safely" in m


def test_file_above_the_size_limit_is_refused_unread(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * (MAX_FILE_BYTES + 1))
    with pytest.raises(FicheError) as e:
        load_yaml(big, "content/big/nl.yaml")
    assert str(e.value) == (
        f"content/big/nl.yaml: file is {MAX_FILE_BYTES + 4} bytes, above "
        f"the limit of {MAX_FILE_BYTES} bytes"
    )


def test_empty_fiche_and_fiche_without_sheets(project):
    (project / "content/empty").mkdir()
    (project / "content/empty/fiche.yaml").write_text("# nothing yet\n", encoding="utf-8")
    (project / "content/bare").mkdir()
    (project / "content/bare/fiche.yaml").write_text(
        "series: cyberpesten\nnumber: 4\nsource_language: nl\nlanguages: [nl]\nsheets: {}\n",
        encoding="utf-8",
    )
    found = messages(project)
    assert "content/empty/fiche.yaml:1:1: file is empty" in found
    assert "content/bare/fiche.yaml:5:9: sheets: needs at least 1 item(s)" in found


def test_two_folders_with_the_same_number_and_two_sheets_with_one_name(project):
    shutil.copytree(project / "content/n3", project / "content/n3-copy")
    found = messages(project)
    assert any(
        m.startswith("content/n3-copy/fiche.yaml:")
        and "number: series 'cyberpesten' number 3 is already used by content/n3" in m
        for m in found
    ), found
    assert any(
        m.startswith("content/n3-copy/fiche.yaml:")
        and "sheet name 'n3-sexting' is already used by content/n3 (output names must differ)" in m
        for m in found
    ), found


def test_internal_error_is_one_line_without_debug(monkeypatch, project):
    import fiche.build

    def boom(*a, **k):
        raise RuntimeError("simulated fault")

    monkeypatch.setattr(fiche.build, "build", boom)
    result = CliRunner().invoke(main, ["build", "--root", str(project)])
    assert result.exit_code == 1
    assert "internal error: RuntimeError: simulated fault" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(main, ["--debug", "build", "--root", str(project)])
    assert result.exit_code == 1 and isinstance(result.exception, RuntimeError)


def _cli(project: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "fiche", "build", "--root", str(project), "-q", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _check_dist(out: Path) -> int:
    """Every PDF opens, has both pages and matches the manifest; no temp file remains
    visible as a PDF. Returns how many PDFs there are."""
    from fiche.manifest import read_manifest

    manifest = read_manifest(out)
    pdfs = sorted(out.rglob("*.pdf"))
    for pdf in pdfs:
        with pikepdf.open(pdf) as doc:
            assert len(doc.pages) == 2
        rel = str(pdf.relative_to(out))
        assert rel in manifest, f"{rel} is not in the manifest"
        assert hashlib.sha256(pdf.read_bytes()).hexdigest() == manifest[rel].sha256, rel
    return len(pdfs)


def test_ctrl_c_stops_the_build_with_status_130(project):
    out = project / "dist"
    proc = _cli(project, "--jobs", "2", "--profile", "print")
    time.sleep(2.5)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err.decode()
    assert b"interrupted" in err and b"Traceback" not in err
    time.sleep(0.3)
    _check_dist(out)
    assert not list(out.rglob("*.tmp")) if out.exists() else True


def test_killed_builds_never_leave_a_broken_or_unlisted_pdf(project):
    """Builds killed (SIGKILL, whole process group) at random moments, 20 times."""
    out = project / "dist"
    rng = random.Random(4)
    seen = set()
    for i in range(20):
        args = ["--lang", "nl", "--profile", "print", "--profile", "office", "--jobs", "2"]
        if i % 2:
            args.append("--force")
        proc = _cli(project, *args)
        time.sleep(rng.uniform(0.3, 2.5))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        time.sleep(0.1)
        seen.add(_check_dist(out))
    assert len(seen) > 1  # the kills did land at different stages
    report = build(project, out, langs=("nl",), profiles=("print", "office"))
    assert report.exit_code == 0
    assert _check_dist(out) == 6
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(data["outputs"]) == 6


def test_an_image_address_on_the_network_is_never_fetched(project, monkeypatch):
    import socket

    def no_network(*a, **k):
        raise AssertionError("fiche tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    _image_block(project, "https://example.org/logo.png")
    (m,) = messages(project)
    assert "blocks.logo.src: image 'https://example.org/logo.png' not found in assets/images" in m
