"""Registration, login and the caller's own profile."""

from __future__ import annotations

from aiohttp import web

from admin_api.contract import Call
from admin_api.middlewares import client_address
from admin_api.payloads import respond
from admin_api.schemas import ProfileChanges, Session
from core.accounts.commands import Credentials, PasswordChange, ProfileUpdate, Registration


async def register(call: Call[Registration, None]) -> web.Response:
    user = await call.shop.users.register(call.body, address=client_address(call.request))
    return respond(user, 201)


async def log_in(call: Call[Credentials, None]) -> web.Response:
    address = client_address(call.request)
    user, issued = await call.shop.users.log_in(call.body, address=address)
    return respond(Session(token=issued.token, expires_at=issued.expires_at, user=user))


async def me(call: Call[None, None]) -> web.Response:
    return respond(call.user)


async def update_me(call: Call[ProfileChanges, None]) -> web.Response:
    """Rename, or change the password (which signs out every session, this one too), or
    turn cart reminders on or off, or several at once: a refused password change changes
    nothing."""
    user, changes, users = call.user, call.body, call.shop.users
    if changes.new_password is not None:
        change = PasswordChange(
            old_password=changes.old_password, new_password=changes.new_password
        )
        address = client_address(call.request)
        user = await users.change_password(user.id, change, address=address, name=changes.name)
    elif changes.name is not None:
        user = await users.update_profile(user.id, ProfileUpdate(name=changes.name))
    if changes.cart_reminders is not None:
        user = await users.set_cart_reminders(user.id, changes.cart_reminders)
    return respond(user)
