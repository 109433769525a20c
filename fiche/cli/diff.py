"""`fiche diff`: two PDFs or two build folders compared."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("diff"),
    show_default=True,
    help="Folder for the highlighted pages.",
)
def diff(old: Path, new: Path, out: Path) -> None:
    """Compare two PDFs or two build folders: highlighted pages and changed words.

    Exit status as cmp's: 0 the same, 1 different, 2 trouble (a file that is not a
    readable PDF, a file compared with a folder, a folder that cannot be written).

    \b
    Example:
      fiche diff release-1.0/dist dist
    """
    from fiche.tools.diff import diff as run_diff  # pikepdf, pypdfium2: this command's own

    report = run_diff(old, new, out)
    for name in report.only_old:
        click.echo(f"only in {old}: {name}")
    for name in report.only_new:
        click.echo(f"only in {new}: {name}")
    for d in report.pages:
        where = f"{d.image}" if d.image else "no image"
        click.echo(f"{d.new} page {d.page}: {d.areas} changed area(s) -> {where}")
        for line in d.words:
            click.echo(f"    {line}")
    changed = len({d.new for d in report.pages})
    click.echo(
        f"{report.compared} file(s) compared, {changed} differ, "
        f"{len(report.only_old) + len(report.only_new)} only on one side"
    )
    sys.exit(0 if report.identical else 1)
