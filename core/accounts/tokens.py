"""Access tokens: HS256 JWTs carrying the user id, role and session version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from core.accounts.errors import BadToken
from core.accounts.models import Role, User
from core.base import clock

ALGORITHM = "HS256"


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class Claims:
    user_id: str
    role: Role
    session_version: int


class TokenService:
    def __init__(self, secret: str, ttl: timedelta) -> None:
        self._secret = secret
        self._ttl = ttl

    def issue(self, user: User) -> IssuedToken:
        issued = clock.now()
        expires = issued + self._ttl
        payload = {
            "sub": str(user.id),
            "role": user.role.value,
            "sv": user.session_version,
            "iat": issued,
            "exp": expires,
        }
        return IssuedToken(jwt.encode(payload, self._secret, algorithm=ALGORITHM), expires)

    def verify(self, token: str) -> Claims:
        """Decode ``token``; any flaw (signature, algorithm, expiry, shape) fails the same way."""
        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                options={"require": ["sub", "role", "sv", "iat", "exp"]},
            )
            return Claims(str(payload["sub"]), Role(payload["role"]), int(payload["sv"]))
        except (jwt.PyJWTError, ValueError, TypeError):
            raise BadToken() from None
