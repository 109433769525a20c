"""Hostile values a user can type: `fiche new` arguments, language codes, URL templates.

Each test reproduces a case of issue 13 and the class around it: the value is refused
before anything is written or drawn, with a message that names the place and says what
is allowed; nothing falls back silently to something else.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from fiche.build.run import build
from fiche.cli.main import main

from .conftest import REPO, edit, line_of, write_school

EXAMPLE = REPO / "examples/school.yaml"


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "dist" not in p.relative_to(root).parts
    }


def _new(project: Path, slug: str, *args: str):
    return CliRunner().invoke(
        main,
        ["new", slug, "--root", str(project), "--series", "cyberpesten", "--number", "7",
         "--layout", "youth", *args],
    )  # fmt: skip


# --- fiche new: nothing outside content/<slug>/, all or nothing -------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("--lang", "../../layouts/school"),
        ("--lang", "/tmp/fiche-hostile-x"),
        ("--lang", "nl", "--lang", "../x"),
        ("--lang", "it"),
        ("--lang", "NL"),
        ("--lang", "nl", "--lang", "nl"),
        ("--lang", ""),
        ("--series", "../evil"),
        ("--series", "Cyber Pesten"),
        ("--layout", "../layouts/youth"),
        ("--layout", "nope"),
    ],
)
def test_new_with_a_bad_argument_writes_nothing_at_all(project, args):
    before = _tree(project)
    result = _new(project, "n9-x", *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert result.output.startswith("error: "), result.output
    assert _tree(project) == before
    assert sorted(p.name for p in (project / "content").iterdir()) == ["n3"]
    assert not Path("/tmp/fiche-hostile-x.yaml").exists()


@pytest.mark.parametrize("slug", ["../n9", "/tmp/n9", "N9", "n9/x", "a" * 300, "-n9", "n9\n"])
def test_new_with_a_bad_slug_writes_nothing(project, slug):
    before = _tree(project)
    result = _new(project, slug)
    assert result.exit_code == 2, result.output
    assert "SLUG" in result.output
    assert _tree(project) == before


def test_new_language_messages_list_the_known_languages(project):
    result = _new(project, "n9-x", "--lang", "../../layouts/school")
    assert result.output.splitlines()[0] == (
        "error: --lang: unknown language '../../layouts/school': "
        "fiche sets ar, de, en, fr, nl, pl, tr, uk (two lower-case letters)"
    )
    result = _new(project, "n9-x", "--lang", "it")
    known = "ar, de, en, fr, nl, pl, tr, uk"
    assert f"error: --lang: unknown language 'it': fiche sets {known}" in result.output


def test_new_never_overwrites_an_existing_folder_or_file(project):
    (project / "content/n9-x").mkdir()
    (project / "content/n9-x/keep.txt").write_text("mine", encoding="utf-8")
    result = _new(project, "n9-x")
    assert result.exit_code == 2
    assert "content/n9-x" in result.output and "already exists" in result.output
    assert [p.name for p in (project / "content/n9-x").iterdir()] == ["keep.txt"]


def test_a_failed_new_leaves_no_half_made_folder(project, monkeypatch):
    import fiche.tools.scaffold as scaffold

    calls = []
    real = scaffold._write

    def failing(path: Path, text: str) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(path, text)

    monkeypatch.setattr(scaffold, "_write", failing)
    before = _tree(project)
    result = _new(project, "n9-x", "--lang", "nl", "--lang", "fr")
    assert result.exit_code == 2, result.output
    assert "No space left on device" in result.output
    assert _tree(project) == before
    assert sorted(p.name for p in (project / "content").iterdir()) == ["n3"]


def test_new_writes_only_its_folder_and_the_build_after_it_works(project):
    before = _tree(project)
    result = _new(project, "n9-x", "--lang", "de", "--lang", "en")
    assert result.exit_code == 0, result.output
    after = _tree(project)
    added = set(after) - set(before)
    assert added == {"content/n9-x/fiche.yaml", "content/n9-x/de.yaml", "content/n9-x/en.yaml"}
    assert all(after[k] == v for k, v in before.items())
    assert (project / "dist/de/n9-x.screen.pdf").is_file()


# --- languages: one known set, no fallback ------------------------------------------------


def test_every_known_language_has_rules_labels_and_hyphenation():
    from fiche.model.languages import RULES, known_languages
    from fiche.tools.scaffold import LABELS
    from fiche.typeset.typography import hyphenator

    assert set(LABELS) == set(RULES) == set(known_languages())
    for lang in known_languages():
        # a language that is never hyphenated (Arabic) has no hyphenator, the others one
        assert (hyphenator(lang) is None) == (RULES[lang].breaks == "none"), lang
    assert RULES["ar"].direction == "rtl" and hyphenator("ar") is None
    assert {lang for lang, r in RULES.items() if r.direction == "rtl"} == {"ar"}


def test_rules_for_an_unknown_language_raises_instead_of_using_english():
    from fiche.model.languages import rules_for
    from fiche.typeset.typography import smarten

    with pytest.raises(ValueError, match="unknown language 'it'"):
        rules_for("it")
    with pytest.raises(ValueError):
        smarten('"ciao"', "it")


def test_unknown_language_in_fiche_yaml_is_located(project):
    from fiche.model.catalog import load_catalog

    path = project / "content/n3/fiche.yaml"
    edit(path, "languages: [nl, fr, en, de, tr, pl, uk, ar]", "languages: [nl, fr, en, it]")
    msgs = [str(p) for p in load_catalog(project).all_problems()]
    line = line_of(path, "languages:")
    assert any(
        m.startswith(f"content/n3/fiche.yaml:{line}:")
        and "languages[3]: unknown language 'it': fiche sets ar, de, en, fr, nl" in m
        for m in msgs
    ), msgs


def test_unknown_source_language_and_file_language_are_located(project):
    from fiche.model.catalog import load_catalog

    edit(project / "content/n3/de.yaml", "language: de", "language: it")
    msgs = [str(p) for p in load_catalog(project).all_problems()]
    assert any(
        m.startswith("content/n3/de.yaml:4:") and "language: unknown language 'it'" in m
        for m in msgs
    ), msgs
    edit(project / "content/n3/fiche.yaml", "source_language: nl", "source_language: xx")
    msgs = [str(p) for p in load_catalog(project).all_problems()]
    assert msgs == [
        "content/n3/fiche.yaml:6:18: source_language: unknown language 'xx': "
        "fiche sets ar, de, en, fr, nl, pl, tr, uk (two lower-case letters)"
    ]


def _school_problems(project: Path, **changes) -> list[str]:
    from fiche.core.errors import FicheError
    from fiche.model.school import load_school

    path = write_school(project, **changes)
    try:
        load_school(path, "school.yaml")
    except FicheError as e:
        return [str(p) for p in e.problems]
    return []


def test_unknown_school_language_is_an_error(project):
    msgs = _school_problems(project, language="it")
    assert len(msgs) == 1 and msgs[0].endswith(
        "language: unknown language 'it': "
        "fiche sets ar, de, en, fr, nl, pl, tr, uk (two lower-case letters)"
    ), msgs


def test_build_and_stamp_with_an_unknown_language(project):
    result = CliRunner().invoke(main, ["build", "--root", str(project), "--lang", "it"])
    assert result.exit_code == 2 and "unknown language" in result.output, result.output
    result = CliRunner().invoke(main, ["stamp", "--root", str(project), "--lang", "it"])
    assert result.exit_code == 2, result.output
    said = "--lang: unknown language 'it': fiche sets ar, de, en, fr, nl, pl, tr, uk"
    assert said in result.output


# --- URL templates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "https://x.be/{sheet.__class__.__mro__}",
            "unknown placeholder '{sheet.__class__.__mro__}': use only {sheet} and {lang}",
        ),
        ("https://x.be/{sheet:>50000000}", "unknown placeholder '{sheet:>50000000}'"),
        ("https://x.be/{0}", "unknown placeholder '{0}'"),
        ("https://x.be/{}", "unknown placeholder '{}'"),
        ("https://x.be/{{sheet}}", "unknown placeholder '{{sheet}}'"),
        ("https://x.be/{sheet", "unmatched '{'"),
        ("https://x.be/sheet}", "unmatched '}'"),
        ("javascript:alert(1)", "'javascript:' addresses are not allowed: use https://, http://"),
        ("ftp://x.be/a", "'ftp:' addresses are not allowed"),
        ("file:///etc/passwd", "'file:' addresses are not allowed"),
        ("www.x.be/{sheet}", "an address starts with https://, http:// or mailto:"),
        ("https://x.be/a b", "a space or control character"),
        ("https://x.be/a\u0000b", "a space or control character"),
        ("https://x.be/a\u200bb", "a space or control character"),
        ("https:///nohost", "no host name"),
        ("https://exa mple.be", "a space or control character"),
        ("https://-bad-.be/", "'-bad-.be' is not a valid host name"),
        ("https://user:pw@x.be/", "must not hold a user name or password"),
        ("https://xn--bcher-kva.example/é", "only ASCII characters"),
        ("https://x.be/" + "a" * 600, "at most 500 characters"),
        ("mailto:nobody", "'nobody' is not an e-mail address"),
        ("https://x.be:99999/", "'x.be:99999' has a port that is not a number from 1 to 65535"),
        ("https://x.be:80a/", "'x.be:80a' has a port that is not a number from 1 to 65535"),
        ("https://x.be:0/", "'x.be:0' has port 0; a port is a number from 1 to 65535"),
    ],
)
def test_bad_fiche_url_says_what_is_wrong_and_what_is_allowed(project, value, message):
    msgs = _school_problems(project, fiche_url=value)
    assert len(msgs) == 1, msgs
    assert msgs[0].startswith("school.yaml:"), msgs
    assert ": fiche_url: " in msgs[0] and message in msgs[0], msgs
    assert "not a valid name" not in msgs[0]


def test_bad_website_and_email_name_their_own_field(project):
    msgs = _school_problems(project, website="not a url")
    assert len(msgs) == 1 and ": website: " in msgs[0] and "not a valid name" not in msgs[0]
    msgs = _school_problems(project, website="https://x.be/{sheet}")
    assert msgs and "website: a placeholder" in msgs[0], msgs
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["contact"]["email"] = "no-at-sign"
    msgs = _school_problems(project, contact=data["contact"])
    assert len(msgs) == 1 and "contact.email: 'no-at-sign' is not an e-mail address" in msgs[0]


def test_good_addresses_pass(project):
    for value in (
        "https://www.school.be/fiches/{lang}/{sheet}.pdf",
        "http://school.be:8080/{sheet}?lang={lang}",
        "https://{lang}.school.be/{sheet}",
        "mailto:zorg@school.be",
        "https://192.168.1.10/x",
    ):
        assert _school_problems(project, fiche_url=value) == [], value


def test_qr_target_substitutes_literally():
    from fiche.model.address import qr_target

    assert (
        qr_target("https://x.be/{lang}/{sheet}", "n3-{lang}", "nl") == "https://x.be/nl/n3-{lang}"
    )


def test_url_in_fiche_yaml_is_checked_the_same_way(project):
    from fiche.model.catalog import load_catalog

    path = project / "content/n3/fiche.yaml"
    text = path.read_text(encoding="utf-8") + "url: https://x.be/{sheet.__class__}\n"
    path.write_text(text, encoding="utf-8")
    msgs = [str(p) for p in load_catalog(project).all_problems()]
    n = len(text.splitlines())
    assert f"content/n3/fiche.yaml:{n}:6: url: unknown placeholder '{{sheet.__class__}}'" in (
        "\n".join(msgs)
    ), msgs


def test_an_address_too_long_for_the_printed_qr_code_is_a_located_error(project):
    # The youth layout's QR code is 20 mm wide: a version-7 symbol (45 modules + 2 × 2 of
    # border, 0.41 mm each) holding 122 characters; this address has 145.
    url = "https://www.sjc-voorbeeldstad.be/" + "x" * 100 + "/{lang}/{sheet}"
    school = write_school(project, fiche_url=url)
    report = build(
        project,
        project / "dist",
        langs=("nl",),
        sheets=("n3-youth",),
        profiles=("print",),
        school=school,
    )
    assert report.exit_code == 2
    msgs = [str(p) for r in report.failed for p in r.problems] + [str(p) for p in report.problems]
    line = line_of(school, "fiche_url:")
    assert any(
        m.startswith(f"myschool/school.yaml:{line}:")
        and "fiche_url: the address for sheet n3-youth (nl) is 145 characters" in m
        and "at most 122" in m
        for m in msgs
    ), msgs
    assert not any("internal error" in m for m in msgs)


def test_qr_capacity_follows_the_printed_size():
    from fiche.model.address import qr_capacity

    # 17.5 mm: 43 modules of 0.4 mm, a version-5 symbol (37 + 2 × 2 border) holds 84 bytes
    assert qr_capacity(17.5) == 84
    assert qr_capacity(20) == 122  # 50 modules: version 7 (45 + 4)
    assert qr_capacity(21.2) == 152  # 53 modules: version 8 (49 + 4)
    assert qr_capacity(9.9) == 0  # version 1 needs 21 + 4 modules: 10 mm


def test_qr_capacity_table_is_what_the_encoder_does():
    from reportlab.graphics.barcode.qr import QrCodeWidget

    from fiche.model.address import QR_BYTES_M

    for version, size in enumerate(QR_BYTES_M[:12], start=1):
        fits = QrCodeWidget("h" * size, barLevel="M", barBorder=2)
        over = QrCodeWidget("h" * (size + 1), barLevel="M", barBorder=2)
        fits.draw(), over.draw()
        assert (fits.qr.version, over.qr.version) == (version, version + 1)


def test_an_over_long_website_is_blamed_on_the_website(project):
    school = write_school(project, website="https://www.sjc-voorbeeldstad.be/" + "lang/" * 40)
    report = build(
        project,
        project / "dist",
        langs=("nl",),
        sheets=("n3-youth",),
        profiles=("print",),
        school=school,
    )
    msgs = [str(p) for r in report.failed for p in r.problems]
    line = line_of(school, "website:")
    assert any(
        m.startswith(f"myschool/school.yaml:{line}:")
        and ": website: the school's contact block does not fit the imprint" in m
        for m in msgs
    ), msgs


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{series.__class__.__mro__}", "unknown placeholder '{series.__class__.__mro__}'"),
        ("{series:>50000000}", "unknown placeholder '{series:>50000000}'"),
        ("{title}", "unknown placeholder '{title}': use only {series} and {number_label}"),
        ("N° {", "unmatched '{' at position 4"),
    ],
)
def test_layout_text_templates_take_only_their_fields(project, text, message):
    from fiche.model.catalog import load_catalog

    path = project / "layouts/youth.yaml"
    edit(path, 'text: "{series} {number_label}"', f"text: {text!r}")
    line = line_of(path, "style: band-series, text: " + repr(text))
    msgs = [str(p) for p in load_catalog(project).all_problems()]
    assert any(
        m.startswith(f"layouts/youth.yaml:{line}:")
        and "pages.back.decorations[1].text: " + message in m
        for m in msgs
    ), msgs


def test_a_fiche_url_too_long_for_its_qr_code_is_located_in_fiche_yaml(project):
    path = project / "content/n3/fiche.yaml"
    text = path.read_text(encoding="utf-8") + "url: https://x.be/" + "y" * 120 + "/{sheet}\n"
    path.write_text(text, encoding="utf-8")
    report = build(
        project, project / "dist", langs=("nl",), sheets=("n3-sexting",), profiles=("screen",)
    )
    (r,) = report.failed
    (p,) = r.problems
    assert str(p) == (
        f"content/n3/fiche.yaml:{len(text.splitlines())}:6: url: the address for sheet "
        "n3-sexting (nl) is 144 characters; a QR code 17.5 mm wide (this layout's imprint) "
        "stays readable with at most 84: shorten the address"
    )


def test_a_school_file_name_without_letters_still_gets_its_own_folder(project):
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    del data["slug"]
    path = project / "___.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    shutil.copy(REPO / "examples/logo.svg", project / "logo.svg")
    report = build(
        project,
        project / "dist",
        langs=("nl",),
        sheets=("n3-youth",),
        profiles=("screen",),
        school=path,
    )
    assert report.exit_code == 0
    assert Path(report.built[0].path) == project / "dist/schools/school/nl/n3-youth.screen.pdf"


def test_a_language_listed_twice_is_an_error(project):
    from fiche.model.catalog import load_catalog

    path = project / "content/n3/fiche.yaml"
    edit(path, "languages: [nl, fr, en, de, tr, pl, uk, ar]", "languages: [nl, fr, en, de, nl]")
    msgs = [str(p) for p in load_catalog(project).all_problems()]
    assert msgs == [
        f"content/n3/fiche.yaml:{line_of(path, 'languages:')}:12: languages: "
        "listed more than once: nl"
    ]


def test_new_says_why_its_build_did_not_run(project):
    (project / "dist").mkdir()
    (project / "dist/notes.txt").write_text("mine", encoding="utf-8")
    result = _new(project, "n9-x")
    assert result.exit_code == 2
    assert "created " in result.output and "error: --out: " in result.output, result.output
    assert (project / "content/n9-x/fiche.yaml").is_file()
