"""`fiche check`: preflight PDF files already written."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fiche.model.profiles import PROFILE_NAMES, PROFILES


@click.command()
@click.argument(
    "pdfs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--profile",
    type=click.Choice(PROFILE_NAMES),
    default=None,
    help="Check against this profile instead of the one the file names.",
)
@click.option(
    "--pages",
    type=click.IntRange(1, 2),
    default=2,
    show_default=True,
    help="Pages each file must have (1 for a one-sided layout such as a poster).",
)
@click.option(
    "--trim",
    type=(click.FloatRange(1, 1000), click.FloatRange(1, 1000)),
    default=(210.0, 297.0),
    show_default=True,
    metavar="W H",
    help="The layout's trim size in mm, width then height (print and screen files).",
)
@click.option(
    "--bleed",
    type=click.FloatRange(0, 20),
    default=3.0,
    show_default=True,
    help="The layout's bleed in mm (print files).",
)
@click.option("--strict", is_flag=True, help="Warnings fail too.")
def check(
    pdfs: tuple[Path, ...],
    profile: str | None,
    pages: int,
    trim: tuple[float, float],
    bleed: float,
    strict: bool,
) -> None:
    """Preflight written PDFs: pages, boxes, fonts, colour, output intent, images, text.

    The profile is read from each file unless --profile names it. Exit status 2 when
    any file fails (or, with --strict, warns), 0 when all pass.

    \b
    Example:
      fiche check dist/nl/n3-sexting.print.pdf
      fiche check --strict dist/*/*.pdf
      fiche check --pages 1 --trim 297 420 dist/nl/poster.print.pdf
    """
    from fiche.check.preflight import preflight  # pikepdf: this command's own

    failed = 0
    for path in pdfs:
        report = preflight(
            path,
            profile=PROFILES[profile] if profile else None,
            pages=pages,
            trim_mm=trim,
            bleed_mm=bleed,
        )
        click.echo(f"{path} ({report.profile}):")
        for c in report.checks:
            click.echo(f"  {c}")
        failed += not report.ok(strict)
    sys.exit(2 if failed else 0)
