"""What a customer ordered and spent: paid orders count as spent, orders owed back or
refunded only as ordered; staff only."""

from __future__ import annotations

import pytest

from core.accounts.access import SYSTEM, Actor
from core.base.errors import Forbidden
from core.sales.commands import CartChange, StatusUpdate
from core.sales.models import Amount
from core.shop import Shop
from tests.factories import NewProduct, NewUser


async def test_spent_counts_the_payments_the_shop_keeps(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    alice, bob = await new_user(name="Alice"), await new_user(name="Bob")
    tea = await new_product(price=450, stock=50)
    orders = []
    for quantity in (1, 2, 3):
        await shop.carts.add(alice.id, CartChange(product_id=tea.id, quantity=quantity))
        orders.append(await shop.checkout.place_order(alice.id))
    await shop.carts.add(bob.id, CartChange(product_id=tea.id, quantity=5))
    bobs = await shop.checkout.place_order(bob.id)
    for order in (orders[0], orders[1], bobs):
        await shop.orders.change_status(SYSTEM, order.id, StatusUpdate(status="paid"))
    await shop.orders.change_status(SYSTEM, orders[1].id, StatusUpdate(status="cancelled"))

    spending = await shop.spending.of_customer(SYSTEM, alice.id)

    assert spending.orders == 3
    assert spending.spent == (Amount(amount=450, currency="USD"),)  # the 2nd is owed back
    nothing = await shop.spending.of_customer(SYSTEM, (await new_user()).id)
    assert (nothing.orders, nothing.spent) == (0, ())
    with pytest.raises(Forbidden):
        await shop.spending.of_customer(Actor.of(alice), alice.id)
