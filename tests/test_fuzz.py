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

from fiche.build import build
from fiche.catalog import load_catalog
from fiche.errors import FicheError
from fiche.source import parse_yaml

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
@example(  # found by the long run: text that itself contains "(cid:"
    blocks={"b0": {"kind": "paragraph", "text": "0 0 0 (cid:"}}
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
    from fiche.content import LanguageFile
    from fiche.validation import validate

    text = yaml.safe_dump(value, allow_unicode=True)
    try:
        src = parse_yaml(text, "x.yaml")
        validate(LanguageFile, src)
    except FicheError as e:
        assert all(p.path == "x.yaml" for p in e.problems)


@pytest.mark.slow
def test_long_fuzz_run_is_documented():
    """`make test-slow` sets FICHE_FUZZ=long and runs the tests above with 300 examples."""
    assert (REPO / "Makefile").read_text().count("FICHE_FUZZ=long")
