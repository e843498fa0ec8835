"""JavaScript snippets that read the widget's retry queue in localStorage (docs/widget-contract.md,
"The action queue"): one entry per queued POST, ``obq:<user>:<idempotency key>`` -> JSON
``{"path", "body", "at", "n"}``. Passed to ``page.wait_for_function``/``evaluate`` as functions:
strings would be eval'd, which the pages' CSP forbids."""

ITEMS = "Object.keys(localStorage).filter(k => k.startsWith('obq:'))"

# every queued POST has been answered
SENT = f"() => {ITEMS}.length === 0"

# [[path, body], ...] of the queued POSTs, oldest first
QUEUED = f"""() => {ITEMS}.map(k => JSON.parse(localStorage[k]))
  .sort((a, b) => a.at - b.at || a.n - b.n).map(i => [i.path, i.body])"""
