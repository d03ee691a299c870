"""Checkout and the caller's own orders; status changes by staff, one or many at once."""

from __future__ import annotations

from aiohttp import web

from admin_api.contract import Call
from admin_api.payloads import respond
from core.base.commands import HistoryQuery, parse
from core.base.errors import FieldError, InvalidInput
from core.sales.commands import BulkStatusUpdate, DeliveryDetails, IdempotencyKey, StatusUpdate
from core.sales.models import Channel

IDEMPOTENCY_KEY = "Idempotency-Key"


def _idempotency_key(request: web.Request) -> str | None:
    key = request.headers.get(IDEMPOTENCY_KEY)
    if key is None:
        return None
    try:
        return parse(IdempotencyKey, {"key": key}).key
    except InvalidInput as exc:
        errors = [FieldError((IDEMPOTENCY_KEY,), e.message, e.kind, e.context) for e in exc.errors]
        raise InvalidInput("The Idempotency-Key header is invalid.", errors) from None


async def place_order(call: Call[DeliveryDetails | None, None]) -> web.Response:
    """Order the cart; a repeated Idempotency-Key returns the order it already placed.
    Where the shop delivers (`GET /api/delivery-methods` lists methods), the body says how."""
    key = _idempotency_key(call.request)
    order = await call.shop.checkout.place_order(call.user.id, key, delivery=call.body)
    return respond(order, 201, Location=f"/api/orders/{order.id}")


async def order_history(call: Call[None, HistoryQuery]) -> web.Response:
    return respond(await call.shop.orders.history(call.user.id, call.query))


async def get_own_order(call: Call[None, None]) -> web.Response:
    return respond(await call.shop.orders.get_own(call.user.id, call.path_id))


async def change_order_status(call: Call[StatusUpdate, None]) -> web.Response:
    return respond(
        await call.shop.orders.change_status(call.actor, call.path_id, call.body, Channel.API)
    )


async def change_statuses(call: Call[BulkStatusUpdate, None]) -> web.Response:
    """Move many orders at once; the answer has one result per order."""
    return respond(await call.shop.orders.change_statuses(call.actor, call.body, Channel.API))
