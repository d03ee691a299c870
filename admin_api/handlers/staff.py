"""Back-office views: every order for operators and admins, every user for admins."""

from __future__ import annotations

from aiohttp import web

from admin_api.auth import actor
from admin_api.keys import SHOP
from admin_api.payloads import read_query, respond
from core.commands import HistoryQuery, OrderQuery


async def search_orders(request: web.Request) -> web.Response:
    who = await actor(request)
    query = read_query(request, OrderQuery)
    return respond(await request.app[SHOP].orders.search(who, query))


async def get_any_order(request: web.Request) -> web.Response:
    who = await actor(request)
    return respond(await request.app[SHOP].orders.get(who, request.match_info["id"]))


async def list_users(request: web.Request) -> web.Response:
    who = await actor(request)
    query = read_query(request, HistoryQuery)
    return respond(await request.app[SHOP].users.list(who, query))
