"""Per-user state of one guide, as stored in the user's record (field ``g<code>``). Pure.

The value is ``flags,impressions,last_shown_day,step`` in decimal, then ``,first_shown_day``
once the guide was shown (a goal's window starts there; docs/content.md "Goals"); flags are
the bits below. ``layout.apply_guide_action`` is the reference update the Lua script mirrors.
"""

from __future__ import annotations

from dataclasses import dataclass

SHOWN = 1
DISMISSED = 2
COMPLETED = 4
READ = 8
HELPFUL = 16
NOT_HELPFUL = 32
#: The guide's goal was reached within its window (recorded once, by the engine: never a widget action).
GOAL = 64

ACTIONS = ("shown", "dismiss", "complete", "read", "helpful", "not_helpful", "progress")


@dataclass(frozen=True, slots=True)
class GuideState:
    flags: int = 0
    impressions: int = 0
    last_shown_day: int = 0
    step: int = 0
    first_shown_day: int = 0

    @property
    def seen(self) -> bool:
        return bool(self.flags & SHOWN)

    @property
    def dismissed(self) -> bool:
        return bool(self.flags & DISMISSED)

    @property
    def completed(self) -> bool:
        return bool(self.flags & COMPLETED)

    @property
    def read(self) -> bool:
        return bool(self.flags & READ)

    @property
    def goal_reached(self) -> bool:
        return bool(self.flags & GOAL)

    @classmethod
    def decode(cls, raw: bytes | None) -> GuideState:
        if not raw:
            return EMPTY
        parts = [int(p) for p in raw.decode().split(",")]
        return cls(*parts[:5])

    def encode(self) -> bytes:
        text = f"{self.flags},{self.impressions},{self.last_shown_day},{self.step}"
        # never shown: the four fields of earlier versions, byte for byte
        return (f"{text},{self.first_shown_day}" if self.first_shown_day else text).encode()

    def apply(self, action: str, day: int, value: int = 0) -> GuideState:
        """The state after ``action`` on ``day`` (``value``: the step for ``progress``)."""
        flags, impressions, last, step = self.flags, self.impressions, self.last_shown_day, self.step
        first = self.first_shown_day
        if action == "shown":
            flags |= SHOWN
            impressions += 1
            last = day
            first = first or day
        elif action == "dismiss":
            flags |= DISMISSED
        elif action == "complete":
            flags |= COMPLETED
        elif action == "read":
            flags |= READ
        elif action == "helpful":
            flags = (flags | HELPFUL) & ~NOT_HELPFUL
        elif action == "not_helpful":
            flags = (flags | NOT_HELPFUL) & ~HELPFUL
        elif action == "progress":
            step = value
        elif action == "goal":
            flags |= GOAL
        else:
            raise ValueError(f"unknown guide action {action!r}")
        return GuideState(flags, impressions, last, step, first)


EMPTY = GuideState()
