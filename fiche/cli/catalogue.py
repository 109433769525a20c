"""The commands that read the catalogue without building: validate, schema, list."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fiche.cli.common import out_option, root_option
from fiche.core.errors import FicheError


@click.command()
@root_option
def validate(root: Path) -> None:
    """Check every content and layout file without building.

    \b
    Example:
      fiche validate --root .
    """
    from fiche.model.catalog import load_catalog  # pydantic, PyYAML: this command's own

    try:
        problems = load_catalog(root).all_problems()
    except FicheError as e:
        problems = e.problems
    for p in problems:
        click.echo(str(p), err=True)
    if problems:
        files = {p.path for p in problems if p.path}
        click.echo(f"{len(problems)} error(s) in {len(files)} file(s)", err=True)
        sys.exit(2)
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
