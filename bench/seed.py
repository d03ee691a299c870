"""Seeding large collections fast: one document made through core, then cloned.

Cloning a document core wrote keeps every field core expects, at ``insert_many`` speed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bson import ObjectId

from bench.stage import SECRET
from core.accounts.access import SYSTEM
from core.accounts.commands import TelegramSignup
from core.accounts.models import User
from core.accounts.tokens import TokenService
from core.catalog.commands import ProductDraft
from core.sales.commands import CartChange
from core.shop import Shop
from core.store import Collection

BATCH = 5_000
FIRST_TELEGRAM_ID = 100_001
TOKENS = TokenService(SECRET, timedelta(hours=12))


@dataclass(frozen=True)
class Customer:
    user_id: ObjectId
    telegram_id: int
    token: str


async def clone(
    collection: Collection, template: dict[str, Any], changes: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    documents = [{**template, "_id": ObjectId(), **change} for change in changes]
    for start in range(0, len(documents), BATCH):
        await collection.insert_many(documents[start : start + BATCH], ordered=False)
    return documents


async def products(shop: Shop, count: int, stock: int) -> list[ObjectId]:
    """``count`` active products named "Product 1".. with ``stock`` each, newest last."""
    first = await shop.catalog.create(
        SYSTEM, ProductDraft(name="Product 1", price=100, stock=stock)
    )
    template = await shop.store.products.find_one({"_id": first.id})
    assert template is not None
    changes = [
        {
            "name": f"Product {n}",
            "price": 100 + n % 900,
            "createdAt": first.created_at + timedelta(milliseconds=n),
        }
        for n in range(2, count + 1)
    ]
    clones = await clone(shop.store.products, template, changes)
    return [first.id, *(clone["_id"] for clone in clones)]


async def customers(
    shop: Shop, count: int, first_telegram_id: int = FIRST_TELEGRAM_ID
) -> list[Customer]:
    """``count`` customers linked to Telegram ids from ``first_telegram_id``, with tokens."""
    tag = uuid.uuid4().hex[:8]
    first = await shop.users.sign_up_telegram(
        TelegramSignup(telegram_id=first_telegram_id, name="Buyer", email=f"b0-{tag}@example.com")
    )
    template = await shop.store.users.find_one({"_id": first.id})
    assert template is not None
    changes = [
        {"email": f"b{n}-{tag}@example.com", "telegramId": first_telegram_id + n}
        for n in range(1, count)
    ]
    clones = await clone(shop.store.users, template, changes)
    users = [first, *(User.model_validate(clone) for clone in clones)]
    return [
        Customer(user.id, first_telegram_id + n, TOKENS.issue(user).token)
        for n, user in enumerate(users)
    ]


async def carts(shop: Shop, owners: Sequence[Customer], lines: Sequence[ObjectId]) -> None:
    """Give every owner a cart holding one of each of ``lines``."""
    first, *others = owners
    for product_id in lines:
        await shop.carts.add(first.user_id, CartChange(product_id=product_id, quantity=1))
    template = await shop.store.carts.find_one({"userId": first.user_id})
    assert template is not None
    await clone(shop.store.carts, template, [{"userId": owner.user_id} for owner in others])


ORDER_SHAPES: tuple[dict[str, Any], ...] = (
    {"status": "paid", "payment": {"state": "paid", "method": "manual"}},
    {"status": "shipped", "payment": {"state": "paid", "method": "manual"}},
    {"status": "pending", "payment": {"state": "unpaid"}},
    {"status": "paid", "payment": {"state": "paid", "method": "manual"}},
    {"status": "cancelled", "payment": {"state": "unpaid"}},
    {"status": "cancelled", "payment": {"state": "refunded", "method": "manual"}},
    {"status": "shipped", "payment": {"state": "paid", "method": "manual"}},
    {"status": "cancelled", "payment": {"state": "refund_due", "method": "manual"}},
)
"""The statuses and payment records seeded orders take in turn."""


async def orders(
    shop: Shop, count: int, buyers: Sequence[Customer], lines: Sequence[ObjectId], days: int
) -> None:
    """``count`` orders of ``buyers`` in turn, each of one of every product in ``lines``,
    placed evenly over the last ``days`` days, in every status (``ORDER_SHAPES``)."""
    first = buyers[0]
    for product_id in lines:
        await shop.carts.add(first.user_id, CartChange(product_id=product_id, quantity=1))
    placed = await shop.checkout.place_order(first.user_id)
    template = await shop.store.orders.find_one({"_id": placed.id})
    assert template is not None
    step = timedelta(days=days) / count
    changes = []
    for n in range(1, count):
        at = placed.created_at - n * step
        shape = ORDER_SHAPES[n % len(ORDER_SHAPES)]
        payment = {
            **shape["payment"],
            **({} if shape["payment"]["state"] == "unpaid" else {"paidAt": at}),
        }
        changes.append(
            {
                "number": placed.number + n,
                "userId": buyers[n % len(buyers)].user_id,
                "idempotencyKey": uuid.uuid4().hex,
                "createdAt": at,
                "updatedAt": at,
                "status": shape["status"],
                "payment": payment,
            }
        )
    await clone(shop.store.orders, template, changes)
