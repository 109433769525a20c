"""A release over several machines: `--shard K/N`, `fiche manifest merge` and `check`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from fiche.build.run import build
from fiche.build.shard import Shard, shard_of
from fiche.cli.main import main
from fiche.model.catalog import load_catalog
from fiche.model.jobs import Job

from .conftest import REPO, edit

N = 3


@pytest.fixture(scope="module")
def shards(tmp_path_factory) -> list[Path]:
    """The real catalogue built as three shards, each into a folder of its own."""
    base = tmp_path_factory.mktemp("shards")
    out = []
    for k in range(1, N + 1):
        folder = base / f"shard-{k}"
        report = build(REPO, folder, shard=Shard(k, N), jobs=2)
        assert report.exit_code == 0, [str(p) for r in report.failed for p in r.problems]
        out.append(folder)
    return out


def _pdfs(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.pdf"))}


def _job(rel: str) -> Job:
    lang, name = rel.split("/")
    return Job("n3", name.split(".")[0], lang)


def _together(shards: list[Path], folder: Path) -> Path:
    """The shards' files in one folder, then their merged manifest, as the release does
    (CI's artifacts leave out hidden files, the build lock among them)."""
    for s in shards:
        shutil.copytree(
            s, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.json", ".*")
        )
    args = ["manifest", "merge", str(folder), *map(str, shards)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "3 manifests merged: 120 outputs" in result.output
    return folder


def test_the_union_of_three_shards_is_one_full_build(built, shards, tmp_path):
    full = next(iter(built.values())).parent.parent
    parts = [_pdfs(s) for s in shards]
    # Every job in exactly one shard, the one its fiche/sheet/lang hashes to, with all
    # its profiles; every shard has some work.
    for k, part in enumerate(parts, start=1):
        assert part and all(shard_of(_job(rel), N) == k for rel in part)
    assert sum(len(p) for p in parts) == len(built) == 120
    union = {rel: pdf for part in parts for rel, pdf in part.items()}
    assert union == _pdfs(full)  # byte for byte

    merged = _together(shards, tmp_path / "dist")
    # Equal to the one build's manifest, the record for its no-op path included: the
    # shards record the tree hash of the whole selection, which the merge records for it.
    assert json.loads((merged / "manifest.json").read_text()) == json.loads(
        (full / "manifest.json").read_text()
    )
    written = [merged / "manifest.json", *merged.rglob("*.pdf")]
    before = {p: p.stat().st_mtime_ns for p in written}
    again = build(REPO, merged)
    assert str(again).startswith("0 built, 120 up to date, 0 failed"), str(again)
    assert {p: p.stat().st_mtime_ns for p in written} == before

    result = CliRunner().invoke(main, ["manifest", "check", "--root", str(REPO), str(merged)])
    assert result.exit_code == 0, result.output
    assert "120 outputs intact and passing the preflight, 0 problems" in result.output


def test_a_shard_built_again_is_up_to_date(shards):
    again = build(REPO, shards[0], shard=Shard(1, N))
    assert again.exit_code == 0 and not (set(again.built) - set(again.skipped))


def test_manifest_check_finds_a_missing_a_changed_and_an_unlisted_file(shards, tmp_path):
    merged = _together(shards, tmp_path / "dist")
    gone, changed = sorted(merged.rglob("*.pdf"))[:2]
    gone.unlink()
    changed.write_bytes(changed.read_bytes() + b"\n")
    shutil.copy(changed, merged / "nl" / "mine.pdf")
    result = CliRunner().invoke(main, ["manifest", "check", "--root", str(REPO), str(merged)])
    assert result.exit_code == 2
    assert f"{gone}: listed in the manifest but missing" in result.output
    assert f"{changed}: not the file the manifest records" in result.output
    assert f"{merged / 'nl' / 'mine.pdf'}: not in the manifest" in result.output


def test_adding_a_sheet_moves_no_other_job(project):
    before = load_catalog(project).jobs()
    fiche = project / "content/n3/fiche.yaml"
    text = fiche.read_text(encoding="utf-8")
    sheet = text[text.index("  n3-school:") : text.index("  # A handout for pupils")]
    edit(fiche, "sheets:\n", "sheets:\n" + sheet.replace("n3-school:", "n3-staff:"))
    after = load_catalog(project).jobs()
    assert set(before) < set(after) and Job("n3", "n3-staff", "nl") in after
    for count in (2, 3, 7):
        old = {job: shard_of(job, count) for job in before}
        new = {job: shard_of(job, count) for job in after}
        assert {job: new[job] for job in before} == old


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0/3", "0/3: K must be from 1 to N (3)"),
        ("4/3", "4/3: K must be from 1 to N (3)"),
        ("a/b", "'a/b' is not K/N"),
        ("1/0", "1/0: N must be at least 1"),
        ("1/3/3", "'1/3/3' is not K/N"),
        ("-1/3", "'-1/3' is not K/N"),
        ("", "'' is not K/N"),
    ],
)
def test_a_bad_shard_is_a_usage_error(tmp_path, value, message):
    out = tmp_path / "dist"
    result = CliRunner().invoke(
        main, ["build", "--root", str(REPO), "--out", str(out), "--shard", value]
    )
    assert result.exit_code == 2
    assert f"Invalid value for '--shard': {message}" in result.output
    assert not out.exists()


def _manifest(folder: Path, tmp_path: Path, name: str, change=None) -> Path:
    """A copy of the shard's manifest, edited by `change(data)`."""
    data = json.loads((folder / "manifest.json").read_text())
    if change:
        change(data)
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def _merge(tmp_path: Path, *manifests: Path):
    out = tmp_path / "merged.json"
    result = CliRunner().invoke(main, ["manifest", "merge", str(out), *map(str, manifests)])
    assert result.exit_code == 2, result.output
    assert not out.exists()  # nothing half-merged is left behind
    return result.output


def test_merge_refuses_a_missing_shard(shards, tmp_path):
    output = _merge(tmp_path, *(s / "manifest.json" for s in shards[:2]))
    assert "error: shard 3/3 missing (given: 1/3 (" in output


def test_merge_refuses_shards_of_other_inputs_or_versions(shards, tmp_path):
    def other_tree(data):
        for record in data["trees"].values():
            record["tree"] = "0" * 64

    def other_version(data):
        data["version"] = 2

    odd = _manifest(shards[2], tmp_path, "odd.json", other_tree)
    output = _merge(tmp_path, shards[0], shards[1], odd)
    assert "were built from different inputs, by another version of fiche" in output
    newer = _manifest(shards[2], tmp_path, "newer.json", other_version)
    output = _merge(tmp_path, shards[0], shards[1], newer)
    assert f"{newer}: a manifest of version 2; this fiche reads and writes version 1" in output


def test_merge_refuses_an_output_two_shards_made_differently(shards, tmp_path):
    first = json.loads((shards[0] / "manifest.json").read_text())["outputs"][0]

    def claim(data):
        data["outputs"].append({**first, "sha256": "f" * 64})

    twice = _manifest(shards[1], tmp_path, "twice.json", claim)
    output = _merge(tmp_path, shards[0], twice, shards[2])
    assert f"{first['path']}: made by {shards[0] / 'manifest.json'} (sha256 " in output
    assert "with different contents" in output


def test_merge_refuses_what_is_no_shard_manifest(built, shards, tmp_path):
    full = next(iter(built.values())).parent.parent / "manifest.json"
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    output = _merge(tmp_path, full, junk, *shards)
    assert f"{full}: records no complete build of a shard" in output
    assert f"{junk}: not a manifest of fiche's" in output
