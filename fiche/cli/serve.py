"""`fiche serve`: the live catalogue page."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fiche.cli.common import root_option
from fiche.core.errors import FicheError


@click.command()
@root_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
def serve(root: Path, port: int) -> None:
    """A live page of the catalogue on http://127.0.0.1:PORT (this machine only).

    Every sheet and language with thumbnails of both pages, the translation
    status, and errors in place of pages that failed. Watches content/,
    layouts/, assets/ and hyphenation/, rebuilds what a change affects, and the
    page shows each sheet as soon as it is built (the one shown large first).
    Click a thumbnail to see the page large. Ctrl-C stops.

    \b
    Example:
      fiche serve --port 8000
    """
    from fiche.tools.serve import serve as run_serve  # the build: this command's own

    try:
        run_serve(root.resolve(), port, ready=lambda msg: click.echo(msg, err=True))
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as e:
        raise FicheError.at("", "--port", f"cannot serve on port {port}: {e.strerror}") from None
