"""Access tokens: HS256 JWTs carrying the user id, role and session version.

A token for another client than the API (the back office, ``core/accounts/staff_sessions.py``)
names it as its audience (``aud``) and its session (``sid``): the API refuses such tokens,
and that client refuses the API's.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from core.accounts.errors import BadToken
from core.accounts.models import Role, User
from core.base import clock

ALGORITHM = "HS256"
MIN_SECRET_BYTES = 32
"""HS256 wants a key of at least its hash's size (RFC 7518, 3.2)."""
STRONG_SECRET_BITS = 128
"""Estimated entropy a secret should have; ``secrets.token_urlsafe(48)`` has about 330."""
GUESSABLE_SECRET_BITS = 64


@dataclass(frozen=True)
class SecretStrength:
    """How hard ``JWT_SECRET`` is to guess (``secret_strength``)."""

    bits: int
    """Estimated entropy: the length times the bits per character of its own letters."""
    problem: str | None = None
    guessable: bool = False
    """Weak enough for anyone to forge staff tokens: the shop must not run with it."""


def secret_strength(secret: str) -> SecretStrength:
    """Judge a JWT secret: too short or a repeated pattern is guessable; under
    ``STRONG_SECRET_BITS`` of estimated entropy is weak."""
    counts = Counter(secret)
    per_char = -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values())
    bits = int(per_char * len(secret)) if secret else 0
    period = (secret + secret).find(secret, 1)
    if len(secret.encode()) < MIN_SECRET_BYTES:
        return SecretStrength(bits, f"shorter than {MIN_SECRET_BYTES} bytes", guessable=True)
    if period <= len(secret) // 2:
        return SecretStrength(bits, "a short pattern repeated", guessable=True)
    if bits < GUESSABLE_SECRET_BITS:
        return SecretStrength(bits, f"about {bits} bits of entropy", guessable=True)
    if bits < STRONG_SECRET_BITS:
        return SecretStrength(bits, f"about {bits} bits of entropy (want {STRONG_SECRET_BITS})")
    return SecretStrength(bits)


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
    session_started: datetime | None = None
    """When the session (``sid``) began: signing in, not this token's renewal."""


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
        session_started: datetime | None = None,
        ttl: timedelta | None = None,
    ) -> IssuedToken:
        """A token for ``user``, for the API unless an ``audience`` (with its session id
        and start, default now) is named; it lives ``ttl`` (default: the service's)."""
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
            started = int((session_started or issued).timestamp())
            payload |= {"aud": audience, "sid": session_id, "sst": started}
        return IssuedToken(jwt.encode(payload, self._secret, algorithm=ALGORITHM), expires)

    def verify(self, token: str, *, audience: str | None = None) -> Claims:
        """Decode ``token``, which must be for ``audience`` (None: the API); any flaw
        (signature, algorithm, expiry, audience, shape) fails the same way."""
        required = ["sub", "role", "sv", "iat", "exp"]
        if audience is not None:
            required += ["aud", "sid", "sst"]
        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=audience,
                # expiry is checked below, on the shop's clock
                options={"require": required, "verify_exp": False, "verify_iat": False},
            )
            session_id, started = payload.get("sid"), payload.get("sst")
            claims = Claims(
                str(payload["sub"]),
                Role(payload["role"]),
                int(payload["sv"]),
                datetime.fromtimestamp(int(payload["iat"]), UTC),
                datetime.fromtimestamp(int(payload["exp"]), UTC),
                None if session_id is None else str(session_id),
                None if started is None else datetime.fromtimestamp(int(started), UTC),
            )
        except (jwt.PyJWTError, ValueError, TypeError, OverflowError):
            raise BadToken() from None
        if claims.expires_at <= clock.now():
            raise BadToken()
        return claims
