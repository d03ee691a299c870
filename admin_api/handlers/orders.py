"""Checkout and the caller's own orders; status changes by staff."""

from __future__ import annotations

from aiohttp import web

from admin_api.auth import actor, signed_in
from admin_api.keys import SHOP
from admin_api.payloads import read_body, read_query, respond
from core.commands import HistoryQuery, IdempotencyKey, StatusUpdate, parse
from core.errors import FieldError, InvalidInput

IDEMPOTENCY_KEY = "Idempotency-Key"


def _idempotency_key(request: web.Request) -> str | None:
    key = request.headers.get(IDEMPOTENCY_KEY)
    if key is None:
        return None
    try:
        return parse(IdempotencyKey, {"key": key}).key
    except InvalidInput as exc:
        errors = [FieldError((IDEMPOTENCY_KEY,), e.message) for e in exc.errors]
        raise InvalidInput("The Idempotency-Key header is invalid.", errors) from None


async def place_order(request: web.Request) -> web.Response:
    """Order the cart; a repeated Idempotency-Key returns the order it already placed."""
    user = await signed_in(request)
    order = await request.app[SHOP].checkout.place_order(user.id, _idempotency_key(request))
    return respond(order, 201, Location=f"/api/orders/{order.id}")


async def order_history(request: web.Request) -> web.Response:
    user = await signed_in(request)
    query = read_query(request, HistoryQuery)
    return respond(await request.app[SHOP].orders.history(user.id, query))


async def get_own_order(request: web.Request) -> web.Response:
    user = await signed_in(request)
    return respond(await request.app[SHOP].orders.get_own(user.id, request.match_info["id"]))


async def change_order_status(request: web.Request) -> web.Response:
    who = await actor(request)
    update = await read_body(request, StatusUpdate)
    orders = request.app[SHOP].orders
    return respond(await orders.change_status(who, request.match_info["id"], update))
