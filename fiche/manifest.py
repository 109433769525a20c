"""dist/manifest.json: every output with what it is, its checksum and its input hash.

The manifest is also the build cache's index: an entry whose input hash equals
the job's current one, and whose file still has the recorded sha256, need not
be built again. A missing or unreadable manifest counts as empty: it can make a
build slower, never wrong. Only the parent process writes it, atomically.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

NAME = "manifest.json"
VERSION = 1


@dataclass(frozen=True)
class Entry:
    path: str  # relative to the output folder
    fiche: str
    series: str
    number: int
    sheet: str
    lang: str
    profile: str
    pages: int
    bytes: int
    sha256: str
    input_hash: str
    warnings: tuple[str, ...] = ()


def read_manifest(out_dir: Path) -> dict[str, Entry]:
    try:
        data = json.loads((out_dir / NAME).read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            return {}
        entries = [
            Entry(**{**e, "warnings": tuple(e.get("warnings", ()))}) for e in data["outputs"]
        ]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}
    return {e.path: e for e in entries}


def write_manifest(out_dir: Path, entries: dict[str, Entry]) -> None:
    from .build import write_atomic

    data = {"version": VERSION, "outputs": [asdict(entries[k]) for k in sorted(entries)]}
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    write_atomic(out_dir / NAME, text.encode("utf-8"))


def file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def still_valid(out_dir: Path, entry: Entry, input_hash: str) -> bool:
    """The recorded output was made from these inputs and is intact on disk."""
    if entry.input_hash != input_hash:
        return False
    path = out_dir / entry.path
    try:
        if path.stat().st_size != entry.bytes:
            return False
    except OSError:
        return False
    return file_sha256(path) == entry.sha256
