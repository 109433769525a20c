"""What a job's output depends on, reduced to one hash.

Input: the catalog, a job and a profile. Output: a sha256 over the bytes of
every file the output is made from (fiche definition, language file, layout and
the bases it extends, fonts, ICC profile, images, hyphenation list), the
profile's settings, the build date and the versions of fiche (its source too)
and of the libraries that shape the bytes. Equal hash, equal PDF: a build may
skip a job whose recorded hash matches. Importing this module must stay cheap:
it never imports ReportLab or pikepdf.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import stat
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from fiche.model.jobs import Job
from fiche.model.profiles import Profile

if TYPE_CHECKING:
    from fiche.model.catalog import Catalog

LIBRARIES = ("reportlab", "pikepdf", "pyphen", "pillow", "pypdfium2", "fonttools")


@functools.cache
def _file_digest(path: Path, size: int, mtime_ns: int) -> str:
    # Keyed on size and mtime too, so an edited file is read again within one process.
    # Streamed: any file under assets/ is hashed, however large, in little memory.
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def file_digest(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return "missing"
    if not stat.S_ISREG(st.st_mode):  # a FIFO or device would block or never end;
        return "not a regular file"  # its reader reports it
    return _file_digest(path, st.st_size, st.st_mtime_ns)


@functools.cache
def toolchain() -> dict[str, str]:
    """Versions of the libraries, and a hash of fiche's own source files."""
    out = {}
    for lib in LIBRARIES:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = "none"
    src = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for f in sorted(package.rglob("*.py")):
        src.update(f.relative_to(package).as_posix().encode() + b"\0" + f.read_bytes())
    out["fiche"] = src.hexdigest()
    return out


def job_input_hash(
    cat: Catalog, job: Job, profile: Profile, extra: dict[str, str] | None = None
) -> str:
    """The hash of everything job's output is made from; `extra` adds file digests
    (a school profile and its logo)."""
    # Pillow and pydantic: only a build with something to do hashes a job's inputs.
    from fiche.core.colour import icc_path
    from fiche.model.catalog import image_path
    from fiche.model.kinds import kind

    entry = cat.fiches[job.fiche]
    assert entry.defn is not None
    sheet = entry.defn.sheets[job.sheet]
    layout = cat.layouts[sheet.layout]
    files: list[Path] = [entry.folder / "fiche.yaml", entry.folder / f"{job.lang}.yaml"]
    files += cat.layout_files.get(sheet.layout, [])
    for spec in layout.fonts.values():
        files += [
            cat.fonts_dir / f for f in (spec.regular, spec.bold, spec.italic, spec.bold_italic) if f
        ]
    files.append(icc_path(cat.root / "assets"))
    files.append(cat.root / "hyphenation" / f"{job.lang}.txt")
    lf = entry.langs[job.lang]
    for _, regions in sheet.sides():
        for ids in regions.values():
            for bid in ids:
                block = lf.blocks.get(bid)
                if block is not None:
                    files += [image_path(cat.root, f) for _, f in kind(block.kind).files(block)]
    data = {
        "job": dataclasses.asdict(job),
        "profile": dataclasses.asdict(profile),
        "files": {
            str(f.relative_to(cat.root)) if f.is_relative_to(cat.root) else str(f): file_digest(f)
            for f in sorted(set(files))
        },
        "date": os.environ.get("SOURCE_DATE_EPOCH", ""),
        "tools": toolchain(),
        "extra": extra or {},
    }
    raw = json.dumps(data, sort_keys=True).encode()
    return hashlib.sha256(raw).hexdigest()


TREE_FOLDERS = ("content", "layouts", "assets", "hyphenation")


def tree_digest(root: Path, selection: dict) -> str:
    """One hash over every input file of the project, the selection and the tools.

    When it equals the one recorded by the last build of the same selection, and
    every output is intact, nothing needs even to be loaded: the fast no-op path.
    """
    files = {}
    for folder in TREE_FOLDERS:
        base = root / folder
        if base.is_dir():
            for p in sorted(base.rglob("*")):
                if p.is_file():
                    files[str(p.relative_to(root))] = file_digest(p)
    data = {
        "files": files,
        "selection": selection,
        "tools": toolchain(),
        "date": os.environ.get("SOURCE_DATE_EPOCH", ""),
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
