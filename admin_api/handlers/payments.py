"""Payments owed back: staff list them and record the refunds they made outside Telegram."""

from __future__ import annotations

from aiohttp import web

from admin_api.contract import Call
from admin_api.payloads import respond
from core.base.commands import HistoryQuery
from core.sales.commands import RefundRecord


async def refunds_due(call: Call[None, HistoryQuery]) -> web.Response:
    return respond(await call.shop.payments.refunds_due(call.actor, call.query))


async def record_refund(call: Call[RefundRecord, None]) -> web.Response:
    charge_id = call.body.telegram_payment_charge_id
    return respond(await call.shop.payments.mark_refunded(call.actor, call.path_id, charge_id))
