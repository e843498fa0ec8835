"""Host apps written only from our docs (README.md, docs/*.md), the way a new developer would:
not from the test fixtures. Each app is a module of its own with a ``create_app(config)``
factory; the standing tests (issue 10 item 9) run them over real HTTP and in Chromium.

- ``blog``: a flaskr-like blog whose user lives in ``g.user`` (session cookie, no Flask-Login).
- ``login_app``: a Flask-Login app with console roles per user.
- ``dashboard``: a grid-layout dashboard with tooltips, footer help, a tour and hints, whose
  content file is passed in by the caller (the XSS corpus fills it).
"""
