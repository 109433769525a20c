"""Outputs known to be intact without reading them again.

A no-op build must know that every recorded PDF is still the one written: until now it
read and hashed each of them (63 ms of a 0.17 s no-op for the catalogue). Once a PDF's
checksum has been verified, this cache records it beside the file's identity on disk:
device, inode, size, modification and change time in nanoseconds. As long as all five
are the same, the bytes are the ones hashed; any write, rename or `touch` changes the
change time, which no user can set back. Git's index makes the same bet.

The cache is a hidden file of the output folder, outside the manifest (which must stay
the same on every machine and in every shard). A missing, unreadable or edited cache
only costs the hashing it would have saved.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

from fiche.build.manifest import read_own
from fiche.core.atomic import write_atomic

NAME = ".fiche-stat.json"


def _identity(path: Path) -> list[int] | None:
    try:
        st = path.lstat()
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


class StatCache:
    def __init__(self, out_dir: Path):
        self.path = out_dir / NAME
        self.out_dir = out_dir
        self.data: dict[str, list] = {}
        self.changed = False
        raw = read_own(self.path)
        try:
            loaded = json.loads(raw) if raw else {}
        except ValueError:
            loaded = {}
        if isinstance(loaded, dict):
            self.data = {k: v for k, v in loaded.items() if isinstance(v, list) and len(v) == 6}

    def known(self, rel: str, sha256: str) -> bool:
        """The file at `rel` is, byte for byte, the one whose checksum was `sha256`."""
        seen = self.data.get(rel)
        if seen is None or seen[5] != sha256:
            return False
        return _identity(self.out_dir / rel) == seen[:5]

    def record(self, rel: str, sha256: str) -> None:
        """`rel` was just hashed to `sha256`: remember the file's identity."""
        ident = _identity(self.out_dir / rel)
        if ident is not None and self.data.get(rel) != [*ident, sha256]:
            self.data[rel] = [*ident, sha256]
            self.changed = True

    def save(self) -> None:
        """Write the cache if it learnt anything; a folder that cannot take it loses
        nothing but the speed-up."""
        if not self.changed:
            return
        try:
            write_atomic(self.path, json.dumps(self.data, sort_keys=True).encode())
        except OSError:
            return
        self.changed = False

