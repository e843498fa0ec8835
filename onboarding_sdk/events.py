"""Declared events: ONBOARDING_EVENTS as a list of names or a mapping of name -> options."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ConfigurationError, UnknownEvent

EVENT_NAME = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,63}$")
_OPTIONS = {"key", "client", "label", "description"}


@dataclass(frozen=True, slots=True)
class EventSpec:
    """One declared event.

    ``key``: the key setup step (the default ``use`` rule waits for every key event);
    ``client``: the browser may report it through the JSON API (default True);
    ``label`` / ``description``: for the console and CLI.
    """

    name: str
    key: bool = False
    client: bool = True
    label: str | Mapping[str, str] | None = None
    description: str | None = None


def parse_events(value: Any, config_key: str = "ONBOARDING_EVENTS") -> dict[str, EventSpec]:
    """Parse and validate the events config; raise ConfigurationError naming the bad part."""
    if value is None:
        return {}
    if isinstance(value, str) or not isinstance(value, list | tuple | Mapping):
        raise ConfigurationError(f"{config_key}: must be a list of event names or a mapping of name to options")
    items: list[tuple[Any, Any]] = list(value.items()) if isinstance(value, Mapping) else [(n, {}) for n in value]
    specs: dict[str, EventSpec] = {}
    for name, options in items:
        if not isinstance(name, str) or not EVENT_NAME.match(name):
            raise ConfigurationError(
                f"{config_key}: {name!r} is not a valid event name (lower-case letters, digits and _ . : -, at most 64)"
            )
        if name in specs:
            raise ConfigurationError(f"{config_key}: event {name!r} is declared twice")
        options = options or {}
        if not isinstance(options, Mapping):
            raise ConfigurationError(f"{config_key}.{name}: options must be a mapping")
        unknown = set(options) - _OPTIONS
        if unknown:
            raise ConfigurationError(f"{config_key}.{name}: unknown option(s) {', '.join(sorted(unknown))}")
        for flag in ("key", "client"):
            if flag in options and not isinstance(options[flag], bool):
                raise ConfigurationError(f"{config_key}.{name}.{flag}: must be true or false")
        specs[name] = EventSpec(name=name, **options)
    return specs


def unknown_event(name: object, declared: Collection[str]) -> UnknownEvent:
    """The error for an undeclared event, naming the closest declared names (a typo, usually)."""
    shown = name if isinstance(name, str) else repr(name)
    close = tuple(difflib.get_close_matches(shown, sorted(declared), n=3, cutoff=0.6)) if declared else ()
    if close:
        hint = "did you mean " + " or ".join(repr(c) for c in close) + "?"
    elif declared:
        hint = f"declared events: {', '.join(sorted(declared)[:10])}" + (", ..." if len(declared) > 10 else "")
    else:
        hint = "no events are declared"
    return UnknownEvent(
        f"event {name!r} is not declared in ONBOARDING_EVENTS; {hint}",
        event=name if isinstance(name, str) else None,
        suggestions=close,
    )
