"""Registration, login and the caller's own profile."""

from __future__ import annotations

from aiohttp import web

from admin_api.auth import signed_in
from admin_api.keys import SHOP
from admin_api.middlewares import client_address
from admin_api.payloads import read_body, respond
from admin_api.schemas import ProfileChanges, Session
from core.commands import Credentials, PasswordChange, ProfileUpdate, Registration


async def register(request: web.Request) -> web.Response:
    registration = await read_body(request, Registration)
    user = await request.app[SHOP].users.register(registration, address=client_address(request))
    return respond(user, 201)


async def log_in(request: web.Request) -> web.Response:
    credentials = await read_body(request, Credentials)
    users = request.app[SHOP].users
    user, issued = await users.log_in(credentials, address=client_address(request))
    return respond(Session(token=issued.token, expires_at=issued.expires_at, user=user))


async def me(request: web.Request) -> web.Response:
    return respond(await signed_in(request))


async def update_me(request: web.Request) -> web.Response:
    """Rename, or change the password (which signs out every session, this one too)."""
    user = await signed_in(request)
    changes = await read_body(request, ProfileChanges)
    users = request.app[SHOP].users
    if changes.name is not None:
        user = await users.update_profile(user.id, ProfileUpdate(name=changes.name))
    if changes.new_password is not None:
        change = PasswordChange(
            old_password=changes.old_password, new_password=changes.new_password
        )
        user = await users.change_password(user.id, change)
    return respond(user)
