"""Content problems as records (file, line, path, message), and the error that lists them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import OnboardingError


@dataclass(frozen=True, slots=True)
class ContentProblem:
    """One problem in one content file; ``str()`` gives ``file:line: path: message``.

    ``line`` is None when the file could not be read at all (``file: no such file``); ``path``
    is empty for a problem of the whole file (``file:3: YAML syntax error: ...``); ``file`` is
    empty for a problem of the settings rather than of a file.
    """

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        place = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [part for part in (place, self.path, self.message) if part]
        return ": ".join(parts)


class ContentError(OnboardingError):
    """Content files are missing, malformed or invalid.

    ``problems`` lists every problem found (not just the first) as ``ContentProblem`` records;
    ``errors`` the same as ``file:line: path: message`` lines; ``str(exc)`` joins the lines
    with newlines.
    """

    def __init__(self, problems: Iterable[ContentProblem]) -> None:
        self.problems = list(problems)
        self.errors = [str(problem) for problem in self.problems]
        super().__init__("\n".join(self.errors))
