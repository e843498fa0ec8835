"""``flask onboarding accounts``: check account health and milestones now and list the accounts,
the riskiest first (for a scheduler, or a look from the shell)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from . import account_health
from .account_outcomes import read_snapshot
from .app_state import get_state
from .errors import OnboardingError, StorageError

_ORDER = {account_health.AT_RISK: 0, account_health.WATCH: 1, account_health.HEALTHY: 2}


@click.command("accounts")
@click.option("--no-check", is_flag=True, help="Only list what the last check stored; check nothing.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(0, 100_000), help="How many to list.")
@with_appcontext
def accounts_command(no_check: bool, limit: int) -> None:
    """Check account health and milestones (sending account_health_changed and milestone_reached
    once across the fleet), then list the accounts, the riskiest first."""
    try:
        state = get_state()
    except OnboardingError:
        raise click.ClickException("this app does not use onboarding_sdk (Onboarding(app) was not called)") from None
    engine = state.engine
    try:
        if not no_check:
            checked = engine.accounts.check()
            click.echo(
                f"checked {checked.accounts} accounts: {len(checked.moves)} moved between bands, "
                f"{len(checked.milestones)} milestones reached"
            )
            for account, old, new in checked.moves:
                click.echo(f"  {account}: {old} -> {new}")
            for account, name in checked.milestones:
                click.echo(f"  {account}: reached {name}")
        stored = engine.call_store(lambda: engine.storage.outcomes.health())
    except StorageError as exc:
        raise click.ClickException(f"cannot read the store ({engine.storage.uri}): {exc}") from None
    rows = []
    for account, (band, text) in stored.items():
        snap = read_snapshot(text)
        score = snap.get("score")
        reasons = snap.get("reason")
        reason = str(reasons.get("en", "")) if isinstance(reasons, dict) else ""
        rows.append((_ORDER.get(band, 3), score if isinstance(score, int | float) else 101.0, account, band, reason))
    rows.sort()
    for _, score, account, band, reason in rows[:limit]:
        click.echo(f"{band:8} {score:5.1f}  {account}: {reason}")
    if len(rows) > limit:
        click.echo(f"... and {len(rows) - limit} more")
