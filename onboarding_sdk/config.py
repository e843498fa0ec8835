"""Every ONBOARDING_* config key: its default, its check, and its documentation.

``SETTINGS`` is the single table; docs/configuration.md is checked against it by a test.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ConfigurationError
from .events import EventSpec, parse_events
from .stages import StageModel
from .storage import SCHEMES


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    default: Any
    doc: str
    check: Callable[[str, Any], Any]


def _number(minimum: float, integer: bool = False) -> Callable[[str, Any], Any]:
    def check(key: str, value: Any) -> Any:
        kinds: tuple[type[int] | type[float], ...] = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or value < minimum:
            kind = "an integer" if integer else "a number"
            raise ConfigurationError(f"{key}: must be {kind} >= {minimum}, got {value!r}")
        return value

    return check


def _flag(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigurationError(f"{key}: must be True or False, got {value!r}")
    return value


def _uri(key: str, value: Any) -> str:
    if not isinstance(value, str) or "://" not in value:
        raise ConfigurationError(f"{key}: must be a storage URI such as redis://localhost:6379/0, got {value!r}")
    scheme = value.split("://", 1)[0]
    if scheme not in SCHEMES:
        raise ConfigurationError(
            f"{key}: unknown scheme {scheme!r}; use one of {', '.join(s + '://' for s in SCHEMES)}"
        )
    return value


def _prefix(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value or any(c in value for c in "{} "):
        raise ConfigurationError(f"{key}: must be a non-empty string without spaces or braces, got {value!r}")
    return value


def _url_prefix(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.startswith("/") or value.endswith("/"):
        raise ConfigurationError(f"{key}: must start with '/' and not end with one, got {value!r}")
    return value


def _passthrough(key: str, value: Any) -> Any:
    return value  # validated as a whole by events / stages below


SETTINGS: tuple[Setting, ...] = (
    Setting("ONBOARDING_STORAGE_URI", "memory://",
            "Where user state lives: `memory://` (one process only; a warning is logged when the "
            "key is not set), `redis://[:password@]host:port/db`, `rediss://...` (TLS), "
            "`redis+unix:///path/redis.sock?db=0`, `redis+cluster://host:port,host:port`.", _uri),
    Setting("ONBOARDING_KEY_PREFIX", "ob",
            "Prefix of every storage key, so several apps can share one Redis.", _prefix),
    Setting("ONBOARDING_STORAGE_TIMEOUT", 0.5,
            "Socket and connect timeout in seconds for each storage call.", _number(0.01)),
    Setting("ONBOARDING_STORAGE_RETRIES", 1,
            "How many times a failed storage call is retried (with a short backoff).", _number(0, True)),
    Setting("ONBOARDING_EVENTS", [],
            "The declared events: a list of names, or a mapping of name to options "
            "(`key`: the key setup step, `client`: the browser may report it, default true; "
            "`label`, `description`). Undeclared events are refused with `UnknownEvent`.", _passthrough),
    Setting("ONBOARDING_STAGE_RULES", None,
            "Mapping of stage (`use`, `depth`, `adaptation`, `stickiness`) to a condition; "
            "None uses the defaults described in docs/stages.md.", _passthrough),
    Setting("ONBOARDING_DORMANT_AFTER_DAYS", 14,
            "A user with no activity for this many days is `dormant`.", _number(1, True)),
    Setting("ONBOARDING_SWALLOW_ERRORS", True,
            "Log and swallow storage errors in request hooks, template helpers and `track()`; "
            "when False, `track()` raises `StorageError`.", _flag),
    Setting("ONBOARDING_TRACK_ACTIVITY", True,
            "Record an active day for the signed-in user on their first successful request "
            "each day (once per user per day per process).", _flag),
    Setting("ONBOARDING_DEGRADED_BACKOFF", 1.0,
            "Seconds before a failed store is probed again; doubles on each failure.", _number(0.0)),
    Setting("ONBOARDING_DEGRADED_BACKOFF_MAX", 30.0,
            "Upper bound of that backoff in seconds.", _number(0.0)),
    Setting("ONBOARDING_URL_PREFIX", "/onboarding",
            "Where the extension's blueprint is mounted.", _url_prefix),
)  # fmt: skip

KNOWN_KEYS = frozenset(s.key for s in SETTINGS)


@dataclass(frozen=True)
class Settings:
    """The validated configuration of one app."""

    values: Mapping[str, Any]
    events: Mapping[str, EventSpec]
    stage_model: StageModel
    storage_uri_was_set: bool

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


def load_settings(config: Mapping[str, Any]) -> Settings:
    """Read and check every ONBOARDING_* key; raise ConfigurationError naming the bad key."""
    unknown = sorted(k for k in config if k.startswith("ONBOARDING_") and k not in KNOWN_KEYS and k not in EXTRA_KEYS)
    if unknown:
        warnings.warn(f"unknown config key(s) {', '.join(unknown)} (typo?)", stacklevel=3)
    values = {s.key: s.check(s.key, config.get(s.key, s.default)) for s in SETTINGS}
    events = parse_events(values["ONBOARDING_EVENTS"])
    stage_model = StageModel.build(values["ONBOARDING_STAGE_RULES"], events)
    return Settings(values, events, stage_model, "ONBOARDING_STORAGE_URI" in config)


# Keys owned by later layers (content, console, widget) register here so they are not
# reported as typos; each layer validates its own.
EXTRA_KEYS: set[str] = set()
