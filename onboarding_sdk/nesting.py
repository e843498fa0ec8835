"""How deep a JSON text nests, found without parsing it: ``json`` and the recursive parts
that read its result would overflow the stack on a few kilobytes of brackets. Pure."""

from __future__ import annotations

import re

# A JSON string (escapes included) or one bracket: strings are skipped whole by the regex
# engine, so a 4 MB file costs a few milliseconds.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def json_too_deep(text: str, max_depth: int) -> int | None:
    """The line where JSON ``text`` opens its ``max_depth + 1``-th nested level, or None."""
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                return text.count("\n", 0, match.start()) + 1
        elif token in "]}":
            depth -= 1
    return None
