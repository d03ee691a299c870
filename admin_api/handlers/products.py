"""The catalogue: anyone browses active products; staff also see archived ones."""

from __future__ import annotations

from aiohttp import web

from admin_api.auth import actor, visitor
from admin_api.keys import SHOP
from admin_api.payloads import read_body, read_query, respond
from core.commands import ProductDraft, ProductPatch, ProductQuery
from core.models import STAFF


async def _is_staff(request: web.Request) -> bool:
    user = await visitor(request)
    return user is not None and user.role in STAFF


async def list_products(request: web.Request) -> web.Response:
    staff = await _is_staff(request)
    query = read_query(request, ProductQuery)
    return respond(await request.app[SHOP].catalog.list(query, staff=staff))


async def get_product(request: web.Request) -> web.Response:
    staff = await _is_staff(request)
    product_id = request.match_info["id"]
    return respond(await request.app[SHOP].catalog.get(product_id, include_inactive=staff))


async def create_product(request: web.Request) -> web.Response:
    who = await actor(request)
    draft = await read_body(request, ProductDraft)
    product = await request.app[SHOP].catalog.create(who, draft)
    return respond(product, 201, Location=f"/api/products/{product.id}")


async def update_product(request: web.Request) -> web.Response:
    who = await actor(request)
    patch = await read_body(request, ProductPatch)
    catalog = request.app[SHOP].catalog
    return respond(await catalog.update(who, request.match_info["id"], patch))


async def archive_product(request: web.Request) -> web.Response:
    who = await actor(request)
    return respond(await request.app[SHOP].catalog.archive(who, request.match_info["id"]))
