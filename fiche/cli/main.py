"""The `fiche` group: the error handling and exit statuses every command shares.

User errors (`FicheError`) print as `file:line:col: field: message` lines and
exit 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import os
import sys

import click

from fiche import __version__
from fiche.cli import (
    build,
    catalogue,
    check,
    diff,
    manifest,
    new,
    preview,
    serve,
    translation,
    xliff,
)
from fiche.core.errors import USER_FIXABLE_ERRNOS, FicheError, os_reason


class _Group(click.Group):
    """Error handling for every command, so that each keeps the exit status contract.

    A `FicheError` (bad input) prints its problem lines and exits 2; so does an
    `OSError` no command turned into one (a full disk, a read-only folder: the user can
    fix it). Ctrl-C exits 130. Any other exception is a bug: one line and exit 1, or the
    full traceback with --debug.
    """

    def invoke(self, ctx: click.Context):
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
    return e.filename is not None or e.errno in USER_FIXABLE_ERRNOS


def _os_problem(e: OSError) -> str:
    """`path: reason`, as the user can act on it ("dist: Read-only file system")."""
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


for command in (
    build.build,
    catalogue.validate,
    catalogue.schema,
    catalogue.list_,
    translation.status,
    translation.stamp,
    check.check,
    preview.preview,
    diff.diff,
    new.new,
    manifest.manifest,
    serve.serve,
    xliff.xliff,
):
    main.add_command(command)
