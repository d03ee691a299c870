"""Back office: every order and account for operators and admins; roles and activity for
admins."""

from __future__ import annotations

from aiohttp import web

from admin_api.contract import Call
from admin_api.payloads import respond
from core.accounts.commands import AccountChange, UserQuery
from core.sales.commands import OrderQuery


async def search_orders(call: Call[None, OrderQuery]) -> web.Response:
    return respond(await call.shop.orders.search(call.actor, call.query))


async def get_any_order(call: Call[None, None]) -> web.Response:
    return respond(await call.shop.orders.get(call.actor, call.path_id))


async def list_users(call: Call[None, UserQuery]) -> web.Response:
    return respond(await call.shop.accounts.list(call.actor, call.query))


async def get_user(call: Call[None, None]) -> web.Response:
    return respond(await call.shop.accounts.get(call.actor, call.path_id))


async def customer_spending(call: Call[None, None]) -> web.Response:
    return respond(await call.shop.spending.of_customer(call.actor, call.path_id))


async def change_user(call: Call[AccountChange, None]) -> web.Response:
    return respond(await call.shop.accounts.change(call.actor, call.path_id, call.body))
