"""Design numbers live in the layout (`look.markers`, `look.badge`, `look.image`,
`look.imprint`): written out at their defaults they draw what the code drew before,
and each one, changed, changes the drawing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest
import yaml

from fiche.build.run import build
from fiche.model.layout import BadgeLook, ImageLook, ImprintLook, MarkerLook
from tests.conftest import REPO, edit, write_school

GROUPS = {"markers": MarkerLook, "badge": BadgeLook, "image": ImageLook, "imprint": ImprintLook}

# Blocks that show every marker, a badge and a picture on the back of n3-youth, whose
# front has the arrow, plus and minus lists and the numbered meanings of a definition.
BLOCKS = """\
  numbers-picture:
    kind: image
    src: phone.png
    alt: Een gsm met een hartje
    width_mm: 20

  numbers-bullets:
    kind: list
    items:
      - Een punt.
      - text: Een punt met meer.
        items: [Een streepje.]

  numbers-tips:
    kind: tips
    items: [Een tip.]

"""


def _project(root: Path) -> Path:
    from PIL import Image

    for name in ("content", "layouts", "assets"):
        shutil.copytree(REPO / name, root / name)
    Image.new("RGB", (600, 300), (230, 40, 120)).save(root / "assets/images/phone.png")
    edit(root / "content/n3/nl.yaml", "  # --- on every sheet", BLOCKS + "  # --- on every sheet")
    edit(
        root / "content/n3/fiche.yaml",
        "main: [careful, spread]",
        "main: [numbers-picture, numbers-bullets, numbers-tips, careful]",
    )
    return root


def _set_look(root: Path, values: dict[str, dict]) -> None:
    """`look.<group>.<field>` values written into the base layout every layout extends."""
    text = yaml.safe_dump(values, sort_keys=False, default_flow_style=None)
    indented = "".join(f"  {line}\n" for line in text.splitlines())
    edit(root / "layouts/_base.yaml", "  tip_indent_mm: 8\n", "  tip_indent_mm: 8\n" + indented)


def _build(root: Path, school: bool) -> Path:
    report = build(
        root,
        root / "dist",
        langs=("nl",),
        sheets=("n3-youth",),
        profiles=("screen",),  # the profile with the fillable field over the ruled lines
        school=write_school(root) if school else None,
        force=True,
    )
    assert report.exit_code == 0, [str(p) for r in report.failed for p in r.problems]
    (built,) = report.built
    return Path(built.path)


def _drawing(pdf_path: Path) -> list[bytes]:
    """What each page draws: its content stream, and its form fields' appearance."""
    out = []
    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            out.append(pikepdf.unparse_content_stream(pikepdf.parse_content_stream(page)))
            for annot in page.get("/Annots", []):
                out.append(str(annot.get("/DA", "")).encode())
    return out


@pytest.fixture(scope="module")
def defaults(tmp_path_factory) -> dict[bool, tuple[bytes, list[bytes]]]:
    """The test sheet as the layouts draw it today, without and with a school: PDF
    bytes and drawing."""
    out = {}
    for school in (False, True):
        root = _project(tmp_path_factory.mktemp("today"))
        pdf = _build(root, school)
        out[school] = (pdf.read_bytes(), _drawing(pdf))
    return out


@pytest.mark.parametrize("school", [False, True], ids=["ruled", "school"])
def test_every_default_written_out_draws_the_same_bytes(tmp_path, defaults, school):
    root = _project(tmp_path)
    _set_look(root, {name: model().model_dump() for name, model in GROUPS.items()})
    assert _build(root, school).read_bytes() == defaults[school][0]


CHANGES = [
    ("markers", "middle", 0.3, False),
    ("markers", "text_gap", 0.8, False),
    ("markers", "min_indent", 3.0, False),
    ("markers", "nested_indent", 3.0, False),
    ("markers", "stroke", 0.2, False),
    ("markers", "bullet_radius", 0.25, False),
    ("markers", "dash_half_width", 0.3, False),
    ("markers", "check", [[-0.3, 0.0], [-0.1, -0.2], [0.3, 0.3]], False),
    ("markers", "plus_stroke", 0.2, False),
    ("markers", "plus_half_width", 0.3, False),
    ("markers", "arrow", [[-0.2, 0.2], [0.2, 0.0], [-0.2, -0.2]], False),
    ("badge", "radius", 1.0, False),
    ("badge", "number_middle", 0.3, False),
    ("badge", "text_gap_mm", 5.0, False),
    ("image", "space_after_pt", 12.0, False),
    ("imprint", "rule_width_pt", 1.0, False),
    ("imprint", "rule_spacing", 2.0, False),
    ("imprint", "rule_top", 1.0, False),
    ("imprint", "field_font_pt", 11, False),
    ("imprint", "gap_mm", 6.0, True),
    ("imprint", "logo_max_aspect", 0.5, True),
    ("imprint", "logo_max_share", 0.05, True),
    ("imprint", "qr_quiet_zone", 4, True),
]


def test_every_number_is_tried():
    tried = {(group, field) for group, field, _, _ in CHANGES}
    assert tried == {(g, f) for g, model in GROUPS.items() for f in model.model_fields}


@pytest.mark.parametrize(
    "group, field, value, school", CHANGES, ids=[f"{g}.{f}" for g, f, _, _ in CHANGES]
)
def test_a_changed_number_changes_the_drawing(tmp_path, defaults, group, field, value, school):
    assert getattr(GROUPS[group](), field) != value
    root = _project(tmp_path)
    _set_look(root, {group: {field: value}})
    assert _drawing(_build(root, school)) != defaults[school][1]


@pytest.mark.parametrize(
    "group, field, value",
    [
        ("markers", "stroke", -0.1),
        ("markers", "check", [[0.0, 0.0], [0.1, 0.1]]),
        ("markers", "arrow", [[0.0, 2.0], [0.1, 0.1], [0.2, 0.2]]),
        ("badge", "radius", 4.0),
        ("imprint", "logo_max_share", 0.0),
        ("imprint", "field_font_pt", 9.5),
    ],
)
def test_numbers_out_of_bounds_are_refused_with_their_place(tmp_path, group, field, value):
    from fiche.model.catalog import load_catalog

    root = _project(tmp_path)
    _set_look(root, {group: {field: value}})
    problems = [str(p) for ps in load_catalog(root).layout_problems.values() for p in ps]
    assert problems and all(f"look.{group}.{field}" in p for p in problems), problems
