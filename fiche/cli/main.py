"""The command line: parse options, call one function, print its report, exit.

User errors (`FicheError`) print as `file:line:col: field: message` lines and
exit 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from fiche import __version__

# Kept here rather than imported from `profiles` so that `fiche --help` stays instant.
PROFILE_CHOICES = ("print", "office", "screen")

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


def profiles_option(help: str):
    """--profile, repeatable, for the commands that build."""
    return click.option(
        "--profile", "profiles", multiple=True, type=click.Choice(PROFILE_CHOICES), help=help
    )


class _Group(click.Group):
    """Error handling for every command, so that each keeps the exit status contract.

    A `FicheError` (bad input) prints its problem lines and exits 2; so does an
    `OSError` no command turned into one (a full disk, a read-only folder: the user can
    fix it). Ctrl-C exits 130. Any other exception is a bug: one line and exit 1, or the
    full traceback with --debug.
    """

    def invoke(self, ctx: click.Context):
        from fiche.core.errors import FicheError

        try:
            return super().invoke(ctx)
        except FicheError as e:
            for p in e.problems:
                click.echo(f"error: {p}", err=True)
            click.echo(e.summary(), err=True)
            sys.exit(2)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("\ninterrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # The reader of our output went away (`fiche check … | head`): not a bug, and
            # nobody is left to read a message; the output was not all delivered, so not 0.
            # Python would fail again flushing stdout at exit, so point it at nothing.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(2)
        except OSError as e:
            if not _user_fixable(e):
                _internal_error(ctx, e)
            click.echo(f"error: {_os_problem(e)}", err=True)
            sys.exit(2)
        except Exception as e:
            _internal_error(ctx, e)


def _user_fixable(e: OSError) -> bool:
    from fiche.core.errors import USER_FIXABLE_ERRNOS

    return e.filename is not None or e.errno in USER_FIXABLE_ERRNOS


def _os_problem(e: OSError) -> str:
    """`path: reason`, as the user can act on it ("dist: Read-only file system")."""
    from fiche.core.errors import os_reason

    names = [str(n) for n in (e.filename, e.filename2) if n is not None]
    return ": ".join([" -> ".join(names), os_reason(e)] if names else [os_reason(e)])


def _internal_error(ctx: click.Context, e: Exception) -> None:
    if ctx.params.get("debug"):
        raise e
    click.echo(f"internal error: {type(e).__name__}: {e}", err=True)
    click.echo("this is a bug in fiche; run again with --debug for the traceback", err=True)
    sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fiche")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
def main(debug: bool) -> None:
    """Build numbered, two-sided info sheets as print-ready PDFs.

    \b
    Exit status (every command):
      0    all good
      1    internal error: a bug in fiche (--debug shows the traceback)
      2    bad input, a failed check, or a file or folder problem you can fix
           (the message names the path and the reason: disk full, read-only ...)
      130  interrupted (Ctrl-C)
    fiche diff follows cmp: 0 the same, 1 different, 2 trouble.

    \b
    Example:
      fiche build                 # every sheet, every language, into dist/
      fiche build --lang nl --sheet n3-youth
    """


@main.command()
@root_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: <root>/dist).",
)
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
def build(
    root: Path,
    out: Path | None,
    langs: tuple[str, ...],
    sheets: tuple[str, ...],
    profiles: tuple[str, ...],
    paper: str | None,
    strict: bool,
    jobs: int | None,
    force: bool,
    school: Path | None,
    no_wait: bool,
    allow_foreign: bool,
    quiet: bool,
) -> None:
    """Build sheets into PDFs and check each one; skip what is up to date.

    Output: <out>/<lang>/<sheet>.<profile>.pdf, for the profiles print (trim,
    bleed, crop marks, CMYK, PDF/X-4), office (A4 or Letter, 5 mm from the
    edge, RGB) and screen (RGB, links, bookmarks), and <out>/manifest.json.
    One build at a time writes into an output folder; another one waits. A
    folder holding files fiche did not make is refused (see --allow-foreign).
    Ctrl-C or SIGTERM stops at once with exit status 130.

    \b
    Example:
      fiche build --lang nl --sheet n3-sexting --profile print
      fiche build --profile office --paper letter --jobs 2
      fiche build --school examples/school.yaml
    """
    import signal

    from fiche.build.run import build as run_build

    show_bar = not quiet and sys.stderr.isatty()
    folder = out or root / "dist"

    def waiting(pid: int | None) -> None:
        click.echo(
            f"waiting for another build of {folder}/ (pid {pid or 'unknown'}) to finish", err=True
        )

    def terminated(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # stopped like Ctrl-C: finished files kept and listed

    previous = signal.signal(signal.SIGTERM, terminated)

    def progress(result, done: int, total: int) -> None:
        if show_bar:
            filled = round(30 * done / max(total, 1))
            click.echo(
                f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} "
                f"{result.job.lang}/{result.job.sheet}.{result.profile}".ljust(78),
                nl=False,
                err=True,
            )

    try:
        report = run_build(
            root,
            folder,
            langs,
            sheets,
            profiles,
            paper,
            strict,
            jobs=jobs,
            force=force,
            progress=progress,
            school=school,
            allow_foreign=allow_foreign,
            wait=not no_wait,
            on_wait=waiting,
        )
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
    for p in report.problems:
        click.echo(f"error: {p}", err=True)
    for r in report.results:
        if r.ok:
            if not quiet and not r.skipped:
                click.echo(f"built {r.path}  (body {'/'.join(f'{b:g}' for b in r.body_pt)} pt)")
            for w in () if quiet or r.skipped else r.warnings:
                click.echo(f"  warning: {w}", err=True)
        else:
            click.echo(f"failed {r.job.sheet} ({r.job.lang}, {r.profile}):", err=True)
            for p in r.problems:
                click.echo(f"  {p}", err=True)
    click.echo(str(report))
    sys.exit(report.exit_code)


@main.command()
@root_option
def validate(root: Path) -> None:
    """Check every content and layout file without building.

    \b
    Example:
      fiche validate --root .
    """
    from fiche.core.errors import FicheError
    from fiche.model.catalog import load_catalog

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


@main.command()
@root_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the schemas (default: <root>/schemas).",
)
def schema(root: Path, out: Path | None) -> None:
    """Write JSON Schemas for fiche, content, layout and school files.

    The shipped YAML files name them on their first line, so editors with a YAML
    language server check and complete them while you type.

    \b
    Example:
      fiche schema --out schemas
    """
    from fiche.model.schema import write_schemas

    for path in write_schemas(out or root / "schemas"):
        click.echo(str(path))


@main.command()
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
    from fiche.core.errors import FicheError
    from fiche.model.catalog import load_catalog
    from fiche.tools.translation import status_table, translation_status, unloaded_problems

    cat = load_catalog(root)
    rows = translation_status(cat)
    click.echo(status_table(rows))
    problems = unloaded_problems(cat)
    if problems:
        raise FicheError(problems)
    sys.exit(0 if all(r.ok for r in rows) else 2)


@main.command()
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
    from fiche.core.errors import FicheError, Problem, io_errors
    from fiche.model.catalog import load_catalog
    from fiche.model.languages import known_languages, unknown_language
    from fiche.tools.translation import stamp as run_stamp

    if lang not in known_languages():
        raise FicheError.at("", "--lang", unknown_language(lang))
    cat = load_catalog(root)
    problems = list(cat.problems)
    unknown = [name for name in fiches if name not in cat.fiches]
    if unknown:
        known = ", ".join(sorted(cat.fiches))
        problems.append(
            Problem("", 0, 0, "--fiche", f"no fiche named {', '.join(unknown)} (known: {known})")
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
        problems.append(Problem("", 0, 0, "--lang", f"no fiche is translated into {lang}"))
    if problems:
        raise FicheError(problems)


@main.command()
@click.argument(
    "pdfs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--profile",
    type=click.Choice(PROFILE_CHOICES),
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
    from fiche.check.preflight import preflight
    from fiche.model.profiles import PROFILES

    failed = 0
    for path in pdfs:
        report = preflight(path, profile=PROFILES[profile] if profile else None)
        click.echo(f"{path} ({report.profile}):")
        for c in report.checks:
            click.echo(f"  {c}")
        failed += not report.ok(strict)
    sys.exit(2 if failed else 0)


@main.command()
@root_option
@click.argument("names", nargs=-1, required=True)
@lang_option
@profiles_option("Only this profile (repeatable; default: screen).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the PNG files (default: <root>/preview).",
)
@click.option("--dpi", type=click.IntRange(20, 600), default=110, show_default=True)
def preview(
    root: Path,
    names: tuple[str, ...],
    langs: tuple[str, ...],
    profiles: tuple[str, ...],
    out: Path | None,
    dpi: int,
) -> None:
    """Render the pages of fiches (built first if needed) or of PDF files to PNG.

    NAMES are sheet names, fiche folders or PDF files; prints the PNG paths. A page
    that would be more than 50 million pixels at --dpi is refused (exit status 2).

    \b
    Example:
      fiche preview n3-youth --lang fr --dpi 150
      fiche preview dist/nl/n3-sexting.print.pdf
    """
    from fiche.build.run import build as run_build
    from fiche.core.errors import FicheError, Problem
    from fiche.tools.preview import render_png

    target = out or root / "preview"
    pdfs = [Path(n) for n in names if n.lower().endswith(".pdf")]
    missing = [Problem(str(p), 0, 0, "", "no such file") for p in pdfs if not p.exists()]
    if missing:
        raise FicheError(missing)
    sheets = tuple(n for n in names if not n.lower().endswith(".pdf"))
    failed = False
    if sheets:
        report = run_build(root, root / "dist", langs, sheets, profiles or ("screen",), jobs=None)
        for p in report.problems:
            click.echo(f"error: {p}", err=True)
        for r in report.failed:
            for p in r.problems:
                click.echo(f"error: {p}", err=True)
        failed = report.exit_code != 0
        pdfs += [Path(r.path) for r in report.built]
    problems: list[Problem] = []
    for pdf in pdfs:
        try:
            for path in render_png(pdf, target / pdf.parent.name, dpi):
                click.echo(str(path))
        except FicheError as e:
            problems += e.problems  # the other files are still worth looking at
    if problems:
        raise FicheError(problems)
    sys.exit(2 if failed else 0)


@main.command()
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
    from fiche.tools.diff import diff as run_diff

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


@main.command(name="new")
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
    from fiche.build.run import build as run_build
    from fiche.tools.scaffold import new_fiche

    folder = new_fiche(root, slug, series, number, layout, langs)
    click.echo(f"created {folder}")
    report = run_build(root, root / "dist", sheets=(slug,), profiles=("screen",), jobs=None)
    for r in report.built:
        click.echo(f"built {r.path}")
    for p in report.problems:  # e.g. an output folder it may not write into
        click.echo(f"error: {p}", err=True)
    for r in report.failed:
        for p in r.problems:
            click.echo(f"error: {p}", err=True)
    sys.exit(report.exit_code)


@main.command()
@root_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
def serve(root: Path, port: int) -> None:
    """A live page of the catalogue on http://127.0.0.1:PORT (this machine only).

    Every sheet and language with thumbnails of both pages, the translation
    status, and errors in place of pages that failed. Watches content/,
    layouts/, assets/ and hyphenation/, rebuilds what a change affects, and the
    page reloads itself. Click a thumbnail to see the page large. Ctrl-C stops.

    \b
    Example:
      fiche serve --port 8000
    """
    from fiche.tools.serve import serve as run_serve

    try:
        run_serve(root.resolve(), port, ready=lambda msg: click.echo(msg, err=True))
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as e:
        from fiche.core.errors import FicheError

        raise FicheError.at("", "--port", f"cannot serve on port {port}: {e.strerror}") from None


@main.command(name="list")
@root_option
def list_(root: Path) -> None:
    """The catalogue: series, number, fiche, sheets, title per language, status.

    A fiche or language file that cannot be read is listed as invalid, its problems
    printed as by `fiche validate`, and the exit status is 2.

    \b
    Example:
      fiche list
    """
    from fiche.core.errors import FicheError
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
