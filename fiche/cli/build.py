"""`fiche build`: the jobs into checked PDFs, with a progress bar and a summary."""

from __future__ import annotations

import functools
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fiche.build.shard import Shard, parse_shard
from fiche.cli.common import lang_option, out_option, profiles_option, root_option

if TYPE_CHECKING:
    from fiche.build.run import BuildReport, JobResult


class ShardType(click.ParamType):
    """`K/N`, checked here so that a bad value is a usage error (exit 2), not a build's."""

    name = "K/N"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, Shard):
            return value
        try:
            return parse_shard(str(value))
        except ValueError as e:
            self.fail(str(e), param, ctx)


@click.command()
@root_option
@out_option("Output folder (default: <root>/dist).")
@lang_option
@click.option(
    "--sheet", "sheets", multiple=True, help="Only this sheet or fiche folder (repeatable)."
)
@profiles_option("Only this output profile (repeatable; default: all).")
@click.option(
    "--paper",
    type=click.Choice(["a4", "letter"]),
    default=None,
    help="Paper of the office profile (default: a4).",
)
@click.option("--strict", is_flag=True, help="Treat preflight warnings as failures.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 256),
    default=None,
    help="Worker processes (default: the number of CPUs; 1 builds in this process).",
)
@click.option("--force", is_flag=True, help="Rebuild even what is up to date.")
@click.option(
    "--school",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A school profile (YAML): add its imprint; output goes to <out>/schools/<slug>/.",
)
@click.option(
    "--shard",
    type=ShardType(),
    default=None,
    metavar="K/N",
    help="Only the K-th of N stable parts of the jobs (a sheet in a language stays in its "
    "part as fiches are added); join the parts' manifests with `fiche manifest merge`.",
)
@click.option(
    "--no-wait",
    is_flag=True,
    help="If another build is writing into the output folder, fail (exit 2) instead of waiting.",
)
@click.option(
    "--allow-foreign",
    is_flag=True,
    help="Write into an output folder even though it holds files fiche did not make.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only problems and the summary.")
@click.option(
    "-v", "--verbose", is_flag=True, help="Print every built page's styles and their sizes."
)
def build(root: Path, out: Path | None, quiet: bool, verbose: bool, **options: Any) -> None:
    """Build sheets into PDFs and check each one; skip what is up to date.

    Output: <out>/<lang>/<sheet>.<profile>.pdf, for the profiles print (trim,
    bleed, crop marks, CMYK, PDF/X-4), office (A4 or Letter, 5 mm from the
    edge, RGB) and screen (RGB, links, bookmarks), and <out>/manifest.json.
    A page whose styles are set at other sizes than in the previous build is
    told, style by style; a style a page does not use is never told.
    One build at a time writes into an output folder; another one waits. A
    folder holding files fiche did not make is refused (see --allow-foreign).
    Ctrl-C or SIGTERM stops at once with exit status 130.

    \b
    Example:
      fiche build --lang nl --sheet n3-sexting --profile print
      fiche build --profile office --paper letter --jobs 2
      fiche build --school examples/school.yaml
      fiche build --shard 2/3 --out dist-2
    """
    # Loaded by this command only, so that `fiche --help` and the others stay quick.
    from fiche.build import run

    show_bar = not quiet and sys.stderr.isatty()
    folder = out or root / "dist"
    # The other options are BuildOptions' fields, by the same names.
    chosen = run.BuildOptions(
        **options,
        progress=_progress if show_bar else None,
        on_wait=functools.partial(_waiting, folder),
    )
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        report = run.build(root, folder, chosen)
    except KeyboardInterrupt:
        click.echo(
            "\ninterrupted: finished files are in place and in the manifest; "
            "no partial file was written",
            err=True,
        )
        sys.exit(130)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if show_bar:
            click.echo("\r" + " " * 78 + "\r", nl=False, err=True)
    _echo_report(report, quiet, verbose and not quiet)
    sys.exit(report.exit_code)


def _waiting(folder: Path, pid: int | None) -> None:
    click.echo(
        f"waiting for another build of {folder}/ (pid {pid or 'unknown'}) to finish", err=True
    )


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # stopped like Ctrl-C: finished files kept and listed


def _progress(result: JobResult, done: int, total: int) -> None:
    filled = round(30 * done / max(total, 1))
    click.echo(
        f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} "
        f"{result.job.lang}/{result.job.sheet}.{result.profile}".ljust(78),
        nl=False,
        err=True,
    )


def _echo_report(report: BuildReport, quiet: bool, verbose: bool = False) -> None:
    for p in report.problems:
        click.echo(f"error: {p}", err=True)
    told: set[str] = set()  # the profiles of one sheet change alike: told once
    for r in report.results:
        if r.ok:
            if not quiet and not r.skipped:
                click.echo(f"built {r.path}")
                for line in _styles_lines(r, verbose):
                    if line not in told:
                        told.add(line)
                        click.echo(line)
            for w in () if quiet or r.skipped else r.warnings:
                click.echo(f"  warning: {w}", err=True)
        else:
            click.echo(f"failed {r.job.sheet} ({r.job.lang}, {r.profile}):", err=True)
            for p in r.problems:
                click.echo(f"  {p}", err=True)
    click.echo(str(report))


def _styles_lines(r: JobResult, verbose: bool) -> list[str]:
    """`n3-youth (nl) front: h3 16.2 → 15.1 pt` per page whose styles changed size since
    the previous build; with `verbose`, every page's styles and sizes as well."""
    where = f"{r.job.sheet} ({r.job.lang})"
    lines = [
        f"  {where} {side}: " + ", ".join(f"{n} {_pt(a)} → {_pt(b)} pt" for n, a, b in changed)
        for side, changed in r.style_changes().items()
    ]
    if verbose:
        lines += [
            f"  {r.job.sheet}.{r.profile} ({r.job.lang}) {side}: "
            + ", ".join(f"{n} {_pt(pt)}" for n, pt in styles.items())
            + " pt"
            for side, styles in r.styles.items()
        ]
    return lines


def _pt(size: float) -> str:
    """14.0, 13.1, 12.41: one decimal unless the second one is there."""
    return f"{size:.1f}" if round(size, 1) == size else f"{size:.2f}"
