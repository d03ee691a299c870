"""The shop's delivery methods, for a shop front to offer at checkout."""

from __future__ import annotations

from aiohttp import web

from admin_api.contract import Call
from admin_api.payloads import respond
from core.sales.models import DeliveryMethods


async def delivery_methods(call: Call[None, None]) -> web.Response:
    """Empty where the shop does not deliver; then orders take no delivery details."""
    return respond(DeliveryMethods(methods=call.shop.delivery.methods))
