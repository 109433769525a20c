"""dist/manifest.json: every output with what it is, its checksum and its input hash.

The manifest is also the build cache's index: an entry whose input hash equals
the job's current one, and whose file still has the recorded sha256, need not
be built again. It also keeps, per output and page, the styles the page's text is set
in and their sizes, so that the next build can say what changed; they sit in a map of
their own (`styles`, by output path) beside `outputs`, which the version before kept
reading as it did: it ignores the map, and a manifest without one is read as
recording no styles. A missing or unreadable manifest counts as empty: it can make a
build slower, never wrong. Only the parent process writes it, atomically, while it
holds the output folder's build lock (see `outlock`), and it writes what is on
disk merged with its own results, so the manifest always matches the files.

A worker that is about to move a new PDF into place first appends the new entry
to `.manifest.journal` (one JSON line, fsync'ed). Reading the manifest applies
each journal line whose file now has the journalled checksum. So a build killed
between renaming a PDF and rewriting the manifest still leaves a manifest that
matches every file on disk; the next manifest write empties the journal.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Protocol

from fiche.core.atomic import write_atomic
from fiche.core.safeio import open_own

NAME = "manifest.json"
JOURNAL = ".manifest.journal"
VERSION = 1
# A manifest of 100,000 outputs is about 60 MiB; more is not one of ours.
MAX_BYTES = 64 << 20


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
    # per page side: style -> size in pt of the styles that page's text is set in
    styles: dict[str, dict[str, float]] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Recorded:
    """What the manifest and its journal say is in the output folder."""

    entries: dict[str, Entry]  # by path relative to the folder
    # Per selection (a key of the build's options): the tree hash of its last complete
    # build and the outputs it made, for the fast no-op path.
    trees: dict[str, dict]


def parse(path: Path) -> dict | None:
    """The manifest file at `path` if it is one of fiche's: a JSON object with a version
    and a list of outputs (of any version), read as `read_own` reads; else None."""
    raw = read_own(path)
    if raw is None:
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError:
        return None
    ours = isinstance(data, dict) and "version" in data and isinstance(data.get("outputs"), list)
    return data if ours else None


def read_own(path: Path) -> bytes | None:
    """One of fiche's own files, or None: only a regular file, not through a link (a FIFO
    would hang, /dev/zero never end), of at most MAX_BYTES."""
    try:
        fd = open_own(path, os.O_RDONLY)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        data = f.read(MAX_BYTES + 1)
    return None if len(data) > MAX_BYTES else data


def _inside(rel: object) -> bool:
    """A recorded path names a PDF inside the output folder (`nl/x.print.pdf`): an edited
    or planted manifest must not make fiche read `/dev/zero` or `../../secret`."""
    if not isinstance(rel, str) or not rel.endswith(".pdf") or "\\" in rel:
        return False
    p = PurePosixPath(rel)
    return not p.is_absolute() and all(part not in ("", ".", "..") for part in rel.split("/"))


def read(out_dir: Path) -> Recorded:
    """The manifest of `out_dir` with its journal applied; empty where it is unreadable."""
    data = parse(out_dir / NAME)
    recorded = recorded_in(data if data is not None and data.get("version") == VERSION else {})
    out = recorded.entries
    for e in _journal(out_dir):
        if _inside(e.path) and file_sha256(out_dir / e.path, e.bytes) == e.sha256:
            out[e.path] = e
    return recorded


def recorded_in(data: dict) -> Recorded:
    """What a parsed manifest of this version records; entries that name no PDF inside
    the output folder are left out."""
    out = {e.path: e for e in _entries(data.get("outputs", [])) if _inside(e.path)}
    styles = data.get("styles")
    if isinstance(styles, dict):
        out = {k: _with_styles(e, styles.get(k)) for k, e in out.items()}
    return Recorded(out, _trees(data.get("trees", {})))


def _entries(outputs: list) -> list[Entry]:
    try:
        return [_entry(e) for e in outputs]
    except (ValueError, TypeError, KeyError, AttributeError):
        return []


def _entry(e: dict) -> Entry:
    """An entry as written (a line of the journal holds its styles too)."""
    return Entry(
        **{**e, "warnings": tuple(e.get("warnings", ())), "styles": _styles(e.get("styles"))}
    )


def _with_styles(e: Entry, styles: object) -> Entry:
    return Entry(**{**asdict(e), "warnings": e.warnings, "styles": _styles(styles)})


def _styles(raw: object) -> dict[str, dict[str, float]]:
    """Recorded page styles as fiche writes them; what is not (an edited file, a future
    version's) is left out: it can only make the report of what changed shorter."""
    if not isinstance(raw, dict):
        return {}
    out = {}
    for side, page in raw.items():
        if isinstance(side, str) and isinstance(page, dict):
            out[side] = {
                str(k): float(v)
                for k, v in page.items()
                if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            }
    return out


def _trees(trees: object) -> dict[str, dict]:
    if not isinstance(trees, dict):
        return {}
    try:
        return {
            str(k): {"tree": str(v["tree"]), "outputs": [str(o) for o in v["outputs"]]}
            for k, v in trees.items()
        }
    except (AttributeError, KeyError, TypeError):
        return {}


def _journal(out_dir: Path) -> list[Entry]:
    raw = read_own(out_dir / JOURNAL)
    if raw is None:
        return []
    lines = raw.decode("utf-8", errors="replace").splitlines()
    out = []
    for line in lines:
        try:
            out.append(_entry(json.loads(line)))
        except (ValueError, TypeError, AttributeError):
            continue  # a line cut short by a kill: its file was never renamed
    return out


def journal_append(out_dir: Path, entry: Entry) -> None:
    """Record `entry` before its file is renamed into place (safe for many writers).
    The line holds the entry's styles: the version before skips it, as a line cut short,
    and so builds that one file again."""
    line = (json.dumps(asdict(entry), ensure_ascii=False, sort_keys=True) + "\n").encode()
    fd = open_own(out_dir / JOURNAL, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, line)  # one write of one line: appends never interleave
        os.fsync(fd)
    finally:
        os.close(fd)


def write_manifest(
    out_dir: Path, entries: dict[str, Entry], trees: dict[str, dict] | None = None
) -> None:
    """Write the manifest: what is on disk now (manifest and journal), with `entries`
    and `trees` laid over it, without entries whose file is gone or has another size.
    Call it only while holding the folder's build lock."""
    recorded = read(out_dir)
    merged = {**recorded.entries, **entries}
    # Files removed or replaced behind fiche's back are no longer what it recorded.
    merged = {k: e for k, e in merged.items() if _size(out_dir / k) == e.bytes}
    merged_trees = {**recorded.trees, **(trees or {})}
    _write_json(out_dir / NAME, data_of(merged, merged_trees))
    (out_dir / JOURNAL).unlink(missing_ok=True)


def data_of(entries: dict[str, Entry], trees: dict[str, dict]) -> dict:
    """The manifest recording `entries` and `trees`, as written."""
    return {
        "version": VERSION,
        "outputs": [_output(entries[k]) for k in sorted(entries)],
        "styles": {k: entries[k].styles for k in sorted(entries) if entries[k].styles},
        "trees": dict(sorted(trees.items())),
    }


def _output(e: Entry) -> dict:
    """An entry of `outputs`, as the version before reads it: without its styles."""
    out = asdict(e)
    del out["styles"]
    return out


def write_data(path: Path, data: dict) -> None:
    """Write a manifest's data to `path`, atomically."""
    _write_json(path, data)


def _write_json(path: Path, data: dict) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    write_atomic(path, text.encode("utf-8"))


def _size(path: Path) -> int | None:
    """The size of a regular file that is no link, else None."""
    try:
        st = path.lstat()
    except OSError:
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def file_sha256(path: Path, size: int | None = None) -> str | None:
    """The checksum of a regular file that is no link, or None; with `size`, None too
    when the file holds more than that (it is then not the file recorded)."""
    try:
        fd = open_own(path, os.O_RDONLY)
    except OSError:
        return None
    digest, got = hashlib.sha256(), 0
    with os.fdopen(fd, "rb") as f:
        while chunk := f.read(1 << 20):
            got += len(chunk)
            if size is not None and got > size:
                return None
            digest.update(chunk)
    return digest.hexdigest()


def still_valid(
    out_dir: Path, entry: Entry, input_hash: str, stats: StatLike | None = None
) -> bool:
    """The recorded output was made from these inputs and is intact on disk: its bytes
    hashed again, unless `stats` knows the file unchanged since they last were."""
    if entry.input_hash != input_hash:
        return False
    path = out_dir / entry.path
    if not _inside(entry.path) or _size(path) != entry.bytes:
        return False
    if stats is not None and stats.known(entry.path, entry.sha256):
        return True
    if file_sha256(path, entry.bytes) != entry.sha256:
        return False
    if stats is not None:
        stats.record(entry.path, entry.sha256)
    return True


class StatLike(Protocol):
    def known(self, rel: str, sha256: str) -> bool: ...

    def record(self, rel: str, sha256: str) -> None: ...
