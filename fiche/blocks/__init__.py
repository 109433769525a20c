"""Blocks: the kinds of block a content file may hold, one module a kind.

Each module here defines one `fiche.model.kinds.BlockKind`: its content model,
the layout style roles it sets text in, the files it reads, its typeset form (a
`TBlock` subclass for fields of its own), its flowables and the texts it gives back.
A kind module imports the engine only inside `flowables`: the kinds are loaded by
every command that reads content, and only a build sets text with ReportLab.

Every module in this folder is loaded (so a new kind is one new file, listed
nowhere else); modules whose name starts with `_` are helpers, not kinds. The
registry (`fiche.model.kinds`) loads this package on its first lookup: the content
model asks for it when it first validates a content file or writes its schema.
"""

from __future__ import annotations

import importlib
import pkgutil

from fiche.model.kinds import KindError, registers

for _module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _module.name.startswith("_"):
        continue
    _name = f"{__name__}.{_module.name}"
    importlib.import_module(_name)
    # A kind whose `@register` was forgotten would otherwise be missing without a word.
    if not registers(_name):
        raise KindError(f"{_name} registers no block kind (a BlockKind class with @register)")
