"""Bad input, hostile files, faults and interruptions: one clear message, nothing lost."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from fiche.build.run import build
from fiche.cli.main import main
from fiche.core.errors import FicheError
from fiche.model.catalog import load_catalog
from fiche.model.source import MAX_FILE_BYTES, load_yaml

from .conftest import REPO, build_process, edit, line_of


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
    import fiche.build.run

    def boom(*a, **k):
        raise RuntimeError("simulated fault")

    monkeypatch.setattr(fiche.build.run, "build", boom)
    result = CliRunner().invoke(main, ["build", "--root", str(project)])
    assert result.exit_code == 1
    assert "internal error: RuntimeError: simulated fault" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(main, ["--debug", "build", "--root", str(project)])
    assert result.exit_code == 1 and isinstance(result.exception, RuntimeError)


def _check_dist(out: Path) -> int:
    """Every PDF opens, has all its pages (the one-sided poster one, the others two) and
    matches the manifest; no temp file remains visible as a PDF. Returns how many PDFs
    there are."""
    from fiche.build.manifest import read

    manifest = read(out).entries
    pdfs = sorted(out.rglob("*.pdf"))
    for pdf in pdfs:
        rel = str(pdf.relative_to(out))
        assert rel in manifest, f"{rel} is not in the manifest"
        with pikepdf.open(pdf) as doc:
            assert len(doc.pages) == manifest[rel].pages == (1 if "n3-poster" in rel else 2)
        assert hashlib.sha256(pdf.read_bytes()).hexdigest() == manifest[rel].sha256, rel
    return len(pdfs)


def _until(condition, proc: subprocess.Popen, what: str) -> None:
    """Wait for something the build does; the deadline is a safety net, not a timing."""
    deadline = time.monotonic() + 120
    while not condition():
        if proc.poll() is not None:
            raise AssertionError(f"the build ended before {what}: {proc.stderr.read().decode()}")
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def _journal_lines(out: Path) -> int:
    try:
        return (out / ".manifest.journal").read_bytes().count(b"\n")
    except OSError:
        return 0


def _pdfs(out: Path) -> int:
    return len(list(out.rglob("*.pdf"))) if out.exists() else 0


@pytest.mark.parametrize(
    ("sig", "group"),
    [
        (signal.SIGINT, False),
        (signal.SIGINT, True),
        (signal.SIGTERM, False),
        (signal.SIGTERM, True),
    ],
    ids=["ctrl-c", "ctrl-c-to-the-group", "sigterm", "sigterm-to-the-group"],
)
def test_a_stopped_parallel_build_takes_no_further_job(project, sig, group):
    """Ctrl-C reaches every process of the terminal's group; a service manager sends
    SIGTERM to the parent or to all. Either way: exit 130, no traceback, no worker
    starting another job, every finished PDF listed, no partial one."""
    out = project / "dist"
    proc = build_process(project, "--jobs", "2", "--profile", "print", "--force")
    _until(lambda: _journal_lines(out) >= 1, proc, "the first finished PDF")
    os.killpg(proc.pid, sig) if group else proc.send_signal(sig)
    at_signal = _pdfs(out)
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err.decode()
    with pytest.raises(ProcessLookupError):  # no worker left behind
        os.killpg(proc.pid, 0)
    assert b"interrupted" in err, err.decode()
    assert b"Traceback" not in err and b"Exception" not in err, err.decode()
    # At most the two jobs under way when the signal came may still have finished.
    assert _pdfs(out) <= at_signal + 2 < 20  # of 5 sheets x 4 languages
    assert _check_dist(out) == _pdfs(out)
    assert not (out / ".manifest.journal").exists()  # folded into manifest.json
    assert not list(out.rglob("*.tmp"))


def test_workers_of_a_killed_build_take_no_further_job(project):
    """SIGKILL to the parent alone (the OOM killer, `kill -9`) stops nobody: its workers
    used to go on and build every remaining job. Now each finishes at most the job it has."""
    out = project / "dist"
    proc = build_process(project, "--jobs", "2", "--profile", "print", "--force")
    _until(lambda: _journal_lines(out) >= 1, proc, "the first finished PDF")
    proc.kill()
    proc.wait()
    at_kill = _journal_lines(out)
    deadline = time.monotonic() + 120
    while True:  # the workers are alone in the build's process group now
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "the workers of a killed build still run"
        time.sleep(0.01)
    assert _journal_lines(out) <= at_kill + 2 < 12
    _check_dist(out)


def test_killed_builds_never_leave_a_broken_or_unlisted_pdf(project):
    """Builds killed (SIGKILL, whole process group) at several stages: as soon as a
    worker journals a PDF (often before its rename), and after the 2nd and 4th PDF."""
    out = project / "dist"
    args = ["--lang", "nl", "--profile", "print", "--profile", "office", "--jobs", "2", "--force"]
    for stage in (1, 2, 4, 1, 3):
        before = _journal_lines(out)  # a killed build leaves its journal behind
        proc = build_process(project, *args)
        target = before + stage
        _until(lambda t=target: _journal_lines(out) >= t, proc, f"journal entry {stage}")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        _check_dist(out)
        # A new build cleans up what the killed one could not; until then temporary
        # files are hidden and never look like PDFs.
    report = build(project, out, langs=("nl",), profiles=("print", "office"))
    assert report.exit_code == 0
    assert _check_dist(out) == 10  # 5 sheets in 2 profiles
    assert not list(out.rglob("*.tmp"))
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(data["outputs"]) == 10


def test_an_image_address_on_the_network_is_never_fetched(project, monkeypatch):
    import socket

    def no_network(*a, **k):
        raise AssertionError("fiche tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    _image_block(project, "https://example.org/logo.png")
    (m,) = messages(project)
    assert "blocks.logo.src: image 'https://example.org/logo.png' not found in assets/images" in m
