"""Translation status: which languages of a fiche are complete, missing or stale.

Each translated block records `source: <hash>`, a short hash of the
source-language block it was made from (`content.block_hash`). When the source
block changes, its hash no longer matches and the translation is stale.
`stamp` records the current hashes once a translator has brought a file up to date.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fiche.core.atomic import write_atomic
from fiche.core.errors import FicheError, Problem
from fiche.core.safeio import read_user_file
from fiche.model.catalog import Catalog, FicheEntry
from fiche.model.content import block_hash
from fiche.model.source import MAX_FILE_BYTES, decode_text


@dataclass(frozen=True)
class LangStatus:
    fiche: str
    lang: str
    state: str  # "source", "complete", "incomplete" or "invalid"
    blocks: int = 0
    missing: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()
    unstamped: tuple[str, ...] = ()
    problems: int = 0
    todo: tuple[str, ...] = ()  # blocks still marked to be written

    @property
    def ok(self) -> bool:
        return self.state in ("source", "complete") and not self.todo

    def describe(self) -> str:
        todo = f"; to write: {', '.join(self.todo)}" if self.todo else ""
        return self._describe() + todo

    def _describe(self) -> str:
        if self.state == "source":
            return f"source ({self.blocks} blocks)"
        if self.state == "invalid":
            return f"invalid ({self.problems} problem(s); see the errors)"
        if self.state == "complete":
            return "complete"
        parts = []
        if self.missing:
            parts.append("missing: " + ", ".join(self.missing))
        if self.stale:
            parts.append("stale: " + ", ".join(self.stale))
        if self.unstamped:
            parts.append("not stamped: " + ", ".join(self.unstamped))
        return "; ".join(parts)


def translation_status(cat: Catalog) -> list[LangStatus]:
    """The status of every language of every fiche, source language first."""
    out = []
    for slug, entry in sorted(cat.fiches.items()):
        if entry.defn is None:
            continue
        src_lang = entry.defn.source_language
        source = entry.langs.get(src_lang)
        for lang in sorted(entry.defn.languages, key=lambda c: (c != src_lang, c)):
            lf = entry.langs.get(lang)
            if lf is None or source is None:
                n = len(entry.lang_problems.get(lang, [])) or 1
                out.append(LangStatus(slug, lang, "invalid", problems=n))
                continue
            todo = tuple(bid for bid, b in lf.blocks.items() if b.todo)
            if lang == src_lang:
                out.append(LangStatus(slug, lang, "source", blocks=len(lf.blocks), todo=todo))
                continue
            missing, stale, unstamped = [], [], []
            for bid, block in source.blocks.items():
                tb = lf.blocks.get(bid)
                if tb is None:
                    missing.append(bid)
                elif tb.source is None:
                    unstamped.append(bid)
                elif tb.source != block_hash(block):
                    stale.append(bid)
            state = "complete" if not (missing or stale or unstamped) else "incomplete"
            out.append(
                LangStatus(
                    slug,
                    lang,
                    state,
                    len(lf.blocks),
                    tuple(missing),
                    tuple(stale),
                    tuple(unstamped),
                    todo=todo,
                )
            )
    return out


def stamp(cat: Catalog, fiche: str, lang: str, blocks: tuple[str, ...] = ()) -> list[str]:
    """Record in `<lang>.yaml` that its blocks translate the current source blocks.

    Edits the file line by line so that comments and layout stay as they are.
    Returns the ids of the blocks stamped.
    """
    entry: FicheEntry = cat.fiches[fiche]
    assert entry.defn is not None
    src_lang = entry.defn.source_language
    if lang == src_lang:
        raise FicheError.at(
            f"content/{fiche}/{lang}.yaml",
            "",
            f"{lang} is the source language; only translations are stamped",
        )
    if lang not in entry.langs or src_lang not in entry.langs:
        bad = lang if lang not in entry.langs else src_lang
        raise FicheError(
            entry.lang_problems.get(bad)
            or f"content/{fiche}/{bad}.yaml: cannot be read; run fiche validate"
        )
    source, lf, src = entry.langs[src_lang], entry.langs[lang], entry.lang_srcs[lang]
    unknown = [b for b in blocks if b not in lf.blocks]
    if unknown:
        raise FicheError.at(src.path, "blocks", f"no block(s) {', '.join(unknown)} in {lang}.yaml")
    path = entry.folder / f"{lang}.yaml"
    lines = _read_text(path, src.path).splitlines(keepends=True)
    edits = []
    for bid in blocks or tuple(lf.blocks):
        if bid not in source.blocks:
            continue
        digest = block_hash(source.blocks[bid])
        key = src.key_marks.get(("blocks", bid))
        value = src.marks.get(("blocks", bid))
        if key is None or value is None or value.line == key.line:
            raise FicheError.at(
                src.path,
                f"blocks.{bid}",
                "write the block as an indented mapping (one key a line) so that it can be stamped",
                key.line if key else 0,
            )
        old = src.key_marks.get(("blocks", bid, "source"))
        if old is not None:
            edits.append((old.line - 1, 1, f"{' ' * (old.col - 1)}source: {digest}\n"))
        else:
            edits.append((value.line - 1, 0, f"{' ' * (value.col - 1)}source: {digest}\n"))
    for index, remove, text in sorted(edits, reverse=True):
        lines[index : index + remove] = [text]
    write_atomic(path, "".join(lines).encode("utf-8"))
    return [bid for bid in (blocks or tuple(lf.blocks)) if bid in source.blocks]


def _read_text(path: Path, name: str) -> str:
    """The language file again, read as a user's file: it may have changed since loading."""
    return decode_text(read_user_file(path, MAX_FILE_BYTES, name), name)


def unloaded_problems(cat: Catalog) -> list[Problem]:
    """Why a fiche or one of its languages could not be read at all: what `fiche status`
    and `fiche list` cannot show, so they print it instead (the other problems of files
    that did load are `fiche validate`'s to report)."""
    out = list(cat.problems)
    for entry in cat.fiches.values():
        if entry.defn is None:
            out += entry.problems
            continue
        for lang in entry.defn.languages:
            if lang not in entry.langs:
                out += entry.lang_problems.get(lang, [])
    return out


def status_table(rows: list[LangStatus]) -> str:
    width = max([len("fiche")] + [len(r.fiche) for r in rows])
    out = [f"{'fiche':<{width}}  lang  status"]
    out += [f"{r.fiche:<{width}}  {r.lang:<4}  {r.describe()}" for r in rows]
    return "\n".join(out)
