"""A product's digital goods on its page (admins): keys typed in a text area (a few; the
form is within the back office's body limit) or a text/CSV file of up to 10,000, and the
one file a file product sends (uploaded, or replaced). Core checks every key, file and role
and refuses a product sold by variant or a shop without Stars; a refusal is shown beside
its form, and nothing is written."""

from __future__ import annotations

from collections.abc import Awaitable

from aiohttp import web

from admin_api.web.pages.products import EDIT, refused_on_page
from admin_api.web.uploads import read_upload
from admin_api.web.visit import Visit
from core.base.errors import Conflict, InvalidInput, NotFound
from core.catalog.models import Product
from core.digital.commands import GOODS_FILE_MAX_BYTES, KEY_FILE_MAX_BYTES
from core.digital.models import KeyUploadReport

KEYS, KEY_FILE, GOODS_FILE = "keys", "keysFile", "goodsFile"


async def add_typed_keys(visit: Visit) -> web.StreamResponse:
    product = await visit.shop.catalog.get(visit.path_id, viewer=visit.actor)
    text = str(visit.form.get(KEYS, ""))
    return await _add_keys(
        visit, product, KEYS, visit.shop.keys.add_text(visit.actor, product.id, text)
    )


async def add_key_file(visit: Visit) -> web.StreamResponse:
    product = await visit.shop.catalog.get(visit.path_id, viewer=visit.actor)
    upload = await read_upload(visit, {KEY_FILE: KEY_FILE_MAX_BYTES})
    if upload.too_large(KEY_FILE, KEY_FILE_MAX_BYTES):
        refusal = f"The file is larger than {KEY_FILE_MAX_BYTES} bytes: split it."
        return await refused_on_page(visit, product, {KEY_FILE: refusal}, 413)
    data = upload.files.get(KEY_FILE, b"")
    adding = visit.shop.keys.add_file(visit.actor, product.id, data)
    return await _add_keys(visit, product, KEY_FILE, adding)


async def put_goods_file(visit: Visit) -> web.StreamResponse:
    product = await visit.shop.catalog.get(visit.path_id, viewer=visit.actor)
    upload = await read_upload(visit, {GOODS_FILE: GOODS_FILE_MAX_BYTES})
    data = upload.files.get(GOODS_FILE, b"")
    name = upload.fields.get("name", "").strip() or upload.names.get(GOODS_FILE, "")
    try:
        product = await visit.shop.goods_files.attach(visit.actor, product.id, name, data)
    except InvalidInput as exc:
        return await refused_on_page(visit, product, {GOODS_FILE: exc.message}, 422)
    except (Conflict, NotFound) as exc:
        return await refused_on_page(visit, product, {GOODS_FILE: exc.message}, 409)
    assert product.digital is not None and product.digital.file is not None
    file = product.digital.file
    done = f"Buyers now get {file.name} ({file.size} bytes)."
    return visit.redirect(visit.url(EDIT, id=str(product.id)), done)


async def put_key_back(visit: Visit) -> web.StreamResponse:
    """A returned key (its order cancelled) is sold again; refused unless it is returned."""
    page = visit.url(EDIT, id=visit.request.match_info["id"])
    try:
        counts = await visit.shop.keys.put_back(
            visit.actor, visit.path_id, visit.request.match_info["key"]
        )
    except (Conflict, NotFound) as exc:
        return visit.redirect(page, f"Nothing was put back: {exc.message}", error=True)
    return visit.redirect(page, f"The key is for sale again; {counts.free} free.")


async def _add_keys(
    visit: Visit, product: Product, field: str, adding: Awaitable[KeyUploadReport]
) -> web.StreamResponse:
    """The page after ``adding`` (one of core's ways to add keys): its report, or why not
    beside the form's ``field``."""
    try:
        report = await adding
    except InvalidInput as exc:
        lines = [exc.message, *(error.message for error in exc.errors)]
        return await refused_on_page(visit, product, {field: " ".join(lines)}, 422)
    except (Conflict, NotFound) as exc:
        return await refused_on_page(visit, product, {field: exc.message}, 409)
    return visit.redirect(visit.url(EDIT, id=str(product.id)), _added(report))


def _added(report: KeyUploadReport) -> str:
    said = f"{report.added} keys added"
    if report.duplicates:
        said += f", {report.duplicates} already in the pool (or repeated) skipped"
    return f"{said}; {report.pool.free} free."
