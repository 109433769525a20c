"""The registry of block kinds: what each stage asks of a kind, and where to find it.

A block kind (heading, list, image, ...) is one module in `fiche.blocks` that
subclasses `BlockKind` and registers itself. The stages below that package cannot
import it, so they dispatch through this registry instead: the content model
builds its block union from it, the layout check asks it for the style roles a
layout must define, the catalogue and the input hash for the files a block reads,
`typeset` for a block's typeset form, the engine for its flowables, the contrast
check for its styles and the text check for the texts it gives back. A kind that
lacks any of these parts is refused when it registers, so a forgotten part stops
every command at start-up instead of being skipped in silence.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar, get_args, get_origin

from pydantic import Field

from fiche.model.validation import Model

if TYPE_CHECKING:  # the stages above this one: types only, never imports at run time
    from fiche.engine.context import Ctx
    from fiche.engine.flowables import BlockFlowable
    from fiche.model.layout import Look
    from fiche.typeset.sheet import TBlock, TText

# A text of the content file at a field path, with its language's typography.
Typeset = Callable[[str, tuple], "TText"]
# A file a block reads: its field path inside the block, and the path written there
# (relative to assets/images).
FileRef = tuple[tuple[str | int, ...], str]


class BlockModel(Model):
    """What every block has; a kind's model (in `fiche.blocks`) adds `kind` and its fields."""

    if TYPE_CHECKING:  # each kind declares it as Literal["its name"]; pydantic must not see it
        kind: str

    source: str | None = Field(
        default=None,
        description="Translations only: short hash of the source-language block it was made from.",
    )
    todo: bool = Field(
        default=False, description="Still to be written (set by `fiche new`; status lists it)."
    )


class KindError(TypeError):
    """A block kind that cannot be used: a programming error, raised at start-up."""


class BlockKind(ABC):
    """Everything fiche must know of one kind of block, in one place."""

    name: ClassVar[str]  # the value of `kind:` in a content file
    model: ClassVar[type[BlockModel]]  # validates the block; its `kind` is Literal[name]
    # The layout style roles its texts may be set in: every layout must define a style
    # of each name, and a region may map each to another style. `styles` names no other.
    roles: ClassVar[tuple[str, ...]]
    # Where the kind is listed (block union, schema, "expected one of" messages);
    # kinds of equal order are listed by name.
    order: ClassVar[int] = 1000

    @abstractmethod
    def typeset(self, bid: str, block: Any, t: Typeset, root: Path) -> TBlock:
        """The block as the engine sets it; `t(text, field path)` applies typography."""

    @abstractmethod
    def flowables(self, ctx: Ctx, b: Any, st: dict) -> list[BlockFlowable]:
        """The flowables of a typeset block, each text tagged; `st` maps roles to styles."""

    @abstractmethod
    def styles(self, block: Any, look: Look) -> Sequence[tuple[str, str | None]]:
        """The layout roles the block's texts are set in, each with the palette colour
        drawn beneath it when that is not the region's own (for the contrast check)."""

    @abstractmethod
    def texts(self, b: Any) -> list[str]:
        """The plain texts a reader must find in the PDF for a typeset block, in
        reading order (for the text check)."""

    def files(self, block: Any) -> Sequence[FileRef]:
        """The files the block reads (for the catalogue's path checks and the build's
        input hash); most kinds read none."""
        return ()


# The package of the kind modules: a stage above this one, so it is named here and
# loaded on the first lookup, never imported (which would also load every kind's
# model for commands that need no kind at all).
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
        part for part in ("name", "model", "roles") if not hasattr(cls, part)
    ]
    if missing:
        raise KindError(f"{where} lacks: {', '.join(missing)}")
    _check_model(cls, where)
    if not (isinstance(cls.roles, tuple) and all(isinstance(r, str) for r in cls.roles)):
        raise KindError(f"{where}: roles must be a tuple of style names")
    if cls.name in _KINDS:
        other = type(_KINDS[cls.name])
        raise KindError(f"{where}: kind '{cls.name}' is already {other.__module__}")
    _KINDS[cls.name] = cls()
    return cls


def _check_model(cls: type[BlockKind], where: str) -> None:
    model = cls.model
    if not (inspect.isclass(model) and issubclass(model, BlockModel)):
        raise KindError(f"{where}: model must be a subclass of BlockModel")
    field = model.model_fields.get("kind")
    tp = field.annotation if field else None
    if get_origin(tp) is not Literal or get_args(tp) != (cls.name,):
        raise KindError(f"{where}: {model.__name__}.kind must be Literal[{cls.name!r}]")
    # The fields every block has: a kind's model that declared one again would change
    # its meaning for every block of that kind (`source` is the hash a translation was
    # made from, `todo` what `fiche status` lists).
    own = [c for c in model.__mro__ if c is not BlockModel and issubclass(c, BlockModel)]
    redefined = [
        f
        for f in BlockModel.model_fields
        if any(f in vars(c).get("__annotations__", {}) for c in own)
    ]
    if redefined:
        raise KindError(
            f"{where}: {model.__name__} redefines {', '.join(redefined)}, which every block "
            "has (name the kind's own field otherwise)"
        )


def _load() -> None:
    """Import the kind modules once."""
    global _loading
    if _loading:
        # A kind module asked for the registry while the package loads: it would see
        # only the kinds loaded before it.
        raise KindError(f"the block kinds were asked for while {PACKAGE} is loading")
    if PACKAGE not in sys.modules:
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


def registers(module: str) -> bool:
    """Whether `module` registered a kind; for the package, which asks while it loads."""
    return any(type(k).__module__ == module for k in _KINDS.values())


def roles() -> tuple[str, ...]:
    """Every style role a registered kind sets text in, each once, in the kinds' order."""
    return tuple(dict.fromkeys(r for k in kinds() for r in k.roles))
