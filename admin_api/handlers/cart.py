"""The caller's own cart."""

from __future__ import annotations

from aiohttp import web

from admin_api.auth import signed_in
from admin_api.keys import SHOP
from admin_api.payloads import read_body, respond
from core.commands import CartChange, CartRemoval


async def view_cart(request: web.Request) -> web.Response:
    user = await signed_in(request)
    return respond(await request.app[SHOP].carts.view(user.id))


async def add_to_cart(request: web.Request) -> web.Response:
    user = await signed_in(request)
    change = await read_body(request, CartChange)
    return respond(await request.app[SHOP].carts.add(user.id, change))


async def remove_from_cart(request: web.Request) -> web.Response:
    user = await signed_in(request)
    removal = await read_body(request, CartRemoval)
    return respond(await request.app[SHOP].carts.remove(user.id, removal))
