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
@click.option("--strict", is_flag=True, help="Warnings fail too.")
def check(pdfs: tuple[Path, ...], profile: str | None, strict: bool) -> None:
    """Preflight written PDFs: pages, boxes, fonts, colour, output intent, images, text.

    The profile is read from each file unless --profile names it. Exit status 2 when
    any file fails (or, with --strict, warns), 0 when all pass.

    \b
    Example:
      fiche check dist/nl/n3-sexting.print.pdf
      fiche check --strict dist/*/*.pdf
    """
    from fiche.check.preflight import preflight  # pikepdf: this command's own

    failed = 0
    for path in pdfs:
        report = preflight(path, profile=PROFILES[profile] if profile else None)
        click.echo(f"{path} ({report.profile}):")
        for c in report.checks:
            click.echo(f"  {c}")
        failed += not report.ok(strict)
    sys.exit(2 if failed else 0)
