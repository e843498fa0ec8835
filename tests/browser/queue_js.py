"""JavaScript snippets that read the widget's retry queue in localStorage (docs/widget-contract.md,
"The action queue"): one entry per queued POST, ``obq:<user>:<idempotency key>`` -> JSON
``{"path", "body", "at", "n"}``. Passed to ``page.wait_for_function``/``evaluate`` as functions:
strings would be eval'd, which the pages' CSP forbids."""

from typing import Any

ITEMS = "Object.keys(localStorage).filter(k => k.startsWith('obq:'))"

# every queued POST has been answered (see wait_sent)
SENT = f"() => {ITEMS}.length === 0"

# [[path, body], ...] of the queued POSTs, oldest first
QUEUED = f"""() => {ITEMS}.map(k => JSON.parse(localStorage[k]))
  .sort((a, b) => a.at - b.at || a.n - b.n).map(i => [i.path, i.body])"""


def wait_sent(page: Any, timeout: float = 30000) -> None:
    """Waits until every queued POST has been answered, after the browser has been idle once: the
    widget queues its `shown` reports and its first flush in idle callbacks (widget/src/actions.js),
    so an empty queue before they ran says nothing (under CPU load they run late). An idle
    callback asked for now runs after those: they are older and have a shorter timeout."""
    page.evaluate("() => new Promise((idle) => requestIdleCallback(idle))")
    page.wait_for_function(SENT, timeout=timeout)
