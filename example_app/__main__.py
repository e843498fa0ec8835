"""``python -m example_app``: run the demo on http://127.0.0.1:5000 (PORT to change it)."""

from __future__ import annotations

import os

from . import DEMO_USERS, create_app

if __name__ == "__main__":
    port = int(os.environ.get("PORT", "5000"))
    app = create_app()
    print(f"Example app: http://127.0.0.1:{port}/")
    print(f"Demo logins (no password): {', '.join(DEMO_USERS)}")
    app.run(host="127.0.0.1", port=port, debug=os.environ.get("FLASK_DEBUG") == "1")
