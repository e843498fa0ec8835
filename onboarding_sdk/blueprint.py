"""The extension's blueprint, ``onboarding``: the end users' API (``api.py``), the pages and
the widget's files (``pages.py``), under ``ONBOARDING_URL_PREFIX``.

One module-level blueprint, registered on every app the ``Onboarding`` object serves; its
views are module-level functions that find their app's state with ``get_state()``. ``api`` and
``pages`` add their routes when they are imported (at ``init_app``, before the first
registration), so this module stays light.
"""

from __future__ import annotations

from flask import Blueprint

from .assets import static_dir

NAME = "onboarding"
bp = Blueprint(NAME, __name__, static_folder=str(static_dir()), template_folder="templates")
