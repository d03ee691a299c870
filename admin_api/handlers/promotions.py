"""Promo codes: a customer adds one to the cart or drops it; staff set codes up, pause or
archive them and read what each did."""

from __future__ import annotations

from aiohttp import web

from admin_api.contract import Call
from admin_api.payloads import respond
from core.promotions.commands import PromoDraft, PromoEntry, PromoPatch, PromoQuery


async def add_cart_code(call: Call[PromoEntry, None]) -> web.Response:
    """A wrong, paused, expired or used-up code is refused (409, with the reason)."""
    return respond(await call.shop.cart_codes.add(call.user.id, call.body))


async def remove_cart_code(call: Call[None, None]) -> web.Response:
    return respond(await call.shop.cart_codes.remove(call.user.id))


async def list_codes(call: Call[None, PromoQuery]) -> web.Response:
    return respond(await call.shop.promotions.search(call.actor, call.query))


async def create_code(call: Call[PromoDraft, None]) -> web.Response:
    promo = await call.shop.promotions.create(call.actor, call.body)
    return respond(promo, 201, Location=f"/api/admin/promo-codes/{promo.id}")


async def get_code(call: Call[None, None]) -> web.Response:
    return respond(await call.shop.promotions.get(call.actor, call.path_id))


async def update_code(call: Call[PromoPatch, None]) -> web.Response:
    """Edit terms, or `state`: `paused`, `active` (resume) or `archived` (for good)."""
    return respond(await call.shop.promotions.update(call.actor, call.path_id, call.body))
