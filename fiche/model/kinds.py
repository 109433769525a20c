"""The registry of block kinds: what each stage asks of a kind, and where to find it.

A block kind (heading, list, image, ...) is one module in `fiche.blocks` that
subclasses `BlockKind` and registers itself. The stages below that package cannot
import it, so they dispatch through this registry instead: the content model
builds its block union from it, `typeset` asks a kind for its typeset form, the
engine for its flowables, the contrast check for its styles and the text check
for the texts it gives back. A kind that lacks any of these parts is refused when
it registers, so a forgotten part stops every command at start-up instead of
being skipped in silence.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar, get_args, get_origin

from fiche.model.validation import Model

if TYPE_CHECKING:  # the stages above this one: types only, never imports at run time
    from reportlab.platypus import Flowable

    from fiche.engine.context import Ctx
    from fiche.model.content import BlockModel
    from fiche.model.layout import Look
    from fiche.typeset.sheet import TBlock, TText

# A text of the content file at a field path, with its language's typography.
Typeset = Callable[[str, tuple], "TText"]


class KindError(TypeError):
    """A block kind that cannot be used: a programming error, raised at start-up."""


class BlockKind(ABC):
    """Everything fiche must know of one kind of block, in one place."""

    name: ClassVar[str]  # the value of `kind:` in a content file
    model: ClassVar[type[BlockModel]]  # validates the block; its `kind` is Literal[name]
    # Where the kind is listed (block union, schema, "expected one of" messages);
    # kinds of equal order are listed by name.
    order: ClassVar[int] = 1000

    @abstractmethod
    def typeset(self, bid: str, block: Any, t: Typeset, root: Path) -> TBlock:
        """The block as the engine sets it; `t(text, field path)` applies typography."""

    @abstractmethod
    def flowables(self, ctx: Ctx, b: Any, st: dict) -> list[Flowable]:
        """The flowables of a typeset block, each text tagged; `st` maps roles to styles."""

    @abstractmethod
    def styles(self, block: Any, look: Look) -> Sequence[tuple[str, str | None]]:
        """The layout roles the block's texts are set in, each with the palette colour
        drawn beneath it when that is not the region's own (for the contrast check)."""

    @abstractmethod
    def texts(self, b: Any) -> list[str]:
        """The plain texts a reader must find in the PDF for a typeset block, in
        reading order (for the text check)."""


# The package of the kind modules: a stage above this one, so it is named here and
# loaded on the first lookup, never imported (which would also load ReportLab and
# pydantic for commands that need no kind at all, such as a build with nothing to do).
PACKAGE = "fiche.blocks"
_KINDS: dict[str, BlockKind] = {}
_loading = False
K = TypeVar("K", bound=type[BlockKind])


def register(cls: K) -> K:
    """Class decorator: add a kind, or raise `KindError` naming what it lacks."""
    where = f"block kind {cls.__module__}.{cls.__qualname__}"
    if not (isinstance(cls, type) and issubclass(cls, BlockKind)):
        raise KindError(f"{where} is not a BlockKind")
    missing = sorted(cls.__abstractmethods__) + [
        part for part in ("name", "model") if not hasattr(cls, part)
    ]
    if missing:
        raise KindError(f"{where} lacks: {', '.join(missing)}")
    _check_model(cls, where)
    if cls.name in _KINDS:
        other = type(_KINDS[cls.name])
        raise KindError(f"{where}: kind '{cls.name}' is already {other.__module__}")
    _KINDS[cls.name] = cls()
    return cls


def _check_model(cls: type[BlockKind], where: str) -> None:

    model = cls.model
    # `content.use_kinds` checks that it is a `BlockModel`: that module imports this one.
    if not (inspect.isclass(model) and issubclass(model, Model)):
        raise KindError(f"{where}: model must be a subclass of BlockModel")
    field = model.model_fields.get("kind")
    tp = field.annotation if field else None
    if get_origin(tp) is not Literal or get_args(tp) != (cls.name,):
        raise KindError(f"{where}: {model.__name__}.kind must be Literal[{cls.name!r}]")


def _load() -> None:
    """Import the kind modules once; while they load, lookups see those loaded so far."""
    global _loading
    if not _loading and PACKAGE not in sys.modules:
        _loading = True
        try:
            importlib.import_module(PACKAGE)
        finally:
            _loading = False


def kinds() -> list[BlockKind]:
    """Every registered kind, in the order they are listed."""
    _load()
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.name))


def kind(name: str) -> BlockKind:
    """The kind called `name`; only validated blocks are asked for, so it exists."""
    _load()
    try:
        return _KINDS[name]
    except KeyError:
        raise KindError(f"no block kind '{name}' is registered") from None
