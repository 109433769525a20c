"""pyphen's hyphenation patterns, parsed once per machine rather than once per process.

pyphen parses a language's `hyph_*.dic` line by line with regular expressions each time a
process first hyphenates in that language: 0.4 s for German, some tens of milliseconds
for the others, paid again by every build and every worker. The parsed table (pattern →
offset and values) is plain data, so it is kept with `marshal` in the user's cache folder
and read back in a tenth of the time.

The cache only ever holds what pyphen itself parsed: its key is the dictionary file's
SHA-256 with pyphen's version, a file that does not read back as that table is ignored
(and parsed anew), and a folder that cannot be written leaves things as they were. The
patterns, and so every hyphenation, are the same with or without it.
"""

from __future__ import annotations

import hashlib
import marshal
from pathlib import Path
from typing import Any

from fiche.core.machinecache import load, store

FORMAT = 1  # raise when what is stored changes


def patterns(path: Path, version: str, parse: Any) -> Any:
    """The `pyphen.HyphDict` of `path`: read from the cache, or made by `parse(path)` and
    then cached. `parse` is `pyphen.HyphDict`; its result is returned as it is when its
    table holds anything but plain numbers (pyphen's alternative patterns)."""
    try:
        data = path.read_bytes()
    except OSError:
        return parse(path)
    key = hashlib.sha256(data + f"\0{version}\0{FORMAT}".encode()).hexdigest()
    name = f"{path.stem}-{key[:32]}.marshal"
    table = _read(load("hyphen", name))
    if table is not None:
        maxlen, found = table
        hd = parse.__new__(parse)
        hd.patterns, hd.cache, hd.maxlen = found, {}, maxlen
        return hd
    hd = parse(path)
    if _plain(hd.patterns):
        store("hyphen", name, marshal.dumps((hd.maxlen, hd.patterns)))
    return hd


def _read(data: bytes | None) -> tuple[int, dict] | None:
    if data is None:
        return None
    try:
        table = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    if (
        isinstance(table, tuple)
        and len(table) == 2
        and type(table[0]) is int
        and isinstance(table[1], dict)
        and _plain(table[1])
    ):
        return table
    return None


def _plain(table: dict) -> bool:
    """Pattern → (offset, values) with text keys and whole numbers only."""
    return all(
        type(k) is str
        and type(v) is tuple
        and len(v) == 2
        and type(v[0]) is int
        and type(v[1]) is tuple
        and all(type(x) is int for x in v[1])
        for k, v in table.items()
    )
