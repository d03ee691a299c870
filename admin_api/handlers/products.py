"""The catalogue: anyone browses active products; core decides who sees archived ones."""

from __future__ import annotations

from aiohttp import web

from admin_api.contract import Call
from admin_api.payloads import respond
from core.catalog.commands import ProductDraft, ProductPatch, ProductQuery


async def list_products(call: Call[None, ProductQuery]) -> web.Response:
    return respond(await call.shop.catalog.list(call.query, viewer=call.viewer))


async def get_product(call: Call[None, None]) -> web.Response:
    return respond(await call.shop.catalog.get(call.path_id, viewer=call.viewer))


async def create_product(call: Call[ProductDraft, None]) -> web.Response:
    product = await call.shop.catalog.create(call.actor, call.body)
    return respond(product, 201, Location=f"/api/products/{product.id}")


async def update_product(call: Call[ProductPatch, None]) -> web.Response:
    return respond(await call.shop.catalog.update(call.actor, call.path_id, call.body))


async def archive_product(call: Call[None, None]) -> web.Response:
    return respond(await call.shop.catalog.archive(call.actor, call.path_id))
