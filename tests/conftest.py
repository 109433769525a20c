from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", help="also run slow checks")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with `make test-slow`")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the repository's content, layouts and fonts that a test may change."""
    for name in ("content", "layouts", "assets"):
        shutil.copytree(REPO / name, tmp_path / name)
    return tmp_path


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, Path]:
    """The real catalogue, built once for the session: "lang/sheet.profile" -> PDF path."""
    from fiche.build.run import build

    out = tmp_path_factory.mktemp("dist")
    report = build(REPO, out)
    assert report.exit_code == 0, "\n".join(
        str(p) for r in report.failed for p in r.problems
    ) + "\n".join(map(str, report.problems))
    return {str(Path(r.path).relative_to(out))[:-4]: Path(r.path) for r in report.built}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


def write_school(project: Path, **changes) -> Path:
    """The example school profile with `changes`, as myschool/school.yaml beside its logo."""
    import yaml

    data = yaml.safe_load((REPO / "examples/school.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    path = project / "myschool" / "school.yaml"
    path.parent.mkdir(exist_ok=True)
    shutil.copy(REPO / "examples/logo.svg", path.parent / "logo.svg")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, width=10_000), encoding="utf-8")
    return path


def build_process(project: Path, *args: str):
    """`fiche build -q` on `project` as a process of its own session (so a test can signal
    it, or its whole group), with this checkout's fiche."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "fiche", "build", "--root", str(project), "-q", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        # A shell starts background jobs with Ctrl-C ignored, and an ignored signal stays
        # ignored across exec: Python would then never raise KeyboardInterrupt, whatever
        # fiche does. Give the build the disposition a terminal's foreground job has.
        preexec_fn=_default_sigint,
    )


def _default_sigint() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def structure_texts(path: Path) -> list[list[str]]:
    """Per page, the /ActualText of its structure elements in the tree's order, as pdfium
    gives them to a screen reader (FPDF_StructElement_GetActualText): the exact text of a
    right-to-left page, whose page text each reader orders by its own guess."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    def walk(elem, out: list[str]) -> None:
        n = raw.FPDF_StructElement_GetActualText(elem, None, 0)
        if n > 2:
            buf = ctypes.create_string_buffer(n)
            raw.FPDF_StructElement_GetActualText(elem, buf, n)
            out.append(buf.raw[: n - 2].decode("utf-16-le"))
            return
        for i in range(raw.FPDF_StructElement_CountChildren(elem)):
            child = raw.FPDF_StructElement_GetChildAtIndex(elem, i)
            if child:
                walk(child, out)

    pages = []
    pdf = pdfium.PdfDocument(path)
    try:
        for i in range(len(pdf)):
            page = pdf[i]  # held: the tree reads the page until it is closed
            tree = raw.FPDF_StructTree_GetForPage(page.raw)
            texts: list[str] = []
            for k in range(raw.FPDF_StructTree_CountChildren(tree)):
                walk(raw.FPDF_StructTree_GetChildAtIndex(tree, k), texts)
            raw.FPDF_StructTree_Close(tree)
            page.close()
            pages.append(texts)
    finally:
        pdf.close()
    return pages
