"""Who is acting, and the one check of what their role allows."""

from __future__ import annotations

from dataclasses import dataclass

from bson import ObjectId

from core.accounts.models import STAFF, Role, User
from core.base.errors import Forbidden


@dataclass(frozen=True)
class Actor:
    user_id: ObjectId | None
    role: Role

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.role)

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            raise Forbidden()


SYSTEM = Actor(None, Role.ADMIN)
"""The command line and startup jobs: trusted, acting on nobody's behalf."""
