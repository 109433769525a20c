"""Results kept once per machine, in the user's cache folder: work that every process
would otherwise repeat on the same unchanging input (a dictionary's parsed patterns,
a colour profile's compressed bytes).

A cache is only ever an optimisation: every entry is named by a hash of what it was
made from, the caller checks what it reads back before it trusts it, and a folder
that cannot be read or written changes nothing but the time taken.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from fiche.core.atomic import write_atomic


def cache_dir() -> Path:
    """`FICHE_CACHE_DIR`, else the XDG cache folder's `fiche`, else `~/.cache/fiche`."""
    if env := os.environ.get("FICHE_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "fiche"


def load(kind: str, name: str) -> bytes | None:
    """The bytes stored as `kind`/`name`, or None."""
    try:
        return (cache_dir() / kind / name).read_bytes()
    except OSError:
        return None


def store(kind: str, name: str, data: bytes) -> None:
    """Keep `data` as `kind`/`name`; silently not, where the folder cannot be written."""
    with contextlib.suppress(OSError):
        write_atomic(cache_dir() / kind / name, data)
