"""The per-kind guide form: a guide's content-file data <-> flat HTML form fields. Pure: no Flask.

Every key of every kind has a field, named after the key (docs/console.md, "The guide form"):

- ``title.<locale>``, ``body.<locale>`` (Markdown); ``locales`` (hidden) lists the columns shown;
- ``stages`` (repeated checkbox) and ``endpoints`` (names separated by commas or blanks) are the
  two common parts of ``when``; the segment builder's rows ``seg.<n>.field|op|value|name|until|delete``
  (``segments.py``) say roles, plans, locales, accounts, events, days since sign-up and traits;
  ``when`` is YAML for every other condition, so that no content becomes uneditable;
- ``priority``, ``frequency`` + ``max_impressions``, ``starts_at`` / ``ends_at`` (UTC),
  ``auto_open`` (checkbox);
- the kind's own keys: ``anchor``, ``purpose``, ``term``, ``form``, ``field``,
  ``topic.<locale>`` (one per locale, like titles), ``version``, ``date``, ``level``,
  ``features`` (repeated checkbox);
- checklist rows ``items.<n>.id|event|title.<locale>|delete`` and tour rows
  ``steps.<n>.endpoint|anchor|title.<locale>|body.<locale>|delete``.

``from_data`` fills a form from a guide, ``from_post`` reads a submitted one, ``to_data`` turns
it back into a content-file mapping (plus the problems only the form can see), and
``place_errors`` files the loader's problems (``ContentProblem`` records) under the fields they concern.
The loader stays the one judge of what a valid guide is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

import yaml

from ..content import FREQUENCIES, KINDS, LEVELS, PURPOSES
from ..content.errors import ContentProblem
from ..content.i18n import canonical_tag, is_locale_tag
from ..content.loader import parse_text
from ..content.schema import BODY_OPTIONAL, KIND_KEYS, default_auto_open, parse_moment
from ..segments import FIELDS as SEGMENT_FIELDS
from ..segments import Row, condition_of, merged, read_rows, row_fields, rows_of
from ..state import STAGES

FREQUENCY_CHOICES = (*FREQUENCIES, "max_impressions")
#: Plain one-line keys of some kinds, in the order the form shows them.
TEXT_KEYS = ("anchor", "term", "form", "field", "version")
#: Keys with one field per locale (``title.en``, ``topic.zh-CN``); rows have their own.
LOCALIZED_KEYS = ("title", "body", "topic")
TIME_KEYS = ("starts_at", "ends_at", "date")
LIST_FIELDS = ("stages", "features")
_ROW = re.compile(r"^(items|steps|seg)\.(\d{1,4})\.")
_SPLIT = re.compile(r"[\s,]+")
_PATH_ROW = re.compile(r"^(items|steps)\[(\d+)\](?:\.(.*))?$")
_MAX_ROWS = 200  # rows a form may add at once; a guide is help, not a database


@dataclass
class GuideForm:
    """What one guide form shows: values by field name, and problems by field name."""

    kind: str
    guide_id: str
    default_locale: str
    locales: list[str]
    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    item_rows: list[int] = field(default_factory=list)
    step_rows: list[int] = field(default_factory=list)
    seg_rows: list[int] = field(default_factory=list)  # the segment builder's rows
    say: Callable[[str], str] = str  # the rows' messages through the console's catalog (``t``)
    errors: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # not tied to one field
    warnings: dict[str, list[str]] = field(default_factory=dict)  # shown, never blocking
    # list index in the data -> row number in the form, for the loader's items[i] / steps[i]
    row_of: dict[str, list[int]] = field(default_factory=lambda: {"items": [], "steps": []})

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def has(self, name: str, option: str) -> bool:
        return option in self.lists.get(name, [])

    def keys(self) -> tuple[str, ...]:
        """The kind's own keys (``KIND_KEYS``): which fieldsets the template shows."""
        return tuple(KIND_KEYS.get(self.kind, ()))

    @property
    def body_required(self) -> bool:
        return self.kind not in BODY_OPTIONAL

    def add_error(self, name: str, message: str) -> None:
        messages = self.errors.setdefault(name, [])
        if message not in messages:
            messages.append(message)

    def add_warning(self, name: str, message: str) -> None:
        messages = self.warnings.setdefault(name, [])
        if message not in messages:
            messages.append(message)

    def all_warnings(self) -> list[str]:
        return [f"{name}: {m}" if name else m for name, ms in self.warnings.items() for m in ms]

    def all_errors(self) -> list[str]:
        """Every problem, for the summary at the top of the page: field-less ones first."""
        return [*self.problems, *(f"{name}: {m}" for name, ms in self.errors.items() for m in ms)]

    def time_input(self, name: str) -> str:
        """``datetime-local`` when the value fits one, else ``text`` (a browser would blank it)."""
        value = self.value(name)
        return "datetime-local" if not value or _LOCAL.match(value) else "text"

    def grow(self, what: str) -> None:
        """One more blank row of ``items``, ``steps`` or ``seg`` (the form's "add a row" buttons)."""
        rows = self.item_rows if what == "items" else self.step_rows if what == "steps" else self.seg_rows
        if len(rows) < _MAX_ROWS:
            rows.append(max(rows, default=-1) + 1)

    def add_rows(self, rows: Iterable[Row]) -> None:
        """Segment rows appended to the builder's (a saved segment's, "Use segment")."""
        blank = [n for n in self.seg_rows if not self.value(f"seg.{n}.value").strip()]
        self.seg_rows = [n for n in self.seg_rows if n not in blank]
        for row in rows:
            n = max(self.seg_rows, default=-1) + 1
            self.seg_rows.append(n)
            self.values.update({f"seg.{n}.{k}": v for k, v in row_fields(row).items()})
        self.grow("seg")

    def segment_rows(self) -> list[Row]:
        """The builder's rows that read (a malformed one is in ``errors``)."""
        return read_rows({k: v for k, v in self.values.items() if k.startswith("seg.")})[0]

    def add_locale(self, tag: str) -> None:
        tag = tag.strip()
        if not is_locale_tag(tag):
            self.add_error("add_locale", f"{tag!r} is not a locale tag such as en, zh-CN or pt-BR")
        elif canonical_tag(tag) not in self.locales:
            self.locales.append(canonical_tag(tag))


_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?$")


# --- guide -> form ---------------------------------------------------------------------


def _localized(value: Any, default_locale: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        return {default_locale: str(value)}
    return {(canonical_tag(str(k)) if is_locale_tag(k) else str(k)): str(v) for k, v in value.items()}


def to_local(value: Any) -> str:
    """A content time as the ``datetime-local`` value, in UTC (the form's zone).

    Times a ``datetime-local`` cannot hold (fractions of a second) stay as written.
    """
    moment = parse_moment(value)
    if moment is None and isinstance(value, str):
        return value  # not a time: left as typed, for the loader to report
    if moment is None:
        return "" if value is None else str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    if moment.microsecond:
        return value if isinstance(value, str) else moment.isoformat()
    return moment.strftime("%Y-%m-%dT%H:%M:%S" if moment.second else "%Y-%m-%dT%H:%M")


def dump_yaml(value: Any) -> str:
    """YAML for the ``when`` field (block style: easier to edit than flow style)."""
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def _names_field(value: Any, allowed: Sequence[str] | None = None) -> list[str] | None:
    """A list of simple names the form can show, or None (then it stays in the YAML)."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        return None
    if allowed is not None and not all(v in allowed for v in value):
        return None
    if any(_SPLIT.search(v) for v in value):
        return None
    return list(value)


def from_data(data: Mapping[str, Any], *, default_locale: str, locales: Iterable[str] = ()) -> GuideForm:
    """A form showing one guide (content-file data, as ``guide_data`` or a draft gives it)."""
    kind = str(data.get("kind", ""))
    form = GuideForm(kind=kind, guide_id=str(data.get("id", "")), default_locale=default_locale, locales=[])
    values = form.values
    found: list[str] = [default_locale]

    def texts(prefix: str, value: Any) -> None:
        for tag, text in _localized(value, default_locale).items():
            values[f"{prefix}.{tag}"] = text
            found.append(tag)

    values["id"], values["kind"] = form.guide_id, kind
    texts("title", data.get("title"))
    texts("body", data.get("body"))
    texts("topic", data.get("topic"))
    _when_fields(form, data.get("when"))
    if data.get("priority") is not None:
        values["priority"] = str(data["priority"])
    frequency = data.get("frequency") or "until_dismissed"
    if isinstance(frequency, Mapping):
        values["frequency"], values["max_impressions"] = "max_impressions", str(frequency.get("max_impressions", ""))
    else:
        values["frequency"] = str(frequency)
    for key in TIME_KEYS:
        if data.get(key) is not None:
            values[key] = to_local(data[key])
    level = data.get("level", "badge") if kind == "changelog" else None
    if kind == "changelog":
        values["level"] = str(level)
    if kind == "tooltip":
        values["purpose"] = str(data.get("purpose", "field_help"))
    auto_open = data.get("auto_open", default_auto_open(kind, level))
    values["auto_open"] = "on" if auto_open is True else ""
    for key in TEXT_KEYS:
        if data.get(key) is not None:
            values[key] = str(data[key])
    if isinstance(data.get("features"), list):
        form.lists["features"] = [str(v) for v in data["features"]]
    for n, item in enumerate(_rows(data.get("items"))):
        values[f"items.{n}.id"] = str(item.get("id", ""))
        values[f"items.{n}.event"] = str(item.get("event", ""))
        texts(f"items.{n}.title", item.get("title"))
        form.item_rows.append(n)
    for n, step in enumerate(_rows(data.get("steps"))):
        values[f"steps.{n}.endpoint"] = str(step.get("endpoint", ""))
        if step.get("anchor") is not None:
            values[f"steps.{n}.anchor"] = str(step["anchor"])
        texts(f"steps.{n}.title", step.get("title"))
        texts(f"steps.{n}.body", step.get("body"))
        form.step_rows.append(n)
    if kind == "checklist":
        form.grow("items")  # a blank row: adding an item needs no round trip
    if kind == "tour":
        form.grow("steps")
    form.grow("seg")  # a blank targeting row
    form.locales = list(dict.fromkeys([*found, *locales]))
    return form


def _rows(value: Any) -> list[Mapping[str, Any]]:
    return [row for row in value if isinstance(row, Mapping)] if isinstance(value, list) else []


def _when_fields(form: GuideForm, when: Any) -> None:
    if when is None:
        return
    if not isinstance(when, Mapping):
        form.values["when"] = dump_yaml(when)
        return
    rest = dict(when)
    stages = _names_field(rest.get("stages"), STAGES)
    if stages is not None:
        form.lists["stages"] = stages
        del rest["stages"]
    endpoints = _names_field(rest.get("endpoints"))
    if endpoints is not None:
        form.values["endpoints"] = ", ".join(endpoints)
        del rest["endpoints"]
    rows, rest = rows_of(rest)
    form.add_rows(rows)
    form.seg_rows.pop()  # from_data adds the blank row last
    if rest:
        form.values["when"] = dump_yaml(rest)


def blank(kind: str, *, default_locale: str, locales: Iterable[str] = ()) -> GuideForm:
    """An empty form for a new guide of ``kind``."""
    return from_data({"kind": kind}, default_locale=default_locale, locales=locales)


# --- submitted form -> form ------------------------------------------------------------


def from_post(post: Mapping[str, Sequence[str]], *, kind: str, guide_id: str | None, default_locale: str) -> GuideForm:
    """The form as submitted. ``post`` maps each field name to its values (``MultiDict.lists()``).

    ``guide_id`` None: a new guide, whose id comes from the form. Browsers send textarea
    line breaks as CRLF: they are read as LF so that nothing changes by being shown.
    """
    values = {name: items[0].replace("\r\n", "\n") for name, items in post.items() if items}
    form = GuideForm(
        kind=kind,
        guide_id=guide_id if guide_id is not None else values.get("id", "").strip(),
        default_locale=default_locale,
        locales=[],
        values=values,
    )
    values["id"], values["kind"] = form.guide_id, kind
    bare_topic = values.pop("topic", "")  # before topic.<locale>: a script's topic=... is the default locale's
    if bare_topic.strip() and not values.get(f"topic.{default_locale}", "").strip():
        values[f"topic.{default_locale}"] = bare_topic
    form.lists = {name: [v for v in post.get(name, ()) if v] for name in LIST_FIELDS}
    shown = [t.strip() for t in values.get("locales", "").split(",") if t.strip()]
    for name in values:
        prefix, _, tag = name.rpartition(".")
        if prefix.endswith(LOCALIZED_KEYS) and tag:
            shown.append(tag)
    for tag in dict.fromkeys([default_locale, *shown]):
        if is_locale_tag(tag):
            if canonical_tag(tag) not in form.locales:
                form.locales.append(canonical_tag(tag))
        else:
            form.problems.append(f"{tag!r} is not a locale tag such as en or zh-CN")
    rows: dict[str, set[int]] = {"items": set(), "steps": set(), "seg": set()}
    for name in values:
        match = _ROW.match(name)
        if match:
            rows[match.group(1)].add(int(match.group(2)))
    form.item_rows, form.step_rows = sorted(rows["items"]), sorted(rows["steps"])
    form.seg_rows = sorted(rows["seg"])[:_MAX_ROWS]
    return form


# --- form -> content-file data ---------------------------------------------------------


def to_data(form: GuideForm) -> dict[str, Any]:
    """The guide as a content-file mapping. Problems only the form can see (a number that is
    not one, YAML that does not parse, a title without its body) go into ``form.errors``;
    everything else is the loader's to judge."""
    v = form.value
    data: dict[str, Any] = {"id": form.guide_id, "kind": form.kind}
    title = _texts(form, "title", strip=True)
    body = _texts(form, "body", strip=False)
    if title:
        data["title"] = title
    if body:
        data["body"] = body
    if form.body_required:
        for tag in title:
            if tag not in body:
                form.add_error(f"body.{tag}", f"is missing: the title is given in {tag}, so its body must be too")
    when = _when(form)
    if when:
        data["when"] = when
    priority = v("priority").strip()
    if priority:
        if re.fullmatch(r"[-+]?\d{1,9}", priority):
            data["priority"] = int(priority)
        else:
            form.add_error("priority", f"{priority!r} is not a whole number")
    frequency = v("frequency") or "until_dismissed"
    if frequency == "max_impressions":
        limit = v("max_impressions").strip()
        if re.fullmatch(r"\d{1,9}", limit):
            data["frequency"] = {"max_impressions": int(limit)}
        else:
            form.add_error("max_impressions", "is required with this frequency: a whole number of at least 1")
    elif frequency != "until_dismissed":
        data["frequency"] = frequency  # the loader names an unknown one
    for key in ("starts_at", "ends_at"):
        if v(key).strip():
            data[key] = v(key).strip()
    own = form.keys()
    level = (v("level") or "badge") if form.kind == "changelog" else None
    auto_open = v("auto_open") not in ("", "off")
    if form.kind in KINDS and auto_open != default_auto_open(form.kind, level):
        data["auto_open"] = auto_open
    if "purpose" in own:
        data["purpose"] = v("purpose") or "field_help"
    for key in ("anchor", "term", "form", "field", "topic", "version", "date"):
        if key not in own:
            continue
        if key == "topic":  # one field per locale, like the title
            topic = _texts(form, "topic", strip=True)
            if topic:
                data["topic"] = topic
        elif v(key).strip():
            data[key] = v(key).strip()
    if "level" in own:
        data["level"] = level
    if "features" in own and form.lists.get("features"):
        data["features"] = list(form.lists["features"])
    if "items" in own:
        data["items"] = _items(form)
    if "steps" in own:
        data["steps"] = _steps(form)
    return data


def _texts(form: GuideForm, prefix: str, *, strip: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag in form.locales:
        text = form.value(f"{prefix}.{tag}")
        if text.strip():
            out[tag] = text.strip() if strip else text
    return out


def _when(form: GuideForm) -> dict[str, Any]:
    text = form.value("when")
    rest: dict[str, Any] = {}
    if text.strip():
        doc = parse_text(text, "when.yaml")
        if doc.problems:
            for problem in doc.problems:
                where = f"line {problem.line or doc.lines.line(problem.path)}: "
                form.add_error("when", where + (f"{problem.path}: " if problem.path else "") + problem.message)
        elif not isinstance(doc.data, Mapping):
            form.add_error("when", "must be YAML mapping condition names to values, such as `roles: [admin]`")
        else:
            rest = dict(doc.data)
    when: dict[str, Any] = {}
    stages = form.lists.get("stages", [])
    endpoints = [e for e in _SPLIT.split(form.value("endpoints")) if e]
    for key, chosen in (("stages", stages), ("endpoints", endpoints)):
        if chosen and key in rest:
            form.add_error("when", f"{key} is set both in its field and here: keep one")
        elif chosen:
            when[key] = list(chosen)
    rows, errors, _ = read_rows({k: v for k, v in form.values.items() if k.startswith("seg.")}, say=form.say)
    for name, message in errors.items():
        form.add_error(name, message)
    return merged(when, condition_of(rows) if rows else {}, rest)


def _row_blank(form: GuideForm, prefix: str, keys: Sequence[str]) -> bool:
    names = [f"{prefix}.{k}" for k in keys]
    names += [f"{prefix}.{kind}.{tag}" for kind in ("title", "body") for tag in form.locales]
    return not any(form.value(name).strip() for name in names)


def _items(form: GuideForm) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    form.row_of["items"] = []
    for n in form.item_rows:
        prefix = f"items.{n}"
        if form.value(f"{prefix}.delete") or _row_blank(form, prefix, ("id", "event")):
            continue
        item: dict[str, Any] = {"id": form.value(f"{prefix}.id").strip()}
        title = _texts(form, f"{prefix}.title", strip=True)
        if title:
            item["title"] = title
        item["event"] = form.value(f"{prefix}.event").strip()
        items.append(item)
        form.row_of["items"].append(n)
    return items


def _steps(form: GuideForm) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    form.row_of["steps"] = []
    for n in form.step_rows:
        prefix = f"steps.{n}"
        if form.value(f"{prefix}.delete") or _row_blank(form, prefix, ("endpoint", "anchor")):
            continue
        step: dict[str, Any] = {"endpoint": form.value(f"{prefix}.endpoint").strip()}
        if form.value(f"{prefix}.anchor").strip():
            step["anchor"] = form.value(f"{prefix}.anchor").strip()
        title = _texts(form, f"{prefix}.title", strip=True)
        if title:
            step["title"] = title
        body = _texts(form, f"{prefix}.body", strip=False)
        if body:
            step["body"] = body
        steps.append(step)
        form.row_of["steps"].append(n)
    return steps


# --- the loader's errors -> fields -----------------------------------------------------


def field_of(path: str, form: GuideForm) -> str | None:
    """The form field a loader path (``title.zh-CN``, ``steps[1].endpoint``, ``when.stages``) is about."""
    if not path:
        return None
    row = _PATH_ROW.match(path)
    if row:
        what, index, rest = row.group(1), int(row.group(2)), row.group(3) or ""
        numbers = form.row_of[what]
        if index >= len(numbers):
            return None
        key = rest.split(".")[0] if rest else ""
        if key in ("title", "body"):
            tag = rest.split(".", 1)[1] if "." in rest else form.default_locale
            return f"{what}.{numbers[index]}.{key}.{tag}"
        return f"{what}.{numbers[index]}.{key or 'id' if what == 'items' else key or 'endpoint'}"
    head, _, tail = path.partition(".")
    head = head.split("[")[0]
    if head in LOCALIZED_KEYS:
        return f"{head}.{tail or form.default_locale}"
    if head == "when":
        first = tail.split(".")[0].split("[")[0]
        if first in ("stages", "endpoints") and first in _when_shown(form):
            return first
        return "seg" if first in _row_keys(form) else "when"
    if head == "frequency" and tail:
        return "max_impressions"
    return head


def _row_keys(form: GuideForm) -> set[str]:
    """The condition keys the builder's rows give (``all`` and ``not`` among them)."""
    rows = form.segment_rows()
    return set(condition_of(rows)) | {"all", "not"} if rows else set()


def _when_shown(form: GuideForm) -> set[str]:
    shown = set()
    if form.lists.get("stages"):
        shown.add("stages")
    if form.value("endpoints").strip():
        shown.add("endpoints")
    return shown


def place_errors(form: GuideForm, problems: Iterable[ContentProblem]) -> None:
    """File the loader's problems for a one-guide document under the fields they concern."""
    for problem in problems:
        path, message = problem.path.removeprefix("guides[0]").removeprefix("."), problem.message
        name = field_of(path, form)
        if name is None:
            form.problems.append(f"{path}: {message}" if path else message)
        else:
            form.add_error(name, message)


def one_guide_document(data: Mapping[str, Any]) -> str:
    """A content file holding just this guide, to check it on its own."""
    return yaml.safe_dump({"version": 1, "guides": [dict(data)]}, sort_keys=False, allow_unicode=True, width=100)


def choices() -> dict[str, tuple[str, ...]]:
    """The select boxes' options (for the template)."""
    return {
        "purpose": PURPOSES,
        "level": LEVELS,
        "frequency": FREQUENCY_CHOICES,
        "stages": STAGES,
        "seg_fields": tuple(SEGMENT_FIELDS),
        "seg_ops": tuple(dict.fromkeys(op for _, ops in SEGMENT_FIELDS.values() for op in ops)),
    }


def segment_choices() -> dict[str, Any]:
    """What the segment builder's rows offer: fields, tests, and each field's tests (console.js)."""
    return {
        "seg_fields": tuple(SEGMENT_FIELDS),
        "seg_ops": tuple(dict.fromkeys(op for _, ops in SEGMENT_FIELDS.values() for op in ops)),
        "seg_field_ops": {name: list(ops) for name, (_, ops) in SEGMENT_FIELDS.items()},
    }
