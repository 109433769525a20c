"""Translated texts into a language file, keeping its comments, order and formatting.

ruamel.yaml reads and writes the file as a round trip: an unchanged file is written
back byte for byte, and a changed text keeps the style it was written in (plain,
quoted or folded). A block whose every text is now translated gets the current hash
of its source block (`source:`), as `fiche stamp` would record it.
"""

from __future__ import annotations

import io
import textwrap
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    SingleQuotedScalarString,
)

from fiche.tools.xliff.units import TEXT_FIELDS, Unit

WIDTH = 92  # where a folded text wraps, as the hand-written files do


def _yaml() -> YAML:
    y = YAML()
    y.preserve_quotes = True
    y.width = 4096  # ruamel must not wrap: folded texts carry their own folds
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def apply_targets(
    text: str,
    source: Any,
    units: list[Unit],
    changes: dict[str, str],
    stamp: dict[str, str],
    *,
    lang: str,
    header: str = "",
) -> str:
    """The language file `text` with `changes` (unit id -> text) written in and the
    blocks of `stamp` given their source hash; a new file in the source's shape, under
    `header`, when `text` is empty."""
    y = _yaml()
    data = y.load(text) if text.strip() else _skeleton(source, lang)
    by_id = {u.id: u for u in units}
    for uid, new in changes.items():
        _set(data, by_id[uid].path, new, source)
    blocks = data.get("blocks") or {}
    for bid, digest in stamp.items():
        block = blocks.get(bid)
        if not isinstance(block, CommentedMap):
            continue
        if "source" in block:
            block["source"] = digest
        else:  # after `kind`, where the other files have it
            block.insert(0, "source", digest)
    out = io.StringIO()
    y.dump(data, out)
    return out.getvalue() if text.strip() else header + out.getvalue()


def _skeleton(source: Any, lang: str) -> CommentedMap:
    """A new language file in the source's shape and order: every key of the source, its
    texts as placeholders that the import overwrites (a new file is written only when
    every text is translated)."""
    data = CommentedMap()
    data["language"] = lang
    for key in ("meta", "sheets", "blocks"):
        value = source.get(key)
        if isinstance(value, dict):
            data[key] = _copied(value, top=key == "blocks")
    return data


def _copied(value: Any, top: bool = False) -> Any:
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            if k in ("source", "todo"):
                continue
            out[k] = _copied(v)
        if top:  # a blank line between blocks, as the hand-written files have
            for k in list(out)[1:]:
                out.yaml_set_comment_before_after_key(k, before="\n", indent=2)
        return out
    if isinstance(value, list):
        return CommentedSeq(_copied(v) for v in value)
    return value


HEADER = (
    "# yaml-language-server: $schema=../../schemas/content.schema.json\n"
    "# {fiche} in {lang}, translated from {source}.yaml; first written by `fiche xliff import`.\n"
    "# Text may use plain quotes and apostrophes (\"...\" and '), **strong** and *emphasis*.\n"
)


def _get(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _set(data: Any, path: tuple[str | int, ...], new: str, source: Any) -> None:
    """Write `new` at `path`, making the maps and lists on the way as the source has them."""
    node, src = data, source
    for i, part in enumerate(path[:-1]):
        src = src[part]
        nxt = path[i + 1]
        if isinstance(node, CommentedMap) and part not in node:
            node[part] = CommentedSeq() if isinstance(nxt, int) else CommentedMap()
        elif isinstance(node, CommentedSeq):
            while len(node) <= int(part):
                node.append(None)
            if node[int(part)] is None:
                node[int(part)] = CommentedSeq() if isinstance(nxt, int) else CommentedMap()
        node = node[part]
        if isinstance(src, dict) and isinstance(node, CommentedMap) and not isinstance(nxt, int):
            for key, value in src.items():  # a sub-list's settings other than its texts
                if key not in TEXT_FIELDS and key not in node:
                    node[key] = value
    last = path[-1]
    if isinstance(node, CommentedSeq):
        while len(node) <= int(last):
            node.append(None)
        old = node[int(last)]
        node[int(last)] = _styled(new, old, _indent(path))
    else:
        old = node.get(last)
        node[last] = _styled(new, old, _indent(path))


def _indent(path: tuple[str | int, ...]) -> int:
    """The column a folded text's lines start at: two spaces a mapping level, four for
    a list item's own text."""
    return sum(4 if isinstance(part, int) else 2 for part in path)


def _styled(new: str, old: Any, indent: int) -> Any:
    """`new` in the scalar style `old` had; a long plain text becomes folded."""
    if isinstance(old, FoldedScalarString) or (
        not isinstance(old, DoubleQuotedScalarString | SingleQuotedScalarString)
        and indent + len(new) > WIDTH
    ):
        return _folded(new, indent)
    if isinstance(old, DoubleQuotedScalarString):
        return DoubleQuotedScalarString(new)
    if isinstance(old, SingleQuotedScalarString):
        return SingleQuotedScalarString(new)
    if _needs_quotes(new):
        return DoubleQuotedScalarString(new)
    return new


def _needs_quotes(text: str) -> bool:
    """Whether a plain scalar would not read back as this text: `yes`, `No`, `Off`,
    `1.5`, `~` are other types to YAML 1.1, and some marks begin YAML syntax."""
    if text[:1] in "\"'&*!|>%@`#{[-?:," or ": " in text or " #" in text:
        return True
    try:
        return yaml.safe_load(text) != text
    except yaml.YAMLError:
        return True


def _folded(text: str, indent: int) -> FoldedScalarString:
    """A folded scalar that wraps at `WIDTH`: ruamel folds where `fold_pos` says."""
    s = FoldedScalarString(text)
    lines = textwrap.wrap(
        text, width=max(40, WIDTH - indent), break_long_words=False, break_on_hyphens=False
    )
    if len(lines) > 1 and " ".join(lines) == text:
        pos, folds = 0, []
        for line in lines[:-1]:
            pos += len(line)
            folds.append(pos)  # the space after this line
            pos += 1
        s.fold_pos = folds
    return s
