"""The caller's own cart."""

from __future__ import annotations

from aiohttp import web

from admin_api.contract import Call
from admin_api.payloads import respond
from core.sales.commands import CartChange, CartRemoval


async def view_cart(call: Call[None, None]) -> web.Response:
    return respond(await call.shop.cart_codes.view(call.user.id))


async def add_to_cart(call: Call[CartChange, None]) -> web.Response:
    view = await call.shop.carts.add(call.user.id, call.body)
    return respond(await call.shop.cart_codes.quoted(view))


async def remove_from_cart(call: Call[CartRemoval, None]) -> web.Response:
    view = await call.shop.carts.remove(call.user.id, call.body)
    return respond(await call.shop.cart_codes.quoted(view))
