"""Builds under hostile conditions: two at once, odd output folders, I/O faults,
and the ICC profile in forked workers."""

from __future__ import annotations

import errno
import hashlib
import json
import multiprocessing
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from fiche.cli.main import main

from .conftest import REPO, build_process, edit

ONE = ["--lang", "nl", "--sheet", "n3-youth", "--profile", "office"]


def _until(condition, proc: subprocess.Popen | None = None, what: str = "") -> None:
    """Wait for an event the build makes visible; the deadline is only a safety net."""
    deadline = time.monotonic() + 120
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the build ended before {what}: {proc.stderr.read().decode()}")
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def _journal_has_entries(out: Path) -> bool:
    try:
        return (out / ".manifest.journal").stat().st_size > 0
    except OSError:
        return False


def assert_manifest_matches_disk(out: Path) -> int:
    """Every manifest entry has its file with that checksum, every PDF is listed,
    no temporary file is left. Returns the number of PDFs."""
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {e["path"]: e for e in data["outputs"]}
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*.pdf")}
    assert set(listed) == on_disk
    for rel, e in listed.items():
        body = (out / rel).read_bytes()
        assert hashlib.sha256(body).hexdigest() == e["sha256"], rel
        assert len(body) == e["bytes"], rel
    assert not list(out.rglob("*.tmp"))
    return len(on_disk)


# --- two builds at once ---------------------------------------------------------------


def test_two_concurrent_builds_leave_a_manifest_that_matches_the_disk(project):
    out = project / "dist"
    first = build_process(
        project, "--lang", "nl", "--lang", "fr", "--profile", "print", "--jobs", "1"
    )
    _until(lambda: _journal_has_entries(out), first, "the first build wrote a PDF")
    # The second build starts while the first one is under way, with a changed input.
    edit(project / "content/n3/nl.yaml", "Het hoort bij flirten", "Het hoort vaak bij flirten")
    second = build_process(
        project, "--lang", "nl", "--lang", "de", "--profile", "print", "--jobs", "1"
    )
    for proc in (first, second):
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    assert assert_manifest_matches_disk(out) == 15  # nl, fr and de: 5 sheets each


def test_a_second_build_waits_for_the_first_and_says_so(project):
    from fiche.build.outlock import hold

    out = project / "dist"
    out.mkdir()
    with hold(out):
        proc = build_process(project, *ONE)
        err: list[bytes] = []
        reader = threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True)
        reader.start()
        _until(lambda: b"waiting" in b"".join(err), proc, "the waiting message")
        assert b"".join(err).decode() == (
            f"waiting for another build of {out}/ (pid {os.getpid()}) to finish\n"
        )
        assert not list(out.rglob("*.pdf"))  # it waits before it writes
    assert proc.wait(timeout=120) == 0
    reader.join()
    assert b"".join(err).count(b"\n") == 1, err
    assert assert_manifest_matches_disk(out) == 1


def test_builds_called_from_python_take_the_lock_too(project, caplog):
    """As `fiche serve` does: the wait is logged, the build goes on once it may."""
    from fiche.build.outlock import hold
    from fiche.build.run import build

    out = project / "dist"
    out.mkdir()
    reports = []
    with hold(out):
        worker = threading.Thread(
            target=lambda: reports.append(
                build(project, out, langs=("nl",), sheets=("n3-youth",), profiles=("office",))
            )
        )
        worker.start()
        _until(lambda: caplog.records, what="the waiting message")
        assert caplog.records[0].getMessage() == (
            f"waiting for another build of {out}/ (pid {os.getpid()}) to finish"
        )
        assert not reports
    worker.join(120)
    assert reports[0].exit_code == 0
    assert assert_manifest_matches_disk(out) == 1


def test_no_wait_fails_at_once_when_another_build_runs(project):
    from fiche.build.outlock import hold

    out = project / "dist"
    out.mkdir()
    with hold(out):
        result = CliRunner().invoke(main, ["build", "--root", str(project), "--no-wait", *ONE])
    assert result.exit_code == 2, result.output
    assert (
        f"error: --out: {out}/: another build (pid {os.getpid()}) is writing into this "
        "folder; not waiting (--no-wait)" in result.output
    )
    assert not list(out.rglob("*.pdf"))


# --- output folders -------------------------------------------------------------------


def _build(project: Path, out: Path | str, *extra: str):
    return CliRunner().invoke(
        main, ["build", "--root", str(project), "--out", str(out), "--jobs", "1", *ONE, *extra]
    )


def test_a_folder_with_files_fiche_did_not_make_is_refused(project, tmp_path):
    mine = tmp_path / "my-documents"
    mine.mkdir()
    (mine / "thesis.odt").write_bytes(b"years of work")
    (mine / "manifest.json").write_text('{"name": "a web app"}', encoding="utf-8")
    result = _build(project, mine)
    assert result.exit_code == 2, result.output
    assert (
        f"error: --out: {mine}: this folder holds files fiche did not make "
        "(it has no manifest.json of fiche's); choose a new or empty folder, "
        "or pass --allow-foreign to write there anyway" in result.output
    )
    assert sorted(p.name for p in mine.iterdir()) == ["manifest.json", "thesis.odt"]
    result = _build(project, mine, "--allow-foreign")
    assert result.exit_code == 0, result.output
    assert (mine / "nl/n3-youth.office.pdf").is_file()
    assert (mine / "thesis.odt").read_bytes() == b"years of work"


def test_a_folder_shaped_like_fiches_own_counts_as_its_own(project, tmp_path):
    """A build whose manifest was lost: language folders of PDFs only."""
    lost = tmp_path / "lost"
    (lost / "nl").mkdir(parents=True)
    (lost / "nl/n3-school.print.pdf").write_bytes(b"%PDF earlier")
    assert _build(project, lost).exit_code == 0
    for odd in ("nl/notes.txt", "photos/cat.pdf", "nl/deeper/x.pdf"):
        folder = tmp_path / odd.replace("/", "-")
        (folder / odd).parent.mkdir(parents=True)
        (folder / odd).write_bytes(b"%PDF mine")
        result = _build(project, folder)
        assert result.exit_code == 2, (odd, result.output)
        assert "holds files fiche did not make" in result.output


def test_the_root_of_the_file_system_is_refused(project):
    result = _build(project, "/")
    assert result.exit_code == 2, result.output
    assert "error: --out: /: this folder holds files fiche did not make" in result.output
    assert not Path("/manifest.json").exists() and not Path("/nl").exists()
    result = _build(project, "/", "--allow-foreign")
    assert result.exit_code == 2, result.output
    assert "error: --out: /: fiche does not write into the root of a file system" in result.output


def test_new_empty_and_own_folders_are_fine(project, tmp_path):
    assert _build(project, tmp_path / "new/deeper").exit_code == 0
    (tmp_path / "empty").mkdir()
    assert _build(project, tmp_path / "empty").exit_code == 0
    again = _build(project, tmp_path / "empty", "--force")  # our manifest and our outputs
    assert again.exit_code == 0, again.output
    school = _build(project, tmp_path / "empty", "--school", str(REPO / "examples/school.yaml"))
    assert school.exit_code == 0, school.output


def test_an_output_folder_inside_a_file_is_a_clear_error(project, tmp_path):
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    result = _build(project, tmp_path / "afile" / "dist")
    assert result.exit_code == 2, result.output
    assert (
        f"error: --out: {tmp_path / 'afile' / 'dist'}: cannot create the folder: Not a directory"
        in result.output
    )
    assert "internal error" not in result.output
    result = _build(project, tmp_path / "afile")
    assert result.exit_code == 2 and "is a file" in result.output  # click's check
    from fiche.build.run import build

    report = build(project, tmp_path / "afile", langs=("nl",))
    assert [str(p) for p in report.problems] == [f"--out: {tmp_path / 'afile'}: not a folder"]


def test_a_lock_that_cannot_be_taken_is_a_clear_error(project):
    out = project / "dist"
    assert _build(project, out).exit_code == 0
    (out / ".fiche.lock").unlink()
    (out / ".fiche.lock").mkdir()  # e.g. a hand-made folder in its place
    result = _build(project, out)
    assert result.exit_code == 2, result.output
    assert f"error: --out: {out}: cannot lock the folder: Is a directory" in result.output


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize(
    ("code", "reason"),
    [(errno.ENOSPC, "No space left on device"), (errno.EROFS, "Read-only file system")],
)
def test_a_full_or_read_only_disk_fails_the_jobs_and_keeps_the_old_files(
    project, monkeypatch, jobs, code, reason
):
    out = project / "dist"
    args = ["build", "--root", str(project), "--jobs", jobs, "--lang", "nl", "--profile", "office"]
    assert CliRunner().invoke(main, args).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*.pdf")}
    real_fsync = os.fsync

    def full(fd: int) -> None:
        real_fsync(fd)
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", full)  # forked workers inherit it
    result = CliRunner().invoke(main, [*args, "--force"])
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    for sheet in ("n3-youth", "n3-school", "n3-sexting", "n3-pocket", "n3-poster"):
        assert f"{out / 'nl' / sheet}.office.pdf: cannot write: {reason}" in result.output
    assert f"error: --out: {out}: cannot write the manifest: {reason}" not in result.output
    assert {p: p.read_bytes() for p in out.rglob("*.pdf")} == before
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert assert_manifest_matches_disk(out) == 5


def test_a_manifest_that_cannot_be_written_is_a_clear_error(project, monkeypatch):
    import fiche.build.manifest

    out = project / "dist"

    def read_only(*a, **k):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(fiche.build.manifest, "_write_json", read_only)
    result = _build(project, out)
    assert result.exit_code == 2, result.output
    assert f"error: --out: {out}: cannot write the manifest: Read-only file system" in result.output
    assert "internal error" not in result.output


# --- the ICC profile in forked workers -------------------------------------------------

ICC = REPO / "assets/icc/ISOcoated_v2_eci.icc"


def _convert_in_child(barrier, queue) -> None:
    from PIL import Image

    from fiche.core import colour

    barrier.wait()
    try:
        image = colour.image_to_cmyk(Image.new("RGB", (8, 8), (200, 40, 90)), ICC).tobytes()
        queue.put(("ok", image, colour.rgb_to_cmyk((0.2, 0.5, 0.7), ICC)))
    except Exception as e:  # the failure this test is about
        queue.put(("error", repr(e), None))


def test_the_icc_profile_opened_before_a_fork_serves_every_child(monkeypatch):
    """The parent opens the profile (as loading the catalogue does), then forked workers
    use it at the same moment. LittleCMS reads a profile's tags lazily; from a file, all
    processes would share one file offset and read each other's tags."""
    from fiche.core import colour

    ctx = multiprocessing.get_context("fork")
    for _ in range(6):
        for cached in (
            colour._cmyk_profile,
            colour._cmyk_to_rgb,
            colour.cmyk_to_rgb,
            colour._rgb_to_cmyk,
            colour.rgb_to_cmyk,
        ):
            cached.cache_clear()
        colour.cmyk_to_rgb((10, 20, 30, 5), ICC)
        barrier, queue = ctx.Barrier(6), ctx.Queue()
        children = [ctx.Process(target=_convert_in_child, args=(barrier, queue)) for _ in range(6)]
        for c in children:
            c.start()
        answers = [queue.get(timeout=120) for _ in children]
        for c in children:
            c.join()
        assert [a[1] for a in answers if a[0] == "error"] == []
        assert len({a[1:] for a in answers}) == 1, "children computed different colours"


@pytest.mark.parametrize("value", ["garbage", "99999999999999", "-1", "1.5", "\u00b2"])
def test_a_build_date_that_is_not_one_is_named(project, monkeypatch, value):
    """ReportLab reads SOURCE_DATE_EPOCH itself: 'garbage' ended as an internal error
    (ValueError from int()), a date past the year 9999 as 'year … is out of range'."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    result = CliRunner().invoke(main, ["build", "--root", str(project), *ONE])
    assert result.exit_code == 2, result.output
    assert f"error: SOURCE_DATE_EPOCH: {value!r} is not a build date: give whole seconds" in (
        result.output
    )
    assert not (project / "dist").exists()  # refused before anything was written


def test_the_last_build_date_a_pdf_can_say_is_taken(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "253402300799")
    result = CliRunner().invoke(main, ["build", "--root", str(project), *ONE])
    assert result.exit_code == 0, result.output


# --- files fiche keeps in its output folder, planted or edited by someone else ------------


def test_a_lock_file_that_is_a_link_never_writes_to_its_target(project, tmp_path):
    """A checkout with a committed dist/.fiche.lock -> somewhere: the build wrote its pid
    into the link's target, truncating it."""
    precious = tmp_path / "precious.txt"
    precious.write_text("precious data")
    out = project / "dist"
    out.mkdir()
    (out / ".fiche.lock").symlink_to(precious)
    result = _build(project, out)
    assert result.exit_code == 2, result.output
    assert "cannot lock the folder: is a symbolic link, not a file fiche made" in result.output
    assert precious.read_text() == "precious data"


def test_a_journal_that_is_a_link_never_writes_to_its_target(project, tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_text("precious data")
    out = project / "dist"
    assert _build(project, out).exit_code == 0
    (out / ".manifest.journal").symlink_to(precious)
    result = _build(project, out, "--force")
    assert result.exit_code == 2, result.output
    assert "cannot write: is a symbolic link, not a file fiche made" in result.output
    assert precious.read_text() == "precious data"


@pytest.mark.parametrize("where", ["manifest", "journal", "pdf-link"])
def test_a_recorded_path_that_leads_to_dev_zero_is_never_read(project, where):
    """A planted manifest or journal entry naming /dev/zero (or a PDF replaced by a link
    to it, whose size 0 passed the size check) made fiche hash it until memory ran out."""
    out = project / "dist"
    assert _build(project, out).exit_code == 0
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = data["outputs"][0]
    if where == "pdf-link":
        pdf = out / entry["path"]
        pdf.unlink()
        pdf.symlink_to("/dev/zero")
        data["outputs"][0] = {**entry, "bytes": 0}
        (out / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    else:
        bad = {**entry, "path": "/dev/zero", "bytes": 1 << 40}
        if where == "manifest":
            data["outputs"].append({**bad, "path": "../../../../../../../dev/zero.pdf"})
            data["outputs"].append({**bad, "path": "/dev/zero"})
            (out / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
        else:
            (out / ".manifest.journal").write_text(json.dumps(bad) + "\n", encoding="utf-8")
    proc = build_process(project, "--out", str(out), "--jobs", "1", *ONE)
    try:
        _, err = proc.communicate(timeout=120)  # a regression reads forever: fail, not hang
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
    assert proc.returncode == 0, err.decode()
    assert (out / entry["path"]).is_file() and not (out / entry["path"]).is_symlink()
    assert _build(project, out, "--force").exit_code == 0  # rewrites the manifest
    assert_manifest_matches_disk(out)


def test_the_sweep_of_temporary_files_leaves_other_files_alone(project):
    """With --allow-foreign, every hidden .tmp file anywhere below the folder was deleted."""
    out = project / "mine"
    (out / "deep/er").mkdir(parents=True)
    (out / "deep/er/.draft.tmp").write_text("a draft")
    (out / ".notes.tmp").write_text("notes")
    (out / "nl").mkdir()
    ours = out / "nl/.n3-youth.office.pdf.k2j_x9.tmp"  # as a killed build leaves it
    ours.write_bytes(b"%PDF-half")
    assert _build(project, out, "--allow-foreign").exit_code == 0
    assert (out / "deep/er/.draft.tmp").read_text() == "a draft"
    assert (out / ".notes.tmp").read_text() == "notes"
    assert not ours.exists()


def test_a_folder_that_cannot_be_read_is_named_not_written_into(project, monkeypatch):
    """The check for foreign files took an unreadable folder for one of its own."""
    out = project / "locked"
    out.mkdir()
    (out / "thesis.docx").write_text("x")
    real = Path.iterdir

    def iterdir(self):
        if self == out:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    result = _build(project, out)
    assert result.exit_code == 2, result.output
    assert f"{out}: cannot read the folder: Permission denied" in result.output


def test_a_worker_killed_from_outside_is_not_called_a_bug(project):
    """The out-of-memory killer took a worker: 'internal error … a bug in fiche' (exit 1)."""
    out = project / "dist"
    proc = build_process(project, "--jobs", "2", "--profile", "print", "--force")
    _until(lambda: _journal_has_entries(out), proc, "the first finished PDF")
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    os.kill(int(children[0]), 9)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err.decode()
    assert "a worker process ended unexpectedly (exit status -9)" in err.decode()
    assert "internal error" not in err.decode() and "Traceback" not in err.decode()
    assert_manifest_matches_disk(out)
