"""Customers' data: a customer's own, and any customer's for an admin (on their request)."""

from __future__ import annotations

from aiohttp import web

from admin_api.contract import Call
from admin_api.payloads import respond
from core.privacy.commands import ErasureRequest


async def my_data(call: Call[None, None]) -> web.Response:
    return respond(await call.shop.privacy.export(call.actor, call.user.id))


async def erase_my_data(call: Call[ErasureRequest, None]) -> web.Response:
    return respond(await call.shop.privacy.erase(call.actor, call.user.id))


async def customer_data(call: Call[None, None]) -> web.Response:
    return respond(await call.shop.privacy.export(call.actor, call.path_id))


async def erase_customer_data(call: Call[ErasureRequest, None]) -> web.Response:
    return respond(await call.shop.privacy.erase(call.actor, call.path_id))
