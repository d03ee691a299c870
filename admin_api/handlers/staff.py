"""Back-office views: every order for operators and admins, every user for admins."""

from __future__ import annotations

from aiohttp import web

from admin_api.contract import Call
from admin_api.payloads import respond
from core.commands import HistoryQuery, OrderQuery


async def search_orders(call: Call[None, OrderQuery]) -> web.Response:
    return respond(await call.shop.orders.search(call.actor, call.query))


async def get_any_order(call: Call[None, None]) -> web.Response:
    return respond(await call.shop.orders.get(call.actor, call.path_id))


async def list_users(call: Call[None, HistoryQuery]) -> web.Response:
    return respond(await call.shop.users.list(call.actor, call.query))
