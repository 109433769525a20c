"""The designer's loop: schemas, new fiches, list, preview, diff."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from fiche.cli.main import main
from fiche.model.schema import render_schemas

from .conftest import REPO, edit


def test_shipped_schemas_are_what_the_models_say():
    for name, data in render_schemas().items():
        assert (REPO / "schemas" / name).read_bytes() == data, f"run `fiche schema` ({name})"


def test_every_shipped_yaml_file_names_its_schema():
    files = [
        *(REPO / "content").rglob("*.yaml"),
        *(REPO / "layouts").glob("*.yaml"),
        REPO / "examples/school.yaml",
    ]
    for f in files:
        first = f.read_text(encoding="utf-8").splitlines()[0]
        m = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert m, f
        assert (f.parent / m.group(1)).resolve().is_file(), f


def test_schema_rejects_what_validation_rejects():
    schema = json.loads((REPO / "schemas/content.schema.json").read_text())
    blocks = schema["properties"]["blocks"]
    assert blocks["minProperties"] == 1
    kinds = {
        d["properties"]["kind"]["const"]
        for d in schema["$defs"].values()
        if "kind" in d.get("properties", {})
    }
    assert kinds == {"heading", "paragraph", "list", "tips", "callout", "definition", "image"}
    assert schema["$defs"]["Heading"]["additionalProperties"] is False


def test_new_fiche_is_created_listed_and_built(project):
    shutil.copytree(REPO / "schemas", project / "schemas")
    result = CliRunner().invoke(
        main,
        [
            "new",
            "n4-grooming",
            "--root",
            str(project),
            "--series",
            "cyberpesten",
            "--number",
            "4",
            "--layout",
            "youth",
            "--lang",
            "nl",
            "--lang",
            "fr",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (project / "dist/nl/n4-grooming.screen.pdf").is_file()
    assert (project / "dist/fr/n4-grooming.screen.pdf").is_file()
    listing = CliRunner().invoke(main, ["list", "--root", str(project)]).output
    assert "cyberpesten N°4  content/n4-grooming" in listing
    assert "status nl: source (6 blocks); to write: front-title" in listing
    status = CliRunner().invoke(main, ["status", "--root", str(project)])
    assert status.exit_code == 2  # blocks still to be written
    again = CliRunner().invoke(
        main,
        [
            "new",
            "n4-other",
            "--root",
            str(project),
            "--series",
            "cyberpesten",
            "--number",
            "4",
            "--layout",
            "youth",
        ],
    )
    assert again.exit_code == 2 and "cyberpesten N°4 already exists" in again.output


def test_preview_builds_and_renders_a_sheet(project):
    result = CliRunner().invoke(
        main, ["preview", "--root", str(project), "n3-youth", "--lang", "de", "--dpi", "30"]
    )
    assert result.exit_code == 0, result.output
    pngs = [Path(line) for line in result.output.split()]
    assert [p.name for p in pngs] == ["n3-youth.screen-p1.png", "n3-youth.screen-p2.png"]
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in pngs)


def test_diff_shows_the_changed_sentence_and_one_region(project, tmp_path):
    from fiche.build.run import build

    build(project, tmp_path / "old", langs=("nl",), sheets=("n3-youth",), profiles=("print",))
    edit(
        project / "content/n3/nl.yaml",
        "Het hoort bij flirten, voor je",
        "Het hoort bij flirten, vóór je",
    )
    build(project, tmp_path / "new", langs=("nl",), sheets=("n3-youth",), profiles=("print",))
    result = CliRunner().invoke(
        main,
        ["diff", str(tmp_path / "old"), str(tmp_path / "new"), "--out", str(tmp_path / "diff")],
    )
    assert result.exit_code == 1, result.output
    assert "page 1: 1 changed area(s)" in result.output
    # a word of the same width: the page keeps its sizes, so only that line changes
    assert "- Het hoort bij flirten, [-voor-] je een relatie start." in result.output
    assert "+ Het hoort bij flirten, {+vóór+} je een relatie start." in result.output
    assert (tmp_path / "diff/nl_n3-youth.print-p1.png").is_file()
    same = CliRunner().invoke(main, ["diff", str(tmp_path / "old"), str(tmp_path / "old")])
    assert same.exit_code == 0 and "0 differ" in same.output


def test_every_command_has_an_example_and_version():
    for name, cmd in main.commands.items():
        assert "Example:" in (cmd.help or ""), name
    assert CliRunner().invoke(main, ["--version"]).output.startswith("fiche, version ")
