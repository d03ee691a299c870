"""Who is calling: the bearer token in ``Authorization`` turned into the current user."""

from __future__ import annotations

from aiohttp import web

from admin_api.keys import SHOP
from core.accounts.access import Actor
from core.accounts.errors import AuthenticationFailed
from core.accounts.models import User


def _bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed("Send the token as 'Authorization: Bearer <token>'.")
    return token.strip()


async def signed_in(request: web.Request) -> User:
    """The caller, who must send a valid token (401 otherwise)."""
    user = await visitor(request)
    if user is None:
        raise AuthenticationFailed("Sign in first: send 'Authorization: Bearer <token>'.")
    return user


async def visitor(request: web.Request) -> User | None:
    """The caller if they sent a token (which must be valid), else ``None``."""
    token = _bearer_token(request)
    return None if token is None else await request.app[SHOP].users.from_token(token)


async def actor(request: web.Request) -> Actor:
    return Actor.of(await signed_in(request))
