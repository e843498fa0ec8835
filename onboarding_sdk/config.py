"""Every ONBOARDING_* config key: its default, its check, and its documentation.

``SETTINGS`` is the single table; docs/configuration.md is checked against it by a test.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from werkzeug.utils import import_string

from . import account_health, followups, milestones, outbox
from .errors import ConfigurationError
from .events import EventSpec, parse_events
from .stages import StageModel
from .state import STAGES
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


def _optional_flag(key: str, value: Any) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise ConfigurationError(f"{key}: must be True, False or None, got {value!r}")
    return value


def _support(key: str, value: Any) -> followups.Support | None:
    try:
        return followups.parse_support(value)
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from None


def _optional(check: Callable[[str, Any], Any]) -> Callable[[str, Any], Any]:
    """``check``, or None (the key is not used)."""
    return lambda key, value: None if value is None else check(key, value)


def _uri(key: str, value: Any) -> str:
    if not isinstance(value, str) or "://" not in value:
        shown = value if not isinstance(value, str) else "a string without '://'"
        raise ConfigurationError(f"{key}: must be a storage URI such as redis://localhost:6379/0, got {shown!r}")
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


def _paths(key: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v for v in value):
        raise ConfigurationError(f"{key}: must be a content file path or a list of them, got {value!r}")
    return list(value)


def _locale(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.replace("-", "").replace("_", "").isalnum():
        raise ConfigurationError(f"{key}: must be a locale tag such as 'en' or 'zh-CN', got {value!r}")
    return value


def _budget(key: str, value: Any) -> dict[str, int]:
    from .state import STAGES

    if not isinstance(value, dict):
        raise ConfigurationError(f"{key}: must map stage names to a number of auto-opening guides per day")
    for stage, limit in value.items():
        if stage not in STAGES:
            raise ConfigurationError(f"{key}.{stage}: unknown stage; stages are {', '.join(STAGES)}")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise ConfigurationError(f"{key}.{stage}: must be an integer >= 0, got {limit!r}")
    return dict(value)


def _optional_name(key: str, value: Any) -> str | None:
    if value is not None and (not isinstance(value, str) or not value):
        raise ConfigurationError(f"{key}: must be a template name or None, got {value!r}")
    return value


class Theme(TypedDict):
    """A validated ``ONBOARDING_THEME`` (or one of ``ONBOARDING_THEMES``)."""

    mode: Literal["auto", "light", "dark"]
    vars: dict[str, str]


_HEX_OR_CSS = re.compile(r"^[#(),.%\w\s-]{1,64}$")


def _theme(key: str, value: Any) -> Theme:
    if not isinstance(value, dict) or set(value) - {"mode", "vars"}:
        raise ConfigurationError(f"{key}: must be a mapping with 'mode' and/or 'vars'")
    mode = value.get("mode", "auto")
    if mode not in ("auto", "light", "dark"):
        raise ConfigurationError(f"{key}.mode: must be 'auto', 'light' or 'dark', got {mode!r}")
    variables = value.get("vars", {})
    if not isinstance(variables, dict):
        raise ConfigurationError(f"{key}.vars: must map CSS custom properties to values")
    for name, css in variables.items():
        # only our own custom properties, with plain values: nothing can break out of CSS
        if not isinstance(name, str) or not name.startswith("--ob-") or not isinstance(css, str):
            raise ConfigurationError(f"{key}.vars: {name!r} must be a '--ob-*' property with a string value")
        if not _HEX_OR_CSS.match(css):
            raise ConfigurationError(f"{key}.vars.{name}: {css!r} is not a plain colour, length or font value")
    return Theme(mode=mode, vars=dict(variables))


def _themes(key: str, value: Any) -> dict[str, Theme]:
    if not isinstance(value, dict):
        raise ConfigurationError(f"{key}: must map a plan or account id to a theme")
    return {str(name): _theme(f"{key}.{name}", theme) for name, theme in value.items()}


def _sample_args(key: str, value: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(value, Mapping) or not all(
        isinstance(name, str) and isinstance(args, Mapping) and all(isinstance(a, str) for a in args)
        for name, args in value.items()
    ):
        raise ConfigurationError(f"{key} must map endpoint names to {{argument: value}} mappings")
    return {name: dict(args) for name, args in value.items()}


def _callable(key: str, value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = import_string(value.replace(":", "."))
        except ImportError as exc:
            raise ConfigurationError(f"{key}: cannot import {value!r}: {exc}") from None
    if not callable(value):
        raise ConfigurationError(f"{key} must be a function or its 'module:name'")
    return value


def _outbox(key: str, value: Any) -> bool | tuple[str, ...]:
    if isinstance(value, bool):
        return value
    if isinstance(value, list | tuple) and value and all(isinstance(v, str) for v in value):
        unknown = sorted(set(value) - set(outbox.known_types()))
        if unknown:
            raise ConfigurationError(f"{key}: unknown event types {unknown}; known: {', '.join(outbox.known_types())}")
        return tuple(value)
    raise ConfigurationError(f"{key} must be False, True or a non-empty list of event types")


def _health_weights(key: str, value: Any) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"{key} must map health components to weights")
    try:
        return account_health.check_weights(value)
    except ValueError as exc:
        raise ConfigurationError(f"{key}: {exc}") from None


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
            "A user with no activity for this many days is `dormant`; so is an account none of "
            "whose users was active for as long (console analytics, `account_dormant`).", _number(1, True)),
    Setting("ONBOARDING_DORMANT_CHECK_INTERVAL", 3600,
            "Seconds between opportunistic checks for newly dormant accounts, run after a response "
            "is sent; only the process that takes a lock in the store checks, so `account_dormant` "
            "is sent once. 0 turns the check off (run `flask onboarding dormant` or "
            "`onboarding.check_dormant_accounts()` from a scheduler instead).", _number(0, True)),
    Setting("ONBOARDING_SWALLOW_ERRORS", True,
            "Nothing onboarding_sdk does becomes the end user's 500: errors in `track()`, "
            "`guides_for()`, `hints_for()`, the template helpers and the request hook are logged "
            "and swallowed (docs/api.md, \"Never breaking the host\", says exactly which calls "
            "degrade and which raise). False: they raise.", _flag),
    Setting("ONBOARDING_TRACK_ACTIVITY", True,
            "Record an active day for the signed-in user on their first successful request "
            "each day (once per user per day per process).", _flag),
    Setting("ONBOARDING_DEGRADED_PROBE_INTERVAL", 0.5,
            "Seconds between probes of a store that failed (one probe at a time per process; every "
            "other call skips the store meanwhile), so a store that is back is used again within "
            "about this long, however long it was down.", _number(0.0)),
    Setting("ONBOARDING_DEGRADED_BACKOFF", None,
            "Deprecated (a warning is logged): the store is no longer probed with a doubling "
            "backoff. When set, it lowers the probe interval to its value (0: probe on every "
            "call), never raises it.", _optional(_number(0.0))),
    Setting("ONBOARDING_DEGRADED_BACKOFF_MAX", None,
            "Deprecated and ignored (a warning is logged): there is no backoff to cap.",
            _optional(_number(0.0))),
    Setting("ONBOARDING_URL_PREFIX", "/onboarding",
            "Where the extension's blueprint (API, pages, widget files) is mounted.", _url_prefix),
    Setting("ONBOARDING_CONSOLE_PREFIX", "/onboarding/console",
            "Where the product teams' console is mounted. It answers 404 everywhere until the app "
            "registers `@onboarding.console_access` (see docs/console.md).", _url_prefix),
    Setting("ONBOARDING_CONTENT", [],
            "Content files (YAML or JSON) loaded at start: a path or a list of paths, relative "
            "to the app's root path. A problem drops only the guide it is about (or the file, when "
            "the file cannot be read as a whole) and is logged as `file:line: path: message`; the "
            "other guides are served. `flask onboarding check` fails on any problem.", _paths),
    Setting("ONBOARDING_CONTENT_STRICT", None,
            "True: a content problem stops the app at start-up (`ContentError` listing every "
            "problem) instead of dropping the guide. None: strict when `app.debug` or `app.testing`.",
            _optional_flag),
    Setting("ONBOARDING_CONTENT_MAX_BYTES", 4 * 1024 * 1024,
            "Largest content file or published revision, in bytes; a larger one is refused before "
            "it is parsed.", _number(1024, True)),
    Setting("ONBOARDING_CONTENT_MAX_GUIDES", 5000,
            "Most guides the content files (together) or a published revision may hold; more are "
            "refused before any is validated.", _number(1, True)),
    Setting("ONBOARDING_DEFAULT_LOCALE", "en",
            "Locale used when neither the profile nor Flask-Babel names one, and the last fallback "
            "for texts.", _locale),
    Setting("ONBOARDING_ATTENTION_BUDGET", {},
            "Auto-opening guides (popups, tours, auto tooltips) per user per day, by stage; merged "
            "over the defaults `awareness: 3`, other stages `1`. Passive help is never limited.", _budget),
    Setting("ONBOARDING_CHANGELOG_NEW_USER_LIMIT", 3,
            "A new user is told of at most this many changelog entries from before they signed up.",
            _number(0, True)),
    Setting("ONBOARDING_BASE_TEMPLATE", None,
            "A host template the onboarding pages (`/guide/<id>`, `/tips`, `/changelog`) extend; it "
            "must have a `content` block. None: a small standalone layout.", _optional_name),
    Setting("ONBOARDING_THEME", {"mode": "auto", "vars": {}},
            "The widget's theme: `mode` (`auto`, `light`, `dark`) and `vars`, CSS custom properties "
            "such as `--ob-accent`.", _theme),
    Setting("ONBOARDING_THEMES", {},
            "Themes per account id or plan (account first), merged over `ONBOARDING_THEME`: a paid "
            "customer's brand.", _themes),
    Setting("ONBOARDING_MAX_REQUEST_BYTES", 16384,
            "Largest JSON body the API accepts; larger requests get 413.", _number(256, True)),
    Setting("ONBOARDING_RETENTION_DAYS", None,
            "Forget a user (as `Onboarding.forget` does, `user_forgotten` with reason `retention`) "
            "once they had no activity for this many days; run after a response every "
            "ONBOARDING_DORMANT_CHECK_INTERVAL by one process, or by `flask onboarding forget "
            "--inactive`. None: users are kept until forgotten (docs/privacy.md).",
            _optional(_number(1, True))),
    Setting("ONBOARDING_CHECK_SAMPLE_ARGS", {},
            "`flask onboarding check --render`: URL arguments for pages whose rule needs some, by "
            "endpoint (`{\"blog.update\": {\"id\": 1}}`); pages that need arguments and have none "
            "here are listed as not rendered (docs/guides.md).", _sample_args),
    Setting("ONBOARDING_CHECK_LOGIN", None,
            "`flask onboarding check --render`: a function `login(client)` (or its `module:name`) "
            "that signs the Flask test client in as one of your users, for pages behind your login; "
            "onboarding_sdk sees its own sample user of each stage whoever that is.", _optional(_callable)),
    Setting("ONBOARDING_OUTBOX", False,
            "Events out (docs/events-out.md): True appends every onboarding event to a Redis Stream "
            "that `flask onboarding stream` workers forward to your code; a list of event types "
            "appends only those; False: off.", _outbox),
    Setting("ONBOARDING_OUTBOX_MAXLEN", 100_000,
            "About how many events the outbox stream keeps: older ones are trimmed when no worker "
            "reads for long enough (docs/events-out.md).", _number(100, True)),
    Setting("ONBOARDING_HEALTH_WEIGHTS", {},
            "Account health: weights of its components (`active_users`, `trend`, `key_events`, "
            "`stage_mix`, `recency`, `milestones`), merged over the defaults (docs/console.md, "
            "\"Account health\"); 0 leaves a component out.", _health_weights),
    Setting("ONBOARDING_MILESTONES", {},
            "Account milestones: name -> condition over the account's facts (`event` with `count`, "
            "`active_users` in a week, `days_since_first_activity`, `users` at `stage`); each is "
            "recorded once per account with its day and sent as `milestone_reached` "
            "(docs/console.md, \"Milestones\").", _passthrough),
    Setting("ONBOARDING_SUPPORT", None,
            "How users reach your support when a follow-up after an error hint is answered \"No\" "
            "(docs/follow-ups.md): `{\"url\": ... or \"email\": ..., \"response_time\": {\"en\": "
            "\"within 4 working hours\", ...}}`, the time stated concretely per locale. None: the "
            "answer is kept and signalled, no contact is shown.", _support),
)  # fmt: skip

KNOWN_KEYS = frozenset(s.key for s in SETTINGS)


def attribute_of(key: str) -> str:
    """The ``Settings`` attribute holding ``key``: ``ONBOARDING_ATTENTION_BUDGET`` ->
    ``attention_budget``. ``ONBOARDING_EVENTS`` as written is ``event_config``: ``events`` is
    the parsed declaration every caller wants."""
    return _RENAMED.get(key) or key.removeprefix("ONBOARDING_").lower()


_RENAMED = {"ONBOARDING_EVENTS": "event_config"}


@dataclass(frozen=True, slots=True)
class Settings:
    """The validated configuration of one app: one attribute per ``ONBOARDING_*`` key (see
    ``SETTINGS`` and docs/configuration.md), plus the declared events and stage rules, parsed."""

    storage_uri: str
    key_prefix: str
    storage_timeout: float
    storage_retries: int
    event_config: Any  # ONBOARDING_EVENTS as written (a list of names or a mapping); see ``events``
    stage_rules: Mapping[str, Any] | None
    dormant_after_days: int
    dormant_check_interval: int
    swallow_errors: bool
    track_activity: bool
    degraded_probe_interval: float
    degraded_backoff: float | None
    degraded_backoff_max: float | None
    url_prefix: str
    console_prefix: str
    content: tuple[str, ...]
    content_strict: bool | None
    content_max_bytes: int
    content_max_guides: int
    default_locale: str
    attention_budget: Mapping[str, int]
    changelog_new_user_limit: int
    base_template: str | None
    theme: Theme
    themes: Mapping[str, Theme]
    max_request_bytes: int
    retention_days: int | None
    check_sample_args: Mapping[str, Mapping[str, Any]]
    check_login: Callable[[Any], Any] | None
    outbox: bool | tuple[str, ...]
    outbox_maxlen: int
    health_weights: Mapping[str, float]
    #: ONBOARDING_MILESTONES parsed (``milestones.parse``).
    milestones: tuple[milestones.Milestone, ...]
    #: ONBOARDING_SUPPORT parsed (``followups.parse_support``).
    support: followups.Support | None
    #: ONBOARDING_EVENTS parsed: name -> options.
    events: Mapping[str, EventSpec]
    #: ONBOARDING_STAGE_RULES (or the defaults) compiled.
    stage_model: StageModel
    #: Whether the app's config named ONBOARDING_STORAGE_URI (memory:// by default warns).
    storage_uri_was_set: bool

    def __getitem__(self, key: str) -> Any:
        """Deprecated: ``settings["ONBOARDING_X"]`` is ``settings.x``, typed; kept for code
        written against the earlier mapping."""
        if key not in KNOWN_KEYS:
            raise KeyError(key)
        return getattr(self, attribute_of(key))


_FLOATS = frozenset({"ONBOARDING_STORAGE_TIMEOUT", "ONBOARDING_DEGRADED_PROBE_INTERVAL",
                     "ONBOARDING_DEGRADED_BACKOFF", "ONBOARDING_DEGRADED_BACKOFF_MAX"})  # fmt: skip


def load_settings(config: Mapping[str, Any]) -> Settings:
    """Read and check every ONBOARDING_* key; raise ConfigurationError naming the bad key."""
    unknown = sorted(k for k in config if k.startswith("ONBOARDING_") and k not in KNOWN_KEYS and k not in EXTRA_KEYS)
    if unknown:
        warnings.warn(f"unknown config key(s) {', '.join(unknown)} (typo?)", stacklevel=3)
    values = {s.key: s.check(s.key, config.get(s.key, s.default)) for s in SETTINGS}
    for key in _FLOATS:  # a number check accepts 1 for 1.0: the attribute is a float all the same
        if values[key] is not None:
            values[key] = float(values[key])
    values["ONBOARDING_CONTENT"] = tuple(values["ONBOARDING_CONTENT"])
    events = parse_events(values["ONBOARDING_EVENTS"])
    stage_model = StageModel.build(values["ONBOARDING_STAGE_RULES"], events)
    try:
        values["ONBOARDING_MILESTONES"] = milestones.parse(values["ONBOARDING_MILESTONES"], list(events), STAGES)
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from None
    return Settings(
        **{attribute_of(key): value for key, value in values.items()},
        events=events,
        stage_model=stage_model,
        storage_uri_was_set="ONBOARDING_STORAGE_URI" in config,
    )


# Keys owned by later layers (content, console, widget) register here so they are not
# reported as typos; each layer validates its own.
EXTRA_KEYS: set[str] = set()
