"""The dashboard's figures, and the CSV exports streamed as core reads them."""

from __future__ import annotations

from aiohttp import web

from admin_api.contract import Call
from admin_api.payloads import respond, stream_csv
from core.sales.commands import OrderFilter


async def dashboard(call: Call[None, None]) -> web.Response:
    """Today, the last 7 and 30 days in the shop's time zone (`SHOP_TIMEZONE`): orders,
    sales, refunds, revenue, best sellers; revenue by day; low stock; refunds due; orders
    pending past the payment window. Amounts in minor units of `currency`."""
    return respond(await call.shop.reports.dashboard(call.actor))


async def export_orders(call: Call[None, OrderFilter]) -> web.StreamResponse:
    """The orders the filters select (as `GET /api/admin/orders`), oldest first, as CSV
    (UTF-8 with a byte order mark; columns in docs/api.md, "Exports")."""
    return await stream_csv(call.request, await call.shop.exports.orders(call.actor, call.query))


async def export_customers(call: Call[None, None]) -> web.StreamResponse:
    """Every customer account with their orders and what they spent, as CSV."""
    return await stream_csv(call.request, await call.shop.exports.customers(call.actor))


async def export_products(call: Call[None, None]) -> web.StreamResponse:
    """Every product, archived ones too, with stock and low-stock threshold, as CSV."""
    return await stream_csv(call.request, await call.shop.exports.products(call.actor))


async def export_variants(call: Call[None, None]) -> web.StreamResponse:
    """Every variant of the products sold by variant, archived ones too, with its product's
    SKU and name, its options, price and stock, as CSV."""
    return await stream_csv(call.request, await call.shop.exports.variants(call.actor))
