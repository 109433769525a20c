"""Each command loads only what it uses: asking for help or the version loads no PDF,
image or content-model library, and checking the catalogue loads no PDF library."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import REPO

HEAVY = {"reportlab", "pikepdf", "pypdfium2", "PIL", "pydantic", "yaml", "pyphen", "fontTools"}
PDF = {"reportlab", "pikepdf", "pypdfium2", "pyphen"}


def _imported(*args: str) -> set[str]:
    """The top-level packages `fiche ARGS` imports, as Python itself lists them."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "fiche", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    names = set()
    for line in run.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


@pytest.mark.parametrize("args", [("--help",), ("--version",), ("build", "--help")])
def test_help_and_version_load_no_heavy_library(args):
    assert _imported(*args) & HEAVY == set()


def test_validate_loads_no_pdf_library():
    loaded = _imported("validate")
    assert {"yaml", "pydantic"} <= loaded  # the listing is read right
    assert loaded & PDF == set()
