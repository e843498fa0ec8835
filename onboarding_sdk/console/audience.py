"""The audience estimate of a row set, from the population index (``segments.estimate``)."""

from __future__ import annotations

from collections.abc import Sequence

from ..engine import Engine
from ..segments import Estimate, Row, estimate
from ..timeutil import epoch_day, to_epoch

#: Accounts looked up for one estimate (each is one small read of the account's bucket).
MAX_ACCOUNTS = 20


def audience(engine: Engine, rows: Sequence[Row], stages: Sequence[str] = ()) -> Estimate:
    """About how many users ``rows`` (and the ticked ``stages``) target: the index's users per
    stage and accounts' members; the other rows make it an upper bound."""
    everyone = [Row("stage", "in", tuple(stages)), *rows] if stages else list(rows)
    today = epoch_day(to_epoch(engine.now()))
    index = engine.storage.index
    found = engine.call_store(lambda: index.population(engine.dormancy.cutoff(), today, 0))
    wanted = [a for row in everyone if row.field == "account" for a in row.values][:MAX_ACCOUNTS]
    sizes: dict[str, int] = {}
    for account in wanted:
        activity = engine.call_store(lambda a=account: index.account_activity(a, [], today, 0))  # type: ignore[misc]
        sizes[account] = activity.row.users if activity is not None else 0
    return estimate(everyone, found.users, found.reached, sizes)
