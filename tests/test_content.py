"""Loading and validating content and layout files: every problem named by place."""

from __future__ import annotations

from pathlib import Path

import pytest

from fiche.core.errors import FicheError
from fiche.model.catalog import load_catalog
from fiche.model.source import parse_yaml

from .conftest import edit, line_of


def problems(root: Path) -> list[str]:
    return [str(p) for p in load_catalog(root).all_problems()]


def test_shipped_catalogue_is_valid():
    from .conftest import REPO

    cat = load_catalog(REPO)
    assert cat.all_problems() == []
    assert sorted({j.sheet for j in cat.jobs()}) == [
        "n3-pocket",
        "n3-poster",
        "n3-school",
        "n3-sexting",
        "n3-youth",
    ]
    assert sorted({j.lang for j in cat.jobs()}) == ["ar", "de", "en", "fr", "nl", "pl", "tr", "uk"]
    assert len(cat.jobs()) == 40  # 5 sheets x 8 languages


def test_wrong_type_names_file_line_and_field(project: Path):
    nl = project / "content/n3/nl.yaml"
    edit(nl, "    text: Sexting\n", "    text: [Sexting]\n")
    line = line_of(nl, "text: [Sexting]")
    assert problems(project) == [
        f"content/n3/nl.yaml:{line}:11: blocks.title.text: expected text, got a list"
    ]


def test_unknown_key_suggests_the_right_one(project: Path):
    nl = project / "content/n3/nl.yaml"
    edit(nl, "    title: Wat is sexting?", "    titel: Wat is sexting?")
    line = line_of(nl, "titel:")
    assert problems(project) == [
        f"content/n3/nl.yaml:{line}:5: blocks.what.titel: unknown key 'titel' "
        "(did you mean 'title'?)"
    ]


def test_missing_field_and_all_problems_of_a_file_at_once(project: Path):
    nl = project / "content/n3/nl.yaml"
    edit(nl, '    term: "Sexting ="\n', "")
    edit(nl, "    marker: arrow", "    marker: star")
    found = problems(project)
    assert len(found) == 2
    assert any("blocks.what: required field 'term' is missing" in p for p in found)
    assert any("blocks.why.marker: got 'star'; expected 'bullet', 'check'" in p for p in found)
    assert all(p.startswith("content/n3/nl.yaml:") for p in found)


def test_unknown_block_kind(project: Path):
    nl = project / "content/n3/nl.yaml"
    edit(nl, "    kind: callout", "    kind: box")
    (p,) = problems(project)
    assert "blocks.not-new.kind: unknown kind 'box' (expected one of:" in p


def test_unknown_block_region_and_layout(project: Path):
    fiche = project / "content/n3/fiche.yaml"
    edit(
        fiche,
        "main: [what, not-new, why, chances, dangers]",
        "main: [what, not-new, whyy, chances, dangers]",
    )
    edit(fiche, "      side: [careful, spread]\n", "      aside: [careful, spread]\n")
    edit(fiche, "layout: youth", "layout: yuth")
    found = problems(project)
    assert any("sheets.n3-sexting.front.main[2]: unknown block 'whyy'" in p for p in found)
    assert any(
        "sheets.n3-sexting.front.aside: layout 'original' has no region 'aside'" in p for p in found
    )
    assert any("sheets.n3-youth.layout: unknown layout 'yuth'" in p for p in found)


def test_layout_errors_point_into_the_layout(project: Path):
    lay = project / "layouts/original.yaml"
    edit(lay, "fill: tint, padding_mm: 4", "fill: pink, padding_mm: 4")
    line = line_of(lay, "fill: pink")
    col = lay.read_text().splitlines()[line - 1].index("pink") + 1
    found = problems(project)
    assert found == [
        f"layouts/original.yaml:{line}:{col}: pages.front.regions.side.fill: unknown colour 'pink'"
        " (did you mean 'ink'?); the palette has: accent, accent-dark, accent-tint, brand, "
        "brand-dark, brand-text, ink, muted, tint, white "
        "(a new colour goes there as `name: {cmyk: [c, m, y, k]}`)"
    ]


def test_inherited_value_errors_point_into_the_base(project: Path):
    base = project / "layouts/_base.yaml"
    edit(base, "  ink: {cmyk: [0, 0, 0, 88]}", "  ink: {cmyk: [0, 0, 0, 188]}")
    line = line_of(base, "188")
    # Every layout inherits the colour; the one error points at the base file.
    assert problems(project) == [
        f"layouts/_base.yaml:{line}:25: palette.ink.cmyk[3]: "
        "input should be less than or equal to 100, got 188"
    ]


def test_font_file_must_exist(project: Path):
    edit(project / "layouts/_base.yaml", "regular: Lato-Black.ttf", "regular: Lato-Blak.ttf")
    found = problems(project)
    assert found and all("font file 'Lato-Blak.ttf' not found in assets/fonts" in p for p in found)


@pytest.mark.parametrize(
    "text, message",
    [
        ("a: [1, 2\n", "malformed YAML"),
        ("a: 1\na: 2\n", "duplicate key 'a' (first at line 1)"),
        ("a: !!python/object/apply:os.system ['true']\n", "unsupported YAML tag"),
        ("a: !!binary aGVsbG8=\n", "unsupported YAML tag"),
        ("- 1\n- 2\n", "expected a mapping of keys at the top of the file"),
    ],
)
def test_unsafe_or_broken_yaml_is_refused(text: str, message: str):
    with pytest.raises(FicheError) as e:
        parse_yaml(text, "x.yaml")
    assert message in str(e.value)
    assert str(e.value).startswith("x.yaml:")


def test_alias_bomb_is_refused_before_it_expands():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    with pytest.raises(FicheError) as e:
        parse_yaml("\n".join(lines) + "\n", "bomb.yaml")
    assert "document expands to more than" in str(e.value)


def test_translation_problems_fail_only_that_language(project: Path):
    import shutil

    shutil.copy(project / "content/n3/nl.yaml", project / "content/n3/de.yaml")
    edit(project / "content/n3/de.yaml", "language: nl", "language: de")
    edit(project / "content/n3/de.yaml", "  not-new:\n", "  not-newer:\n")
    cat = load_catalog(project)
    from fiche.model.catalog import Job

    assert cat.job_problems(Job("n3", "n3-sexting", "nl")) == []
    (p, *_) = cat.job_problems(Job("n3", "n3-sexting", "de"))
    assert "translation missing for block 'not-new'" in str(p)
