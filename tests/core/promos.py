"""Promo codes for tests: a staff member's code, and a customer's cart with it."""

from __future__ import annotations

from typing import Any

from core.accounts.access import Actor
from core.accounts.models import Role, User
from core.catalog.models import Product
from core.promotions.commands import PromoDraft, PromoEntry
from core.promotions.models import PromoCode
from core.sales.commands import CartChange
from core.shop import Shop

STAFF = Actor(None, Role.OPERATOR)


async def new_code(shop: Shop, code: str = "SAVE10", **terms: Any) -> PromoCode:
    draft = PromoDraft.model_validate({"code": code, "kind": "percent", "value": 10, **terms})
    return await shop.promotions.create(STAFF, draft)


async def cart_with_code(
    shop: Shop, user: User, product: Product, code: str = "SAVE10", quantity: int = 1
) -> None:
    await shop.carts.add(user.id, CartChange(product_id=product.id, quantity=quantity))
    await shop.cart_codes.add(user.id, PromoEntry(code=code))


async def used(shop: Shop, promo: PromoCode) -> int:
    document = await shop.store.promo_codes.find_one({"_id": promo.id})
    assert document is not None
    assert document.get("takenBy", []) == [] and document.get("returnedBy", []) == []
    return int(document["used"])
