"""`fiche new`: a fiche scaffolded and built once."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fiche.cli.common import echo_build_problems, root_option


@click.command(name="new")
@root_option
@click.argument("slug")
@click.option("--series", required=True, help="Series id, e.g. cyberpesten.")
@click.option("--number", required=True, type=click.IntRange(1, 9999))
@click.option("--layout", required=True, help="A layout in layouts/, e.g. youth.")
@click.option(
    "--lang",
    "langs",
    multiple=True,
    default=("nl",),
    show_default=True,
    help="Languages (the first is the source; repeatable).",
)
def new(
    root: Path, slug: str, series: str, number: int, layout: str, langs: tuple[str, ...]
) -> None:
    """Create a fiche with a placeholder block for every region, and build it once.

    \b
    Example:
      fiche new n4-grooming --series cyberpesten --number 4 --layout youth --lang nl --lang fr
    """
    # PyYAML and the build: loaded by this command, not by every one
    from fiche.build.run import build as run_build
    from fiche.tools.scaffold import new_fiche

    folder = new_fiche(root, slug, series, number, layout, langs)
    click.echo(f"created {folder}")
    report = run_build(root, root / "dist", sheets=(slug,), profiles=("screen",), jobs=None)
    for r in report.built:
        click.echo(f"built {r.path}")
    echo_build_problems(report)  # e.g. an output folder it may not write into
    sys.exit(report.exit_code)
