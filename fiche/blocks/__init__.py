"""Blocks: the kinds of block a content file may hold, one module a kind.

Each module here defines one `fiche.model.kinds.BlockKind`: its content model,
its typeset form, its flowables, the layout styles it uses and the texts it gives
back. Every module in this folder is loaded (so a new kind is one new file, listed
nowhere else); modules whose name starts with `_` are helpers, not kinds. Loading
them completes the content model, so `fiche/__init__.py` imports this package
before any command runs.
"""

from __future__ import annotations

import importlib
import pkgutil

from fiche.model.content import use_kinds

for _module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")
use_kinds()
