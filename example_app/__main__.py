"""``python -m example_app``: run Pulse Analytics on http://127.0.0.1:5000 (PORT to change it).

Runs in debug mode (the 'view as day N' demo control is on) with the embedded memory store
unless ONBOARDING_STORAGE_URI names Redis. FLASK_DEBUG=0 turns debug mode off; then SECRET_KEY
must be set, or the app refuses to start.
"""

from __future__ import annotations

import os

from . import MissingSecretKey, create_app
from .demo import PASSWORD, STAFF, USERS, console_role_of

if __name__ == "__main__":
    port = int(os.environ.get("PORT", "5000"))
    debug = os.environ.get("FLASK_DEBUG", "1") != "0"
    try:
        app = create_app({"DEBUG": debug})
    except MissingSecretKey as exc:
        raise SystemExit(f"Pulse Analytics did not start: {exc}") from None
    print(f"Pulse Analytics (onboarding_sdk example): http://127.0.0.1:{port}/")
    print(f"Storage: {app.config['ONBOARDING_STORAGE_URI']}  Database: {app.config['DATABASE']}")
    print(f"Demo logins (password {PASSWORD}):")
    for user in USERS:
        print(f"  {user.email:<20} {user.stage:<11} day {user.days:<4} {user.role:<15} {user.locale}")
    print("Pulse's own team, for the onboarding console (/onboarding/console; customers get a 404):")
    for user in STAFF:
        print(f"  {user.email:<20} console role {console_role_of(user)}")
    if debug:
        print("Debug mode: the demo strip's 'view as day N' moves a session's clock forward.")
    app.run(host="127.0.0.1", port=port, debug=debug, use_reloader=False)
