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

from fiche.model.kinds import BlockKind, BlockModel, KindError, kind, kinds, register
from tests.conftest import REPO, edit

# A new kind, written as a designer would: nothing else in the package names it. It
# sets its text in a role of its own, `quote`, which a layout must then define.
QUOTE = '''"""Quote: a quoted passage in italics, indented, maybe with who said it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from fiche.model.content import Text
from fiche.model.kinds import BlockKind, BlockModel, Typeset, register
from fiche.model.layout import Look
from fiche.typeset.sheet import TBlock, TText

if TYPE_CHECKING:
    from fiche.engine.context import Ctx
    from fiche.engine.flowables import BlockFlowable


class Quote(BlockModel):
    kind: Literal["quote"]
    text: Text
    cite: Text | None = None
    indent_mm: float = 6.0


@dataclass(frozen=True)
class TQuote(TBlock):
    cite: TText | None = None
    indent_mm: float = 6.0


@register
class QuoteKind(BlockKind):
    name = "quote"
    model = Quote
    roles = ("quote", "small")

    def typeset(self, bid: str, block: Quote, t: Typeset, root: Path) -> TQuote:
        text = t(block.text, ("blocks", bid, "text"))
        text = TText(f"<i>{text.markup}</i>", text.plain, text.origin)
        cite = t(block.cite, ("blocks", bid, "cite")) if block.cite else None
        return TQuote(bid, "quote", text=text, cite=cite, indent_mm=block.indent_mm)

    def flowables(self, ctx: Ctx, b: TQuote, st: dict) -> list[BlockFlowable]:
        # The engine loads ReportLab: only a build that sets text needs it.
        from fiche.engine.context import paragraph
        from fiche.engine.flowables import Hanging
        from fiche.model.profiles import MM

        lines = [(b.text, "quote", "P")]
        if b.cite:
            lines.append((b.cite, "small", "Caption"))
        out: list[BlockFlowable] = []
        for t, role, tag in lines:
            chain = (("BlockQuote", b.id), (tag, f"{b.id}/{tag}"))
            para = paragraph(ctx, t, st[role], chain=chain)
            out.append(Hanging(para, b.indent_mm * MM, None, 0.0))
        return out

    def styles(self, block: Quote, look: Look) -> list[tuple[str, str | None]]:
        return [("quote", None)] + ([("small", None)] if block.cite else [])

    def texts(self, b: TQuote) -> list[str]:
        return [b.text.plain] + ([b.cite.plain] if b.cite else [])
'''

QUOTE_BLOCK = """blocks:
  a-quote:
    kind: quote
    text: Wie zwijgt, stemt niet altijd toe.
    cite: Een oud spreekwoord
    indent_mm: 8
"""
# The quote's style, in the one layout whose sheet shows a quote.
QUOTE_STYLE = "  quote: {font: lato, size_pt: [11, 13], leading: 1.35, color: brand-dark}\n"


def _with_quote(tmp_path: Path, module: str = QUOTE) -> Path:
    """A copy of the project with the quote kind, a quote on n3-youth's front, and the
    quote style in the youth layout (only)."""
    copy = _copy(tmp_path)
    (copy / "fiche/blocks/quote.py").write_text(module, encoding="utf-8")
    for lang in ("nl", "fr", "en", "de"):
        edit(copy / f"content/n3/{lang}.yaml", "blocks:\n", QUOTE_BLOCK)
    edit(copy / "content/n3/fiche.yaml", "main: [what, why, not-new]", "main: [what, a-quote]")
    edit(copy / "layouts/youth.yaml", "styles:\n", "styles:\n" + QUOTE_STYLE)
    return copy


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
    copy = _with_quote(tmp_path)
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

    # The contrast check asks the kind which styles its texts are set in, and the
    # typeset block carries the kind's own fields.
    probe = _run(
        copy,
        "-c",
        "from pathlib import Path\n"
        "from fiche.model.catalog import load_catalog\n"
        "from fiche.model.contrast import _styles_of\n"
        "from fiche.model.jobs import Job\n"
        "from fiche.typeset.sheet import typeset\n"
        "cat = load_catalog(Path('.'))\n"
        "layout = cat.layouts['youth']\n"
        "block = cat.fiches['n3'].langs['nl'].blocks['a-quote']\n"
        "print(_styles_of(layout, layout.pages.front.regions['main'], [block]))\n"
        "sheet = typeset(cat, Job('n3', 'n3-youth', 'nl'))\n"
        "b = next(b for r in sheet.pages[0].regions for b in r.blocks if b.kind == 'quote')\n"
        "print(type(b).__name__, b.indent_mm, b.cite.plain)\n",
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.splitlines() == [
        "[('quote', None), ('small', None)]",
        "TQuote 8.0 Een oud spreekwoord",
    ]

    schemas = copy / "new-schemas"
    made = _run(copy, "-m", "fiche", "schema", "--root", str(copy), "--out", str(schemas))
    assert made.returncode == 0, made.stdout + made.stderr
    schema = json.loads((schemas / "content.schema.json").read_text(encoding="utf-8"))
    (union,) = schema["properties"]["blocks"]["patternProperties"].values()
    assert union["discriminator"]["mapping"]["quote"] == "#/$defs/Quote"
    assert union["oneOf"][-1] == {"$ref": "#/$defs/Quote"}  # new kinds come last
    assert set(schema["$defs"]["Quote"]["properties"]) >= {"kind", "text", "cite", "indent_mm"}


def test_a_layout_lacking_a_kinds_style_is_a_validation_error(tmp_path: Path):
    """Every layout must define the roles of every kind: those without the quote style
    are named, at their `styles`, and a sheet on one of them is never built."""
    copy = _with_quote(tmp_path)
    result = _run(copy, "-m", "fiche", "validate", "--root", str(copy))
    assert result.returncode == 2, result.stdout + result.stderr
    said = result.stdout + result.stderr
    assert "Traceback" not in said and "internal error" not in said
    missing = [line for line in said.splitlines() if "style 'quote' is missing" in line]
    # at the layout's `styles`, where the missing style belongs (its first line)
    for name in ("original", "school"):
        text = (copy / f"layouts/{name}.yaml").read_text(encoding="utf-8")
        line = text.splitlines().index("styles:") + 2
        assert any(f"layouts/{name}.yaml:{line}:" in m for m in missing), said
    assert not any("youth.yaml" in m for m in missing), said
    assert "every layout needs: h1, h2, h3, body, lead, small, " in missing[0]
    assert ", term, quote, imprint, imprint-title)" in missing[0]

    # Sheets on the youth layout still build; one on a layout without the style stops
    # with the layout's problem (exit 2), where it used to die of a KeyError.
    edit(copy / "content/n3/fiche.yaml", "layout: youth", "layout: original")
    build = _run(
        copy, "-m", "fiche", "build", "--root", str(copy), "--out", str(copy / "out"), "-q",
        "-j", "1", "--lang", "nl", "--sheet", "n3-youth", "--profile", "screen",
    )  # fmt: skip
    assert build.returncode == 2, build.stdout + build.stderr
    assert "style 'quote' is missing" in build.stdout + build.stderr
    assert "KeyError" not in build.stdout + build.stderr


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

    # A kind that asks for the registry while the kinds load would see only some.
    early = QUOTE.replace("@register\n", "kinds()\n\n\n@register\n").replace(
        "import BlockKind,", "import kinds, BlockKind,"
    )
    (copy / "fiche/blocks/quote.py").write_text(early, "utf-8")
    result = _run(copy, "-m", "fiche", "list")
    assert result.returncode != 0
    assert "KindError: the block kinds were asked for while fiche.blocks is loading" in (
        result.stderr
    )


def test_registering_checks_every_part():
    from typing import Literal

    class Half(BlockKind):
        name = "half"

        def typeset(self, bid, block, t, root): ...

    with pytest.raises(KindError, match=r"Half lacks: flowables, styles, texts, model, roles"):
        register(Half)

    class Other(BlockModel):
        kind: Literal["other"]

    class Misnamed(BlockKind):
        name = "misnamed"
        model = Other
        roles = ()
        typeset = flowables = styles = texts = lambda self, *a: None

    with pytest.raises(KindError, match=r"Other.kind must be Literal\['misnamed'\]"):
        register(Misnamed)

    class Twice(Misnamed):
        name = "heading"
        model = kind("heading").model

    with pytest.raises(KindError, match="kind 'heading' is already fiche.blocks.heading"):
        register(Twice)

    class Cited(BlockModel):
        kind: Literal["cited"]
        source: str  # a citation: but every block's `source` is a translation's hash
        todo: str

    class Citing(Misnamed):
        name = "cited"
        model = Cited

    with pytest.raises(KindError, match="Cited redefines source, todo, which every block has"):
        register(Citing)

    class Plain(BlockModel):
        kind: Literal["plain"]

    class Stringly(Misnamed):
        name = "plain"
        model = Plain
        roles = "body"  # type: ignore[assignment]

    with pytest.raises(KindError, match="roles must be a tuple of style names"):
        register(Stringly)
    assert not {"misnamed", "cited", "plain"} & {k.name for k in kinds()}


class _Foreign(BlockKind):
    """A kind whose parts break the engine's and the contrast check's expectations."""

    name = "foreign"
    roles = ("body",)

    def flowables(self, ctx, b, st):
        from reportlab.platypus import Spacer

        return [Spacer(1, 1)]

    def styles(self, block, look):
        return [("body", None), ("shout", None)]

    typeset = texts = lambda self, *a: []


def test_a_kind_must_give_fiches_flowables(monkeypatch):
    import fiche.engine.blocks as engine_blocks
    from fiche.typeset.sheet import TBlock

    monkeypatch.setattr(engine_blocks, "kind", lambda name: _Foreign())
    with pytest.raises(KindError, match=r"_Foreign: flowables gave a Spacer, not a BlockFlowable"):
        engine_blocks.region_flowables(None, (TBlock("b", "foreign"),), {})  # type: ignore[arg-type]


def test_a_kind_sets_text_only_in_the_roles_it_declares(monkeypatch):
    import fiche.model.contrast as contrast
    from fiche.model.catalog import load_catalog

    cat = load_catalog(REPO)
    layout = cat.layouts["youth"]
    block = cat.fiches["n3"].langs["nl"].blocks["what"]
    monkeypatch.setattr(contrast, "kind", lambda name: _Foreign())
    with pytest.raises(KindError, match="styles gave role 'shout', which is not in its roles"):
        contrast._styles_of(layout, layout.pages.front.regions["main"], [block])


def test_the_layout_check_asks_the_kinds_for_their_roles():
    from fiche.model.kinds import roles
    from fiche.model.layout import required_styles

    assert set(kind("paragraph").roles) == {"body", "lead", "small"}
    assert kind("image").roles == ()
    assert required_styles() == (*roles(), "imprint", "imprint-title")
    assert "quote" not in required_styles()  # only the kinds registered here


def test_the_files_a_kind_names_are_checked_and_hashed(project):
    """The catalogue's path checks and the build's input hash ask the kind which files a
    block reads: a picture's bytes change the job's hash, as a missing one stops it."""
    from PIL import Image

    from fiche.build.inputs import job_input_hash
    from fiche.model.catalog import load_catalog
    from fiche.model.jobs import Job
    from fiche.model.profiles import profile_for

    assert kind("paragraph").files(None) == ()
    picture = project / "assets/images/phone.png"
    Image.new("RGB", (60, 30), (230, 40, 120)).save(picture)
    edit(
        project / "content/n3/nl.yaml",
        "blocks:\n",
        "blocks:\n  logo:\n    kind: image\n    src: phone.png\n    decorative: true\n",
    )
    edit(project / "content/n3/fiche.yaml", "main: [careful, spread]", "main: [logo, careful]")
    job, profile = Job("n3", "n3-youth", "nl"), profile_for("print")

    cat = load_catalog(project)
    assert cat.job_problems(job) == []
    block = cat.fiches["n3"].langs["nl"].blocks["logo"]
    assert kind("image").files(block) == [(("src",), "phone.png")]
    before = job_input_hash(cat, job, profile)
    Image.new("RGB", (60, 30), (40, 230, 120)).save(picture)
    assert job_input_hash(load_catalog(project), job, profile) != before

    picture.unlink()
    problems = [str(p) for p in load_catalog(project).job_problems(job)]
    assert any(
        "blocks.logo.src: image 'phone.png' not found in assets/images" in p for p in problems
    )


@pytest.mark.parametrize("command", ["status", "validate"])
def test_commands_that_set_no_text_load_no_engine(command: str):
    """The kinds are loaded (the content model needs them), but not their engine parts."""
    code = (
        "import sys\n"
        "from fiche.cli import main\n"
        "try:\n"
        f"    main([{command!r}, '--root', {str(REPO)!r}])\n"
        "except SystemExit as e:\n"
        "    print(e.code)\n"
        "print(*(m in sys.modules for m in ('fiche.blocks', 'reportlab', 'pikepdf', 'pyphen')))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout.splitlines()
    assert out[-2:] == ["0", "True False False False"]
