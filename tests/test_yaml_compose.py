"""libyaml is only a faster way to the same result: every file reads into the same data,
the same positions and the same errors as with PyYAML's pure-Python parser."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from fiche.core.errors import FicheError
from fiche.model import yamlcompose
from fiche.model.source import Source, parse_yaml

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(
    [*ROOT.glob("content/*/*.yaml"), *ROOT.glob("layouts/*.yaml"), *ROOT.glob("examples/*.yaml")]
)

needs_libyaml = pytest.mark.skipif(yamlcompose._FAST is None, reason="PyYAML without libyaml")


def _outcome(text: str) -> tuple | str:
    """What parse_yaml makes of `text`: its data and positions, or its error."""
    try:
        src: Source = parse_yaml(text, "x.yaml")
    except FicheError as e:
        return str(e)
    return src.data, src.marks, src.key_marks


def _pure(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple | str:
    with monkeypatch.context() as m:
        m.setattr(yamlcompose, "_FAST", None)
        return _outcome(text)


@needs_libyaml
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_files_take_the_fast_way_to_the_same_source(path, monkeypatch):
    text = path.read_text(encoding="utf-8")
    assert yamlcompose._fast_enough(text)
    node = yamlcompose.yaml.compose(text, Loader=yamlcompose._FAST)
    assert not yamlcompose._read_otherwise(node)
    assert _outcome(text) == _pure(text, monkeypatch)


# Where libyaml and the pure-Python parser part ways: each must read as the latter reads it.
TRICKY = [
    "a: b\tc\n",  # libyaml allows the tab; PyYAML refuses it, at its column
    "a: x\nb: c\ufeffd: e\n",  # a byte order mark libyaml does not count as a column
    "a: {b: c?d}\n",  # libyaml reads on past "?" in a flow collection
    "a: {b: lato? , c: 1}\n",
    "a: {w_mm: , h_mm: 2}\n",  # an empty value, one column further on for libyaml
    "a: [1, , 2]\n",
    "a:\nb: 1\n",
    "a: [x, !!binar, 75]\n",  # where a tag ends, in a flow collection
    "a: !!str, 1\n",
    "a: !foo x\n",
    "a: &x [1, *x]\n",  # an alias to itself
    "a: *nowhere\n",
    "a: 1\na: 2\n",
    "--- 1\n--- 2\n",
    "a: 'unclosed\n",
    "a: [1, 2\n",
    "  - a\n - b\n",
    "a: b: c\n",
    "? [a]\n: 1\n",
    "a: 1\n\x85b: 2\u2028c: 3\n",
    "a: |\n  Stop! Arrête ! Quoi ?\nb: 'c?d'\n",
    "",
    "# only a comment\n",
    "[1, 2]\n",
]


@needs_libyaml
@pytest.mark.parametrize("text", TRICKY)
def test_where_libyaml_differs_the_pure_reading_wins(text, monkeypatch):
    assert _outcome(text) == _pure(text, monkeypatch)


@pytest.mark.parametrize("depth", [600, 100_000])
def test_deep_nesting_is_an_input_error_not_a_crash(depth):
    # libyaml would overflow the C stack at this depth and kill the process.
    with pytest.raises(FicheError) as e:
        parse_yaml("a: " + "[" * depth + "]" * depth + "\n", "x.yaml")
    assert str(e.value).startswith("x.yaml: values nested too deeply")


_ATOMS = [
    "\t", " ", ":", ": ", "- ", '"', "'", "\n", "\r\n", "&a ", "*a", "!!str ", "!x ", "|",
    ">", " #c", "---\n", "? ", "?", "[", "]", "{", "}", ",", "<<: ", "é", "😀", "~", "yes",
    "0x1F", "1e3", "\n  ", "%", "!", "&", "*", "\x85", "\u2028",
]  # fmt: skip


@needs_libyaml
def test_mangled_files_read_alike(monkeypatch):
    """Pieces of the shipped files, mangled at random (with a fixed seed): the same
    data, positions and errors either way."""
    rng = random.Random(16)
    texts = [p.read_text(encoding="utf-8").splitlines(keepends=True) for p in SHIPPED]
    for _ in range(300):
        lines = rng.choice(texts)
        start = rng.randrange(len(lines))
        doc = "".join(lines[start : start + rng.randint(1, 20)])
        for _ in range(rng.randint(0, 3)):
            at = rng.randrange(len(doc) + 1)
            if rng.random() < 0.7:
                doc = doc[:at] + rng.choice(_ATOMS) + doc[at:]
            else:
                doc = doc[:at] + doc[at + rng.randint(1, 4) :]
        assert _outcome(doc) == _pure(doc, monkeypatch), repr(doc)
