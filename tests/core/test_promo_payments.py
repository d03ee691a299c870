"""Promo codes and payments: the discount on the invoice (its own, negative, price where
Telegram takes a breakdown, inside the one price of a Stars invoice), and the use an order
left unpaid gives back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.base import clock
from core.sales.payments import method_of
from core.shop import Shop
from tests.core.paying import SHOPS
from tests.core.promos import cart_with_code, new_code, used
from tests.factories import NewProduct, NewUser


@pytest.fixture(params=sorted(SHOPS))
def core_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {**SHOPS[request.param], "order_payment_minutes": 30}


async def test_the_invoice_shows_the_discount(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    await new_code(shop, value=10)
    user = await new_user()
    await cart_with_code(shop, user, await new_product(price=1005))
    order = await shop.checkout.place_order(user.id)
    assert order.total_amount == 1005 - 100  # 100.5 rounded down (whole stars for XTR)

    method = method_of(order.currency)
    invoice = await shop.payments.invoice_for(user.id, order.id, method)
    prices = [(p.label, p.amount) for p in invoice.prices]
    if order.currency == "XTR":  # Telegram takes exactly one price in Stars
        assert prices == [(f"Order #{order.number}", 905)]
        assert "Discount (SAVE10)" in invoice.description
    else:
        assert prices == [("Tea x 1", 1005), ("Discount (SAVE10)", -100)]


async def test_an_order_left_unpaid_gives_its_use_back_once(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    promo = await new_code(shop, usageLimit=1)
    user = await new_user()
    await cart_with_code(shop, user, await new_product())
    order = await shop.checkout.place_order(user.id)
    assert await used(shop, promo) == 1

    later = clock.now() + timedelta(minutes=31)
    assert [await shop.payments.expire_unpaid(at=later) for _ in range(2)] == [1, 0]
    assert await used(shop, promo) == 0
    stored = await shop.store.orders.find_one({"_id": order.id})
    assert stored is not None and stored["status"] == "cancelled"
    assert stored["promo"]["returned"] is True
