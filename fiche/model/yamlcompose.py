"""YAML text into PyYAML nodes (with their marks), by libyaml when it can.

PyYAML's pure-Python parser is about ten times slower than libyaml's, and a
build composes every content and layout file. libyaml's nodes carry the same
marks (line and column of every value), so the data, and every message that
points into a file, stay the same. libyaml is only the fast path:

- a document it refuses is composed again by the pure-Python parser, whose
  message and position the error has always carried (libyaml words them
  differently);
- libyaml composes nested values by recursion on the C stack, which a deep
  enough file (`[[[[...`) overflows, killing the process: a document that
  could nest that deep goes the pure-Python way, which stops cleanly;
- libyaml takes some text the pure-Python parser refuses or reads otherwise:
  tabs (which it allows in more places), a byte order mark past the start (which
  it does not count as a column) and tags (whose end it finds elsewhere in flow
  collections). Text with a tab, a byte order mark or anything that may be a tag
  goes the pure-Python way; the shipped files have none. So do empty values
  (whose column libyaml puts one further on in a flow collection) and plain
  values holding a character that ends a plain value in a flow collection for
  the pure-Python parser (libyaml reads on past "?", for one): libyaml's nodes
  are looked over for those, and thrown away when there is one;
- without libyaml (a PyYAML built without it) everything goes the pure-Python way.
"""

from __future__ import annotations

import re

import yaml

# Every level of nesting needs one of these characters (a flow collection's opener,
# a block sequence's dash, a block mapping's colon or question mark), so their number
# bounds the depth. libyaml nests 20 000 levels on an 8 MiB stack (a thread's too): 5 000
# leaves room for smaller stacks, and the shipped files have at most a few hundred (about
# one character in thirty, so files up to some 150 KB take the fast path).
_NESTING_CHARS = "[{-:?"
MAX_FAST_NESTING = 5000

# A tag is "!" after a space, a line start or a flow indicator, before a non-space; a
# sentence's "!" ("Stop!", "Arrête !") is none.
_MAYBE_TAG = re.compile(r"(?:^|[\s\[\]{},])![^\s]")

_FAST: type | None = getattr(yaml, "CSafeLoader", None)


def compose(text: str) -> yaml.Node | None:
    """The document's root node (None for an empty document).

    Raises what `yaml.compose` with the pure-Python `SafeLoader` raises, for the
    same text: the caller words the error.
    """
    if _FAST is not None and _fast_enough(text):
        try:
            node = yaml.compose(text, Loader=_FAST)
        except Exception:  # the reference parser below decides, and words the error
            node = None
        else:
            if node is None or not _read_otherwise(node):
                return node
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _fast_enough(text: str) -> bool:
    """Whether libyaml reads `text` as the pure-Python parser does, and without
    overflowing its stack."""
    return (
        "\t" not in text
        and "\ufeff" not in text
        and _MAYBE_TAG.search(text) is None
        and sum(text.count(c) for c in _NESTING_CHARS) < MAX_FAST_NESTING
    )


_FLOW_ENDS = frozenset("?:#,[]{}")


def _read_otherwise(root: yaml.Node) -> bool:
    """Whether the pure-Python parser may have read a node of this tree otherwise: an
    empty plain value, or a plain value in a flow collection holding a character that
    ends it there."""
    todo: list[tuple[yaml.Node, bool]] = [(root, False)]
    seen: set[int] = set()
    while todo:
        node, in_flow = todo.pop()
        if id(node) in seen:
            continue  # an alias: looked at already
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if not node.style and (  # plain (libyaml says "", PyYAML None)
                not node.value or (in_flow and not _FLOW_ENDS.isdisjoint(node.value))
            ):
                return True
            continue
        flow = in_flow or bool(getattr(node, "flow_style", False))
        if isinstance(node, yaml.SequenceNode):
            todo += [(item, flow) for item in node.value]
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                todo += [(key, flow), (value, flow)]
    return False
