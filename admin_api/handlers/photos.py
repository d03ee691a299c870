"""Product photos: admins add, replace, remove and reorder them (each named by its `fileId`
in the URL); anyone who may see the product gets them, revalidated by ETag (the GridFS
file's id, new with every upload). The routes of `/photo` act on the first photo, as when
a product had one."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_api.contract import Call
from admin_api.payloads import respond
from core.catalog.commands import PhotoOrder
from core.catalog.models import Photo

CACHING = {"Cache-Control": "no-cache", "Vary": "Authorization"}
"""Keep it, but ask each time whether it changed (an archived product's photo is for staff)."""


async def upload_photo(call: Call[bytes, None]) -> web.Response:
    """A JPEG, PNG or WebP (told by its content, not its name) in the field `photo`; it
    replaces the product's first photo (or becomes it). A refused file changes nothing."""
    return respond(await call.shop.photos.attach(call.actor, call.path_id, call.body))


async def remove_photo(call: Call[None, None]) -> web.Response:
    return respond(await call.shop.photos.remove(call.actor, call.path_id))


async def get_photo(call: Call[None, None]) -> web.Response:
    """The first photo, with `ETag` and `Cache-Control: no-cache`; `If-None-Match` with the
    ETag gets 304."""
    return await _serve(call, await call.shop.photos.photo_of(call.path_id, viewer=call.viewer))


async def list_photos(call: Call[None, None]) -> web.Response:
    return respond(await call.shop.photos.album(call.path_id, viewer=call.viewer))


async def add_photo(call: Call[bytes, None]) -> web.Response:
    """A JPEG, PNG or WebP in the field `photo`, put after the others; a product has at
    most 10 (409 `too-many-photos`). A refused file changes nothing."""
    return respond(await call.shop.photos.add(call.actor, call.path_id, call.body), status=201)


async def get_one_photo(call: Call[None, None]) -> web.Response:
    """With `ETag` and `Cache-Control: no-cache`, as the first photo."""
    photo = await call.shop.photos.photo_of(call.path_id, _photo_id(call), viewer=call.viewer)
    return await _serve(call, photo)


async def replace_photo(call: Call[bytes, None]) -> web.Response:
    """The file in the field `photo` takes this photo's place (and gets a new `fileId`)."""
    product = await call.shop.photos.replace(call.actor, call.path_id, _photo_id(call), call.body)
    return respond(product)


async def remove_one_photo(call: Call[None, None]) -> web.Response:
    """The photos after it move up."""
    return respond(await call.shop.photos.remove(call.actor, call.path_id, _photo_id(call)))


async def reorder_photos(call: Call[PhotoOrder, None]) -> web.Response:
    """Every photo's `fileId`, once each, in the new order; a list that is not the
    product's photos now (one was added or removed meanwhile) gets 409 `photos-changed`."""
    return respond(await call.shop.photos.reorder(call.actor, call.path_id, call.body))


def _photo_id(call: Call[Any, None]) -> str:
    return call.request.match_info["photo"]


async def _serve(call: Call[None, None], photo: Photo) -> web.Response:
    etag = str(photo.file_id)
    headers = {**CACHING, "ETag": f'"{etag}"'}
    asked = call.request.if_none_match or ()
    if any(tag.value in (etag, "*") for tag in asked):
        return web.Response(status=304, headers=headers)
    body = await call.shop.photos.content(photo)
    return web.Response(body=body, content_type=photo.content_type, headers=headers)
