"""Access tokens: HS256 JWTs carrying the user id, role and session version.

A token for another client than the API (the back office, ``core/accounts/staff_sessions.py``)
names it as its audience (``aud``) and its session (``sid``): the API refuses such tokens,
and that client refuses the API's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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
    issued_at: datetime
    expires_at: datetime
    session_id: str | None = None


class TokenService:
    def __init__(self, secret: str, ttl: timedelta) -> None:
        self._secret = secret
        self._ttl = ttl

    def issue(
        self,
        user: User,
        *,
        audience: str | None = None,
        session_id: str | None = None,
        ttl: timedelta | None = None,
    ) -> IssuedToken:
        """A token for ``user``, for the API unless an ``audience`` (with its session id)
        is named; it lives ``ttl`` (default: the service's)."""
        issued = clock.now()
        expires = issued + (ttl or self._ttl)
        payload: dict[str, object] = {
            "sub": str(user.id),
            "role": user.role.value,
            "sv": user.session_version,
            "iat": issued,
            "exp": expires,
        }
        if audience is not None:
            payload |= {"aud": audience, "sid": session_id}
        return IssuedToken(jwt.encode(payload, self._secret, algorithm=ALGORITHM), expires)

    def verify(self, token: str, *, audience: str | None = None) -> Claims:
        """Decode ``token``, which must be for ``audience`` (None: the API); any flaw
        (signature, algorithm, expiry, audience, shape) fails the same way."""
        required = ["sub", "role", "sv", "iat", "exp"]
        if audience is not None:
            required += ["aud", "sid"]
        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=audience,
                # expiry is checked below, on the shop's clock
                options={"require": required, "verify_exp": False, "verify_iat": False},
            )
            session_id = payload.get("sid")
            claims = Claims(
                str(payload["sub"]),
                Role(payload["role"]),
                int(payload["sv"]),
                datetime.fromtimestamp(int(payload["iat"]), UTC),
                datetime.fromtimestamp(int(payload["exp"]), UTC),
                None if session_id is None else str(session_id),
            )
        except (jwt.PyJWTError, ValueError, TypeError, OverflowError):
            raise BadToken() from None
        if claims.expires_at <= clock.now():
            raise BadToken()
        return claims
