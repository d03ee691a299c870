"""Product photos: admins upload and remove them; anyone who may see the product gets its
photo, revalidated by ETag (the GridFS file's id, new with every upload)."""

from __future__ import annotations

from aiohttp import web

from admin_api.contract import Call
from admin_api.payloads import respond

CACHING = {"Cache-Control": "no-cache", "Vary": "Authorization"}
"""Keep it, but ask each time whether it changed (an archived product's photo is for staff)."""


async def upload_photo(call: Call[bytes, None]) -> web.Response:
    """A JPEG, PNG or WebP (told by its content, not its name) in the field `photo`; it
    replaces the product's photo. A refused file changes nothing."""
    return respond(await call.shop.photos.attach(call.actor, call.path_id, call.body))


async def remove_photo(call: Call[None, None]) -> web.Response:
    return respond(await call.shop.photos.remove(call.actor, call.path_id))


async def get_photo(call: Call[None, None]) -> web.Response:
    """With `ETag` and `Cache-Control: no-cache`; `If-None-Match` with the ETag gets 304."""
    photo = await call.shop.photos.photo_of(call.path_id, viewer=call.viewer)
    etag = str(photo.file_id)
    headers = {**CACHING, "ETag": f'"{etag}"'}
    asked = call.request.if_none_match or ()
    if any(tag.value in (etag, "*") for tag in asked):
        return web.Response(status=304, headers=headers)
    body = await call.shop.photos.content(photo)
    return web.Response(body=body, content_type=photo.content_type, headers=headers)
