"""A block kind is one module in fiche/blocks/: adding one there is all it takes, and a
kind that lacks a part stops fiche at start-up."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fiche.model.kinds import BlockKind, KindError, kind, kinds, register
from tests.conftest import REPO, edit

# A new kind, written as a designer would: nothing else in the package names it.
QUOTE = '''"""Quote: a quoted passage in italics, indented, with an optional source line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reportlab.platypus import Flowable

from fiche.engine.context import Ctx, paragraph
from fiche.engine.flowables import Hanging
from fiche.model.content import BlockModel, Text
from fiche.model.kinds import BlockKind, Typeset, register
from fiche.model.layout import Look
from fiche.model.profiles import MM
from fiche.typeset.sheet import TBlock, TText


class Quote(BlockModel):
    kind: Literal["quote"]
    text: Text
    source: Text | None = None


@dataclass(frozen=True)
class TQuote(TBlock):
    cite: TText | None = None


@register
class QuoteKind(BlockKind):
    name = "quote"
    model = Quote

    def typeset(self, bid: str, block: Quote, t: Typeset, root: Path) -> TQuote:
        text = t(block.text, ("blocks", bid, "text"))
        text = TText(f"<i>{text.markup}</i>", text.plain, text.origin)
        cite = t(block.source, ("blocks", bid, "source")) if block.source else None
        return TQuote(bid, "quote", text=text, cite=cite)

    def flowables(self, ctx: Ctx, b: TQuote, st: dict) -> list[Flowable]:
        lines = [(b.text, "body", "P")]
        if b.cite:
            lines.append((b.cite, "small", "Caption"))
        out: list[Flowable] = []
        for t, role, tag in lines:
            chain = (("BlockQuote", b.id), (tag, f"{b.id}/{tag}"))
            out.append(Hanging(paragraph(ctx, t, st[role], chain=chain), 6 * MM, None, 0.0))
        return out

    def styles(self, block: Quote, look: Look) -> list[tuple[str, str | None]]:
        return [("body", None)] + ([("small", None)] if block.source else [])

    def texts(self, b: TQuote) -> list[str]:
        return [b.text.plain] + ([b.cite.plain] if b.cite else [])
'''

QUOTE_BLOCK = """blocks:
  a-quote:
    kind: quote
    text: Wie zwijgt, stemt niet altijd toe.
    source: Een oud spreekwoord
"""


def _copy(tmp_path: Path) -> Path:
    """The whole project, package included, in a folder a test may change."""
    dest = tmp_path / "copy"
    junk = shutil.ignore_patterns(".git", ".venv", "dist*", "__pycache__", "*.egg-info", ".*_cache")
    shutil.copytree(REPO, dest, ignore=junk)
    return dest


def _run(copy: Path, *args: str) -> subprocess.CompletedProcess:
    """`python *args` with the copy's fiche, not this checkout's."""
    env = {**os.environ, "PYTHONPATH": str(copy)}
    return subprocess.run(
        [sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, timeout=600
    )


def test_the_shipped_kinds_are_registered():
    names = [k.name for k in kinds()]
    assert names == ["heading", "paragraph", "list", "tips", "callout", "definition", "image"]


def test_a_new_kind_is_one_module(tmp_path: Path):
    copy = _copy(tmp_path)
    (copy / "fiche/blocks/quote.py").write_text(QUOTE, encoding="utf-8")
    for lang in ("nl", "fr", "en", "de"):
        edit(copy / f"content/n3/{lang}.yaml", "blocks:\n", QUOTE_BLOCK)
    edit(copy / "content/n3/fiche.yaml", "main: [what, why, not-new]", "main: [what, a-quote]")

    out = copy / "out"
    build = _run(
        copy, "-m", "fiche", "build", "--root", str(copy), "--out", str(out), "-q", "-j", "1",
        "--lang", "nl", "--sheet", "n3-youth", "--profile", "screen",
    )  # fmt: skip
    assert build.returncode == 0, build.stdout + build.stderr

    from fiche.check.textcheck import extract_pages

    front = extract_pages((out / "nl/n3-youth.screen.pdf").read_bytes())[0]
    words = " ".join(front.split())
    assert "Wie zwijgt, stemt niet altijd toe." in words
    assert "Een oud spreekwoord" in words

    # The contrast check asks the kind which styles its texts are set in.
    probe = _run(
        copy,
        "-c",
        "from pathlib import Path\n"
        "from fiche.model.catalog import load_catalog\n"
        "from fiche.model.contrast import _styles_of\n"
        "cat = load_catalog(Path('.'))\n"
        "layout = cat.layouts['youth']\n"
        "block = cat.fiches['n3'].langs['nl'].blocks['a-quote']\n"
        "print(_styles_of(layout, layout.pages.front.regions['main'], [block]))\n",
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "[('body', None), ('small', None)]"

    schemas = copy / "new-schemas"
    made = _run(copy, "-m", "fiche", "schema", "--root", str(copy), "--out", str(schemas))
    assert made.returncode == 0, made.stdout + made.stderr
    schema = json.loads((schemas / "content.schema.json").read_text(encoding="utf-8"))
    (union,) = schema["properties"]["blocks"]["patternProperties"].values()
    assert union["discriminator"]["mapping"]["quote"] == "#/$defs/Quote"
    assert union["oneOf"][-1] == {"$ref": "#/$defs/Quote"}  # new kinds come last
    assert set(schema["$defs"]["Quote"]["properties"]) >= {"kind", "text", "source"}


def test_a_kind_missing_a_part_stops_fiche_at_start_up(tmp_path: Path):
    copy = _copy(tmp_path)
    broken = QUOTE.replace("    def texts(", "    def _texts(")
    (copy / "fiche/blocks/quote.py").write_text(broken, encoding="utf-8")
    result = _run(copy, "-m", "fiche", "list")
    assert result.returncode != 0
    assert "KindError: block kind fiche.blocks.quote.QuoteKind lacks: texts" in result.stderr

    (copy / "fiche/blocks/quote.py").write_text(QUOTE.replace("@register\n", ""), "utf-8")
    result = _run(copy, "-m", "fiche", "list")
    assert result.returncode != 0
    assert "KindError: fiche.blocks.quote registers no block kind" in result.stderr


def test_registering_checks_every_part():
    from typing import Literal

    from fiche.model.content import BlockModel

    class Half(BlockKind):
        name = "half"

        def typeset(self, bid, block, t, root): ...

    with pytest.raises(KindError, match=r"Half lacks: flowables, styles, texts, model"):
        register(Half)

    class Other(BlockModel):
        kind: Literal["other"]

    class Misnamed(BlockKind):
        name = "misnamed"
        model = Other
        typeset = flowables = styles = texts = lambda self, *a: None

    with pytest.raises(KindError, match=r"Other.kind must be Literal\['misnamed'\]"):
        register(Misnamed)

    class Twice(Misnamed):
        name = "heading"
        model = kind("heading").model

    with pytest.raises(KindError, match="kind 'heading' is already fiche.blocks.heading"):
        register(Twice)
    assert "misnamed" not in [k.name for k in kinds()]
