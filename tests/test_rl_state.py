"""fiche keeps no state of its own in ReportLab, and its fonts follow their files.

ReportLab is used through its public interface; what it offers no public way for
lives in `fiche/engine/rladapter.py` alone. A static scan of the package holds
the rest of it to that.
"""

from __future__ import annotations

import ast
import io
import uuid
from pathlib import Path

import pytest
from fontTools import subset
from fontTools.ttLib import TTFont as ToolsFont
from reportlab.pdfbase import pdfmetrics

from fiche.engine.fonts import missing_glyphs, register_family
from fiche.model.layout import FontFamily
from fiche.typeset.linebreak import units

from .conftest import REPO

PACKAGE = REPO / "fiche"
ADAPTER = PACKAGE / "engine" / "rladapter.py"
FONTS = REPO / "assets" / "fonts"

# Public attributes of ReportLab objects that fiche sets after making them: a
# Drawing's size (listed in its attribute map), set when an SVG logo is scaled.
RL_PUBLIC_SETTABLE = {"width", "height"}


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(), str(p))) for p in sorted(PACKAGE.rglob("*.py"))]


def _targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        found = node.targets
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        found = [node.target]
    else:
        return []
    flat: list[ast.expr] = []
    for t in found:
        flat += t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t]
    return flat


def _is_self(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id in ("self", "cls")


def _imported_modules(tree: ast.Module) -> set[str]:
    """Local names bound to modules other than ReportLab's (os, fiche's own…)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if not a.name.startswith("reportlab"):
                    names.add((a.asname or a.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("fiche"):
            names.update(a.asname or a.name for a in node.names)
    return names


def _declared_by_fiche(modules: list[tuple[Path, ast.Module]]) -> set[str]:
    """Attributes fiche's own classes declare (in their body or on `self`)."""
    names = set()
    for _, tree in modules:
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            for node in ast.walk(cls):
                if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    names.add(node.target.id)
                for t in _targets(node):
                    if isinstance(t, ast.Attribute) and _is_self(t.value):
                        names.add(t.attr)
    return names


def _violations(where: str, tree: ast.Module, declared: set[str]) -> list[str]:
    """Where the module `tree` keeps state in ReportLab or reaches into its privates."""
    found = []
    uses_reportlab = any(
        isinstance(n, (ast.Import, ast.ImportFrom))
        and any((getattr(n, "module", None) or a.name).startswith("reportlab") for a in n.names)
        for n in ast.walk(tree)
    )
    modules_here = _imported_modules(tree)
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "reportlab"
            and any(a.name == "rl_config" for a in node.names)
        ) or (
            isinstance(node, ast.Import)
            and any(a.name == "reportlab.rl_config" for a in node.names)
        ):
            found.append(f"{where}:{line}: imports ReportLab's global settings")
        if isinstance(node, ast.Attribute):
            if node.attr == "__dict__":
                found.append(f"{where}:{line}: writes past attribute checks (__dict__)")
            elif (
                node.attr.startswith("_")
                and not node.attr.startswith("__")
                and not _is_self(node.value)
                and not (isinstance(node.value, ast.Name) and node.value.id in modules_here)
            ):
                found.append(f"{where}:{line}: another object's private member {node.attr}")
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
            func = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            first = node.args[0] if node.args else None
            if func in ("setattr", "__setattr__") and not (first and _is_self(first)):
                found.append(f"{where}:{line}: sets an attribute by name ({func})")
            name = node.args[1] if len(node.args) > 1 else None
            if (
                func in ("getattr", "hasattr")
                and isinstance(name, ast.Constant)
                and str(name.value).startswith("_")
                and not (first and _is_self(first))
            ):
                found.append(f"{where}:{line}: another object's private member {name.value!s}")
        if uses_reportlab:
            for t in _targets(node):
                if (
                    isinstance(t, ast.Attribute)
                    and not _is_self(t.value)
                    and t.attr not in declared | RL_PUBLIC_SETTABLE
                ):
                    found.append(f"{where}:{line}: sets undeclared attribute {t.attr}")
    return found


def test_no_fiche_state_in_reportlab_outside_the_adapter() -> None:
    modules = _modules()
    declared = _declared_by_fiche(modules)
    found = []
    for path, tree in modules:
        if path != ADAPTER:
            found += _violations(str(path.relative_to(REPO)), tree, declared)
    assert found == []


def test_the_scan_sees_the_ways_state_was_hidden() -> None:
    """Each way fiche once kept state in ReportLab is found by the scan."""
    sneaky = ast.parse(
        "from reportlab import rl_config\n"
        "from reportlab.pdfgen.canvas import Canvas\n"
        "def f(canv: Canvas, d, para) -> None:\n"
        "    rl_config.useA85 = 0\n"
        "    canv._code.append('EMC')\n"
        "    canv._fiche_bookmarks = 1\n"
        "    d.__dict__.update(initialFillColor=None)\n"
        "    setattr(para, 'outline', 1)\n"
        "    n = getattr(canv, '_fiche_bookmarks', 0)\n"
        "    para.sneaky_outline = 1\n"
    )
    found = _violations("sneaky.py", sneaky, _declared_by_fiche(_modules()))
    assert sorted(v.split(": ", 1)[1] for v in found) == [
        "another object's private member _code",
        "another object's private member _fiche_bookmarks",
        "another object's private member _fiche_bookmarks",
        "imports ReportLab's global settings",
        "sets an attribute by name (setattr)",
        "sets undeclared attribute _fiche_bookmarks",
        "sets undeclared attribute sneaky_outline",
        "sets undeclared attribute useA85",
        "writes past attribute checks (__dict__)",
    ]


def _ascii_only(src: Path) -> bytes:
    """`src` cut down to the printable ASCII characters (same PostScript name)."""
    font = ToolsFont(str(src))
    options = subset.Options()
    options.name_IDs = ["*"]
    sub = subset.Subsetter(options)
    sub.populate(unicodes=range(0x20, 0x7F))
    sub.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@pytest.fixture
def face_file(tmp_path: Path) -> Path:
    # a name of its own: ReportLab's registry lives as long as the test process
    return tmp_path / f"Face-{uuid.uuid4().hex[:8]}.ttf"


def _register(path: Path) -> str:
    return register_family("face-" + path.stem, FontFamily(regular=path.name), path.parent).regular


def test_a_font_file_changed_under_its_name_is_registered_again(face_file: Path) -> None:
    face_file.write_bytes((FONTS / "Lato-Regular.ttf").read_bytes())
    name = _register(face_file)
    first = pdfmetrics.getFont(name)
    regular = pdfmetrics.stringWidth("Hello", name, 10)
    assert units("Hello", name) == pytest.approx(regular / 10)
    assert missing_glyphs(name, "é€") == []
    assert _register(face_file) == name and pdfmetrics.getFont(name) is first  # unchanged

    face_file.write_bytes(_ascii_only(FONTS / "Lato-Black.ttf"))
    assert _register(face_file) == name  # the same name: the PDFs of others do not change
    black = pdfmetrics.stringWidth("Hello", name, 10)
    assert black > regular
    assert units("Hello", name) == pytest.approx(black / 10)  # measured words forgotten
    assert missing_glyphs(name, "é€a") == ["é", "€"]

    face_file.write_bytes((FONTS / "Lato-Regular.ttf").read_bytes())
    assert _register(face_file) == name
    assert pdfmetrics.stringWidth("Hello", name, 10) == pytest.approx(regular)
    assert missing_glyphs(name, "é€") == []


def test_a_font_like_another_keeps_its_own_glyphs(face_file: Path) -> None:
    """Two files with one PostScript name: each name draws with its own file."""
    lato = register_family("lato", FontFamily(regular="Lato-Regular.ttf"), FONTS).regular
    face_file.write_bytes(_ascii_only(FONTS / "Lato-Regular.ttf"))
    name = _register(face_file)
    assert missing_glyphs(name, "aé") == ["é"]
    assert missing_glyphs(lato, "aé") == []
    assert pdfmetrics.getFont(lato).face.charToGlyph.get(ord("é"))
