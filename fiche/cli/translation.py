"""The translation commands: status, stamp."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fiche.cli.common import root_option
from fiche.core.errors import FicheError, Problem, io_errors
from fiche.model.languages import known_languages, unknown_language


@click.command()
@root_option
def status(root: Path) -> None:
    """Show each fiche's languages: complete, missing blocks, or stale.

    A translated block is stale when its source-language block changed since the
    translation was stamped (see `fiche stamp`). Exit status 2 (a failed check) when
    any translation is missing or stale, or a file cannot be read (its problems are
    printed, as by `fiche validate`); 0 when all are complete.

    \b
    Example:
      fiche status
    """
    # pydantic, PyYAML: loaded by this command, not by every one
    from fiche.model.catalog import load_catalog
    from fiche.tools.translation import status_table, translation_status, unloaded_problems

    cat = load_catalog(root)
    rows = translation_status(cat)
    click.echo(status_table(rows))
    problems = unloaded_problems(cat)
    if problems:
        raise FicheError(problems)
    sys.exit(0 if all(r.ok for r in rows) else 2)


@click.command()
@root_option
@click.option("--lang", required=True, help="The translation to stamp.")
@click.option("--fiche", "fiches", multiple=True, help="Only this fiche folder (repeatable).")
@click.option("--block", "blocks", multiple=True, help="Only this block (repeatable).")
def stamp(root: Path, lang: str, fiches: tuple[str, ...], blocks: tuple[str, ...]) -> None:
    """Record that a translation now matches its source blocks.

    Run it after updating a translation; `fiche status` then reports it complete.

    \b
    Example:
      fiche stamp --lang fr --block why
    """
    # pydantic, PyYAML: loaded by this command, not by every one
    from fiche.model.catalog import load_catalog
    from fiche.tools.translation import stamp as run_stamp

    if lang not in known_languages():
        raise FicheError.at("", "--lang", unknown_language(lang))
    cat = load_catalog(root)
    problems = list(cat.problems)
    unknown = [name for name in fiches if name not in cat.fiches]
    if unknown:
        known = ", ".join(sorted(cat.fiches))
        problems.append(
            Problem.general(f"no fiche named {', '.join(unknown)} (known: {known})", "--fiche")
        )
    chosen = [(s, e) for s, e in sorted(cat.fiches.items()) if not fiches or s in fiches]
    stamped = 0
    for slug, entry in chosen:
        if entry.defn is None:
            problems += entry.problems  # it may hold the language: say why it was not stamped
            continue
        if lang not in entry.defn.languages:
            continue
        with io_errors(entry.folder / f"{lang}.yaml"):
            done = run_stamp(cat, slug, lang, blocks)
        stamped += 1
        click.echo(f"stamped {len(done)} block(s) in content/{slug}/{lang}.yaml")
    if not stamped and not problems and chosen:
        problems.append(Problem.general(f"no fiche is translated into {lang}", "--lang"))
    if problems:
        raise FicheError(problems)
