"""Staff's order search: by payment state, delivery method and words (number, customer's
name or email, recipient's name or phone), oldest or newest first."""

from __future__ import annotations

from typing import Any

import pytest

from core.accounts.access import SYSTEM
from core.base.commands import parse
from core.sales.commands import CartChange, DeliveryDetails, OrderQuery, StatusUpdate
from core.sales.models import Order
from core.shop import Shop
from tests.factories import NewProduct, NewUser
from tests.settings import DELIVERY_METHODS


@pytest.fixture
def core_overrides() -> dict[str, Any]:
    return {"delivery_methods": DELIVERY_METHODS}


@pytest.fixture
async def orders(shop: Shop, new_user: NewUser, new_product: NewProduct) -> list[Order]:
    tea = await new_product(stock=100)
    placed = []
    people = [
        ("Alice Archer", "alice@example.com", "pickup", "+44 20 7946 0958", "Alice Archer"),
        ("Bob Baker", "bob@example.com", "courier", "+44 20 7946 1111", "Carol Cook"),
    ]
    for name, email, method, phone, recipient in people:
        user = await new_user(name=name, email=email)
        await shop.carts.add(user.id, CartChange(product_id=tea.id, quantity=1))
        details = {"method": method, "phone": phone, "recipientName": recipient}
        if method == "courier":
            details["address"] = "1 High St"
        delivery = parse(DeliveryDetails, details)
        placed.append(await shop.checkout.place_order(user.id, delivery=delivery))
    placed[1] = await shop.orders.change_status(SYSTEM, placed[1].id, StatusUpdate(status="paid"))
    return placed


async def _numbers(shop: Shop, **query: object) -> list[int]:
    page = await shop.orders.search(SYSTEM, parse(OrderQuery, query))
    return [order.number for order in page.items]


async def test_orders_found_by_payment_state_and_delivery_method(
    shop: Shop, orders: list[Order]
) -> None:
    alice, bob = (order.number for order in orders)
    assert await _numbers(shop, paymentState="paid") == [bob]
    assert await _numbers(shop, paymentState="unpaid") == [alice]
    assert await _numbers(shop, deliveryMethod="pickup") == [alice]
    assert await _numbers(shop, deliveryMethod="courier", paymentState="unpaid") == []


@pytest.mark.parametrize(
    ("words", "who"),
    [
        ("ALICE", "alice"),  # customer's name, any case
        ("bob@example", "bob"),  # customer's email
        ("carol", "bob"),  # the recipient of Bob's order
        ("7946 1111", "bob"),  # the recipient's phone, as people write it
        ("nobody", None),
        (".*", None),  # words, never a pattern
    ],
)
async def test_orders_found_by_words(
    shop: Shop, orders: list[Order], words: str, who: str | None
) -> None:
    expected = {"alice": [orders[0].number], "bob": [orders[1].number], None: []}[who]
    assert await _numbers(shop, q=words) == expected


async def test_orders_found_by_number_and_sorted_by_date(shop: Shop, orders: list[Order]) -> None:
    alice, bob = (order.number for order in orders)
    assert await _numbers(shop, q=f"#{bob}") == [bob]
    assert await _numbers(shop, q=str(alice)) == [alice]
    assert await _numbers(shop) == [bob, alice]
    assert await _numbers(shop, sort="oldest") == [alice, bob]
