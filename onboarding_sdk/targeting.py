"""Guide targeting: the condition language plus page and guide keys. Pure.

``when`` in content accepts every key of ``conditions`` and these:

``stages: [use, depth]``          the user's stage is one of them
``endpoints: [reports.index]``    the page's Flask endpoint is one of them
``paths: ["/reports/*"]``         the page's URL path matches one of these globs
``seen: [guide-id]``              the user has seen every one of these guides
``not_seen: [guide-id]``          the user has seen none of them
"""

from __future__ import annotations

from collections.abc import Collection
from fnmatch import fnmatchcase
from typing import Any

from .conditions import Condition, compile_condition
from .state import STAGES

#: A page that matches every ``endpoints`` / ``paths`` key: collections such as the tips
#: page list contextual tips too.
ANY_PAGE = "*"


def _names(value: Any, path: str, errors: list[str]) -> list[str] | None:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        errors.append(f"{path}: must be a non-empty list of names")
        return None
    return value


def _stages(value: Any, path: str, errors: list[str]) -> Condition | None:
    names = _names(value, path, errors)
    if names is None:
        return None
    unknown = [n for n in names if n not in STAGES]
    for name in unknown:
        errors.append(f"{path}: unknown stage {name!r}; stages are {', '.join(STAGES)}")
    if unknown:
        return None
    wanted = frozenset(names)
    return lambda f: f.state.stage in wanted


def _endpoints(value: Any, path: str, errors: list[str]) -> Condition | None:
    names = _names(value, path, errors)
    if names is None:
        return None
    wanted = frozenset(names)
    return lambda f: f.endpoint in wanted or f.endpoint == ANY_PAGE


def _paths(value: Any, path: str, errors: list[str]) -> Condition | None:
    globs = _names(value, path, errors)
    if globs is None:
        return None
    bad = [g for g in globs if not g.startswith("/")]
    for glob in bad:
        errors.append(f"{path}: {glob!r} must start with '/'")
    if bad:
        return None
    patterns = tuple(globs)
    return lambda f: f.path == ANY_PAGE or (f.path is not None and any(fnmatchcase(f.path, p) for p in patterns))


def _seen(value: Any, path: str, errors: list[str]) -> Condition | None:
    ids = _names(value, path, errors)
    if ids is None:
        return None
    wanted = tuple(ids)
    return lambda f: all(i in f.seen for i in wanted)


def _not_seen(value: Any, path: str, errors: list[str]) -> Condition | None:
    ids = _names(value, path, errors)
    if ids is None:
        return None
    wanted = tuple(ids)
    return lambda f: not any(i in f.seen for i in wanted)


TARGETING_KEYS = {
    "stages": _stages,
    "endpoints": _endpoints,
    "paths": _paths,
    "seen": _seen,
    "not_seen": _not_seen,
}


def compile_when(data: Any, path: str, events: Collection[str] | None) -> Condition:
    """Compile a guide's ``when``. Raises ConditionError listing every ``path: message``."""
    return compile_condition(data, path, events=events, extra=TARGETING_KEYS)
