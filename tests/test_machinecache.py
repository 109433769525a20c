"""pyphen's patterns kept once per machine (`fiche.typeset.hyphcache`)."""

from __future__ import annotations

import marshal
from pathlib import Path

import pyphen
import pytest

from fiche.typeset.hyphcache import patterns

# French: the smallest of the shipped dictionaries, parsed in milliseconds (German takes
# half a second, and these tests parse it again and again).
DIC = pyphen.LANGUAGES[pyphen.language_fallback("fr")]
WORDS = ["harcèlement", "confidentialité", "renseignements", "établissement"]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("FICHE_CACHE_DIR", str(tmp_path))
    return tmp_path / "hyphen"


def _positions(hd) -> list[list[int]]:
    return [hd.positions(w.lower()) for w in WORDS]


def test_the_cached_patterns_are_pyphens_own(cache: Path):
    parsed = pyphen.HyphDict(DIC)
    first = patterns(DIC, pyphen.__version__, pyphen.HyphDict)  # parses, then stores
    (stored,) = cache.iterdir()
    again = patterns(DIC, pyphen.__version__, pyphen.HyphDict)  # read from the cache
    assert again.patterns == first.patterns == parsed.patterns
    assert again.maxlen == parsed.maxlen
    assert _positions(again) == _positions(parsed)
    assert stored.name.startswith(f"{DIC.stem}-")


def test_another_pyphen_version_parses_anew(cache: Path):
    patterns(DIC, "0.0.1", pyphen.HyphDict)
    patterns(DIC, "0.0.2", pyphen.HyphDict)
    assert len(list(cache.iterdir())) == 2


@pytest.mark.parametrize(
    "content",
    [
        b"not marshal at all",
        marshal.dumps({"ab": "c"}),
        marshal.dumps((3, {"ab": (0, ("1",))})),
        marshal.dumps((3, {"ab": (0, (1,), 2)})),
        b"",
    ],
)
def test_a_cache_file_that_is_not_the_table_is_ignored(cache: Path, content: bytes):
    patterns(DIC, pyphen.__version__, pyphen.HyphDict)
    (stored,) = cache.iterdir()
    stored.write_bytes(content)
    hd = patterns(DIC, pyphen.__version__, pyphen.HyphDict)
    assert hd.patterns == pyphen.HyphDict(DIC).patterns


def test_a_cache_folder_that_cannot_be_written_changes_nothing(tmp_path: Path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("FICHE_CACHE_DIR", str(blocker))
    hd = patterns(DIC, pyphen.__version__, pyphen.HyphDict)
    assert _positions(hd) == _positions(pyphen.HyphDict(DIC))


def test_the_colour_profile_is_compressed_once_per_machine(tmp_path: Path, monkeypatch):
    import zlib

    from fiche.core.colour import icc_path
    from fiche.pdf.postprocess import _deflated

    from .conftest import REPO

    monkeypatch.setenv("FICHE_CACHE_DIR", str(tmp_path))
    icc = icc_path(REPO / "assets")
    args = (str(icc), icc.stat().st_size, icc.stat().st_mtime_ns)
    _deflated.cache_clear()
    first = _deflated(*args)
    (stored,) = (tmp_path / "icc").iterdir()
    _deflated.cache_clear()
    assert _deflated(*args) == first == zlib.compress(icc.read_bytes())
    # an entry that does not inflate back to the profile is not used
    for bad in (b"junk", zlib.compress(b"another profile")):
        stored.write_bytes(bad)
        _deflated.cache_clear()
        assert _deflated(*args) == first
    _deflated.cache_clear()
