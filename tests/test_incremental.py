"""Incremental, parallel and reproducible builds, with a manifest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pikepdf

from fiche.build.run import build
from fiche.model.catalog import load_catalog
from fiche.tools.translation import translation_status

from .conftest import REPO, edit


def _mtimes(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in out.rglob("*.pdf")}


def test_second_build_skips_everything_and_touches_no_file(project):
    out = project / "dist"
    first = build(project, out, langs=("nl", "fr"), profiles=("print", "screen"))
    assert len(first.built) == 20 and not first.skipped  # 5 sheets, 2 languages, 2 profiles
    before = _mtimes(out)
    manifest_before = (out / "manifest.json").stat().st_mtime_ns
    second = build(project, out, langs=("nl", "fr"), profiles=("print", "screen"))
    assert len(second.skipped) == 20 and second.exit_code == 0
    assert str(second).startswith("0 built, 20 up to date, 0 failed")
    assert _mtimes(out) == before
    assert (out / "manifest.json").stat().st_mtime_ns == manifest_before


def test_changing_a_dutch_sentence_rebuilds_only_the_dutch_outputs(project):
    out = project / "dist"
    build(project, out, langs=("nl", "fr"), profiles=("print",))
    edit(project / "content/n3/nl.yaml", "Het hoort bij flirten", "Het hoort vaak bij flirten")
    again = build(project, out, langs=("nl", "fr"), profiles=("print",))
    rebuilt = sorted((r.job.lang, r.job.sheet) for r in again.built if not r.skipped)
    assert rebuilt == [
        ("nl", "n3-pocket"),
        ("nl", "n3-poster"),
        ("nl", "n3-school"),
        ("nl", "n3-sexting"),
        ("nl", "n3-youth"),
    ]
    assert {r.job.lang for r in again.skipped} == {"fr"}
    stale = {r.lang: r.stale for r in translation_status(load_catalog(project))}
    assert stale["fr"] == ("why",)


def test_layout_font_or_option_changes_rebuild(project):
    out = project / "dist"
    args = dict(langs=("nl",), sheets=("n3-youth",), profiles=("print",))
    build(project, out, **args)
    edit(
        project / "layouts/youth.yaml", "sun: {cmyk: [0, 20, 90, 0]}", "sun: {cmyk: [0, 25, 90, 0]}"
    )
    assert len(build(project, out, **args).skipped) == 0
    assert len(build(project, out, **args).skipped) == 1
    (project / "hyphenation/nl.txt").parent.mkdir(exist_ok=True)
    (project / "hyphenation/nl.txt").write_text("fo-to\n", encoding="utf-8")
    assert len(build(project, out, **args).skipped) == 0
    assert len(build(project, out, force=True, **args).skipped) == 0


def test_a_damaged_output_or_manifest_is_rebuilt_not_trusted(project):
    out = project / "dist"
    args = dict(langs=("nl",), sheets=("n3-school",), profiles=("office",))
    build(project, out, **args)
    pdf = out / "nl/n3-school.office.pdf"
    pdf.write_bytes(pdf.read_bytes()[:-100])  # truncated behind our back
    again = build(project, out, **args)
    assert not again.skipped and again.exit_code == 0
    (out / "manifest.json").write_text("{not json", encoding="utf-8")
    again = build(project, out, **args)
    assert not again.skipped and again.exit_code == 0
    assert json.loads((out / "manifest.json").read_text())["version"] == 1


def test_manifest_lists_every_output_with_checksums(project):
    import hashlib

    out = project / "dist"
    build(project, out, langs=("de",), profiles=("print", "office"))
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entries = data["outputs"]
    assert len(entries) == 10
    for e in entries:
        path = out / e["path"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == e["sha256"]
        assert path.stat().st_size == e["bytes"]
        pages = 1 if "n3-poster" in e["path"] else 2  # the poster is one-sided
        assert (e["fiche"], e["series"], e["number"], e["lang"], e["pages"]) == (
            "n3",
            "cyberpesten",
            3,
            "de",
            pages,
        )
        assert e["profile"] in ("print", "office") and len(e["input_hash"]) == 64
        with pikepdf.open(path) as pdf:
            assert len(pdf.pages) == pages


def test_parallel_build_gives_the_same_bytes(project, tmp_path):
    args = dict(langs=("en",), profiles=("print", "screen"))
    one = build(project, tmp_path / "one", jobs=1, **args)
    two = build(project, tmp_path / "two", jobs=2, **args)
    assert len(one.built) == len(two.built) == 10
    for r in one.built:
        rel = Path(r.path).relative_to(tmp_path / "one")
        assert (tmp_path / "two" / rel).read_bytes() == Path(r.path).read_bytes()


def test_dates_come_from_source_date_epoch(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    report = build(
        project, project / "dist", langs=("nl",), sheets=("n3-youth",), profiles=("print",)
    )
    with pikepdf.open(report.built[0].path) as pdf:
        assert str(pdf.docinfo.CreationDate) == "D:20231114221320Z"
        with pdf.open_metadata() as xmp:
            assert xmp["xmp:CreateDate"].startswith("2023-11-14T22:13:20")


def test_noop_rebuild_does_not_import_reportlab(project):
    build(project, project / "dist", langs=("nl",), profiles=("print",))
    code = (
        "import sys; from pathlib import Path; from fiche.build.run import build; "
        f"r = build(Path({str(project)!r}), Path({str(project / 'dist')!r}), "
        "langs=('nl',), profiles=('print',)); "
        "print(len(r.skipped), 'reportlab' in sys.modules, 'pikepdf' in sys.modules, "
        "'pydantic' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout.split()
    # Nothing changed anywhere: not even the content model is loaded.
    assert out == ["5", "False", "False", "False"]


def test_the_manifest_forgets_a_file_deleted_behind_its_back(project):
    out = project / "dist"
    build(project, out, langs=("nl",), profiles=("office",))
    (out / "nl/n3-youth.office.pdf").unlink()
    build(project, out, langs=("fr",), profiles=("office",))  # another selection
    listed = {e["path"] for e in json.loads((out / "manifest.json").read_text())["outputs"]}
    assert listed == {str(p.relative_to(out)) for p in out.rglob("*.pdf")}
    assert len(listed) == 9  # nl's 5 but the deleted one, fr's 5


def _counting_hashes(monkeypatch) -> list[str]:
    import fiche.build.manifest as manifest

    calls: list[str] = []
    real = manifest.file_sha256

    def counted(path, size=None):
        calls.append(str(path))
        return real(path, size)

    monkeypatch.setattr(manifest, "file_sha256", counted)
    return calls


def test_a_no_op_reads_each_pdf_once_and_then_trusts_its_identity(project, monkeypatch):
    out = project / "dist"
    build(project, out, langs=("nl",), profiles=("screen",))
    calls = _counting_hashes(monkeypatch)
    assert str(build(project, out, langs=("nl",), profiles=("screen",))).startswith("0 built")
    assert len(calls) == 5  # the first no-op hashes each PDF and records it
    calls.clear()
    assert str(build(project, out, langs=("nl",), profiles=("screen",))).startswith("0 built")
    assert calls == []  # the next one reads none of them


def test_a_pdf_changed_with_its_size_and_mtime_kept_is_still_rebuilt(project):
    out = project / "dist"
    build(project, out, langs=("nl",), profiles=("screen",))
    build(project, out, langs=("nl",), profiles=("screen",))  # records every identity
    pdf = out / "nl/n3-youth.screen.pdf"
    st = pdf.stat()
    data = bytearray(pdf.read_bytes())
    data[-20] ^= 1  # one bit, same size
    pdf.write_bytes(bytes(data))
    os.utime(pdf, ns=(st.st_atime_ns, st.st_mtime_ns))  # the change time cannot be set back
    again = build(project, out, langs=("nl",), profiles=("screen",))
    assert str(again).startswith("1 built, 4 up to date"), str(again)
    assert pdf.read_bytes() != bytes(data)


def test_an_unreadable_or_planted_identity_cache_costs_only_time(project):
    from fiche.build.statcache import NAME

    out = project / "dist"
    build(project, out, langs=("nl",), profiles=("screen",))
    (out / NAME).write_text("{not json", encoding="utf-8")
    assert str(build(project, out, langs=("nl",), profiles=("screen",))).startswith("0 built")
    pdf = out / "nl/n3-youth.screen.pdf"
    data = bytearray(pdf.read_bytes())
    data[-20] ^= 1
    pdf.write_bytes(bytes(data))
    st = pdf.stat()
    fake = {"nl/n3-youth.screen.pdf": [st.st_dev, st.st_ino, st.st_size, 0, 0, "0" * 64]}
    (out / NAME).write_text(json.dumps(fake), encoding="utf-8")
    again = build(project, out, langs=("nl",), profiles=("screen",))
    assert str(again).startswith("1 built, 4 up to date"), str(again)
    assert pdf.read_bytes() != bytes(data)
