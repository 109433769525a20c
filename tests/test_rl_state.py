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
from typing import NamedTuple

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


class Declared(NamedTuple):
    """fiche's classes, by name, with the attributes each declares (in its body or on
    `self`) or inherits from the classes of fiche's it is made from; and those made
    from one of ReportLab's (its flowables)."""

    attributes: dict[str, set[str]]
    reportlab_based: set[str]


def _declared_by_fiche(modules: list[tuple[Path, ast.Module]]) -> Declared:
    own: dict[str, set[str]] = {}
    bases: dict[str, set[str]] = {}
    rl_based: set[str] = set()
    for _, tree in modules:
        origins = _origins(tree)
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            if any(
                origins.get(b.id, "").startswith("reportlab")
                for b in cls.bases
                if isinstance(b, ast.Name)
            ):
                rl_based.add(cls.name)
            names = own.setdefault(cls.name, set())
            bases.setdefault(cls.name, set()).update(
                b.id for b in cls.bases if isinstance(b, ast.Name)
            )
            for node in ast.walk(cls):
                if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    names.add(node.target.id)
                for t in _targets(node):
                    if isinstance(t, ast.Attribute) and _is_self(t.value):
                        names.add(t.attr)

    def ancestors(name: str, seen: frozenset[str]) -> set[str]:
        out = {name}
        for base in bases.get(name, set()) - seen:
            out |= ancestors(base, seen | {name})
        return out

    lines = {name: ancestors(name, frozenset()) for name in own}
    return Declared(
        {name: set().union(*(own.get(a, set()) for a in line)) for name, line in lines.items()},
        {name for name, line in lines.items() if line & rl_based},
    )


def _origins(tree: ast.Module) -> dict[str, str]:
    """Where the module's imported names come from: name -> module."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            out.update((a.asname or a.name, node.module or "") for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(((a.asname or a.name).split(".")[0], a.name) for a in node.names)
    return out


def _handles_reportlab(origins: dict[str, str], named: set[str], declared: Declared) -> bool:
    """Whether a module may hold ReportLab's objects: it imports ReportLab, or names a
    class of fiche's made from one of ReportLab's."""
    return any(m.startswith("reportlab") for m in origins.values()) or bool(
        named & declared.reportlab_based
    )


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _scopes_of(tree: ast.Module) -> dict[ast.AST, list[ast.AST]]:
    """Each node's enclosing functions, innermost first, then the module."""
    out: dict[ast.AST, list[ast.AST]] = {}

    def visit(node: ast.AST, scopes: list[ast.AST]) -> None:
        out[node] = scopes
        inner = [node, *scopes] if isinstance(node, _FUNCTIONS) else scopes
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(tree, [tree])
    return out


def _classes_named(tree: ast.Module) -> dict[ast.AST, dict[str, ast.expr]]:
    """Per function (and the module): the names bound with the class they hold, as
    annotated (`canv: Canvas`) or constructed (`d = Drawing(...)`)."""
    scopes: dict[ast.AST, dict[str, ast.expr]] = {}
    for scope in [tree, *(n for n in ast.walk(tree) if isinstance(n, _FUNCTIONS))]:
        names = scopes.setdefault(scope, {})
        if isinstance(scope, _FUNCTIONS):
            a = scope.args
            for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs]:
                if arg.annotation is not None:
                    names[arg.arg] = arg.annotation
        for node in ast.walk(scope):
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.setdefault(node.target.id, node.annotation)
            elif (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name)
            ):
                names.setdefault(node.targets[0].id, node.value.func)
    return scopes


def _class_of(obj: ast.expr, scopes: list[dict[str, ast.expr]]) -> str | None:
    """The name of the class `obj` was annotated with or made by, if it is a name."""
    kind = (
        next((s[obj.id] for s in scopes if obj.id in s), None)
        if isinstance(obj, ast.Name)
        else None
    )
    if isinstance(kind, ast.Constant) and isinstance(kind.value, str):  # "Canvas"
        kind = ast.parse(kind.value, mode="eval").body
    if isinstance(kind, ast.BinOp):  # Canvas | None
        kind = kind.left
    if isinstance(kind, ast.Subscript):  # Optional[Canvas], list[...] (not an attribute's)
        kind = (
            kind.slice if isinstance(kind.value, ast.Name) and kind.value.id == "Optional" else None
        )
    if isinstance(kind, ast.Attribute) and isinstance(kind.value, ast.Name):  # pikepdf.Pdf
        return kind.value.id
    return kind.id if isinstance(kind, ast.Name) else None


def _settable(
    cls: str | None, origins: dict[str, str], declared: dict[str, set[str]], visible: set[str]
) -> set[str] | None:
    """The attributes fiche may set on an object of class `cls`; None: any.

    A class of ReportLab's takes only the public attributes listed above, one of
    fiche's those it declares, another library's any. An object of no known class
    takes what one of fiche's classes that the module names declares: `block_id` on
    a flowable, where the module knows fiche's flowables.
    """
    if cls is not None:
        if origins.get(cls, "").startswith("reportlab"):
            return set(RL_PUBLIC_SETTABLE)
        if cls in declared and origins.get(cls, "fiche").startswith("fiche"):
            return declared[cls]
        if not origins.get(cls, "fiche").startswith("fiche"):
            return None  # pikepdf's, multiprocessing's…; not what fiche's functions return
    return set(RL_PUBLIC_SETTABLE).union(*(declared[c] for c in visible))


def _violations(where: str, tree: ast.Module, declared: Declared) -> list[str]:
    """Where the module `tree` keeps state in ReportLab or reaches into its privates."""
    found = []
    origins = _origins(tree)
    modules_here = _imported_modules(tree)
    named = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    named |= {n for n, m in origins.items() if m.startswith("fiche")}
    visible = named & declared.attributes.keys()
    classes = _classes_named(tree)
    scopes = _scopes_of(tree)
    holds_reportlab = _handles_reportlab(origins, named, declared)
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
        if holds_reportlab:
            for t in _targets(node):
                if not isinstance(t, ast.Attribute) or _is_self(t.value):
                    continue
                cls = _class_of(t.value, [classes[s] for s in scopes[node]])
                settable = _settable(cls, origins, declared.attributes, visible)
                if settable is not None and t.attr not in settable:
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
    declared = _declared_by_fiche(_modules())
    found = _violations("sneaky.py", sneaky, declared)
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


def test_an_attribute_is_declared_by_a_class_of_the_object() -> None:
    """A name some class of fiche's declares is not free to set on any object."""
    declared = _declared_by_fiche(_modules())
    sneaky = ast.parse(
        "from reportlab.pdfgen.canvas import Canvas\n"
        "from fiche.engine.flowables import Hanging\n"
        "def f(canv: Canvas, para, flows: list) -> None:\n"
        "    canv.block_id = 'a'\n"  # declared by fiche's flowables, but this is a canvas
        "    para.outline = 1\n"  # declared by Bookmark, which this module never names
        "    for flow in flows:\n"
        "        flow.block_id = 'a'\n"  # as engine/blocks.py does: a flowable of fiche's
    )
    assert [v.split(": ", 1)[1] for v in _violations("sneaky.py", sneaky, declared)] == [
        "sets undeclared attribute block_id",
        "sets undeclared attribute outline",
    ]
    # without importing ReportLab, a module that holds fiche's flowables is scanned
    quiet = ast.parse(
        "from fiche.engine.flowables import TextParagraph\n"
        "def g(p: TextParagraph) -> None:\n"
        "    p.block_id = 'a'\n"
        "    p.hidden = 1\n"
    )
    assert [v.split(": ", 1)[1] for v in _violations("quiet.py", quiet, declared)] == [
        "sets undeclared attribute hidden"
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
    """Two files with one PostScript name: each name draws with its own file (in the
    registry; test_font_names puts such fonts in PDFs)."""
    lato = register_family("lato", FontFamily(regular="Lato-Regular.ttf"), FONTS).regular
    face_file.write_bytes(_ascii_only(FONTS / "Lato-Regular.ttf"))
    name = _register(face_file)
    assert missing_glyphs(name, "aé") == ["é"]
    assert missing_glyphs(lato, "aé") == []
    assert pdfmetrics.getFont(lato).face.charToGlyph.get(ord("é"))
