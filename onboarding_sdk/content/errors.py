"""The error content loading raises: every problem of every file, each ``file:line: path: message``."""

from __future__ import annotations

from ..errors import OnboardingError


class ContentError(OnboardingError):
    """Content files are missing, malformed or invalid.

    ``errors`` lists every problem found (not just the first), each formatted as
    ``file:line: path: message``; ``str(exc)`` joins them with newlines.
    """

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors
