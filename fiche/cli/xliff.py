"""`fiche xliff export` and `fiche xliff import`: translation in the translators' own tools."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fiche.cli.common import root_option
from fiche.core.errors import FicheError, Problem, io_errors
from fiche.model.languages import known_languages, unknown_language


@click.group()
def xliff() -> None:
    """Exchange a fiche's texts with translation tools as XLIFF (2.0, or 1.2).

    Weblate, Crowdin, Trados, memoQ, Poedit and OmegaT read and write XLIFF. Each text of
    each block is one unit, with the Dutch source, the current translation, a state
    (new, translated, or stale when the source changed) and notes on where the text is
    printed. Bold, emphasis and links travel as inline codes to keep.

    \b
    Example:
      fiche xliff export --lang tr                 # xliff/n3.tr.xlf
      fiche xliff import xliff/n3.tr.xlf           # back into content/n3/tr.yaml
    """


@xliff.command()
@root_option
@click.option("--lang", required=True, help="The language to translate into.")
@click.option("--fiche", "fiches", multiple=True, help="Only this fiche (repeatable).")
@click.option(
    "--version",
    "version",
    type=click.Choice(["2.0", "1.2"]),
    default="2.0",
    show_default=True,
    help="XLIFF version: 1.2 for tools that read no 2.0.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder for the files (default: <root>/xliff), or - for standard output (one fiche).",
)
def export(root: Path, lang: str, fiches: tuple[str, ...], version: str, out: Path | None) -> None:
    """Write one XLIFF file per fiche: <fiche>.<lang>.xlf.

    \b
    Example:
      fiche xliff export --lang pl --fiche n3 --version 1.2
    """
    from fiche.core.atomic import write_atomic
    from fiche.model.catalog import load_catalog
    from fiche.tools.xliff.service import export_fiche

    if lang not in known_languages():
        raise FicheError.at("", "--lang", unknown_language(lang))
    cat = load_catalog(root)
    unknown = [f for f in fiches if f not in cat.fiches]
    if unknown:
        known = ", ".join(sorted(cat.fiches))
        raise FicheError(
            [Problem.general(f"no fiche named {', '.join(unknown)} (known: {known})", "--fiche")]
        )
    chosen = sorted(f for f in cat.fiches if not fiches or f in fiches)
    if str(out) == "-" and len(chosen) != 1:
        raise FicheError(
            [Problem.general("standard output takes one fiche: pass --fiche", "--out")]
        )
    docs = [(slug, export_fiche(cat, slug, lang, version)) for slug in chosen]
    if str(out) == "-":
        sys.stdout.buffer.write(docs[0][1])
        return
    folder = out if out is not None else root / "xliff"
    with io_errors(folder):
        folder.mkdir(parents=True, exist_ok=True)
    for slug, data in docs:
        path = folder / f"{slug}.{lang}.xlf"
        with io_errors(path):
            write_atomic(path, data)
        click.echo(f"wrote {path} (XLIFF {version})")


@xliff.command(name="import")
@root_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--fiche", default=None, help="The fiche, when the file does not say it.")
@click.option("--lang", default=None, help="The language the file must be a translation into.")
@click.option("--no-fit", is_flag=True, help="Skip the fit check after writing.")
def import_(root: Path, file: Path, fiche: str | None, lang: str | None, no_fit: bool) -> None:
    """Check an XLIFF file from a translator and write its translations into the YAML.

    Refused with exit status 2, nothing written, when a unit is unknown, an inline code
    is lost or added, an asterisk would become a mark, or the languages are wrong.
    Comments, order and formatting of the language file stay as they are; a block whose
    units are all marked translated is stamped. Then every sheet of the language is set
    and drawn: a text that no longer fits is reported with its unit (exit status 2).

    \b
    Example:
      fiche xliff import --lang tr ~/Downloads/n3.tr.xlf
    """
    from fiche.tools.xliff.service import import_xliff

    with io_errors(file):
        report = import_xliff(root, file, fiche, lang, fit=not no_fit)
    if report.written:
        click.echo(
            f"{report.path}: {len(report.changed)} text(s) changed, "
            f"{len(report.stamped)} block(s) stamped"
        )
    else:
        click.echo(f"{report.path}: nothing to change")
    for ids, why in (
        (report.pending, "changed but not marked translated: left out"),
        (report.empty, "without a target: left as they were"),
    ):
        if ids:
            more = f" and {len(ids) - 5} more" if len(ids) > 5 else ""
            click.echo(f"note: {len(ids)} unit(s) {why} ({', '.join(ids[:5])}{more})")
    if report.not_listed:
        click.echo(
            f"note: {report.lang} is not among the languages of content/{report.fiche}/fiche.yaml;"
            " add it there to build it"
        )
    elif report.written and not no_fit:
        click.echo(f"every sheet of {report.fiche} fits in {report.lang}")
