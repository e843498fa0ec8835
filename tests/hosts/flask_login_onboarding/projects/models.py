from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_login import UserMixin


@dataclass
class User(UserMixin):  # type: ignore[misc]
    id: str
    created_at: datetime
    plan: str
    role: str
    account_id: str


users: dict[str, User] = {}
