"""Categories: anyone sees the active ones in order; admins create, edit, reorder and archive."""

from __future__ import annotations

from aiohttp import web

from admin_api.contract import Call
from admin_api.payloads import respond
from core.catalog.commands import CategoryDraft, CategoryOrder, CategoryPatch, CategoryQuery


async def list_categories(call: Call[None, CategoryQuery]) -> web.Response:
    return respond(await call.shop.categories.shelves(call.query, viewer=call.viewer))


async def get_category(call: Call[None, None]) -> web.Response:
    return respond(await call.shop.categories.get(call.path_id, viewer=call.viewer))


async def create_category(call: Call[CategoryDraft, None]) -> web.Response:
    category = await call.shop.categories.create(call.actor, call.body)
    return respond(category, 201, Location=f"/api/categories/{category.id}")


async def update_category(call: Call[CategoryPatch, None]) -> web.Response:
    return respond(await call.shop.categories.update(call.actor, call.path_id, call.body))


async def archive_category(call: Call[None, None]) -> web.Response:
    """Customers no longer see the category or its products; orders are not touched."""
    return respond(await call.shop.categories.archive(call.actor, call.path_id))


async def reorder_categories(call: Call[CategoryOrder, None]) -> web.Response:
    return respond(await call.shop.categories.reorder(call.actor, call.body))
