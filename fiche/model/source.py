"""YAML files into plain data that remembers where every value came from.

PyYAML's composer gives nodes with marks; we build the data ourselves from
those nodes instead of letting a constructor do it, so that:
- every key and list item keeps its file, line and column (`Source.where`),
- only plain YAML types are accepted (no tags that build Python objects),
- duplicate keys are errors instead of silently overwriting,
- aliases cannot expand a small file into a huge document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from fiche.core.errors import FicheError, Problem
from fiche.core.safeio import read_user_file
from fiche.model.yamlcompose import compose

MAX_FILE_BYTES = 1 << 20
MAX_NODES = 200_000

Path_ = tuple[str | int, ...]

# UTF-32's marks first: UTF-32-LE's begins with UTF-16-LE's.
_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
# What YAML does not allow in a document (PyYAML would say so without a line).
_NOT_ALLOWED = yaml.reader.Reader.NON_PRINTABLE

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


@dataclass(frozen=True)
class Mark:
    """Where a value starts in its file; `line` and `col` are 1-based."""

    path: str
    line: int
    col: int

    def problem(self, field: str, message: str) -> Problem:
        return Problem(self.path, self.line, self.col, field, message)


@dataclass
class Source:
    """Data of one (or, after merging, several) YAML files with value positions."""

    path: str
    data: Any
    marks: dict[Path_, Mark] = field(default_factory=dict)
    key_marks: dict[Path_, Mark] = field(default_factory=dict)

    def where(self, loc: Path_, key: bool = False) -> Mark:
        """The mark of the value at `loc`, or of its nearest ancestor."""
        table = self.key_marks if key else self.marks
        loc = tuple(loc)
        while loc:
            if loc in table:
                return table[loc]
            if key and loc in self.marks:
                return self.marks[loc]
            loc = loc[:-1]
        return self.marks.get((), Mark(self.path, 1, 1))

    def problem(self, loc: Path_, message: str, key: bool = False) -> Problem:
        return self.where(loc, key=key).problem(format_field(loc), message)


def format_field(loc: Path_) -> str:
    """('blocks', 'why', 'items', 2) -> 'blocks.why.items[2]'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def load_yaml(path: Path, display: str | None = None) -> Source:
    """Read one YAML file into a `Source`, or raise `FicheError` naming the place."""
    name = display or str(path)
    return parse_yaml(decode_text(read_user_file(path, MAX_FILE_BYTES, name), name), name)


def decode_text(raw: bytes, name: str) -> str:
    """A user's text file as text: UTF-8 (a byte order mark is allowed), without
    control characters; anything else is a `FicheError` saying where and what to do."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            raise FicheError.at(name, "", f"file is {encoding} text; save it as UTF-8")
    if _utf16_without_bom(raw):
        raise FicheError.at(name, "", "file is UTF-16 text; save it as UTF-8")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line, col = _line_col(raw, e.start)
        raise FicheError.at(
            name,
            "",
            f"not UTF-8 text (byte 0x{raw[e.start]:02X}); save the file as UTF-8",
            line,
            col,
        ) from None
    bad = _NOT_ALLOWED.search(text)
    if bad:
        char = bad.group()
        kind = "a noncharacter" if char in "\ufffe\uffff" else "a control character"
        line, col = _line_col(text, bad.start())
        raise FicheError.at(
            name, "", f"character U+{ord(char):04X} ({kind}) is not allowed; remove it", line, col
        )
    return text


def _utf16_without_bom(raw: bytes) -> bool:
    """Latin letters in UTF-16 alternate with NUL bytes, on the odd or the even side."""
    head = raw[:64]
    return len(head) >= 4 and (not any(head[1::2]) or not any(head[0::2]))


def _line_col(data: str | bytes, at: int) -> tuple[int, int]:
    if isinstance(data, str):
        line, start = data.count("\n", 0, at), data.rfind("\n", 0, at)
    else:
        line, start = data.count(b"\n", 0, at), data.rfind(b"\n", 0, at)
    return line + 1, at - (start + 1) + 1


# Python's own limit on nesting, met well before any real file's: say so, not crash.
_TOO_DEEP = "values nested too deeply (hundreds of levels); flatten the file"


def parse_yaml(text: str, name: str) -> Source:
    try:
        node = compose(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        reason = e.problem or str(e)
        if e.context:
            reason = f"{reason} ({e.context})"
        raise FicheError.at(name, "", f"malformed YAML: {reason}", line, col) from None
    except yaml.YAMLError as e:
        raise FicheError.at(name, "", f"malformed YAML: {e}") from None
    except RecursionError:
        raise FicheError.at(name, "", _TOO_DEEP) from None
    src = Source(name, None)
    if node is None:
        raise FicheError.at(name, "", "file is empty", 1, 1)
    builder = _Builder(src)
    try:
        src.data = builder.build(node, ())
    except RecursionError:
        raise FicheError.at(name, "", _TOO_DEEP) from None
    if builder.problems:
        raise FicheError(builder.problems)
    if not isinstance(src.data, dict):
        raise FicheError.at(name, "", "expected a mapping of keys at the top of the file", 1, 1)
    return src


class _Builder:
    def __init__(self, src: Source):
        self.src = src
        self.count = 0
        self.problems: list[Problem] = []
        self._active: set[int] = set()
        self._scalar = yaml.SafeLoader("")

    def _mark(self, node: yaml.Node) -> Mark:
        return Mark(self.src.path, node.start_mark.line + 1, node.start_mark.column + 1)

    def _fail(self, node: yaml.Node, loc: Path_, message: str) -> None:
        self.problems.append(self._mark(node).problem(format_field(loc), message))

    def build(self, node: yaml.Node, loc: Path_) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            if self.count == MAX_NODES + 1:
                self._fail(
                    node,
                    loc,
                    f"document expands to more than {MAX_NODES} values "
                    "(aliases repeated too often?)",
                )
            return None
        self.src.marks.setdefault(loc, self._mark(node))
        if id(node) in self._active:
            self._fail(node, loc, "an alias refers to itself")
            return None
        if isinstance(node, yaml.ScalarNode):
            return self._scalar_value(node, loc)
        self._active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                if node.tag != "tag:yaml.org,2002:seq":
                    self._fail(node, loc, f"unsupported YAML tag {node.tag}")
                return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, loc)
        finally:
            self._active.discard(id(node))
        self._fail(node, loc, "unsupported YAML node")
        return None

    def _mapping(self, node: yaml.MappingNode, loc: Path_) -> dict:
        if node.tag != "tag:yaml.org,2002:map":
            self._fail(node, loc, f"unsupported YAML tag {node.tag}")
        out: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._fail(key_node, loc, "merge keys (<<) are not supported; write the keys out")
                continue
            key = (
                self._scalar_value(key_node, loc) if isinstance(key_node, yaml.ScalarNode) else None
            )
            if not isinstance(key, str | int) or isinstance(key, bool):
                self._fail(key_node, loc, "keys must be plain words")
                continue
            key = str(key)
            if key in out:
                first = self.src.key_marks.get((*loc, key))
                again = f" (first at line {first.line})" if first else ""
                self._fail(key_node, (*loc, key), f"duplicate key '{key}'{again}")
                continue
            self.src.key_marks[(*loc, key)] = self._mark(key_node)
            out[key] = self.build(value_node, (*loc, key))
        return out

    def _scalar_value(self, node: yaml.ScalarNode, loc: Path_) -> Any:
        if node.tag not in _SCALAR_TAGS:
            self._fail(
                node, loc, f"unsupported YAML tag {node.tag} (only plain values are allowed)"
            )
            return None
        return self._scalar.construct_object(node, deep=True)


def merge(base: Source, over: Source) -> Source:
    """`over` on top of `base`: mappings merge key by key, anything else is replaced.

    Marks follow the value that wins, so an error in an inherited value still
    points into the file it came from.
    """
    out = Source(over.path, None)
    # Each copied value's marks, found by its place instead of by a look at every mark.
    below = {id(t): _by_prefix(t) for t in (base.marks, base.key_marks, over.marks, over.key_marks)}

    def walk(b: Any, o: Any, loc: Path_) -> Any:
        if isinstance(b, dict) and isinstance(o, dict):
            res = {}
            for k in list(b) + [k for k in o if k not in b]:
                if k in o:
                    res[k] = (
                        walk(b.get(k), o[k], (*loc, k)) if k in b else copy(over, o[k], (*loc, k))
                    )
                    _copy_key(over, (*loc, k))
                else:
                    res[k] = copy(base, b[k], (*loc, k))
                    _copy_key(base, (*loc, k))
            out.marks[loc] = over.marks.get(loc) or base.marks.get(loc) or Mark(over.path, 1, 1)
            return res
        return copy(over, o, loc)

    def _copy_key(src: Source, loc: Path_) -> None:
        if loc in src.key_marks:
            out.key_marks[loc] = src.key_marks[loc]

    def copy(src: Source, value: Any, loc: Path_) -> Any:
        for k in below[id(src.marks)].get(loc, ()):
            out.marks[k] = src.marks[k]
        for k in below[id(src.key_marks)].get(loc, ()):
            if len(k) > len(loc):
                out.key_marks[k] = src.key_marks[k]
        return value

    out.data = walk(base.data, over.data, ())
    return out


def _by_prefix(table: dict[Path_, Mark]) -> dict[Path_, list[Path_]]:
    """Each place -> the places in `table` at or below it."""
    out: dict[Path_, list[Path_]] = {}
    for k in table:
        for n in range(len(k) + 1):
            out.setdefault(k[:n], []).append(k)
    return out
