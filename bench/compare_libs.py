"""The tour libraries the widget is compared with (Driver.js, Shepherd), from npm.

Pinned in bench/compare/package-lock.json and installed with `npm ci` into
bench/compare/node_modules (never committed) the first time a comparison needs them, and again
whenever the lockfile changes. Used by bench/widget_first_draw.py and
scripts/compare_screenshots.py; nothing here ships with the package.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

COMPARE = Path(__file__).resolve().parent / "compare"
MODULES = COMPARE / "node_modules"

# The built files each library's own docs tell a plain page to load.
DRIVER_JS = "driver.js/dist/driver.js.iife.js"
DRIVER_CSS = "driver.js/dist/driver.css"
SHEPHERD_JS = "shepherd.js/dist/js/shepherd.mjs"  # one ES module, its dependencies bundled in
SHEPHERD_CSS = "shepherd.js/dist/css/shepherd.css"


def ensure_installed() -> Path:
    """Runs `npm ci` in bench/compare unless node_modules matches the lockfile; returns it."""
    lock = COMPARE / "package-lock.json"
    installed = MODULES / ".package-lock.json"  # npm writes it on every install
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return MODULES
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("the comparison needs npm (node 18 or later): apt-get install npm")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=COMPARE, check=True)
    return MODULES
