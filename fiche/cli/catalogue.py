"""The commands that read the catalogue without building: validate, schema, list."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fiche.cli.common import out_option, root_option
from fiche.core.errors import FicheError


@click.command()
@root_option
@click.option(
    "--fit",
    is_flag=True,
    help="Also set and draw every sheet in every language (print profile, no file "
    "written): text that does not fit or runs into something fails, pages left too "
    "white warn.",
)
@click.option("--strict", is_flag=True, help="With --fit: warnings fail too.")
def validate(root: Path, fit: bool, strict: bool) -> None:
    """Check every content and layout file without building.

    Exit status 2 on any error (with --strict, on a warning too), 0 otherwise.

    \b
    Example:
      fiche validate --root .
      fiche validate --fit --strict
    """
    from fiche.model.catalog import load_catalog  # pydantic, PyYAML: this command's own

    try:
        cat = load_catalog(root)
        problems = cat.all_problems()
    except FicheError as e:
        cat, problems = None, e.problems
    warnings: list[str] = []
    if fit and cat is not None:
        from fiche.build.fitcheck import check_fit  # ReportLab: only for --fit

        report = check_fit(cat)
        problems = sorted({*problems, *report.problems})
        warnings = report.warnings
    for p in problems:
        click.echo(str(p), err=True)
    for w in warnings:
        click.echo(f"warning: {w}", err=True)
    if problems:
        files = {p.path for p in problems if p.path}
        click.echo(f"{len(problems)} error(s) in {len(files)} file(s)", err=True)
        sys.exit(2)
    if warnings and strict:
        click.echo(f"{len(warnings)} warning(s), which fail with --strict", err=True)
        sys.exit(2)
    if fit:
        warned = f", {len(warnings)} warning(s)" if warnings else ""
        click.echo(f"all content and layouts are valid; all {report.sheets} sheets fit{warned}")
        return
    click.echo("all content and layouts are valid")


@click.command()
@root_option
@out_option("Folder for the schemas (default: <root>/schemas).")
def schema(root: Path, out: Path | None) -> None:
    """Write JSON Schemas for fiche, content, layout and school files.

    The shipped YAML files name them on their first line, so editors with a YAML
    language server check and complete them while you type.

    \b
    Example:
      fiche schema --out schemas
    """
    from fiche.model.schema import write_schemas  # pydantic: this command's own

    for path in write_schemas(out or root / "schemas"):
        click.echo(str(path))


@click.command(name="list")
@root_option
def list_(root: Path) -> None:
    """The catalogue: series, number, fiche, sheets, title per language, status.

    A fiche or language file that cannot be read is listed as invalid, its problems
    printed as by `fiche validate`, and the exit status is 2.

    \b
    Example:
      fiche list
    """
    # pydantic, PyYAML: loaded by this command, not by every one
    from fiche.model.catalog import load_catalog
    from fiche.tools.translation import translation_status, unloaded_problems

    cat = load_catalog(root)
    status = {(r.fiche, r.lang): r.describe() for r in translation_status(cat)}
    for slug, f in sorted(
        cat.fiches.items(),
        key=lambda kv: (kv[1].defn.series, kv[1].defn.number) if kv[1].defn else ("", 0),
    ):
        if f.defn is None:
            click.echo(f"{slug}: invalid (see the errors)")
            continue
        click.echo(f"{f.defn.series} N°{f.defn.number}  content/{slug}")
        for sheet, sd in f.defn.sheets.items():
            click.echo(f"  {sheet}  (layout {sd.layout})")
            for lang in f.defn.languages:
                lf = f.langs.get(lang)
                title = lf.sheets[sheet].title if lf and sheet in lf.sheets else "?"
                click.echo(f"    {lang}  {title}")
        for lang in f.defn.languages:
            click.echo(f"  status {lang}: {status.get((slug, lang), '?')}")
    problems = unloaded_problems(cat)
    if problems:
        raise FicheError(problems)
