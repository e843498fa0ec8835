"""Limits on what content may come in, checked before the expensive work they guard.

Size before anything is read or parsed; nesting depth before the recursive parts (PyYAML's
composer, ``json``, the condition compiler) can overflow the stack; the guide count before
any guide is validated. Pure: no Flask, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

MAX_BYTES = 4 * 1024 * 1024
MAX_GUIDES = 5000
# Deeper than any real guide (a guide's ``when`` with nested all/any/not is well under 20) and
# far from the interpreter's recursion limit.
MAX_DEPTH = 32


@dataclass(frozen=True, slots=True)
class ContentLimits:
    """``ONBOARDING_CONTENT_MAX_BYTES``, ``ONBOARDING_CONTENT_MAX_GUIDES`` and the nesting depth."""

    max_bytes: int = MAX_BYTES
    max_guides: int = MAX_GUIDES
    max_depth: int = MAX_DEPTH


DEFAULT_LIMITS = ContentLimits()


def too_large(size: int, limits: ContentLimits) -> str | None:
    """The refusal for ``size`` bytes of content, or None when it fits."""
    if size <= limits.max_bytes:
        return None
    return (
        f"{size} bytes, more than the limit of {limits.max_bytes} (ONBOARDING_CONTENT_MAX_BYTES): "
        "refusing to read it; split the content or raise the limit"
    )


def text_size(text: str, limit: int) -> int:
    """The UTF-8 size of ``text``, not counted when its length alone says it fits."""
    if len(text) * 4 <= limit:
        return len(text)  # under for sure (at most 4 bytes a character); the size is not shown
    return len(text.encode("utf-8", "surrogatepass"))


def too_many_guides(count: int, before: int, limits: ContentLimits) -> str | None:
    """The refusal when ``count`` more guides (after ``before`` from other files) pass the limit."""
    if before + count <= limits.max_guides:
        return None
    in_all = f" ({before + count} with the files before it)" if before else ""
    return (
        f"{count} guides{in_all}, more than the limit of {limits.max_guides} (ONBOARDING_CONTENT_MAX_GUIDES): "
        "refusing to validate them"
    )


def depth_message(limits: ContentLimits) -> str:
    return f"nested more than {limits.max_depth} levels deep: refusing to read this file"


def yaml_too_deep(text: str, loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader], max_depth: int) -> int | None:
    """The line where YAML ``text`` opens its ``max_depth + 1``-th nested level, or None.

    Walks the parser's event stream, which holds no recursion (the composer does). A syntax
    error ends the walk: composing the text reports it, no deeper than what was walked.
    (Flow collections nested past libyaml's own limit end it too, reported at that line.)
    """
    depth = 0
    try:
        parser = loader(text)
    except yaml.YAMLError:  # the pure-Python reader refuses some characters at once
        return None
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > max_depth:
                    return int(event.start_mark.line) + 1 if event.start_mark else 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        # libyaml stops at 1000 levels on its own, scanning ahead of the events it gave
        mark = getattr(exc, "problem_mark", None)
        if "nesting depth" in str(exc) and mark is not None:
            return int(mark.line) + 1
        return None
    finally:
        parser.dispose()
    return None
