"""Operator broadcasts: staff tell many customers at once."""

from __future__ import annotations

from aiohttp import web

from admin_api.contract import Call
from admin_api.payloads import respond
from core.base.commands import HistoryQuery
from core.messaging.commands import BroadcastDraft


async def start_broadcast(call: Call[BroadcastDraft, None]) -> web.Response:
    """Queue a text for every customer in the segment; the notifier sends it."""
    broadcasts = call.shop.broadcasts
    started = await broadcasts.start(call.actor, call.body)
    progress = await broadcasts.progress(call.actor, started.id)
    return respond(progress, 201, Location=f"/api/broadcasts/{started.id}")


async def list_broadcasts(call: Call[None, HistoryQuery]) -> web.Response:
    return respond(await call.shop.broadcasts.recent(call.actor, call.query))


async def broadcast_progress(call: Call[None, None]) -> web.Response:
    return respond(await call.shop.broadcasts.progress(call.actor, call.path_id))


async def cancel_broadcast(call: Call[None, None]) -> web.Response:
    return respond(await call.shop.broadcasts.cancel(call.actor, call.path_id))
