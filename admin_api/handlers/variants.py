"""Options and variants: anyone sees a product's variants on sale; admins define options
and create, edit, restock and archive variants."""

from __future__ import annotations

from aiohttp import web

from admin_api.contract import Call
from admin_api.payloads import respond
from core.catalog.variants.commands import OptionsChange, VariantDraft, VariantPatch, VariantQuery


async def set_options(call: Call[OptionsChange, None]) -> web.Response:
    return respond(await call.shop.variants.set_options(call.actor, call.path_id, call.body))


async def list_variants(call: Call[None, VariantQuery]) -> web.Response:
    variants = call.shop.variants
    return respond(await variants.of_product(call.path_id, call.query, viewer=call.viewer))


async def create_variant(call: Call[VariantDraft, None]) -> web.Response:
    variant = await call.shop.variants.create(call.actor, call.path_id, call.body)
    return respond(variant, 201, Location=f"/api/variants/{variant.id}")


async def get_variant(call: Call[None, None]) -> web.Response:
    return respond(await call.shop.variants.get(call.path_id, viewer=call.viewer))


async def update_variant(call: Call[VariantPatch, None]) -> web.Response:
    return respond(await call.shop.variants.update(call.actor, call.path_id, call.body))


async def archive_variant(call: Call[None, None]) -> web.Response:
    return respond(await call.shop.variants.archive(call.actor, call.path_id))
