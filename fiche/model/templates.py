"""Text with named placeholders, `{name}`, filled in as plain text.

Templates come from users (a school's `fiche_url`, a layout's decoration text), so
they never reach `str.format`: there, `{sheet.__class__.__mro__}` reads Python's
internals and `{sheet:>50000000}` builds a 50 MB string. Here a placeholder is exactly
`{name}` for a name the caller allows; any other brace is an error that says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_TOKEN = re.compile(r"\{+[^{}]*\}*|\}+")


def check_template(text: str, names: Iterable[str]) -> None:
    """`ValueError` naming the first brace in `text` that is not an allowed placeholder."""
    allowed = [f"{{{n}}}" for n in names]
    use = " and ".join(allowed) if allowed else "no placeholder here"
    for m in _TOKEN.finditer(text):
        token = m.group(0)
        if token in allowed:
            continue
        shown = token if len(token) <= 40 else token[:37] + "..."
        if not token.endswith("}"):
            raise ValueError(f"unmatched '{{' at position {m.start() + 1}: use only {use}")
        if not token.startswith("{"):
            raise ValueError(f"unmatched '}}' at position {m.start() + 1}: use only {use}")
        if not allowed:
            raise ValueError(f"a placeholder ('{shown}') has no meaning here")
        raise ValueError(f"unknown placeholder '{shown}': use only {use}")


def fill_template(text: str, values: Mapping[str, str]) -> str:
    """`text` with each `{name}` of `values` replaced by its value, in one pass (a value
    that itself holds `{name}` stays as it is)."""
    if not values:
        return text
    pattern = "|".join(re.escape(n) for n in values)
    return re.sub(rf"\{{({pattern})\}}", lambda m: values[m.group(1)], text)
