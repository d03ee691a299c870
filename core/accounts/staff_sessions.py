"""Back-office sessions: staff sign in from a browser with their email and password and
get a short-lived token, renewed while they are active, that signing out ends at once.

A session is a random id (``sid``) carried by every token issued for it; the tokens name
the back office as their audience, so the API refuses them and the back office refuses
the API's. Each token lives ``ttl``; a request with one past half its life gets a fresh
token of the same session (sliding expiry: a session ends ``ttl`` after its last use),
but never past ``MAX_SESSION`` after signing in, so a stolen cookie kept in use does not
live for ever.

Signing out is one upsert, ``revoked_sessions: {_id: sid, until}``, where ``until`` is the
latest expiry any token of the session can have; every request of a session reads it, so
the old cookie is refused from the very next request, in every process. Revocations past
``until`` are garbage (``prune``), never a correctness mechanism.

Everything that ends an account's API tokens ends its sessions too (the session version:
a password change, a role change, a deactivation), and a session only ever belongs to an
active operator or admin: an account that stops being staff is signed out.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.accounts.commands import Credentials
from core.accounts.errors import BadToken, NotStaff
from core.accounts.models import STAFF, User
from core.accounts.tokens import IssuedToken, TokenService
from core.accounts.users import Users
from core.base import clock
from core.store import Store

AUDIENCE = "back-office"
MAX_SESSION = timedelta(hours=24)
"""The longest a session lasts from signing in, however active (``STAFF_SESSION_MINUTES``
is at most a day too)."""


@dataclass(frozen=True)
class StaffSession:
    user: User
    session_id: str
    renewed: IssuedToken | None
    """A fresh token of the session when the one presented was past half its life."""


class StaffSessions:
    def __init__(self, store: Store, users: Users, tokens: TokenService, ttl: timedelta) -> None:
        self._revoked = store.revoked_sessions
        self._users = users
        self._tokens = tokens
        self._ttl = ttl

    async def sign_in(self, credentials: Credentials, *, address: str) -> tuple[User, IssuedToken]:
        """A new session for these credentials, throttled as the API's login is; refused
        (``NotStaff``) to customers."""
        user, _ = await self._users.log_in(credentials, address=address)
        if user.role not in STAFF:
            raise NotStaff()
        return user, self._issue(user, secrets.token_urlsafe(24), clock.now())

    async def resume(self, token: str) -> StaffSession:
        """The session of ``token``, with its staff member as they are now; ``BadToken``
        if it expired, was signed out or the account's sessions ended, ``NotStaff`` if
        the account is no longer staff."""
        claims = self._tokens.verify(token, audience=AUDIENCE)
        user = await self._users.from_claims(claims)
        session_id, started = claims.session_id, claims.session_started
        if session_id is None or started is None or clock.now() >= started + MAX_SESSION:
            raise BadToken()
        if await self._revoked.find_one({"_id": session_id}) is not None:
            raise BadToken()
        if user.role not in STAFF:
            raise NotStaff()
        half_life = (claims.expires_at - claims.issued_at) / 2
        stale = clock.now() >= claims.issued_at + half_life
        renewed = self._issue(user, session_id, started) if stale else None
        return StaffSession(user, session_id, renewed)

    async def sign_out(self, token: str) -> None:
        """End ``token``'s session, every token of it, at once; a token that is no longer
        valid has nothing left to end."""
        try:
            claims = self._tokens.verify(token, audience=AUDIENCE)
        except BadToken:
            return
        until = max(clock.now() + self._ttl, claims.expires_at)
        await self._revoked.update_one(
            {"_id": claims.session_id}, {"$max": {"until": until}}, upsert=True
        )

    async def prune(self) -> int:
        """Forget revocations of sessions whose every token has expired (housekeeping)."""
        result = await self._revoked.delete_many({"until": {"$lte": clock.now()}})
        return result.deleted_count

    def _issue(self, user: User, session_id: str, started: datetime) -> IssuedToken:
        ttl = min(self._ttl, started + MAX_SESSION - clock.now())
        return self._tokens.issue(
            user, audience=AUDIENCE, session_id=session_id, session_started=started, ttl=ttl
        )
