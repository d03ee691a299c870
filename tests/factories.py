"""Makers of rows through core, as the ``new_user`` and ``new_product`` fixtures hand out."""

from __future__ import annotations

import io
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from PIL import Image

from core.accounts.access import SYSTEM
from core.accounts.commands import Registration
from core.accounts.models import User
from core.base import clock
from core.catalog.commands import ProductDraft
from core.catalog.models import Product
from core.shop import Shop
from tests.settings import ADDRESS

NewUser = Callable[..., Awaitable[User]]
"""``await new_user(name=..., password=..., email=...)``: a registered customer."""
NewProduct = Callable[..., Awaitable[Product]]
"""``await new_product(name=..., price=..., stock=..., **draft)``: a product in the catalog."""


def user_maker(shop: Shop) -> NewUser:
    async def create(name: str = "Alice", password: str = "correct horse", **kw: Any) -> User:
        email = kw.pop("email", f"{uuid.uuid4().hex[:10]}@example.com")
        registration = Registration(name=name, email=email, password=password)
        return await shop.users.register(registration, address=ADDRESS)

    return create


def product_maker(shop: Shop) -> NewProduct:
    async def create(name: str = "Tea", price: int = 450, stock: int = 10, **kw: Any) -> Product:
        draft = ProductDraft(name=name, price=price, stock=stock, **kw)
        return await shop.catalog.create(SYSTEM, draft)

    return create


async def photo_as_before(shop: Shop, product: Product, data: bytes) -> dict[str, Any]:
    """Give ``product`` one PNG ``data`` as the shop stored it before products had several
    photos (one ``photo`` field, no ``photos``); the stored photo."""
    file_id = await shop.store.photos.upload_from_stream(
        "old.png", data, metadata={"productId": product.id, "state": "current"}
    )
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
    photo = {
        "fileId": file_id,
        "contentType": "image/png",
        "size": len(data),
        "width": width,
        "height": height,
        "uploadedAt": clock.now(),
    }
    await shop.store.products.update_one({"_id": product.id}, {"$set": {"photo": photo}})
    return photo
