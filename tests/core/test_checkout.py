"""Checkout: no oversell, one order per key, current prices, clear refusals."""

import asyncio
import dataclasses
from typing import Any

import pytest

from core.accounts.access import SYSTEM
from core.accounts.models import User
from core.base.commands import HistoryQuery
from core.base.errors import NotFound
from core.catalog.commands import ProductPatch
from core.sales.commands import CartChange
from core.sales.errors import (
    CartChanged,
    CheckoutInProgress,
    EmptyCart,
    OutOfStock,
    ProductUnavailable,
)
from core.sales.models import Order, OrderStatus
from core.shop import Shop
from tests.core.crashes import checkout_on
from tests.factories import NewProduct, NewUser


async def test_checkout_creates_a_pending_order_and_clears_the_cart(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    user = await new_user()
    tea, cake = await new_product(price=450, stock=10), await new_product(name="Cake", price=300)
    await shop.carts.add(user.id, CartChange(product_id=tea.id, quantity=2))
    await shop.carts.add(user.id, CartChange(product_id=cake.id, quantity=1))

    order = await shop.checkout.place_order(user.id)

    assert order.status is OrderStatus.PENDING
    assert order.total_amount == 2 * 450 + 300
    assert [(line.name, line.quantity, line.unit_price) for line in order.products] == [
        ("Tea", 2, 450),
        ("Cake", 1, 300),
    ]
    assert order.history[0].to_status is OrderStatus.PENDING
    assert (await shop.carts.view(user.id)).is_empty
    assert (await shop.catalog.get(tea.id)).stock == 8
    stored = await shop.store.orders.find_one({"_id": order.id})
    assert stored is not None and "journal" not in stored
    marks = await shop.store.products.find_one({"_id": tea.id})
    assert marks is not None and marks["reservedBy"] == []
    assert (await shop.orders.history(user.id, HistoryQuery())).items == (order,)


async def test_fifty_buyers_for_ten_items(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    tea = await new_product(stock=10)
    buyers = [await new_user(name=f"Buyer {index}") for index in range(50)]
    for buyer in buyers:
        await shop.carts.add(buyer.id, CartChange(product_id=tea.id, quantity=1))

    results = await asyncio.gather(
        *(shop.checkout.place_order(buyer.id) for buyer in buyers), return_exceptions=True
    )

    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if not isinstance(r, Order)]
    assert len(placed) == 10
    assert len(refused) == 40 and all(isinstance(r, OutOfStock) for r in refused)
    assert all("Tea" in str(r) for r in refused)
    assert (await shop.catalog.get(tea.id)).stock == 0
    assert await shop.store.orders.count_documents({}) == 10
    for buyer, result in zip(buyers, results, strict=True):
        cart = await shop.carts.get(buyer.id)
        assert len(cart.products) == (0 if isinstance(result, Order) else 1)


async def _cart_with(shop: Shop, user: User, product_id: object, quantity: int = 1) -> None:
    await shop.carts.add(
        user.id, CartChange.model_validate({"productId": product_id, "quantity": quantity})
    )


async def test_same_key_twice_makes_one_order(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    user = await new_user()
    tea = await new_product(stock=10)
    await _cart_with(shop, user, tea.id, 2)

    first = await shop.checkout.place_order(user.id, "tap-1")
    again = await shop.checkout.place_order(user.id, "tap-1")

    assert first == again
    assert await shop.store.orders.count_documents({}) == 1
    assert (await shop.catalog.get(tea.id)).stock == 8


async def test_concurrent_double_tap_makes_one_order(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    user = await new_user()
    tea = await new_product(stock=10)
    await _cart_with(shop, user, tea.id, 1)

    results = await asyncio.gather(*(shop.checkout.place_order(user.id, "tap") for _ in range(5)))

    assert len({order.id for order in results}) == 1
    assert await shop.store.orders.count_documents({}) == 1
    assert (await shop.catalog.get(tea.id)).stock == 9


class LateLookup:
    """The orders as a tap sees them whose look for its key was read before another tap's
    order landed, and answered only after that tap had finished."""

    def __init__(self, inner: Any, other_done: asyncio.Event) -> None:
        self._inner = inner
        self._other_done = other_done
        self._looked = False
        self.read = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def find_one(self, query: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        found = await self._inner.find_one(query, *args, **kwargs)
        if "idempotencyKey" in query and not self._looked:
            self._looked = True
            self.read.set()
            await self._other_done.wait()
        return found


async def test_a_tap_that_missed_the_first_taps_order_gets_that_order(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    user = await new_user()
    tea = await new_product(stock=10)
    await _cart_with(shop, user, tea.id, 1)
    first_done = asyncio.Event()
    orders = LateLookup(shop.store.orders, first_done)
    late = dataclasses.replace(shop.store, orders=orders)  # type: ignore[arg-type]

    second = asyncio.create_task(checkout_on(shop, late).place_order(user.id, "tap"))
    await orders.read.wait()  # the second tap looked for its key: nothing yet
    first = await shop.checkout.place_order(user.id, "tap")
    first_done.set()

    assert (await second).id == first.id  # not "your cart is empty"
    assert await shop.store.orders.count_documents({}) == 1
    assert (await shop.catalog.get(tea.id)).stock == 9


async def test_one_cart_makes_one_order_whatever_keys_the_callers_send(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    user = await new_user()
    tea = await new_product(stock=100)
    await _cart_with(shop, user, tea.id, 1)
    version = (await shop.carts.get(user.id)).version
    attempts = [
        *(shop.checkout.place_order(user.id) for _ in range(10)),
        *(shop.checkout.place_order(user.id, f"key-{n}") for n in range(10)),
        *(shop.checkout.place_order(user.id, "shared") for _ in range(5)),
        *(shop.checkout.place_order(user.id, f"v-{n}", cart_version=version) for n in range(5)),
    ]

    results = await asyncio.gather(*attempts, return_exceptions=True)

    orders = {r.id for r in results if isinstance(r, Order)}
    refusals = [r for r in results if not isinstance(r, Order)]
    assert len(orders) == 1
    assert refusals and all(
        isinstance(r, EmptyCart | CartChanged | CheckoutInProgress) for r in refusals
    ), refusals
    assert await shop.store.orders.count_documents({}) == 1
    assert (await shop.catalog.get(tea.id)).stock == 99
    cart = await shop.carts.get(user.id)
    assert (cart.products, cart.checkout) == ((), None)


async def test_a_different_key_is_a_new_checkout(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    user = await new_user()
    tea = await new_product(stock=10)
    await _cart_with(shop, user, tea.id)
    await shop.checkout.place_order(user.id, "a")
    with pytest.raises(EmptyCart):
        await shop.checkout.place_order(user.id, "b")


async def test_the_order_uses_the_price_at_checkout(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    user = await new_user()
    tea = await new_product(price=450)
    await _cart_with(shop, user, tea.id, 2)
    await shop.catalog.update(SYSTEM, tea.id, ProductPatch(price=520))

    order = await shop.checkout.place_order(user.id)

    assert (order.products[0].unit_price, order.total_amount) == (520, 1040)


async def test_archived_product_blocks_checkout_and_writes_nothing(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    user = await new_user()
    tea, cake = await new_product(stock=5), await new_product(name="Cake", stock=5)
    await _cart_with(shop, user, tea.id)
    await _cart_with(shop, user, cake.id)
    await shop.catalog.archive(SYSTEM, cake.id)

    with pytest.raises(ProductUnavailable) as refused:
        await shop.checkout.place_order(user.id)

    assert "Cake" in refused.value.message
    assert await shop.store.orders.count_documents({}) == 0
    assert (await shop.catalog.get(tea.id)).stock == 5
    assert len((await shop.carts.get(user.id)).products) == 2


async def test_empty_cart_is_refused(shop: Shop, new_user: NewUser) -> None:
    user = await new_user()
    with pytest.raises(EmptyCart):
        await shop.checkout.place_order(user.id)
    assert await shop.store.orders.count_documents({}) == 0


async def test_history_is_own_newest_first_and_paginated(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    alice, bob = await new_user(), await new_user(name="Bob")
    tea = await new_product(stock=50)
    placed = []
    for _ in range(3):
        await _cart_with(shop, alice, tea.id)
        placed.append(await shop.checkout.place_order(alice.id))
    await _cart_with(shop, bob, tea.id)
    bobs = await shop.checkout.place_order(bob.id)

    page = await shop.orders.history(alice.id, HistoryQuery(limit=2))
    assert [o.id for o in page.items] == [placed[2].id, placed[1].id]
    assert page.total == 3
    assert [o.number for o in placed] == sorted(o.number for o in placed)
    assert (await shop.orders.get_own(alice.id, placed[0].id)).id == placed[0].id
    with pytest.raises(NotFound):
        await shop.orders.get_own(alice.id, bobs.id)


async def test_a_reviewed_cart_that_changed_is_not_ordered(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    user = await new_user()
    tea = await new_product(stock=10)
    await _cart_with(shop, user, tea.id)
    reviewed = (await shop.carts.get(user.id)).version
    await _cart_with(shop, user, tea.id)  # changed in another tab

    with pytest.raises(CartChanged):
        await shop.checkout.place_order(user.id, "summary-1", cart_version=reviewed)
    assert await shop.store.orders.count_documents({}) == 0

    current = (await shop.carts.get(user.id)).version
    order = await shop.checkout.place_order(user.id, "summary-2", cart_version=current)
    # A replay of a used key returns its order even though the cart has changed since.
    replay = await shop.checkout.place_order(user.id, "summary-2", cart_version=current)
    assert replay.id == order.id and order.products[0].quantity == 2
