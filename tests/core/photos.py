"""Products with several photos, for the core's photo tests."""

from __future__ import annotations

from datetime import timedelta

from bson import ObjectId

from core.accounts.access import SYSTEM
from core.catalog.models import Product
from core.shop import Shop
from tests.images import image_bytes

LATER = timedelta(minutes=5)


def picture(n: int) -> bytes:
    """A different small PNG for each ``n``."""
    return image_bytes("PNG", (n + 1, n + 1))


def ids(product: Product) -> list[ObjectId]:
    return [photo.file_id for photo in product.photos]


async def files(shop: Shop) -> dict[ObjectId, str]:
    """Every stored photo file and its state."""
    found = await shop.store.photo_files.find({}).to_list()
    return {file["_id"]: file["metadata"]["state"] for file in found}


async def with_photos(shop: Shop, product: Product, count: int) -> Product:
    for n in range(count):
        product = await shop.photos.add(SYSTEM, product.id, picture(n))
    return product
