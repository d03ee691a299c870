"""Makers of rows through core, as the ``new_user`` and ``new_product`` fixtures hand out."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from core.accounts.access import SYSTEM
from core.accounts.commands import Registration
from core.accounts.models import User
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
