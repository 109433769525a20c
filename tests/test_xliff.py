"""XLIFF out and in: states, inline codes, a round trip through translate-toolkit (another
reader and writer, used as a translator's tool would), and every refusal."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import yaml
from click.testing import CliRunner
from lxml import etree
from translate.storage import xliff as xliff12
from translate.storage import xliff2
from translate.storage.placeables import StringElem

from fiche.cli.main import main
from tests.conftest import REPO, edit

NS2 = "{urn:oasis:names:tc:xliff:document:2.0}"
TRANSLATIONS = ("fr", "en", "de", "tr", "pl", "uk")


@pytest.fixture
def proj(project: Path) -> Path:
    shutil.copytree(REPO / "hyphenation", project / "hyphenation")
    return project


def fiche(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def export(root: Path, lang: str, version: str = "2.0") -> Path:
    result = fiche("xliff", "export", "--root", str(root), "--lang", lang, "--version", version)
    assert result.exit_code == 0, result.output
    return root / "xliff" / f"n3.{lang}.xlf"


def import_(root: Path, path: Path, *more: str):
    return fiche("xliff", "import", "--root", str(root), str(path), *more)


def _units(path: Path) -> dict:
    root = etree.parse(str(path)).getroot()
    return {u.get("id"): u for u in root.iter(f"{NS2}unit")}


def test_export_gives_each_text_a_unit_with_its_state_codes_and_context(proj):
    units = _units(export(proj, "fr"))
    assert {"meta.series", "sheets.n3-youth.title", "blocks.what.meanings.1"} <= set(units)
    spread = units["blocks.spread.items.0"]
    notes = [n.text for n in spread.iter(f"{NS2}note")]
    assert "on sheet n3-sexting, front page, region side" in notes
    assert any(n.startswith("block spread, tips titled") for n in notes)
    seg = spread.find(f"{NS2}segment")
    assert seg.get("state") == "translated"
    codes = seg.find(f"{NS2}source").findall(f"{NS2}pc")
    assert [(c.get("id"), c.get("subType")) for c in codes] == [("b1", "xlf:b")]
    title = units["blocks.title.text"].iter(f"{NS2}note")
    assert any(n.get("category") == "budget" for n in title)
    # the series name's place in the header bands, at their smallest size
    series = {n.get("category"): n.text for n in units["meta.series"].iter(f"{NS2}note")}
    assert series["budget"].startswith("at most about ")
    # no mark travels as asterisks, in any text of any unit
    for unit in units.values():
        for elem in unit.iter(f"{NS2}source", f"{NS2}target"):
            assert "*" not in "".join(elem.itertext()), unit.get("id")
    source = units["blocks.more-info.text"].find(f"{NS2}segment/{NS2}source")
    links = [pc.text for pc in source.iter(f"{NS2}pc")]
    assert links == ["www.mediawijs.be/mediawijsonline"]


def test_a_changed_source_makes_the_translation_stale_and_a_new_language_new(proj):
    edit(proj / "content/n3/nl.yaml", "Het hoort bij flirten", "Het hoort vaak bij flirten")
    (proj / "content/n3/pl.yaml").unlink()
    seg = _units(export(proj, "fr"))["blocks.why.items.0"].find(f"{NS2}segment")
    assert (seg.get("state"), seg.get("subState")) == ("initial", "fiche:stale")
    assert seg.find(f"{NS2}target") is not None  # the old translation, to revise
    seg = _units(export(proj, "pl"))["blocks.why.items.0"].find(f"{NS2}segment")
    assert seg.get("state") == "initial" and seg.find(f"{NS2}target") is None
    text = export(proj, "fr", "1.2").read_text(encoding="utf-8")
    assert 'state="needs-review-translation"' in text and 'ctype="bold"' in text


@pytest.mark.parametrize("version", ["2.0", "1.2"])
def test_an_unchanged_language_imported_again_changes_no_byte(proj, version):
    before = {lang: (proj / f"content/n3/{lang}.yaml").read_bytes() for lang in TRANSLATIONS}
    for lang in TRANSLATIONS:
        result = import_(proj, export(proj, lang, version), "--no-fit")
        assert result.exit_code == 0, result.output
        assert "nothing to change" in result.output
    after = {lang: (proj / f"content/n3/{lang}.yaml").read_bytes() for lang in TRANSLATIONS}
    assert after == before


def _toolkit_edit(path: Path, version: str, words: dict[str, str]) -> None:
    """Edit targets as a translator's tool would: translate-toolkit reads the file, changes
    the text around the inline codes, marks the unit translated and writes it again."""
    store = (xliff2.Xliff2File if version == "2.0" else xliff12.xlifffile).parsefile(str(path))
    for unit in store.units:
        uid = unit.getid().split("\x04")[-1]
        if uid not in words:
            continue
        old, new = words[uid].split("->")
        elems = unit.rich_target
        for leaf in [x for e in elems for x in e.flatten()]:
            if isinstance(leaf, StringElem) and leaf.isleaf() and isinstance(leaf.sub[0], str):
                leaf.sub[0] = leaf.sub[0].replace(old, new)
        unit.rich_target = elems
        unit.marktranslated()
    path.write_bytes(bytes(store))


@pytest.mark.parametrize("version", ["2.0", "1.2"])
def test_round_trip_through_translate_toolkit_reaches_the_pdf(proj, version):
    path = export(proj, "tr", version)
    words = {
        "blocks.spread.items.0": "profil->Zebrafinkprofil",  # inside a bold code too
        "blocks.why.title": "Neden->Nedenzebra",
    }
    before = (proj / "content/n3/tr.yaml").read_text(encoding="utf-8")
    _toolkit_edit(path, version, words)
    result = import_(proj, path, "--no-fit")
    assert result.exit_code == 0, result.output
    assert "2 text(s) changed" in result.output
    after = (proj / "content/n3/tr.yaml").read_text(encoding="utf-8")
    # the two texts changed, and nothing else: every comment, key and other text kept
    old_data, new_data = yaml.safe_load(before), yaml.safe_load(after)
    spread = new_data["blocks"]["spread"]["items"][0]
    assert spread.startswith("**") and "Zebrafinkprofil" in spread
    assert new_data["blocks"]["why"]["title"] == "Nedenzebra?"
    new_data["blocks"]["spread"]["items"][0] = old_data["blocks"]["spread"]["items"][0]
    new_data["blocks"]["why"]["title"] = old_data["blocks"]["why"]["title"]
    assert new_data == old_data
    assert [x for x in after.splitlines() if "#" in x] == [
        x for x in before.splitlines() if "#" in x
    ]
    changed = set(after.splitlines()) - set(before.splitlines())
    assert len(changed) <= 4, changed  # the edited lines and the refolded rest of one text
    build = fiche(
        "build",
        "--root",
        str(proj),
        "--lang",
        "tr",
        "--sheet",
        "n3-youth",
        "--profile",
        "screen",
        "--out",
        str(proj / "dist"),
    )
    assert build.exit_code == 0, build.output
    pdf = pdfium.PdfDocument(proj / "dist/tr/n3-youth.screen.pdf")
    text = " ".join(page.get_textpage().get_text_bounded() for page in pdf)
    assert "Zebrafink" in text.replace("-\r\n", "").replace("\r\n", " ")
    assert "Nedenzebra" in text


def test_a_new_language_is_written_from_nothing_in_the_sources_shape(proj):
    (proj / "content/n3/uk.yaml").unlink()
    path = export(proj, "uk")
    store = xliff2.Xliff2File.parsefile(str(path))
    for unit in store.units:  # the translator's first draft: the source, to be translated
        unit.rich_target = unit.rich_source
        unit.marktranslated()
    path.write_bytes(bytes(store))
    result = import_(proj, path, "--no-fit")
    assert result.exit_code == 0, result.output
    status = fiche("status", "--root", str(proj))
    assert re.search(r"n3\s+uk\s+complete", status.output), status.output


def _broken(proj: Path, change) -> Path:
    """The Turkish export with the target of one unit (which has a bold code) changed."""
    path = export(proj, "tr")
    text = path.read_text(encoding="utf-8")
    start = text.index('<unit id="blocks.spread.items.0">')
    a = text.index("<target>", start)
    b = text.index("</target>", a)
    path.write_text(text[:a] + change(text[a:b]) + text[b:], encoding="utf-8")
    return path


def _unwrapped(target: str) -> str:
    start = target.index("<pc")
    inner = target[target.index(">", start) + 1 : target.index("</pc>")]
    return target[:start] + inner + target[target.index("</pc>") + 5 :]


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (_unwrapped, "unit blocks.spread.items.0: inline code(s) of the source lost: b1"),
        (
            lambda t: t.replace('id="b1"', 'id="b2"'),
            "lost: b1; inline code(s) not in the source: b2",
        ),
        (lambda t: t.replace("</pc>", "</pc> **extra**"), "an asterisk in the text would become"),
        (lambda t: t.replace("</pc>", '</pc><ph id="x"/>'), "<ph> is not an inline code"),
        (lambda t: t.replace("</pc>", "</pc> <pc"), "not well-formed XML"),
    ],
)
def test_a_bad_target_is_refused_naming_file_line_and_unit_and_nothing_is_written(
    proj, change, said
):
    before = (proj / "content/n3/tr.yaml").read_bytes()
    path = _broken(proj, change)
    line = next(
        i
        for i, x in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if 'id="blocks.spread.items.0"' in x
    )
    result = import_(proj, path)
    assert result.exit_code == 2, result.output
    assert said in result.output, result.output
    found = re.search(rf"{re.escape(str(path))}:(\d+)", result.output)
    assert found, result.output
    if "XML" not in said:  # the target's line: a few below the unit's opening tag
        assert line < int(found.group(1)) <= line + 12
    assert "Traceback" not in result.output
    assert (proj / "content/n3/tr.yaml").read_bytes() == before


@pytest.mark.parametrize(
    ("old", "new", "args", "said"),
    [
        ('<unit id="blocks.why.title">', '<unit id="blocks.why.titel">', (), "no such text"),
        ('trgLang="tr"', 'trgLang="pl"', ("--lang", "tr"), ":2:1: target language: 'pl', not tr"),
        ('srcLang="nl"', 'srcLang="fr"', (), "source language: 'fr', but n3 is written in nl"),
        ('trgLang="tr"', 'trgLang="it"', (), "unknown language 'it'"),
        ('<file id="n3"', '<file id="n4"', (), "no fiche 'n4' here"),
    ],
)
def test_a_file_for_another_text_or_language_is_refused(proj, old, new, args, said):
    before = {p.name: p.read_bytes() for p in (proj / "content/n3").iterdir()}
    path = export(proj, "tr")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = import_(proj, path, *args)
    assert result.exit_code == 2, result.output
    assert said in result.output, result.output
    assert {p.name: p.read_bytes() for p in (proj / "content/n3").iterdir()} == before


def test_a_translation_that_no_longer_fits_is_reported_with_its_unit(proj):
    path = export(proj, "tr")
    _toolkit_edit(
        path, "2.0", {"meta.series": "Siber Zorbalık->Okulda ve internette siber zorbalık"}
    )
    result = import_(proj, path)
    assert result.exit_code == 2, result.output
    assert "meta.series" in result.output and "XLIFF unit: meta.series" in result.output


def _set_target(path: Path, uid: str, inner: str, state: str = "translated") -> None:
    """A unit's target and state changed as a translation tool would write them."""
    tree = etree.parse(str(path))
    unit = next(u for u in tree.getroot().iter(f"{NS2}unit") if u.get("id") == uid)
    seg = unit.find(f"{NS2}segment")
    seg.set("state", state)
    old = seg.find(f"{NS2}target")
    if old is not None:
        seg.remove(old)
    new = etree.fromstring(f'<target xmlns="{NS2[1:-1]}">{inner}</target>')
    seg.append(new)
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")


def test_a_file_named_for_one_language_never_overwrites_another(proj):
    path = export(proj, "pl")
    path.write_text(path.read_text(encoding="utf-8").replace('trgLang="pl"', 'trgLang="tr"'))
    before = (proj / "content/n3/tr.yaml").read_bytes()
    result = import_(proj, path)
    assert result.exit_code == 2
    assert "'tr', but the file is named for pl; pass --lang" in result.output
    assert (proj / "content/n3/tr.yaml").read_bytes() == before
    path.write_text(path.read_text(encoding="utf-8").replace('trgLang="tr"', 'trgLang="pl-PL"'))
    assert import_(proj, path, "--no-fit").exit_code == 0  # memoQ's and Trados' tags


def test_a_draft_not_marked_translated_stays_out(proj):
    path = export(proj, "pl")
    _set_target(path, "blocks.why.title", "Szkic?", state="initial")
    before = (proj / "content/n3/pl.yaml").read_bytes()
    result = import_(proj, path, "--no-fit")
    assert result.exit_code == 0, result.output
    assert "1 unit(s) changed but not marked translated: left out (blocks.why.title)" in (
        result.output
    )
    assert (proj / "content/n3/pl.yaml").read_bytes() == before


def test_what_a_translator_types_comes_back_as_typed(proj):
    path = export(proj, "pl")
    _set_target(path, "blocks.why.title", "Dlaczego\u00a0w\u00a0ogóle?")  # no-break spaces
    _set_target(path, "meta.imprint_label", "yes")  # a YAML 1.1 boolean if left plain
    _set_target(path, "blocks.what.title", "Uczniowie*uczennice <mrk id='m1' type='term'>to</mrk>")
    _set_target(  # an address the source does not have
        path,
        "blocks.not-new.title",
        'Nic nowego (<pc id="l1" type="link">www.saferinternet.pl</pc>)',
    )
    result = import_(proj, path, "--no-fit")
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((proj / "content/n3/pl.yaml").read_text(encoding="utf-8"))
    assert data["blocks"]["why"]["title"] == "Dlaczego\u00a0w\u00a0ogóle?"
    assert data["meta"]["imprint_label"] == "yes"
    assert data["blocks"]["what"]["title"] == "Uczniowie*uczennice to"
    assert data["blocks"]["not-new"]["title"] == "Nic nowego (www.saferinternet.pl)"
    again = import_(proj, export(proj, "pl"), "--no-fit")  # the next round trip is stable
    assert again.exit_code == 0 and "nothing to change" in again.output, again.output


def test_a_link_must_keep_an_address(proj):
    path = export(proj, "pl")
    _set_target(path, "blocks.more-info.text", 'Więcej: <pc id="l1" type="link">tutaj</pc>')
    result = import_(proj, path)
    assert result.exit_code == 2
    assert "link l1 must hold a web or e-mail address, not 'tutaj'" in result.output


def test_a_new_language_needs_every_text(proj):
    (proj / "content/n3/uk.yaml").unlink()
    path = export(proj, "uk")
    _set_target(path, "meta.series", "Кібербулінг")
    result = import_(proj, path)
    assert result.exit_code == 2
    assert "content/n3/uk.yaml does not exist yet, and a new language needs every text" in (
        result.output
    )
    assert not (proj / "content/n3/uk.yaml").exists()


def test_a_text_that_no_longer_fits_leaves_the_file_as_it_was(proj):
    path = export(proj, "pl")
    _set_target(path, "meta.series", "Przemoc w internecie i w szkole wśród młodzieży")
    before = (proj / "content/n3/pl.yaml").read_bytes()
    result = import_(proj, path)
    assert result.exit_code == 2
    assert "XLIFF unit: meta.series" in result.output
    assert "content/n3/pl.yaml was left as it was" in result.output
    assert (proj / "content/n3/pl.yaml").read_bytes() == before
