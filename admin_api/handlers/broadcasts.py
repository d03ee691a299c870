"""Operator broadcasts and bulk status changes: staff tell many customers at once."""

from __future__ import annotations

from aiohttp import web

from admin_api.auth import actor
from admin_api.keys import SHOP
from admin_api.payloads import read_body, read_query, respond
from core.commands import BroadcastDraft, BulkStatusUpdate, HistoryQuery


async def start_broadcast(request: web.Request) -> web.Response:
    """Queue a text for every customer in the segment; the worker sends it."""
    who = await actor(request)
    draft = await read_body(request, BroadcastDraft)
    broadcasts = request.app[SHOP].broadcasts
    started = await broadcasts.start(who, draft)
    progress = await broadcasts.progress(who, started.id)
    return respond(progress, 201, Location=f"/api/broadcasts/{started.id}")


async def list_broadcasts(request: web.Request) -> web.Response:
    who = await actor(request)
    query = read_query(request, HistoryQuery)
    return respond(await request.app[SHOP].broadcasts.recent(who, query))


async def broadcast_progress(request: web.Request) -> web.Response:
    who = await actor(request)
    return respond(await request.app[SHOP].broadcasts.progress(who, request.match_info["id"]))


async def cancel_broadcast(request: web.Request) -> web.Response:
    who = await actor(request)
    return respond(await request.app[SHOP].broadcasts.cancel(who, request.match_info["id"]))


async def change_statuses(request: web.Request) -> web.Response:
    """Move many orders at once; the answer has one result per order."""
    who = await actor(request)
    bulk = await read_body(request, BulkStatusUpdate)
    return respond(await request.app[SHOP].orders.change_statuses(who, bulk))
