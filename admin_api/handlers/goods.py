"""Digital goods: admins fill a product's pool of keys (a JSON text or a CSV file) or give
it a file; staff see the pool's counts (admins alone the keys); a buyer reads the goods
of their own order."""

from __future__ import annotations

from aiohttp import web
from aiohttp.helpers import content_disposition_header

from admin_api.contract import Call, Submitted
from admin_api.payloads import respond
from core.digital.commands import GoodsFileForm, GoodsFileQuery, KeyListQuery, KeyUpload

FILE = "file"
OCTET_STREAM = "application/octet-stream"


async def add_keys(call: Call[KeyUpload, None]) -> web.Response:
    """Up to 20 keys in `keys` (more: `/keys/import`); keys already in the pool are counted
    as duplicates, not added. The product becomes a key product, its stock the free keys."""
    return respond(await call.shop.keys.add(call.actor, call.path_id, call.body.keys))


async def import_keys(call: Call[bytes, None]) -> web.Response:
    """A CSV or text file in the field `file`: its first column, one key a row."""
    text = call.body.decode("utf-8-sig", errors="replace")
    return respond(await call.shop.keys.add_text(call.actor, call.path_id, text))


async def pool_counts(call: Call[None, None]) -> web.Response:
    return respond(await call.shop.keys.counts(call.actor, call.path_id))


async def list_keys(call: Call[None, KeyListQuery]) -> web.Response:
    """Newest first; `secrets=true` shows the keys themselves."""
    return respond(await call.shop.keys.listing(call.actor, call.path_id, call.query))


async def put_key_back(call: Call[None, None]) -> web.Response:
    """A returned key (of a cancelled order) is free again, and the stock one more."""
    key_id = call.request.match_info["keyId"]
    return respond(await call.shop.keys.put_back(call.actor, call.path_id, key_id))


async def attach_file(call: Call[Submitted[GoodsFileForm], None]) -> web.Response:
    """The file in the field `file` (any document, up to Telegram's 50 MB for bots) and
    its name in `name`; it replaces the product's file. The product's stock becomes
    unlimited (1,000,000)."""
    form = call.body
    product = await call.shop.goods_files.attach(
        call.actor, call.path_id, form.fields.name, form.files[FILE]
    )
    return respond(product)


async def order_goods(call: Call[None, None]) -> web.Response:
    """The keys (or file) of the caller's own paid order; an admin's of any order."""
    return respond(await call.shop.deliveries.goods_of(call.actor, call.path_id))


async def order_goods_file(call: Call[None, GoodsFileQuery]) -> web.Response:
    """The file of an order line (`line`, from 0), for the order's buyer or an admin."""
    file, data = await call.shop.deliveries.file_of(call.actor, call.path_id, call.query.line)
    disposition = content_disposition_header("attachment", filename=file.name)
    return web.Response(
        body=data, content_type=OCTET_STREAM, headers={"Content-Disposition": disposition}
    )
