"""What several commands share: their options and how they print a build's problems."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

# The names only, not `profiles` itself: that module is cheap, and one list of names
# cannot drift from the profiles it names.
from fiche.model.profiles import PROFILE_NAMES

if TYPE_CHECKING:
    from fiche.build.run import BuildReport

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Project folder holding content/, layouts/ and assets/.",
)


lang_option = click.option(
    "--lang", "langs", multiple=True, help="Only this language (repeatable)."
)


def out_option(help: str):
    """--out, a folder, by default one below --root (the command says which)."""
    return click.option(
        "--out", type=click.Path(file_okay=False, path_type=Path), default=None, help=help
    )


def profiles_option(help: str):
    """--profile, repeatable, for the commands that build."""
    return click.option(
        "--profile", "profiles", multiple=True, type=click.Choice(PROFILE_NAMES), help=help
    )


def echo_build_problems(report: BuildReport) -> None:
    """The problems of the build as a whole, then those of each failed output."""
    for p in report.problems:
        click.echo(f"error: {p}", err=True)
    for r in report.failed:
        for p in r.problems:
            click.echo(f"error: {p}", err=True)
