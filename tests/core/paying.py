"""Shops that take payments, and their customers, orders and payments, for core's tests of
payments and refunds."""

from __future__ import annotations

import uuid
from typing import Any

from bson import ObjectId

from core.accounts.access import SYSTEM, Actor
from core.accounts.commands import TelegramSignup
from core.accounts.models import Role, User
from core.catalog.commands import ProductDraft
from core.sales.commands import CartChange
from core.sales.models import Order, ReceivedPayment
from core.sales.payments import payload_of
from core.shop import Shop

STAFF = Actor(None, Role.OPERATOR)

SHOPS = {
    "stars": {"shop_currency": "XTR", "payment_methods": "stars,manual"},
    "provider": {"payment_methods": "provider,manual", "payment_provider_token": "1:TEST:x"},
}
"""Settings of a shop taking Stars (prices in XTR), or cards through a provider (USD)."""


async def telegram_customer(shop: Shop, name: str = "Alice") -> User:
    """A customer on Telegram (only they get notices)."""
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    telegram_id = uuid.uuid4().int % 10**9 + 1
    return await shop.users.sign_up_telegram(
        TelegramSignup(telegram_id=telegram_id, name=name, email=email)
    )


async def tea_order(shop: Shop, user: User, quantity: int = 2, stock: int = 10) -> Order:
    """``user``'s order of ``quantity`` teas, of a new product with ``stock``."""
    tea = await shop.catalog.create(SYSTEM, ProductDraft(name="Tea", price=450, stock=stock))
    await shop.carts.add(user.id, CartChange(product_id=tea.id, quantity=quantity))
    return await shop.checkout.place_order(user.id)


def payment_of(order: Order, charge: str | None = None, **changes: Any) -> ReceivedPayment:
    """The ``successful_payment`` Telegram sends for ``order``'s invoice."""
    fields: dict[str, Any] = {
        "currency": order.currency,
        "total_amount": order.total_amount,
        "invoice_payload": payload_of(order),
        "telegram_payment_charge_id": charge or f"charge-{uuid.uuid4().hex}",
        "provider_payment_charge_id": f"provider-{uuid.uuid4().hex[:8]}",
    }
    return ReceivedPayment(**{**fields, **changes})


async def paid_order(shop: Shop, user: User, product_id: ObjectId) -> Order:
    """``user``'s order of one ``product_id``, placed and paid (as Telegram reports it)."""
    await shop.carts.add(user.id, CartChange(product_id=product_id, quantity=1))
    order = await shop.checkout.place_order(user.id)
    await shop.payments.record(user.id, payment_of(order))
    return order


async def stored_order(shop: Shop, order: Order) -> Order:
    """``order`` as the database holds it now."""
    document = await shop.store.orders.find_one({"_id": order.id})
    assert document is not None
    return Order.model_validate(document)
