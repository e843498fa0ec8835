"""``flask onboarding ...``: look at users, rules, content and dormant accounts from the command line."""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import with_appcontext

from . import privacy
from .accounts_cli import accounts_command
from .app_state import get_state
from .content import ContentError, ContentProblem, GuideSpec, diff_content, dump_content
from .content.loader import read_text
from .dormancy import day_date
from .engine import Engine
from .errors import OnboardingError, StaleRevision, StorageError
from .guide_checks import check_content
from .state import STAGES
from .stream_cli import stream_command


def _engine() -> Engine:
    try:
        return get_state().engine
    except OnboardingError:
        raise click.ClickException("this app does not use onboarding_sdk (Onboarding(app) was not called)") from None


@click.group("onboarding")
def onboarding_cli() -> None:
    """Inspect onboarding_sdk users, rules and content."""


# Options of the `flask` command itself that take a value (flask --app x --env-file y ...).
_FLASK_VALUE_OPTIONS = frozenset({"-A", "--app", "-e", "--env-file"})


def loading_for_onboarding_command() -> bool:
    """True while the `flask` command loads the app to run `flask onboarding ...`.

    ``check`` and ``import`` report content problems themselves (each as ``file:line: path:
    message``, no traceback), so a strict start-up must not stop them before they run. Click
    resolves the subcommand only after the app is loaded, hence the look at the command line.
    """
    if click.get_current_context(silent=True) is None:
        return False
    args = sys.argv[1:]
    i = 0
    while i < len(args):
        if args[i] in _FLASK_VALUE_OPTIONS:
            i += 2
        elif args[i].startswith("-"):
            i += 1
        else:
            return args[i] == "onboarding"
    return False


def _fail_with(problems: Iterable[ContentProblem | str]) -> NoReturn:
    """Print every problem on stderr and exit 1: a readable list, never a traceback."""
    for problem in problems:
        click.echo(str(problem), err=True)
    raise SystemExit(1)


@onboarding_cli.command("state")
@click.argument("user_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@with_appcontext
def state_command(user_id: str, as_json: bool) -> None:
    """Print a user's stage, stage history and event counts."""
    engine = _engine()
    try:
        state = engine.state_of(user_id)
    except StorageError as exc:
        raise click.ClickException(f"cannot read the store ({engine.storage.uri}): {exc}") from None
    if state.is_new:
        raise click.ClickException(f"no data stored for user {user_id!r}")
    now = engine.now()
    if as_json:
        data = {
            "user_id": state.user_id,
            "stage": state.stage,
            "stage_entered": {k: v.isoformat() for k, v in state.stage_entered.items()},
            "signed_up_at": state.signed_up_at.isoformat() if state.signed_up_at else None,
            "first_seen": state.first_seen.isoformat() if state.first_seen else None,
            "last_seen": state.last_seen.isoformat() if state.last_seen else None,
            "active_days": len(state.active_days),
            "dormant": state.dormant,
            "events": {
                name: {"count": s.count, "first": s.first.isoformat(), "last": s.last.isoformat()}
                for name, s in sorted(state.events.items())
            },
        }
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"user        {state.user_id}")
    click.echo(f"stage       {state.stage}{'  (dormant)' if state.dormant else ''}")
    click.echo(f"signed up   {state.signed_up_at.isoformat() if state.signed_up_at else 'unknown'}")
    click.echo(f"seen        {state.first_seen} .. {state.last_seen}")
    click.echo(f"active days {len(state.active_days)} ({state.active_days_count(now, 28)} in the last 28)")
    click.echo("stages:")
    for stage in STAGES:
        entered = state.stage_entered.get(stage)
        if entered is not None:
            click.echo(f"  {stage:<11} entered {entered.isoformat()}")
    click.echo("events:")
    if not state.events:
        click.echo("  (none)")
    for name, stats in sorted(state.events.items()):
        click.echo(f"  {name:<24} {stats.count:>6}  first {stats.first.isoformat()}  last {stats.last.isoformat()}")


@onboarding_cli.command("rules")
@with_appcontext
def rules_command() -> None:
    """Print the active stage rules (configured or default) and the declared events."""
    engine = _engine()
    settings = engine.settings
    origin = "ONBOARDING_STAGE_RULES" if settings.stage_rules is not None else "defaults"
    click.echo(f"stage rules ({origin}); a user is in the furthest stage whose rule holds:")
    click.echo(f"  {STAGES[0]:<11} (everyone starts here)")
    for stage in STAGES[1:]:
        rule = settings.stage_model.source.get(stage)
        text = json.dumps(rule, ensure_ascii=False) if rule is not None else "(no rule: never reached)"
        click.echo(f"  {stage:<11} {text}")
    click.echo(f"dormant after {settings.dormant_after_days} days without activity")
    events = ", ".join(f"{n}{' (key)' if s.key else ''}" for n, s in settings.events.items()) or "(none declared)"
    click.echo(f"events: {events}")


def content_findings(engine: Engine, specs: list[GuideSpec], previous: list[GuideSpec]) -> tuple[list[str], list[str]]:
    """The content checked against this app (onboarding_sdk/guide_checks.py): errors, warnings."""
    found = check_content(
        current_app,
        specs,
        default_locale=engine.settings.default_locale,
        previous=previous,
        seen=get_state().anchors,
    )
    errors: list[str] = []
    warnings: list[str] = []
    for spec, finding in found:
        line = finding.line(spec.id, str(spec.source) if spec.source else f"guide {spec.id}")
        (errors if finding.error else warnings).append(line)
    return errors, warnings


def _published_specs(engine: Engine) -> list[GuideSpec]:
    """The guides published in the store (none when nothing is, or the store does not answer)."""
    try:
        found = engine.storage.content.load()
        return list(engine.content.parse(found[1], "published.yaml")) if found is not None else []
    except (StorageError, ContentError):
        return []


@onboarding_cli.command("check")
@click.option("--render", is_flag=True, help="Also render every page as a user of each stage and look for the anchors.")
@with_appcontext
def check_command(render: bool) -> None:
    """Check the content: schema, events, stages, pages, anchors and translations."""
    engine = _engine()
    settings = engine.settings
    paths = [os.path.join(current_app.root_path, p) for p in settings.content]
    if not paths:
        raise click.ClickException("ONBOARDING_CONTENT names no content files")
    try:
        errors = engine.content.load_files(paths)
    except ContentError as exc:  # settings the loader refuses (the default locale)
        _fail_with(exc.problems)
    if errors:
        _fail_with(errors)
    specs = [guide.spec for guide in engine.catalog.guides.values()]
    problems, warnings = content_findings(engine, specs, _published_specs(engine))
    for warning in warnings:
        click.echo(warning, err=True)
    if problems:
        _fail_with(problems)
    if render:
        _render_check(engine, [guide.spec for guide in engine.catalog.guides.values()])
    click.echo(f"ok: {len(engine.catalog.guides)} guides in {len(paths)} file(s)")


def _render_check(engine: Engine, specs: list[GuideSpec]) -> None:
    """``check --render`` (onboarding_sdk/render_check.py): fails like the static check."""
    try:
        from . import render_check
    except ImportError as exc:  # the planner lives in the pytest plugin
        raise click.ClickException(f"check --render needs the test plugin's dependencies ({exc})") from None
    samples = engine.settings.check_sample_args
    seen = render_check.render(current_app, engine, samples, engine.settings.check_login)
    errors: list[str] = []
    for line in render_check.notes(seen):
        click.echo(line, err=True)
    for spec, finding in render_check.judge(current_app, specs, seen, samples):
        line = finding.line(spec.id, str(spec.source) if spec.source else f"guide {spec.id}")
        if finding.error:
            errors.append(line)
        else:
            click.echo(line, err=True)
    if errors:
        _fail_with(errors)
    pages = sum(1 for renders in seen.pages.values() if any(r.status == 200 for r in renders.values()))
    click.echo(f"rendered {pages} page(s) as a user of {', '.join(seen.stages) or 'no stage'}")


def _served(engine: Engine) -> tuple[int, list[GuideSpec]]:
    """The store's current revision and the guides it serves (the files when none is published)."""
    try:
        engine.content.sync(engine.storage.content.revision())
    except StorageError as exc:
        raise click.ClickException(f"cannot read the store ({engine.storage.uri}): {exc}") from None
    return engine.content.revision, [guide.spec for guide in engine.catalog.guides.values()]


@onboarding_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate, check and print the changes; publish nothing.")
@click.option("--author", default=None, help="Recorded in the history (default: your login name).")
@click.option("--note", default="", help="A note for the history.")
@with_appcontext
def import_command(file: Path, dry_run: bool, author: str | None, note: str) -> None:
    """Publish a content file to the store for every process (all or nothing)."""
    engine = _engine()
    try:
        # size first (nothing read past the limit), then UTF-8, then the parse: each refusal is
        # its own `file:line: path: message` line
        text = read_text(file, engine.content.limits())
        specs = engine.content.parse(text, str(file))
    except ContentError as exc:
        _fail_with(exc.problems)
    revision, current = _served(engine)
    diff = diff_content(current, specs)
    problems, warnings = content_findings(engine, list(specs), current)
    if dry_run:
        click.echo(f"dry run: {file} against revision {revision} ({len(current)} -> {len(specs)} guides)")
        for line in diff.lines():
            click.echo(f"  {line}")
    for warning in warnings:
        click.echo(warning, err=True)
    if problems:
        _fail_with(problems)  # a page that is not in this app: refused, dry run or not
    if dry_run:
        return
    try:
        # Based on the revision just read: a publication racing this one is refused, not lost.
        new = engine.content.publish(text, revision, author or _login(), note or f"import {file.name}")
    except StaleRevision as exc:
        raise click.ClickException(f"{exc}; run the import again") from None
    except StorageError as exc:
        raise click.ClickException(f"cannot write the store ({engine.storage.uri}): {exc}") from None
    for line in diff.lines():
        click.echo(f"  {line}")
    click.echo(f"published revision {new}: {len(specs)} guides")


@onboarding_cli.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_command(file: Path | None) -> None:
    """Write the served content (published, else the files) as one YAML content file."""
    engine = _engine()
    revision, specs = _served(engine)
    text = dump_content(specs)
    if file is None:
        click.echo(text, nl=False)
        return
    file.write_text(text, encoding="utf-8")
    origin = f"revision {revision}" if revision else "the ONBOARDING_CONTENT files"
    click.echo(f"wrote {len(specs)} guides from {origin} to {file}", err=True)


def _ago(today: int, day: int) -> str:
    days = today - day
    return "today" if days == 0 else ("1 day ago" if days == 1 else f"{days} days ago")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@onboarding_cli.command("dormant")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(0, 1000), help="How many to list.")
@click.option("--no-signal", is_flag=True, help="Only list; send no account_dormant signal.")
@with_appcontext
def dormant_command(limit: int, no_signal: bool) -> None:
    """List dormant accounts and users; send account_dormant for accounts newly dormant."""
    engine = _engine()
    after = engine.settings.dormant_after_days
    cutoff = engine.dormancy.cutoff()
    today = cutoff + after
    try:
        found = engine.call_store(lambda: engine.storage.index.population(cutoff, today, limit))
    except StorageError as exc:
        raise click.ClickException(f"cannot read the store ({engine.storage.uri}): {exc}") from None
    click.echo(f"dormant: no activity for {after} days or more (last active {day_date(cutoff)} or before; UTC)")
    click.echo(f"accounts: {found.dormant_accounts} of {found.accounts} dormant")
    for row in found.newest_dormant_accounts:
        when = f"last active {day_date(row.last_day)} ({_ago(today, row.last_day)})"
        click.echo(f"  {row.account_id:<24} {when}  {_plural(row.users, 'user')}")
    if found.dormant_accounts > len(found.newest_dormant_accounts):
        click.echo(f"  ... {found.dormant_accounts - len(found.newest_dormant_accounts)} more (--limit)")
    click.echo(f"users: {found.dormant_users} of {found.users} dormant")
    for user, day, account in found.newest_dormant_users:
        where = f"  account {account}" if account is not None else ""
        click.echo(f"  {user:<24} last active {day_date(day)} ({_ago(today, day)}){where}")
    if found.dormant_users > len(found.newest_dormant_users):
        click.echo(f"  ... {found.dormant_users - len(found.newest_dormant_users)} more (--limit)")
    if no_signal:
        return
    try:
        sent = engine.dormancy.check()
    except StorageError as exc:
        raise click.ClickException(f"cannot check dormant accounts ({engine.storage.uri}): {exc}") from None
    if sent:
        names = ", ".join(account.account_id for account in sent)
        click.echo(f"account_dormant sent for {_plural(len(sent), 'account')} newly dormant: {names}")
    else:
        click.echo("account_dormant: no account went dormant since the last check")


@onboarding_cli.command("forget")
@click.argument("user_id", required=False)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--inactive", is_flag=True, help="Forget every user inactive for ONBOARDING_RETENTION_DAYS instead.")
@with_appcontext
def forget_command(user_id: str | None, yes: bool, inactive: bool) -> None:
    """Delete everything stored about USER_ID (docs/privacy.md); sends user_forgotten."""
    engine = _engine()
    if inactive == (user_id is not None):
        raise click.UsageError("give either USER_ID or --inactive")
    try:
        if inactive:
            days = engine.settings.retention_days
            if days is None:
                raise click.ClickException("ONBOARDING_RETENTION_DAYS is not set: no retention to apply")
            forgotten = privacy.expire_inactive(engine)
            click.echo(f"forgot {_plural(len(forgotten), 'user')} inactive for {days} days or more")
            return
        assert user_id is not None
        found = engine.call_store(lambda: engine.storage.privacy.stored_user(user_id))
        if found.empty:
            click.echo(f"nothing stored for user {user_id!r}")
        if not found.empty and not yes:
            what = f"{_plural(len(found.record), 'field')} and the population index entries"
            click.confirm(f"Forget user {user_id!r} ({what})? This cannot be undone", abort=True)
        privacy.forget(engine, user_id)
    except StorageError as exc:
        raise click.ClickException(f"cannot write the store ({engine.storage.uri}): {exc}") from None
    if not found.empty:
        click.echo(f"forgot user {user_id!r}")


@onboarding_cli.command("rebuild-index")
@with_appcontext
def rebuild_index_command() -> None:
    """Bring the population index of earlier versions into the current layout (once; Redis only)."""
    engine = _engine()
    rebuild = getattr(engine.storage, "rebuild_index", None)
    if rebuild is None:
        click.echo("nothing to rebuild: this store keeps no index on disk")
        return
    try:
        done = rebuild()
    except StorageError as exc:
        raise click.ClickException(f"cannot write the store ({engine.storage.uri}): {exc}") from None
    if done is None:
        click.echo("the index was already rebuilt in this store")
        return
    click.echo(f"copied {_plural(done['users'], 'user')}, {_plural(done['accounts'], 'account')}, "
               f"{_plural(done['days'], 'day')} of account figures")  # fmt: skip


@onboarding_cli.command("export-user")
@click.argument("user_id")
@with_appcontext
def export_user_command(user_id: str) -> None:
    """Print everything stored about USER_ID as JSON (a privacy request's answer)."""
    engine = _engine()
    try:
        data = privacy.export_user(engine, user_id)
    except StorageError as exc:
        raise click.ClickException(f"cannot read the store ({engine.storage.uri}): {exc}") from None
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _login() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in some containers
        return "cli"


# Events out has its own module (its worker loop and signal handling); it joins the group here.
onboarding_cli.add_command(stream_command)
onboarding_cli.add_command(accounts_command)
