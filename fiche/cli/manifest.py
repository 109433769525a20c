"""`fiche manifest merge` and `check`: a sharded build's manifests joined, the whole checked."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fiche.build.manifest import NAME
from fiche.cli.common import root_option


@click.group()
def manifest() -> None:
    """Work with the manifests (manifest.json) builds write: merge a sharded build's.

    \b
    Example:
      fiche manifest merge dist shard-1 shard-2 shard-3
      fiche manifest check dist
    """


@manifest.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.argument("shards", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def merge(out: Path, shards: tuple[Path, ...]) -> None:
    """Join the manifests of the shards of one build into OUT.

    Each SHARD is a manifest.json written by `fiche build --shard K/N`, or the output
    folder holding it; OUT is the manifest to write, or a folder to write manifest.json
    into. Once every shard's files are in OUT's folder, `fiche build` with the same
    options (without --shard) finds every output up to date. Refused, with exit status
    2: a shard missing, shards built from other inputs or by another version of fiche,
    an output two shards made with different contents.

    \b
    Example:
      fiche build --shard 1/3 --out shard-1     # and 2/3, 3/3, on three machines
      mkdir dist && cp -r shard-1/. shard-2/. shard-3/. dist/
      fiche manifest merge dist shard-1 shard-2 shard-3
      fiche build                               # 0 built, 60 up to date
    """
    from fiche.build.manifest import write_data
    from fiche.build.merge import merge as merge_manifests
    from fiche.core.errors import io_errors

    paths = [p / NAME if p.is_dir() else p for p in shards]
    data = merge_manifests([(str(p), p) for p in paths])
    target = out / NAME if out.is_dir() else out
    with io_errors(target):
        write_data(target, data)
    click.echo(f"{len(shards)} manifests merged: {len(data['outputs'])} outputs in {target}")


@manifest.command()
@root_option
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Preflight warnings fail too.")
def check(root: Path, folder: Path, strict: bool) -> None:
    """Check an output folder as a whole against its manifest.json.

    Every output the manifest lists must be there with its recorded sha256, every PDF
    in the folder must be listed (a school's folder, schools/<slug>/, has its own
    manifest), and each must pass the preflight of `fiche check` with its own layout's
    page count, trim and bleed, read from the catalogue under --root. Exit status 2 on
    any problem. Run it on the folder of a merged sharded build before publishing it.

    \b
    Example:
      fiche manifest check dist
      fiche manifest check --strict dist
    """
    from fiche.build.verify import verify

    passed: list[str] = []
    problems = verify(root, folder, strict, passed.append)
    for p in problems:
        click.echo(f"error: {p}", err=True)
    click.echo(f"{len(passed)} outputs intact and passing the preflight, {len(problems)} problems")
    sys.exit(2 if problems else 0)
