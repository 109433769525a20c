"""Property tests (hypothesis): random content builds faithfully or fails cleanly.

The default run is short and derandomised; `make test-slow` runs many more examples.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fiche.build.run import build
from fiche.core.errors import FicheError
from fiche.model.catalog import load_catalog
from fiche.model.source import parse_yaml

from .conftest import REPO

SLOW = os.environ.get("FICHE_FUZZ") == "long"
EXAMPLES = 300 if SLOW else 12
COMMON = dict(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not SLOW,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Characters Lato draws: the languages' letters, digits and punctuation.
ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "éèêëàâäçîïôöûüßñÉÀÇÖÜŒœæ .,;:!?()-'\"/@&%€…–—«»“”’*"
)
words = st.text(alphabet=ALPHABET.replace(" ", ""), min_size=1, max_size=30)
texts = st.lists(words, min_size=1, max_size=40).map(" ".join).filter(lambda s: s.strip())
long_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=25, max_size=60)


def _block(kind: str, draw) -> dict:
    if kind == "paragraph":
        return {"kind": "paragraph", "text": draw(st.one_of(texts, long_words))}
    if kind == "list":
        block = {"kind": "list", "items": draw(st.lists(texts, min_size=1, max_size=6))}
        if draw(st.booleans()):
            block["title"] = draw(texts)
        return block
    if kind == "tips":
        return {"kind": "tips", "items": draw(st.lists(texts, min_size=1, max_size=5))}
    if kind == "callout":
        return {"kind": "callout", "text": draw(texts)}
    return {"kind": "heading", "level": draw(st.sampled_from([2, 3])), "text": draw(texts)}


@st.composite
def contents(draw) -> dict:
    kinds = draw(
        st.lists(
            st.sampled_from(["paragraph", "list", "tips", "callout", "heading"]),
            min_size=1,
            max_size=8,
        )
    )
    return {f"b{i}": _block(k, draw) for i, k in enumerate(kinds)}


def _project(blocks: dict) -> Path:
    root = Path(tempfile.mkdtemp(prefix="fiche-fuzz-"))
    for folder in ("layouts", "assets", "hyphenation"):
        shutil.copytree(REPO / folder, root / folder)
    d = root / "content" / "f1"
    d.mkdir(parents=True)
    ids = list(blocks)
    (d / "fiche.yaml").write_text(
        yaml.safe_dump(
            {
                "series": "fuzz",
                "number": 1,
                "source_language": "nl",
                "languages": ["nl"],
                "sheets": {
                    "f1-sheet": {
                        "layout": "youth",
                        "front": {"main": ids[: len(ids) // 2 + 1]},
                        "back": {"main": ids[len(ids) // 2 + 1 :] or ids[:1]},
                    }
                },
            }
        ),
        encoding="utf-8",
    )
    (d / "nl.yaml").write_text(
        yaml.safe_dump(
            {
                "language": "nl",
                "meta": {
                    "series": "Fuzz",
                    "number_label": "N°1",
                    "author": "hypothesis",
                    "imprint_label": "Aanspreekpunt",
                },
                "sheets": {"f1-sheet": {"title": "Fuzz", "subject": "Random content"}},
                "blocks": blocks,
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    return root


@settings(**COMMON)
@given(contents())
@example(  # found by the long run: a title line that ends with the word "Ag-"
    blocks={
        "b0": {"kind": "tips", "items": ["0"]},
        "b1": {"kind": "list", "items": ["0"], "title": "fTôG ,8Yév )NaP/ Ag- 000000@W"},
    }
)
@example(  # found by the long run: a list item ending in "-" before a paragraph "-"
    blocks={
        "b0": {"kind": "paragraph", "text": "0"},
        "b1": {"kind": "paragraph", "text": "0"},
        "b2": {"kind": "paragraph", "text": "0"},
        "b3": {
            "kind": "list",
            "items": ["0", "0", "0", "0 0 0 0 0 0 0 0 K\u00abCO-"],
            "title": "0",
        },
        "b4": {"kind": "paragraph", "text": "-"},
    }
)
@example(  # found by the long run: text that itself contains "(cid:"
    blocks={"b0": {"kind": "paragraph", "text": "0 0 0 (cid:"}}
)
@example(  # found by the long run: a tip that reads as its own number ("1 1": not doubled)
    blocks={
        "b0": {"kind": "paragraph", "text": "0"},
        "b1": {"kind": "paragraph", "text": "0"},
        "b2": {"kind": "tips", "items": ["1"]},
    }
)
def test_random_content_builds_faithfully_or_fails_with_a_fit_error(blocks):
    root = _project(blocks)
    try:
        report = build(root, root / "dist", profiles=("screen",))
        if report.exit_code == 0:
            return  # build_job already compared the extracted text with the content
        messages = [str(p) for r in report.failed for p in r.problems] + [
            str(p) for p in report.problems
        ]
        assert messages and all(
            ("does not fit" in m or "wider than its column" in m) for m in messages
        ), messages
    finally:
        shutil.rmtree(root)


_NL = (REPO / "content/n3/nl.yaml").read_text(encoding="utf-8")


@st.composite
def mutated(draw) -> str:
    text = _NL
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "insert", "duplicate", "replace"]))
        pos = draw(st.integers(0, len(text) - 1))
        if op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 40)) :]
        elif op == "insert":
            text = (
                text[:pos]
                + draw(st.text(alphabet=":-[]{}&*!|>'\"#% \n\tab1é", max_size=12))
                + text[pos:]
            )
        elif op == "duplicate":
            line_start = text.rfind("\n", 0, pos) + 1
            line_end = text.find("\n", pos) + 1 or len(text)
            text = text[:line_end] + text[line_start:line_end] + text[line_end:]
        else:
            text = (
                text[:pos]
                + draw(st.sampled_from(["0", "~", "- ", "? ", "!!str ", "&a ", "*a"]))
                + text[pos + 1 :]
            )
    return text


@settings(**COMMON)
@given(mutated())
def test_mutated_content_never_crashes_the_loader(text):
    root = Path(tempfile.mkdtemp(prefix="fiche-mut-"))
    try:
        shutil.copytree(REPO / "layouts", root / "layouts")
        shutil.copytree(REPO / "assets", root / "assets")
        shutil.copytree(REPO / "content", root / "content")
        (root / "content/n3/nl.yaml").write_text(text, encoding="utf-8")
        for p in load_catalog(root).all_problems():  # problems, never an exception
            assert p.path and p.message
    finally:
        shutil.rmtree(root)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(alphabet="abcdefghijklmnop-", min_size=1, max_size=8), children, max_size=4
        )
    ),
    max_leaves=20,
)


@settings(**COMMON)
@given(yaml_values)
def test_random_yaml_gives_a_located_error_or_a_value(value):
    from fiche.model.content import LanguageFile
    from fiche.model.validation import validate

    text = yaml.safe_dump(value, allow_unicode=True)
    try:
        src = parse_yaml(text, "x.yaml")
        validate(LanguageFile, src)
    except FicheError as e:
        assert all(p.path == "x.yaml" for p in e.problems)


# --- school profiles and layouts: hostile values never end in anything but a located error

BUILDS = 60 if SLOW else 3  # examples that go on to build a sheet (a second or two each)
HOSTILE = [
    "",
    " ",
    "\u00a0",
    "{sheet}",
    "{sheet.__class__.__mro__}",
    "{sheet:>50000000}",
    "{0}{1}",
    "%s%n%x",
    "\x00",
    "a\u200bb",
    "\ufeff",
    "\uffff",
    "e\u0301\u0301\u0301\u0301",
    "\u202e" + "olleh",
    "../../layouts/school",
    "/dev/zero",
    "C:\\x",
    "x" * 5000,
    "é" * 300,
    "<b>&amp;</b>",
    "line\nbreak",
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE), st.text(max_size=40), st.integers(), st.none(), st.booleans(),
    st.lists(st.integers(), max_size=2), st.floats(allow_nan=True),
)  # fmt: skip
URLS = [
    "https://www.school.be/fiches/{lang}/{sheet}.pdf",
    "http://school.be:8080/{sheet}?l={lang}",
    "https://{lang}.school.be/{sheet}",
    "mailto:zorg@school.be",
    "https://school.be/" + "x" * 150,
    "https://school.be/{sheet.__class__.__mro__}",
    "https://school.be/{sheet:>50000000}",
    "https://school.be/{{sheet}}",
    "https://school.be/{sheet",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "https://",
    "https://:80/",
    "https://x.be:99999/",
    "https://x.be:port/",
    "https://[::1]/",
    "https://user@x.be/",
    "https://x..be/",
    "https://é.be/",
    "mailto:",
    "mailto:a@b",
    "www.school.be",
]
urls = st.one_of(
    st.sampled_from(URLS),
    st.builds(
        str.__add__,
        st.sampled_from(["https://", "http://", "mailto:", "ftp://", "HTTPS://", ""]),
        st.text(max_size=60),
    ),
    hostile_text,
)
languages = st.one_of(
    st.sampled_from(["nl", "fr", "en", "de", "it", "NL", "xx", "../x"]), hostile_text
)


def _maybe(draw, good, bad):
    """Mostly a good value (so that some schools get as far as a build), sometimes a bad one."""
    return draw(bad) if draw(st.integers(0, 3)) == 0 else draw(good)


@st.composite
def schools(draw) -> dict:
    name = st.sampled_from(["Sint-Jozefscollege", "École du Centre", "Schule am See"])
    person = st.sampled_from(["Els Peeters", "Jan", "Marie-Claire Dubois-Van den Bossche"])
    data = {
        "name": _maybe(draw, name, hostile_text),
        "language": _maybe(draw, st.sampled_from(["nl", "fr", "en", "de"]), languages),
        "contact": {"person": _maybe(draw, person, hostile_text)},
    }
    optional = {
        "slug": st.one_of(st.sampled_from(["sjc", "a-b-1"]), hostile_text),
        "logo": st.one_of(st.sampled_from(["logo.svg", "nope.png", "../logo.svg"]), hostile_text),
        "website": st.one_of(st.sampled_from(URLS[:4]), urls),
        "fiche_url": urls,
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            data[key] = draw(strategy)
    for key in ("role", "room_or_hours", "phone", "email"):
        if draw(st.booleans()):
            good = st.sampled_from(["zorg@school.be", "B12", "053 12 34 56", "leerkracht"])
            data["contact"][key] = _maybe(draw, good, hostile_text)
    if draw(st.integers(0, 5)) == 0:
        data.pop(draw(st.sampled_from(sorted(data))))
    if draw(st.integers(0, 5)) == 0:
        data[draw(st.sampled_from(["contact", "websit", "extra"]))] = draw(hostile_text)
    return data


def _school_project() -> Path:
    root = Path(tempfile.mkdtemp(prefix="fiche-school-"))
    for folder in ("content", "layouts", "assets", "hyphenation"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "myschool").mkdir()
    shutil.copy(REPO / "examples/logo.svg", root / "myschool/logo.svg")
    return root


def _write_school(root: Path, data: dict) -> Path:
    path = root / "myschool/school.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _built_or_located(report, path: str = "") -> None:
    """A build ended well, or failed with problems that each name a file (and, where a
    path is given, that file)."""
    if report.exit_code == 0:
        return
    problems = list(report.problems) + [p for r in report.failed for p in r.problems]
    assert report.exit_code == 2 and problems
    for p in problems:
        assert p.path and p.message, str(p)
        assert "internal error" not in p.message
        if path:  # the school file (workers name it by its full path), or content
            assert p.path.endswith(path) or p.path.startswith(("content/", "layouts/")), str(p)


@settings(**COMMON)
@given(schools())
def test_random_school_profiles_load_or_give_located_errors(data):
    from fiche.model.school import load_school

    root = Path(tempfile.mkdtemp(prefix="fiche-school-"))
    try:
        path = root / "school.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        shutil.copy(REPO / "examples/logo.svg", root / "logo.svg")
        try:
            load_school(path, "school.yaml")
        except FicheError as e:
            assert e.problems and all(p.path == "school.yaml" and p.line for p in e.problems), [
                str(p) for p in e.problems
            ]
    finally:
        shutil.rmtree(root)


@settings(**{**COMMON, "max_examples": BUILDS})
@given(schools())
@example(  # the school of examples/: builds
    data=yaml.safe_load((REPO / "examples/school.yaml").read_text(encoding="utf-8"))
)
def test_random_school_profiles_build_or_fail_with_located_errors(data):
    root = _school_project()
    try:
        path = _write_school(root, data)
        report = build(
            root,
            root / "dist",
            langs=("nl",),
            sheets=("n3-youth",),
            profiles=("screen",),
            school=path,
            jobs=1,
        )
        _built_or_located(report, "myschool/school.yaml")
    finally:
        shutil.rmtree(root)


_YOUTH = yaml.safe_load((REPO / "layouts/youth.yaml").read_text(encoding="utf-8"))
hostile_values = st.one_of(
    hostile_text,
    st.sampled_from(
        [{"cmyk": [0, 0, 0, 0]}, {"cmyk": [101, -1, 0, 0]}, {"cmyk": [0, 0]}, "#FF00AA",
         {"rgb": [1, 2, 3]}, "pink", "white", "sun", {}, [], -1, 0, 1e9, float("inf")]
    ),
)  # fmt: skip


def _paths(data, prefix: tuple = ()):
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, (*prefix, i))


def _dict_at(data: dict, path: tuple) -> dict:
    """The mapping at `path`, made (or made again, if a change replaced it) on the way."""
    for part in path:
        if not isinstance(data.get(part), dict):
            data[part] = {}
        data = data[part]
    return data


def _at(data, path: tuple):
    for part in path:
        data = data[part]
    return data


@st.composite
def mutated_layouts(draw) -> dict:
    """youth.yaml with a few values perturbed, replaced or removed, and colours,
    columns and widths changed."""
    import copy

    data = copy.deepcopy(_YOUTH)
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["number", "number", "delete", "replace", "colour", "columns"]))
        if op == "colour" and isinstance(data, dict):
            name = draw(st.sampled_from(["brand", "brand-dark", "tint", "sun", "ink", "white"]))
            cmyk = draw(st.lists(st.floats(-10, 120, allow_nan=False), min_size=4, max_size=4))
            value = draw(st.one_of(st.just({"cmyk": cmyk}), hostile_values))
            style = draw(st.sampled_from(["h1", "h3", "body", "badge", "imprint", "callout"]))
            if draw(st.booleans()):
                _dict_at(data, ("palette",))[name] = value
            elif isinstance(_dict_at(data, ("styles",)).setdefault(style, {}), dict):
                data["styles"][style]["color"] = draw(
                    st.one_of(
                        st.sampled_from(["sun", "tint", "white", "brand", "pink"]), hostile_values
                    )
                )
            continue
        if op == "columns":
            side = draw(st.sampled_from(["front", "back"]))
            regions = _dict_at(data, ("pages", side, "regions"))
            region = regions.get(draw(st.sampled_from(sorted(regions) or ["main"])))
            if not isinstance(region, dict):
                continue  # an earlier change replaced it
            region["columns"] = draw(st.integers(-1, 6))
            region["w_mm"] = draw(st.one_of(st.floats(0.5, 300), st.sampled_from([24, 30, 0, -5])))
            if draw(st.booleans()):
                region["gutter_mm"] = draw(st.floats(0, 60))
            continue
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _at(data, path[:-1]), path[-1]
        value = parent[key]
        if op == "number" and isinstance(value, int | float) and not isinstance(value, bool):
            factor = draw(st.sampled_from([0, -1, 0.01, 0.5, 1.5, 3, 100, 1e6]))
            parent[key] = value * factor + draw(st.sampled_from([0, 0.5, -0.5]))
        elif op == "delete" or (op == "number" and draw(st.booleans())):
            del parent[key]
        else:
            parent[key] = draw(hostile_values)
    return data


def _layout_project() -> Path:
    root = Path(tempfile.mkdtemp(prefix="fiche-layout-"))
    for folder in ("content", "layouts", "assets", "hyphenation"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def _layout_problems(root: Path, data) -> list:
    (root / "layouts/youth.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
    )
    problems = load_catalog(root).all_problems()  # problems, never an exception
    for p in problems:
        assert p.path and p.message, str(p)
    return problems


@settings(**COMMON)
@given(mutated_layouts())
def test_mutated_layouts_give_located_problems(data):
    root = _layout_project()
    try:
        _layout_problems(root, data)
    finally:
        shutil.rmtree(root)


def _two_columns() -> dict:
    import copy

    data = copy.deepcopy(_YOUTH)
    data["pages"]["back"]["regions"]["main"]["columns"] = 2
    data["palette"]["tint"] = {"cmyk": [10, 20, 0, 0]}
    return data


@settings(**{**COMMON, "max_examples": BUILDS})
@given(mutated_layouts())
@example(data=_two_columns())  # a change that builds
def test_mutated_layouts_build_or_fail_with_located_errors(data):
    root = _layout_project()
    try:
        if _layout_problems(root, data):
            return
        report = build(
            root, root / "dist", langs=("nl",), sheets=("n3-youth",), profiles=("screen",), jobs=1
        )
        _built_or_located(report)
    finally:
        shutil.rmtree(root)


@pytest.mark.slow
def test_long_fuzz_run_is_documented():
    """`make test-slow` sets FICHE_FUZZ=long and runs the tests above with 300 examples."""
    assert (REPO / "Makefile").read_text().count("FICHE_FUZZ=long")
