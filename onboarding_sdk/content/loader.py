"""Content files: read, parse (keeping each node's line), validate, build; and dump back.

YAML files are composed with PyYAML into nodes (each has a ``start_mark``), so that any
``path`` an error names (``guides[2].when.stages``) maps back to a line. JSON files are
read with ``json`` for the data (exact JSON semantics) and composed with the same YAML
machinery for the lines. The YAML resolver is YAML 1.2's core schema rather than PyYAML's
1.1 one: ``no``/``on`` stay strings (``no`` is Norwegian), ``010`` is ten, ``1:20`` is text,
and dates stay strings so YAML and JSON files mean the same thing.

Every text passes ``limits`` (size, nesting depth, values, guide count) before the work each
guards. A problem drops only what it is about: one guide, or one file that cannot be read as
a whole; ``read_content`` keeps the rest, ``load_content`` (a publication) is all or nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import yaml
from marshmallow import ValidationError

from ..conditions import ConditionError
from ..experiment_content import experiments_data, parse_experiments
from ..experiments import Experiment
from ..nesting import json_too_deep
from ..segments import NAME as SEGMENT_NAME
from ..segments import expand as expand_segments
from ..targeting import compile_when
from .errors import ContentError, ContentProblem
from .i18n import canonical_tag, is_locale_tag
from .limits import (
    DEFAULT_LIMITS,
    ContentLimits,
    depth_message,
    text_size,
    too_large,
    too_many_guides,
    yaml_too_deep,
)
from .model import Frequency, GuideSpec, SourceRef
from .schema import ID_PATTERN, ContentFileSchema, GuideSchema, build_spec, default_auto_open, guide_schemas

# A YAML file may share nodes through aliases; expanded, a few lines can stand for billions
# of nodes ("billion laughs"). Content this large is a mistake or an attack either way.
MAX_NODES = 200_000
ID = re.compile(ID_PATTERN)

# --- YAML with the 1.2 core schema -----------------------------------------------------

_INT = re.compile(r"^(?:[-+]?[0-9]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_RESOLVERS: list[tuple[str, re.Pattern[str], list[str]]] = [
    ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")),
    ("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", _INT, list("-+0123456789")),
    ("tag:yaml.org,2002:float", _FLOAT, list("-+.0123456789")),
    ("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"]),
]


class _Loader(yaml.SafeLoader):
    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's class-level table


def _construct_int(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    value = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    return int(value, 16) if value.startswith("0x") else int(value, 10)


for _tag, _pattern, _first in _RESOLVERS:
    _Loader.add_implicit_resolver(_tag, _pattern, _first)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)

_FastLoader: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = _Loader
if yaml.__with_libyaml__:  # libyaml parses about ten times faster; same rules, same nodes and marks

    class _CLoader(yaml.CSafeLoader):
        yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
        yaml_constructors = _Loader.yaml_constructors

    _FastLoader = _CLoader


class _Dumper(yaml.SafeDumper):
    """Quotes every string that either YAML 1.1 or our 1.2 reader would take for another type."""


for _tag, _pattern, _first in _RESOLVERS:
    _Dumper.add_implicit_resolver(_tag, _pattern, _first)


# --- problems and lines ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    path: str  # "" for the whole file
    message: str
    line: int | None = None  # when known better than the path's node (duplicate keys)


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


_SEGMENT = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


class LineMap:
    """Maps an error path to the line of its node, or of the closest node that exists."""

    def __init__(self, root: yaml.Node | None) -> None:
        self.root = root

    def line(self, path: str) -> int:
        node = self.root
        if node is None:
            return 1
        best = node.start_mark.line + 1
        segments: list[str | int] = [
            int(index) if index else key for index, key in _SEGMENT.findall(path) if index or key
        ]
        i = 0
        while i < len(segments):
            segment = segments[i]
            if isinstance(node, yaml.SequenceNode) and isinstance(segment, int) and segment < len(node.value):
                node = node.value[segment]
                best = node.start_mark.line + 1
                i += 1
                continue
            if isinstance(node, yaml.MappingNode):
                found = self._key(node, segments, i)
                if found is not None:
                    key_node, node, i = found
                    # the key's line: "the offending key"; a nested mapping's own line is its first key
                    best = key_node.start_mark.line + 1
                    continue
            break
        return best

    @staticmethod
    def _key(node: yaml.MappingNode, segments: list[str | int], i: int) -> tuple[yaml.Node, yaml.Node, int] | None:
        # keys may hold dots (event names such as "report.created"): try the longest join first
        for end in range(len(segments), i, -1):
            parts = segments[i:end]
            if any(isinstance(p, int) for p in parts[1:]):
                continue
            key = ".".join(str(p) for p in parts)
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                    return key_node, value_node, end
        return None


def _check_nodes(root: yaml.Node, limits: ContentLimits) -> list[Problem]:
    """Duplicate keys (PyYAML keeps the last silently), alias bombs and nesting that aliases
    deepen (the text was checked already), before construction."""
    problems: list[Problem] = []
    count = 0
    stack: list[tuple[yaml.Node, str, int]] = [(root, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            return [Problem("", f"more than {MAX_NODES} values (expanded YAML aliases?): refusing to read this file")]
        if isinstance(node, yaml.CollectionNode):
            depth += 1
            if depth > limits.max_depth:
                return [Problem("", depth_message(limits), node.start_mark.line + 1)]
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, join(path, i), depth) for i, child in enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            seen: set[tuple[str, str]] = set()
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                    ident = (key_node.tag, key_node.value)
                    if ident in seen:
                        problems.append(
                            Problem(join(path, key_node.value), "duplicate key", key_node.start_mark.line + 1)
                        )
                    seen.add(ident)
                    stack.append((value_node, join(path, key_node.value), depth))
                else:
                    stack.append((value_node, path, depth))
    return problems


# --- parsing ---------------------------------------------------------------------------


@dataclass
class Document:
    name: str
    data: Any = None
    lines: LineMap = field(default_factory=lambda: LineMap(None))
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True  # False: the file could not be read, so there are no lines


def _yaml_error(exc: yaml.YAMLError) -> Problem:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or "invalid YAML"
        if exc.context:
            started = exc.context_mark
            # an unclosed quote fails at the end of the file: say where it began
            where = f" that starts at line {started.line + 1}" if started and mark and started.line != mark.line else ""
            message = f"{message} ({exc.context}{where})"
        return Problem("", f"YAML syntax error: {message}", mark.line + 1 if mark else 1)
    return Problem("", f"YAML syntax error: {exc}", 1)


def _compose(text: str) -> yaml.Node | None:
    loader = _FastLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _syntax_problem(text: str, fast_error: yaml.YAMLError) -> Problem:
    """Word syntax errors as the pure-Python parser does, whichever parser found them."""
    try:
        loader = _Loader(text)  # its reader refuses some characters (NUL) at once
    except yaml.YAMLError as exc:
        return _yaml_error(exc)
    try:
        loader.get_single_node()
    except yaml.YAMLError as exc:
        return _yaml_error(exc)
    except RecursionError:  # the pure-Python parser recurses where libyaml does not
        pass
    finally:
        loader.dispose()
    return _yaml_error(fast_error)


def parse_text(text: str, name: str, limits: ContentLimits = DEFAULT_LIMITS) -> Document:
    """Parse one file's text; problems (size, depth, syntax) land in ``problems`` (data is then None).

    The one guarded parser for content YAML and JSON: files, published revisions and the
    console's editors all come through here, so none of them can exhaust the stack or memory.
    """
    refused = too_large(text_size(text, limits.max_bytes), limits)
    if refused is not None:  # before anything is parsed
        return Document(name, problems=[Problem("", refused)], readable=False)
    if name.lower().endswith(".json"):
        return _parse_json(text, name, limits)
    doc = Document(name)
    deep = yaml_too_deep(text, _FastLoader, limits.max_depth)
    if deep is not None:
        doc.problems.append(Problem("", depth_message(limits), deep))
        return doc
    loader = _FastLoader(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            doc.lines = LineMap(root)
            doc.problems.extend(_check_nodes(root, limits))
            if any(not p.path for p in doc.problems):
                return doc  # too many nodes or too deep: do not even construct it
            doc.data = loader.construct_document(root)
    except yaml.YAMLError as exc:
        doc.problems.append(_syntax_problem(text, exc))
        doc.data = None
    except RecursionError:  # the checks above make this unreachable; never a crash all the same
        doc.problems.append(Problem("", depth_message(limits), 1))
        doc.data = None
    finally:
        loader.dispose()
    return doc


def _parse_json(text: str, name: str, limits: ContentLimits) -> Document:
    doc = Document(name)
    deep = json_too_deep(text, limits.max_depth)
    if deep is not None:
        doc.problems.append(Problem("", depth_message(limits), deep))
        return doc
    try:
        doc.data = json.loads(text)
    except json.JSONDecodeError as exc:
        doc.problems.append(Problem("", f"JSON syntax error: {exc.msg}", exc.lineno))
        return doc
    except RecursionError:  # unreachable after the depth check; never a crash all the same
        doc.problems.append(Problem("", depth_message(limits), 1))
        return doc
    # only for the lines; JSON allows tabs where YAML does not (and only as blanks). Valid
    # JSON that PyYAML cannot follow leaves no lines: its errors then point at line 1.
    with contextlib.suppress(yaml.YAMLError, RecursionError):
        doc.lines = LineMap(_compose(text.replace("\t", " ")))
    if doc.lines.root is not None:
        doc.problems.extend(_check_nodes(doc.lines.root, limits))
        if any(not p.path for p in doc.problems):
            doc.data = None  # too many values: the whole file is refused
    return doc


def decode(raw: bytes, name: str, limits: ContentLimits = DEFAULT_LIMITS) -> Document:
    """A file's bytes as a parsed Document (UTF-8, a byte-order mark allowed)."""
    refused = too_large(len(raw), limits)
    if refused is not None:
        return Document(name, problems=[Problem("", refused)], readable=False)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Document(name, problems=[Problem("", f"not UTF-8 text (byte {exc.start})")], readable=False)
    return parse_text(text, name, limits)


def read_bytes(path: str | Path, limits: ContentLimits = DEFAULT_LIMITS) -> tuple[bytes | None, Document | None]:
    """A file's bytes, or (None, a Document with the reason) when it cannot or must not be read.

    Never reads more than the size limit allows: a huge file is refused from its size.
    """
    name = str(path)
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            refused = too_large(size, limits)
            if refused is None:
                raw = handle.read(limits.max_bytes + 1)
                refused = too_large(len(raw), limits)  # grew meanwhile, or a pipe with no size
    except FileNotFoundError:
        return None, Document(name, problems=[Problem("", "no such file")], readable=False)
    except IsADirectoryError:
        return None, Document(name, problems=[Problem("", "is a directory, not a content file")], readable=False)
    except OSError as exc:
        return None, Document(name, problems=[Problem("", f"cannot read: {exc.strerror or exc}")], readable=False)
    if refused is not None:
        return None, Document(name, problems=[Problem("", refused)], readable=False)
    return raw, None


def read_file(path: str | Path, limits: ContentLimits = DEFAULT_LIMITS) -> Document:
    raw, failed = read_bytes(path, limits)
    if raw is None:
        assert failed is not None
        return failed
    return decode(raw, str(path), limits)


def read_text(path: str | Path, limits: ContentLimits = DEFAULT_LIMITS) -> str:
    """A content file's text (for ``import``); ContentError when it is missing, too large or not UTF-8."""
    raw, failed = read_bytes(path, limits)
    if raw is None:
        assert failed is not None
        raise ContentError(_unread(failed))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ContentError([ContentProblem(str(path), None, "", f"not UTF-8 text (byte {exc.start})")]) from None


def _unread(doc: Document) -> list[ContentProblem]:
    return [ContentProblem(doc.name, None, p.path, p.message) for p in doc.problems]


# --- validation ------------------------------------------------------------------------


def _flatten(messages: Any, path: str, out: list[Problem]) -> None:
    if isinstance(messages, Mapping):
        for key, inner in messages.items():
            _flatten(inner, path if key == "_schema" else join(path, key), out)
    elif isinstance(messages, list | tuple):
        for inner in messages:
            _flatten(inner, path, out)
    else:
        out.append(Problem(path, str(messages).rstrip(".")))


_GUIDE_INDEX = re.compile(r"^guides\[(\d+)\]")


@dataclass
class _Batch:
    """One load: files checked together (guide ids are unique across all of them).

    A problem drops only what it is about: one guide, or one file when the file cannot be
    read as a whole (syntax, size, depth, an unsupported version). Every valid guide of the
    other files and of the same file is kept in ``specs``.
    """

    events: Collection[str]
    default_locale: str
    limits: ContentLimits
    schemas: dict[str | None, GuideSchema] = field(init=False)
    specs: list[GuideSpec] = field(default_factory=list)
    problems: list[ContentProblem] = field(default_factory=list)
    ids: dict[str, SourceRef] = field(default_factory=dict)
    guide_count: int = 0
    segments: dict[str, Any] = field(default_factory=dict)  # a file's, and the files' before it
    experiments: list[Experiment] = field(default_factory=list)  # experiment_content.py

    def __post_init__(self) -> None:
        self.events = frozenset(self.events)  # looked up for every event name in every guide
        self.schemas = guide_schemas(self.events)

    def add(self, doc: Document) -> None:
        if not doc.readable:
            self.problems.extend(_unread(doc))
            return
        problems = list(doc.problems)
        if doc.data is not None or not problems:
            problems.extend(self._validate(doc))
        located = [(p.line or doc.lines.line(p.path), p) for p in problems]
        located.sort(key=lambda pair: pair[0])  # stable: errors on one line keep their order
        self.problems.extend(ContentProblem(doc.name, line, p.path, p.message) for line, p in located)

    def _validate(self, doc: Document) -> list[Problem]:
        data = doc.data
        if data is None:
            return [Problem("", "the file is empty; expected a mapping with a 'guides' list", 1)]
        if not isinstance(data, Mapping):
            return [Problem("", "expected a mapping with a 'guides' list (and optionally 'version: 1')", 1)]
        guides = data.get("guides")
        if isinstance(guides, list):
            refused = too_many_guides(len(guides), self.guide_count, self.limits)
            if refused is not None:  # before any guide is validated
                return [Problem("guides", refused)]
            self.guide_count += len(guides)
        problems: list[Problem] = []
        try:
            ContentFileSchema().load(data)
        except ValidationError as exc:
            _flatten(exc.messages, "", problems)
        if not isinstance(guides, list) or any(p.path == "version" for p in problems):
            return problems  # no guides, or another format's: none of them is read
        problems.extend(self._segments(data.get("segments")))
        # a guide with a problem found while parsing (a duplicate key) is dropped too
        broken = {int(m.group(1)) for p in doc.problems if (m := _GUIDE_INDEX.match(p.path))}
        for i, raw in enumerate(guides):
            problems.extend(self._guide(raw, f"guides[{i}]", doc, keep=i not in broken))
        taken = {guide: e.id for e in self.experiments for guide in e.guides}
        found, refusals = parse_experiments(data.get("experiments"), self.ids, taken)
        self.experiments.extend(found)
        problems.extend(Problem(where, message) for where, message in refusals)
        return problems

    def _segments(self, raw: Any) -> list[Problem]:
        """``segments:``: each a named condition the guides of this file and of later files may
        use as ``when: {segment: name}``; a segment that does not compile is not kept."""
        if not isinstance(raw, Mapping):
            return []  # absent, or already reported by the file's schema
        problems: list[Problem] = []
        for name, condition in raw.items():
            path = join("segments", str(name))
            if not isinstance(name, str) or not SEGMENT_NAME.match(name):
                problems.append(Problem(path, "a segment name is lower-case letters, digits, - and _"))
                continue
            if isinstance(condition, Mapping) and "segment" in condition:
                problems.append(Problem(join(path, "segment"), "a segment cannot use another segment"))
                continue
            try:
                compile_when(condition, path, self.events)
            except ConditionError as exc:
                problems.extend(Problem(*error.partition(": ")[::2]) for error in exc.errors)
                continue
            self.segments[name] = _plain(condition)
        return problems

    def _guide(self, raw: Any, path: str, doc: Document, keep: bool) -> list[Problem]:
        if not isinstance(raw, Mapping):
            return [Problem(path, "must be a mapping (one guide)")]
        problems: list[Problem] = []
        kind = raw.get("kind")
        schema = self.schemas.get(kind if isinstance(kind, str) else None) or self.schemas[None]
        data: dict[str, Any] | None = None
        try:
            data = schema.load(raw)
        except ValidationError as exc:
            _flatten(exc.messages, path, problems)
        when = raw.get("when")
        when = {} if when is None else when
        when, unknown = expand_segments(when, self.segments, join(path, "when"))
        problems.extend(Problem(where, message) for where, message in unknown)
        try:
            compile_when(when, join(path, "when"), self.events)
        except ConditionError as exc:
            for error in exc.errors:
                where, _, message = error.partition(": ")
                problems.append(Problem(where, message))
        source = SourceRef(doc.name, doc.lines.line(path))
        guide_id = raw.get("id")
        if isinstance(guide_id, str) and ID.match(guide_id):
            first = self.ids.get(guide_id)
            if first is not None:
                problems.append(Problem(join(path, "id"), f"duplicate id {guide_id!r} (first defined at {first})"))
            else:
                self.ids[guide_id] = source
        if keep and data is not None and not problems:
            self.specs.append(build_spec(data, _plain(when), default_locale=self.default_locale, source=source))
        return problems

    def report(self) -> ContentReport:
        # each covered guide carries its experiment: it travels with the specs everywhere
        by_guide = {guide: e for e in self.experiments for guide in e.guides}
        specs = [replace(s, experiment=by_guide[s.id]) if s.id in by_guide else s for s in self.specs]
        return ContentReport(tuple(specs), tuple(self.problems))


def _plain(value: Any) -> Any:
    """A deep copy as plain dicts and lists: specs must not share the parsed document."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _check_locale(default_locale: str) -> str:
    if not is_locale_tag(default_locale):
        message = f"{default_locale!r} is not a locale tag such as en or zh-CN"
        raise ContentError([ContentProblem("", None, "default_locale", message)])
    return canonical_tag(default_locale)


# --- the API ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContentReport:
    """What a load gives: every valid guide, and every problem (each dropped a guide or a file)."""

    guides: tuple[GuideSpec, ...]
    problems: tuple[ContentProblem, ...]

    def or_raise(self) -> tuple[GuideSpec, ...]:
        """The guides when there is no problem at all; else ContentError listing every problem."""
        if self.problems:
            raise ContentError(self.problems)
        return self.guides


def read_content(
    paths: Sequence[str | Path],
    *,
    events: Collection[str],
    default_locale: str = "en",
    limits: ContentLimits = DEFAULT_LIMITS,
) -> ContentReport:
    """Load, validate and render content files (YAML or JSON) together, keeping what is valid.

    A problem drops the guide it is about (or the file, when the file cannot be read as a
    whole); the report lists every problem as a ``ContentProblem`` (``file:line: path: message``).
    ``events`` are the declared event names; ``default_locale`` files plain-string titles and
    bodies.
    """
    batch = _Batch(events, _check_locale(default_locale), limits)
    for path in paths:
        batch.add(read_file(path, limits))
    return batch.report()


def read_content_text(
    text: str,
    name: str,
    *,
    events: Collection[str],
    default_locale: str = "en",
    limits: ContentLimits = DEFAULT_LIMITS,
) -> ContentReport:
    """Like ``read_content`` for one file's text; ``name`` (``x.json`` reads as JSON) names it in errors."""
    batch = _Batch(events, _check_locale(default_locale), limits)
    batch.add(parse_text(text, name, limits))
    return batch.report()


def load_content(
    paths: Sequence[str | Path],
    *,
    events: Collection[str],
    default_locale: str = "en",
    limits: ContentLimits = DEFAULT_LIMITS,
) -> tuple[GuideSpec, ...]:
    """All or nothing: the guides of ``read_content``, or ContentError listing every problem."""
    return read_content(paths, events=events, default_locale=default_locale, limits=limits).or_raise()


def load_content_text(
    text: str,
    name: str,
    *,
    events: Collection[str],
    default_locale: str = "en",
    limits: ContentLimits = DEFAULT_LIMITS,
) -> tuple[GuideSpec, ...]:
    """All or nothing for one file's text (a publication): the guides, or ContentError."""
    return read_content_text(text, name, events=events, default_locale=default_locale, limits=limits).or_raise()


# --- dumping ---------------------------------------------------------------------------


def _instant(value: datetime) -> str:
    value = value.astimezone(UTC)
    if value.time() == time(0, 0):
        return value.date().isoformat()
    return value.isoformat().replace("+00:00", "Z")


def _frequency(value: Frequency) -> str | dict[str, int] | None:
    if value == Frequency():
        return None
    if value.mode == "max_impressions":
        return {"max_impressions": value.limit or 1}
    return value.mode


def guide_data(spec: GuideSpec) -> dict[str, Any]:
    """A spec as content-file data (Markdown sources, not HTML); defaults are left out."""
    out: dict[str, Any] = {"id": spec.id, "kind": spec.kind, "title": dict(spec.title)}
    if spec.body_markdown:
        out["body"] = dict(spec.body_markdown)
    if spec.when:
        out["when"] = _plain(spec.when)
    if spec.priority:
        out["priority"] = spec.priority
    frequency = _frequency(spec.frequency)
    if frequency is not None:
        out["frequency"] = frequency
    for key in ("starts_at", "ends_at", "date"):
        moment = getattr(spec, key)
        if moment is not None:
            out[key] = _instant(moment)
    if spec.auto_open != default_auto_open(spec.kind, spec.level):
        out["auto_open"] = spec.auto_open
    for key in ("anchor", "purpose", "term", "form", "field", "topic", "version", "level"):
        value = getattr(spec, key)
        if key == "topic":  # a locale map like the title; empty: none
            if value:
                out[key] = dict(value)
        elif value is not None:
            out[key] = value
    if spec.features:
        out["features"] = list(spec.features)
    if spec.items:
        out["items"] = [{"id": i.id, "title": dict(i.title), "event": i.event} for i in spec.items]
    if spec.steps:
        out["steps"] = [_step_data(step) for step in spec.steps]
    if spec.goal is not None:
        goal = spec.goal
        out["goal"] = {"event": goal.event} if goal.event is not None else {"stage": goal.stage}
        out["goal"]["within_days"] = goal.within_days
    return out


def _step_data(step: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"endpoint": step.endpoint}
    if step.anchor is not None:
        out["anchor"] = step.anchor
    out["title"] = dict(step.title)
    if step.body_markdown:
        out["body"] = dict(step.body_markdown)
    if step.spotlight:
        out["spotlight"] = True
    if step.advance_click:
        out["advance_on"] = {"click": True}
    elif step.advance_event:
        out["advance_on"] = {"event": step.advance_event}
    return out


def dump_content(guides: Iterable[GuideSpec]) -> str:
    """Guides as a YAML content file (for ``flask onboarding export``).

    ``load_content_text(dump_content(specs), ...)`` gives back equal specs (``source`` aside).
    """
    specs = list(guides)
    document: dict[str, Any] = {"version": 1, "guides": [guide_data(spec) for spec in specs]}
    experiments = experiments_data(specs)
    if experiments:
        document["experiments"] = experiments
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
