"""N°3's content at other lengths: every text cut or lengthened to a share of its words.

Issue 15 asks that a page fill whatever the length of its text, from about 60 % to 125 %
of what its layout was drawn for. This makes that text from the catalogue's own words,
so that the variants read like the real thing in each language:

- `shortened(text, share)` keeps the first words of every sentence (each sentence keeps
  its share, at least one word) and closes the marks and brackets a cut leaves open;
- `lengthened(text, share, pool)` adds to a text sentences repeated from a pool (the
  text's own, then its block's, then the language's other blocks'), the last one cut to
  the words still wanted, so the text grows by its share without a word that is not in
  the language's file. Headings, titles and terms stay as they are: a heading grown by a
  repeated sentence is not a heading any more.

`variant(share, into)` copies the catalogue (content, layouts, fonts, hyphenation) into
`into` with N°3's blocks changed, one share for all or one per block, and the result is
loaded like any catalogue. Used by `bench/space.py` and `tests/test_fill.py`; it lives
in bench because it is a workload generator that the benchmark runs on its own, and the
tests already import the benchmark's helpers.
"""

from __future__ import annotations

import math
import re
import shutil
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FICHE = "n3"
SHARES = (0.6, 0.75, 0.9, 1.1, 1.25)  # the variants issue 15 names; 1.0 is the catalogue
CATALOGUE = ("content", "layouts", "assets", "hyphenation")  # what a build reads
# The fields of a block that hold printed text (headings, titles, terms, list items…).
TEXT_KEYS = {"title", "text", "term", "meanings", "items"}
# Of those, the ones that name rather than tell: kept as they are when a text grows.
NAMING_KEYS = {"title", "term"}
# A sentence ends at . ! ? or … before a space, but not after an abbreviation of N°3's.
_SENTENCE_END = re.compile(
    r"(?<![ (]bv\.)(?<![ (]e\.g\.)(?<![ (]z\.)(?<![ (]z\. B\.)(?<=[.!?…])\s+"
)
_TRAILING = ",;:–-"
_ENDS = ".!?…"
MIN_PIECE = 2  # words of the shortest clause repeated: one word is no clause
MIN_FAR = 3  # words of the shortest sentence repeated in another block
AGAIN = 3  # words a piece counts as further per time it was used in its block
FAR = 5  # words a sentence of another block counts as further from what is wanted
_CLOSING = "*)\"'»”’"  # what may follow a sentence's end mark

Piece = tuple[str, tuple[str, ...]]  # a sentence and the marks open at its start
Share = float | Mapping[str, float]  # one share for every block, or one per block id


def shortened(text: str, share: float) -> str:
    """`text` cut to `share` of its words, rounded: each sentence keeps its share (at
    least one word) and loses the rest from its end."""
    sentences = _SENTENCE_END.split(text.strip())
    sizes = [len(s.split()) for s in sentences]
    keep = [max(1, math.floor(n * share)) for n in sizes]
    # the words still to keep go to the sentences that lost most of a word by rounding down
    left = math.floor(sum(sizes) * share + 0.5) - sum(keep)
    order = sorted(range(len(sizes)), key=lambda i: keep[i] - sizes[i] * share)
    for i in [i for i in order if keep[i] < sizes[i]][: max(left, 0)]:
        keep[i] += 1
    out, marks = [], []  # the strong and emphasis marks open at a sentence's start
    for sentence, k in zip(sentences, keep, strict=True):
        out.append(_cut(sentence, k, marks))
        marks = _open_marks(sentence, marks)
    return " ".join(out)


def lengthened(text: str, share: float, pool: Sequence[Piece] = ()) -> str:
    """`text` with sentences or clauses of `pool` (of `text` itself if empty) added:
    about `share` of its words, and at least one piece more."""
    n = len(text.split())
    return grown(text, math.floor(n * share + 0.5) - n, pool or _sentences(text))[0]


def grown(
    text: str,
    wanted: int,
    pool: Sequence[Piece],
    own: int | None = None,
    *,
    used: Counter[str] | None = None,
    least: int = 1,
) -> tuple[str, int]:
    """`text` with about `wanted` words more, and how many it got.

    The pieces are whole sentences or clauses (a sentence up to a comma, a colon or a
    semicolon, with its end mark) of `pool`, whose first `own` sentences are the text's
    own block's (all, if None). Each next piece is the one that comes nearest to what is
    still wanted, counting a piece of another block `FAR` words further and one already
    `used` `AGAIN` words further per use; pieces are added while they bring the text
    nearer, and at least `least`. A text that ends with a colon announces what follows
    it (a list's sub-items): the pieces go before its last sentence, unless a mark is
    open there."""
    text = text.strip()
    pieces = _candidates(pool, len(pool) if own is None else own)
    used = Counter() if used is None else used
    added: list[str] = []
    got = 0
    while pieces:
        left = wanted - got

        def cost(j: int, left: int = left) -> int:
            piece, size, penalty = pieces[j]
            return abs(left - size) + penalty + AGAIN * used[piece]

        i = min(range(len(pieces)), key=lambda j: (cost(j), j))
        if len(added) >= least and cost(i) >= abs(left):
            break
        used[pieces[i][0]] += 1
        added.append(pieces[i][0])
        got += pieces[i][1]
    if not added:
        return text, 0
    sentences = _SENTENCE_END.split(text)
    if text.endswith(":"):
        head, last = " ".join(sentences[:-1]), sentences[-1]
        if not _open_marks(head, []):
            return _joined([p for p in (head, *added, last) if p]), got
    return _joined([text, *added]), got


def _candidates(pool: Sequence[Piece], own: int) -> list[tuple[str, int, int]]:
    """Each sentence of `pool` whole and cut after each of its clauses, as (passage,
    words, penalty), in the pool's order, each passage once. Of another block than the
    text's own, only sentences and clauses of at least `MIN_FAR` words: a lone address
    or a book's title is no sentence to repeat elsewhere."""
    out: dict[str, tuple[int, int]] = {}
    for n, (sentence, marks) in enumerate(pool):
        words = sentence.split()
        least, penalty = (1, 0) if n < own else (MIN_FAR, FAR)
        sizes = [len(words)]
        if sentence[-1:] in _ENDS:  # a clause gets the sentence's end mark
            sizes += [k for k in range(len(words) - 1, 0, -1) if words[k - 1][-1] in ",;:"]
        for k in sizes:
            if k >= max(least, MIN_PIECE if k < len(words) else 1):
                out.setdefault(_cut(sentence, k, list(marks)), (k, penalty))
    return [(p, k, penalty) for p, (k, penalty) in out.items()]


def _joined(parts: list[str]) -> str:
    """The parts as one text: after a part that does not end a sentence or a clause
    (a list item without a full stop, a web address), a dash, never a full stop that
    could be read as part of an address."""
    out = parts[0]
    for part in parts[1:]:
        end = out.rstrip(_CLOSING)[-1:]
        out += (" " if end and end in _ENDS + ",;:" else " – ") + part
    return out


def _cut(sentence: str, keep: int, marks: list[str]) -> str:
    """The first `keep` words of `sentence` and its end, as a passage of its own: the
    marks open at its start opened again and every mark and bracket it leaves open closed."""
    words = sentence.split()
    end = sentence[-1] if keep < len(words) and sentence[-1] in _ENDS else ""
    kept = " ".join(words[:keep])
    if end:
        kept = kept.rstrip(_TRAILING + " ")
    closers = "".join(reversed(_open_marks(kept, marks)))
    closers = ")" * max(kept.count("(") - kept.count(")"), 0) + closers
    if closers and not end and kept[-1:] in _ENDS:  # close inside the sentence's end
        kept, end = kept[:-1], kept[-1]
    return "".join(marks) + kept + closers + end


def _open_marks(text: str, marks: list[str]) -> list[str]:
    """The marks (`**`, `*`) open after `text`, given those open before it, innermost last."""
    stack = list(marks)
    for mark in re.findall(r"\*\*|\*", text):
        if mark in stack:
            del stack[stack.index(mark) :]
        else:
            stack.append(mark)
    return stack


def _sentences(text: str) -> list[Piece]:
    out, marks = [], []
    for sentence in _SENTENCE_END.split(text.strip()):
        out.append((sentence, tuple(marks)))
        marks = _open_marks(sentence, marks)
    return out


def _telling(block: dict) -> Iterator[str]:
    """The texts of a block that tell something (not its heading, title or term)."""
    if block.get("kind") == "heading":
        return
    yield from texts({k: v for k, v in block.items() if k not in NAMING_KEYS})


def texts(value: object) -> Iterator[str]:
    """Every printed text in a block (or a part of one), in order."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from texts(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k in TEXT_KEYS:
                yield from texts(v)


def _pool(blocks: dict[str, dict], bid: str, text: str) -> tuple[list[Piece], int]:
    """Sentences to repeat in `text` of block `bid`, and how many are the block's own:
    those of the block's texts after it and round to those before it (the next list
    item before the text itself, which would stutter), then those of the blocks after
    it and round to those before it; each once."""
    ids = list(blocks)
    at = ids.index(bid)
    texts = list(_telling(blocks[bid]))
    i = texts.index(text) if text in texts else len(texts)
    own = _unique(texts[i + 1 :] + texts[:i] + [text], set())
    seen = {p[0] for p in own}
    far = [t for other in ids[at + 1 :] + ids[:at] for t in _telling(blocks[other])]
    return own + _unique(far, seen), len(own)


def _unique(texts: list[str], seen: set[str]) -> list[Piece]:
    out = []
    for text in texts:
        for piece in _sentences(text):
            if piece[0] not in seen:
                seen.add(piece[0])
                out.append(piece)
    return out


def varied_block(blocks: dict[str, dict], bid: str, share: float) -> dict:
    """Block `bid` of a language's `blocks` with every text at `share` of its words."""
    block = blocks[bid]
    if share == 1:
        return block
    if share < 1:
        return {k: _shorten(v, share) if k in TEXT_KEYS else v for k, v in block.items()}
    if block.get("kind") == "heading":
        return block

    carry = 0  # words wanted by earlier texts of the block and not given, or given too many
    used: Counter[str] = Counter()  # pieces added to the block, so that it varies them

    def grow(value: object) -> object:
        nonlocal carry
        if isinstance(value, str):
            n = len(value.split())
            wanted = math.floor(n * share + 0.5) - n + carry
            pool, own = _pool(blocks, bid, value)
            # the block's first text grows at least by a piece: every block changes
            text, got = grown(value, wanted, pool, own, used=used, least=int(not used))
            carry = wanted - got
            return text
        if isinstance(value, list):
            return [grow(v) for v in value]
        if isinstance(value, dict):  # a list item with a list of its own
            return {k: grow(v) if k in TEXT_KEYS else v for k, v in value.items()}
        return value

    return {k: grow(v) if k in TEXT_KEYS - NAMING_KEYS else v for k, v in block.items()}


def _shorten(value: object, share: float) -> object:
    if isinstance(value, str):
        return shortened(value, share)
    if isinstance(value, list):
        return [_shorten(v, share) for v in value]
    if isinstance(value, dict):  # a list item with a list of its own
        return {k: _shorten(v, share) if k in TEXT_KEYS else v for k, v in value.items()}
    return value


def words(value: object) -> int:
    """The words of a block's printed text (or of any part of one)."""
    return sum(len(t.split()) for t in texts(value))


def share_of(share: Share, bid: str) -> float:
    return share.get(bid, 1.0) if isinstance(share, Mapping) else share


def vary_language(src: Path, dst: Path, share: Share) -> tuple[int, int]:
    """The language file `src` with its blocks at `share`, written to `dst`; returns
    its words before and after."""
    data = yaml.safe_load(src.read_text(encoding="utf-8"))
    blocks = data["blocks"]
    before = sum(words(b) for b in blocks.values())
    data["blocks"] = {bid: varied_block(blocks, bid, share_of(share, bid)) for bid in blocks}
    after = sum(words(b) for b in data["blocks"].values())
    dst.write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000),
        encoding="utf-8",
    )
    return before, after


def copy_catalogue(into: Path, root: Path = ROOT) -> None:
    """What a build of `root` reads, copied into `into`."""
    for name in CATALOGUE:
        shutil.copytree(root / name, into / name)


def variant(
    share: Share, into: Path, *, root: Path = ROOT, fiche: str = FICHE
) -> dict[str, tuple[int, int]]:
    """A copy of the catalogue in `into` with every block text of `fiche` at `share` of
    its words; returns the words before and after per language."""
    copy_catalogue(into, root)
    counts = {}
    for path in sorted((into / "content" / fiche).glob("*.yaml")):
        if path.name != "fiche.yaml":
            counts[path.stem] = vary_language(path, path, share)
    return counts
