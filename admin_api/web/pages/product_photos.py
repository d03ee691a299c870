"""A product's several photos on its page (admins): add one after the others, replace one,
remove one, move one earlier or later. Each is a plain form with a submit button, so all of
it works without JavaScript; core checks every file, the order and the admin's role."""

from __future__ import annotations

from aiohttp import web
from bson import ObjectId

from admin_api.web.pages.products import EDIT, put_photo
from admin_api.web.visit import Visit
from core.accounts.access import Actor
from core.catalog.commands import PhotoOrder
from core.catalog.errors import PhotosChanged
from core.catalog.models import Product


async def add_product_photo(visit: Visit) -> web.StreamResponse:
    return await put_photo(visit, visit.shop.photos.add, "The photo is saved.")


async def replace_product_photo(visit: Visit) -> web.StreamResponse:
    photo_id = _photo_id(visit)

    async def replace(actor: Actor, product_id: ObjectId, data: bytes) -> Product:
        return await visit.shop.photos.replace(actor, product_id, photo_id, data)

    return await put_photo(visit, replace, "The photo is replaced.")


async def product_photo_file(visit: Visit) -> web.StreamResponse:
    """One photo's bytes for the product's page (archived products' too)."""
    photo = await visit.shop.photos.photo_of(visit.path_id, _photo_id(visit), viewer=visit.actor)
    body = await visit.shop.photos.content(photo)
    return web.Response(body=body, content_type=photo.content_type)


async def remove_product_photo(visit: Visit) -> web.StreamResponse:
    product = await visit.shop.photos.remove(visit.actor, visit.path_id, _photo_id(visit))
    return visit.redirect(visit.url(EDIT, id=str(product.id)), "The photo is removed.")


async def move_photo_earlier(visit: Visit) -> web.StreamResponse:
    return await _move(visit, -1)


async def move_photo_later(visit: Visit) -> web.StreamResponse:
    return await _move(visit, +1)


async def _move(visit: Visit, step: int) -> web.StreamResponse:
    """Swap the photo with its neighbour: core puts them all in the new order (and refuses
    if a photo was added or removed since the order was read)."""
    product = await visit.shop.catalog.get(visit.path_id, viewer=visit.actor)
    page = visit.url(EDIT, id=str(product.id))
    ids = [str(photo.file_id) for photo in product.photos]
    if (moved := _photo_id(visit)) not in ids:
        return visit.redirect(page, "Nothing was moved: the photo was removed.", error=True)
    at = ids.index(moved)
    if 0 <= at + step < len(ids):  # the first cannot go earlier, nor the last later
        ids[at], ids[at + step] = ids[at + step], ids[at]
        try:
            order = PhotoOrder(ids=ids)
            await visit.shop.photos.reorder(visit.actor, product.id, order)
        except PhotosChanged:
            message = "Nothing was moved: someone added or removed a photo meanwhile."
            return visit.redirect(page, message, error=True)
    return visit.redirect(page, "The photos are in their new order.")


def _photo_id(visit: Visit) -> str:
    return visit.request.match_info["photo"]
