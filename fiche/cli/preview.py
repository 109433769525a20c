"""`fiche preview`: pages of sheets or PDF files as PNG."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fiche.cli.common import (
    echo_build_problems,
    lang_option,
    out_option,
    profiles_option,
    root_option,
)
from fiche.core.errors import FicheError, Problem


@click.command()
@root_option
@click.argument("names", nargs=-1, required=True)
@lang_option
@profiles_option("Only this profile (repeatable; default: screen).")
@out_option("Folder for the PNG files (default: <root>/preview).")
@click.option("--dpi", type=click.IntRange(20, 600), default=110, show_default=True)
def preview(
    root: Path,
    names: tuple[str, ...],
    langs: tuple[str, ...],
    profiles: tuple[str, ...],
    out: Path | None,
    dpi: int,
) -> None:
    """Render the pages of fiches (built first if needed) or of PDF files to PNG.

    NAMES are sheet names, fiche folders or PDF files; prints the PNG paths. A page
    that would be more than 50 million pixels at --dpi is refused (exit status 2).

    \b
    Example:
      fiche preview n3-youth --lang fr --dpi 150
      fiche preview dist/nl/n3-sexting.print.pdf
    """
    # pikepdf, pypdfium2 and the build: loaded by this command, not by every one
    from fiche.build.run import build as run_build
    from fiche.tools.preview import render_png

    target = out or root / "preview"
    pdfs = [Path(n) for n in names if n.lower().endswith(".pdf")]
    missing = [Problem(str(p), 0, 0, "", "no such file") for p in pdfs if not p.exists()]
    if missing:
        raise FicheError(missing)
    sheets = tuple(n for n in names if not n.lower().endswith(".pdf"))
    failed = False
    if sheets:
        report = run_build(
            root,
            root / "dist",
            langs=langs,
            sheets=sheets,
            profiles=profiles or ("screen",),
            jobs=None,
        )
        echo_build_problems(report)
        failed = report.exit_code != 0
        pdfs += [Path(r.path) for r in report.built]
    problems: list[Problem] = []
    for pdf in pdfs:
        try:
            for path in render_png(pdf, target / pdf.parent.name, dpi):
                click.echo(str(path))
        except FicheError as e:
            problems += e.problems  # the other files are still worth looking at
    if problems:
        raise FicheError(problems)
    sys.exit(2 if failed else 0)
