"""Products (admins): the list with search and filters, the form that creates and edits
one, its photo, its stock, archiving and restoring. Every change goes through core's
catalog and photo services, which check the admin's role themselves."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from bson import ObjectId
from multidict import MultiDict

from admin_api.web.forms import GENERAL, Filled
from admin_api.web.pages.goods_panel import goods_panel
from admin_api.web.uploads import read_upload
from admin_api.web.visit import Visit
from core.accounts.access import Actor
from core.base.commands import parse
from core.base.errors import Conflict, InvalidInput, Missing, NotFound
from core.base.money import major_units
from core.campaigns.links import start_payload
from core.catalog.commands import NO_CATEGORY, ProductDraft, ProductPatch, ProductQuery
from core.catalog.errors import SkuTaken
from core.catalog.models import MAX_PHOTOS, Product
from core.catalog.tree import path_names
from core.catalog.variants import photos as variant_photos
from core.catalog.variants.commands import VariantQuery
from core.catalog.variants.models import Variant

LIST = "product_list"
EDIT = "edit_product"
QUERY_FIELDS = ("q", "category", "includeInactive", "page")
PHOTO_FIELD = "photo"
PutPhoto = Callable[[Actor, ObjectId, bytes], Awaitable[Product]]
"""One of core's ways to put an uploaded photo on a product (``ProductPhotos.attach``...)."""


async def product_list(visit: Visit) -> web.StreamResponse:
    asked = {key: visit.request.query[key] for key in QUERY_FIELDS if visit.request.query.get(key)}
    query = parse(ProductQuery, asked)
    page = await visit.shop.catalog.list(query, viewer=visit.actor)
    categories = await visit.shop.categories.all(include_inactive=True)
    names = path_names(categories)
    return visit.render(
        "products/list.html",
        page=page,
        query=query,
        categories=categories,
        category_names=names,
        category_options=[(NO_CATEGORY, "No category")]
        + [(str(c.id), names[c.id] + ("" if c.active else " (archived)")) for c in categories],
        page_url=lambda number: visit.url(LIST, {**asked, "page": str(number)}),
    )


async def new_product(visit: Visit) -> web.StreamResponse:
    return await _product_form(visit, None, {}, MultiDict({"stock": "0"}))


async def create_product(visit: Visit) -> web.StreamResponse:
    filled = Filled(visit.form)
    _take_details(filled, visit.shop.catalog.currency)
    filled.take_whole_number("stock")
    try:
        draft = filled.command(ProductDraft)
        product = await visit.shop.catalog.create(visit.actor, draft)
    except InvalidInput as exc:
        return await _product_form(visit, None, filled.refused(exc), visit.form, 422)
    except NotFound as exc:
        return await _refused_category(visit, None, filled, exc)
    except SkuTaken as exc:
        return await _product_form(visit, None, {"sku": exc.message}, visit.form, 409)
    return visit.redirect(visit.url(EDIT, id=str(product.id)), f"{product.name} was created.")


async def edit_product(visit: Visit) -> web.StreamResponse:
    product = await visit.shop.catalog.get(visit.path_id, viewer=visit.actor)
    return await _product_form(visit, product, {}, _as_form(product))


async def update_product(visit: Visit) -> web.StreamResponse:
    product = await visit.shop.catalog.get(visit.path_id, viewer=visit.actor)
    filled = Filled(visit.form)
    _take_details(filled, product.currency)
    filled.take_whole_number("expectedVersion")
    try:
        patch = filled.command(ProductPatch)
        product = await visit.shop.catalog.update(visit.actor, product.id, patch)
    except InvalidInput as exc:
        return await _product_form(visit, product, filled.refused(exc), visit.form, 422)
    except NotFound as exc:
        return await _refused_category(visit, product, filled, exc)
    except SkuTaken as exc:
        return await _product_form(visit, product, {"sku": exc.message}, visit.form, 409)
    except Conflict as exc:
        return await _product_form(visit, product, {GENERAL: exc.message}, visit.form, 409)
    return visit.redirect(visit.url(EDIT, id=str(product.id)), "Saved.")


async def change_stock(visit: Visit) -> web.StreamResponse:
    """Set the stock to a number, or adjust it by one (``stockDelta``, signed)."""
    product = await visit.shop.catalog.get(visit.path_id, viewer=visit.actor)
    adjust = visit.form.get("how") == "adjust"
    filled = Filled(visit.form)
    filled.take_whole_number("amount")
    filled.values["stockDelta" if adjust else "stock"] = filled.values.pop("amount")
    if not adjust:  # a number set over a change made since the page was read is refused
        filled.take_whole_number("expectedVersion")
    try:
        patch = filled.command(ProductPatch)
        product = await visit.shop.catalog.update(visit.actor, product.id, patch)
    except InvalidInput as exc:
        found = filled.refused(exc)
        errors = {"stock": found.get("amount") or next(iter(found.values()))}
        return await _product_form(visit, product, errors, _as_form(product), 422)
    except Conflict as exc:
        return await _product_form(visit, product, {"stock": exc.message}, _as_form(product), 409)
    return visit.redirect(visit.url(EDIT, id=str(product.id)), f"Stock is {product.stock}.")


async def archive_product(visit: Visit) -> web.StreamResponse:
    product = await visit.shop.catalog.archive(visit.actor, visit.path_id)
    return visit.redirect(visit.url(EDIT, id=str(product.id)), f"{product.name} is archived.")


async def restore_product(visit: Visit) -> web.StreamResponse:
    patch = ProductPatch(active=True)
    product = await visit.shop.catalog.update(visit.actor, visit.path_id, patch)
    return visit.redirect(visit.url(EDIT, id=str(product.id)), f"{product.name} is on sale again.")


async def upload_photo(visit: Visit) -> web.StreamResponse:
    """The file of the form's ``photo`` field, replacing the product's first photo."""
    return await put_photo(visit, visit.shop.photos.attach, "The photo is saved.")


async def put_photo(visit: Visit, put: PutPhoto, done: str) -> web.StreamResponse:
    """Give the file of the form's ``photo`` field (picked or dropped) to ``put``, one of
    core's photo service's, which sniffs, verifies and size-checks it."""
    product = await visit.shop.catalog.get(visit.path_id, viewer=visit.actor)
    upload = await read_upload(visit, {PHOTO_FIELD: visit.shop.photos.max_bytes})
    data = upload.files.get(PHOTO_FIELD, b"")
    try:
        product = await put(visit.actor, product.id, data)
    except InvalidInput as exc:
        errors = {PHOTO_FIELD: exc.message}
        return await _product_form(visit, product, errors, _as_form(product), 422)
    except (Conflict, NotFound) as exc:
        errors = {PHOTO_FIELD: exc.message}
        return await _product_form(visit, product, errors, _as_form(product), 409)
    return visit.redirect(visit.url(EDIT, id=str(product.id)), done)


async def remove_photo(visit: Visit) -> web.StreamResponse:
    product = await visit.shop.photos.remove(visit.actor, visit.path_id)
    return visit.redirect(visit.url(EDIT, id=str(product.id)), "The photo is removed.")


async def product_photo(visit: Visit) -> web.StreamResponse:
    """The photo's bytes for the back office's own pages (archived products' too)."""
    photo = await visit.shop.photos.photo_of(visit.path_id, viewer=visit.actor)
    body = await visit.shop.photos.content(photo)
    return web.Response(body=body, content_type=photo.content_type)


async def refused_on_page(
    visit: Visit, product: Product, errors: dict[str, str], status: int
) -> web.StreamResponse:
    """The product's page again, with ``errors`` by field (a form of another module's)."""
    return await _product_form(visit, product, errors, _as_form(product), status)


def _take_details(filled: Filled, currency: str) -> None:
    """The fields the create and edit forms share."""
    filled.take_text("sku", empty_is_none=True)
    filled.take_text("name")
    filled.take_text("description")
    filled.take_amount("price", currency)
    filled.take_whole_number("lowStockThreshold", optional=True)
    filled.take_text("categoryId", empty_is_none=True)


def _as_form(product: Product) -> MultiDict[str]:
    """The product's fields as its form shows them."""
    threshold = product.low_stock_threshold
    return MultiDict(
        {
            "sku": product.sku or "",
            "name": product.name,
            "description": product.description,
            "price": str(major_units(product.price, product.currency)),
            "lowStockThreshold": "" if threshold is None else str(threshold),
            "categoryId": "" if product.category_id is None else str(product.category_id),
            "expectedVersion": str(product.version),
        }
    )


async def _refused_category(
    visit: Visit, product: Product | None, filled: Filled, exc: NotFound
) -> web.StreamResponse:
    if exc.what is not Missing.CATEGORY:
        raise exc
    errors = filled.errors | {"categoryId": "This category no longer exists; pick another."}
    return await _product_form(visit, product, errors, visit.form, 422)


async def _product_form(
    visit: Visit,
    product: Product | None,
    errors: dict[str, str],
    values: Any,
    status: int = 200,
) -> web.StreamResponse:
    categories = await visit.shop.categories.all(include_inactive=True)
    variants = await _variants(visit, product)
    return visit.render(
        "products/form.html",
        status,
        product=product,
        errors=errors,
        general_error=errors.get(GENERAL),
        values=values,
        categories=categories,
        category_names=path_names(categories),
        currency=visit.shop.catalog.currency,
        max_photo_bytes=visit.shop.photos.max_bytes,
        start_link=start_payload(product.id) if product else None,
        max_photos=MAX_PHOTOS,
        variants=variants,
        goods=await goods_panel(visit, product),
    )


async def _variants(visit: Visit, product: Product | None) -> list[tuple[Variant, int | None]]:
    """A product sold by variant: all its variants, archived ones too, each with where its
    own photo is among the product's (``None``: it has none)."""
    if product is None or not product.options:
        return []
    query = VariantQuery(include_inactive=True)
    found = await visit.shop.variants.of_product(product.id, query, viewer=visit.actor)
    return [(v, variant_photos.place(product, v.photo_id)) for v in found.items]
