"""A variant's own photo: one of its product's photos, named by its ``fileId``.

A variant names a photo only while its product lists it. Setting one is checked against the
product before the variant's write and read again after it (``settle``); removing a photo
first takes it out of the product's list and then clears the variants that name it
(``forget``), replacing one moves them to the new file (``follow``), both before the old
file is deleted. So of an edit racing a removal one always sees the other, and recovery of
the photos (``core/catalog/photos.py``) clears what names a file it deletes. Readers still
show a named photo only while the product lists it (``place``), else the product's first.
"""

from __future__ import annotations

from collections.abc import Iterable

from bson import ObjectId

from core.base import clock
from core.base.errors import Missing, NotFound
from core.catalog.models import Product, stored_photos
from core.store import Collection


def check(product: Product, photo_id: ObjectId) -> None:
    """Refuse a photo the product does not have (404 ``no-such-photo``)."""
    if place(product, photo_id) is None:
        raise NotFound(Missing.PRODUCT_PHOTO)


def place(product: Product, photo_id: ObjectId | None) -> int | None:
    """Where the photo ``photo_id`` is among the product's photos (from 0), or ``None``."""
    return next((at for at, p in enumerate(product.photos) if p.file_id == photo_id), None)


async def settle(
    variants: Collection, products: Collection, variant_id: ObjectId, photo_id: ObjectId
) -> bool:
    """After a variant was given ``photo_id``: clear it if its product no longer lists it
    (removed between the check and the write); whether the variant keeps it."""
    variant = await variants.find_one({"_id": variant_id}, {"productId": 1})
    product = None if variant is None else await products.find_one({"_id": variant["productId"]})
    if product is not None and photo_id in {p["fileId"] for p in stored_photos(product)}:
        return True
    await _set(variants, {"_id": variant_id, "photoId": photo_id}, None)
    return False


async def forget(variants: Collection, product_id: ObjectId, file_ids: Iterable[ObjectId]) -> None:
    """The product's photos ``file_ids`` are gone: its variants that named one name none."""
    gone = list(file_ids)
    if gone:
        await _set(variants, {"productId": product_id, "photoId": {"$in": gone}}, None)


async def follow(variants: Collection, product_id: ObjectId, old: ObjectId, new: ObjectId) -> None:
    """The product's photo ``old`` was replaced by ``new``: its variants name the new one."""
    await _set(variants, {"productId": product_id, "photoId": old}, new)


async def _set(variants: Collection, query: dict[str, object], photo_id: ObjectId | None) -> None:
    await variants.update_many(
        query, {"$set": {"photoId": photo_id, "updatedAt": clock.now()}, "$inc": {"version": 1}}
    )
