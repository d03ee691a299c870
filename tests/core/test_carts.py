"""Carts: lines grow, change and disappear; the view joins current product data."""

import asyncio
from typing import Any

import pytest
from bson import ObjectId

from core.accounts.access import SYSTEM
from core.base.commands import parse
from core.base.errors import InvalidInput, NotFound
from core.catalog.commands import ProductPatch
from core.sales.commands import CartChange, CartRemoval
from core.sales.errors import OutOfStock
from core.shop import Shop
from tests.factories import NewProduct, NewUser


async def test_adding_twice_grows_one_line(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    user = await new_user()
    tea = await new_product(price=450, stock=10)
    await shop.carts.add(user.id, CartChange(product_id=tea.id, quantity=2))
    view = await shop.carts.add(user.id, CartChange(product_id=tea.id, quantity=3))
    assert [(i.name, i.quantity, i.line_total) for i in view.items] == [("Tea", 5, 2250)]
    assert view.total_amount == 2250
    assert view.can_check_out


async def test_concurrent_adds_all_count(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    user = await new_user()
    tea = await new_product(stock=100)
    await asyncio.gather(
        *(shop.carts.add(user.id, CartChange(product_id=tea.id, quantity=1)) for _ in range(20))
    )
    assert (await shop.carts.get(user.id)).products[0].quantity == 20


async def test_set_remove_and_clear(shop: Shop, new_user: NewUser, new_product: NewProduct) -> None:
    user = await new_user()
    tea, cake = await new_product(name="Tea"), await new_product(name="Cake", price=300)
    await shop.carts.add(user.id, CartChange(product_id=tea.id))
    await shop.carts.add(user.id, CartChange(product_id=cake.id))
    view = await shop.carts.set_quantity(user.id, CartChange(product_id=cake.id, quantity=4))
    assert [(i.name, i.quantity) for i in view.items] == [("Tea", 1), ("Cake", 4)]
    view = await shop.carts.remove(user.id, CartRemoval(product_id=tea.id))
    assert [i.name for i in view.items] == ["Cake"]
    with pytest.raises(NotFound):
        await shop.carts.remove(user.id, CartRemoval(product_id=tea.id))
    assert (await shop.carts.clear(user.id)).is_empty


async def test_view_shows_current_price_and_availability(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    user = await new_user()
    tea = await new_product(price=450, stock=5)
    await shop.carts.add(user.id, CartChange(product_id=tea.id, quantity=4))
    await shop.catalog.update(SYSTEM, tea.id, ProductPatch(price=500, stock=3))
    view = await shop.carts.view(user.id)
    item = view.items[0]
    assert (item.unit_price, item.line_total, item.available) == (500, 2000, False)
    assert not view.can_check_out


async def test_cannot_add_archived_missing_or_more_than_stock(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    user = await new_user()
    tea = await new_product(stock=2)
    with pytest.raises(OutOfStock):
        await shop.carts.add(user.id, CartChange(product_id=tea.id, quantity=3))
    await shop.catalog.archive(SYSTEM, tea.id)
    with pytest.raises(NotFound):
        await shop.carts.add(user.id, CartChange(product_id=tea.id))
    with pytest.raises(NotFound):
        await shop.carts.add(user.id, CartChange(product_id=ObjectId()))
    assert (await shop.carts.get(user.id)).products == ()


@pytest.mark.parametrize(
    "body",
    [
        {"productId": "nope", "quantity": 1},
        {"productId": {"$ne": None}, "quantity": 1},
        {"productId": "0" * 24, "quantity": 0},
        {"productId": "0" * 24, "quantity": -5},
        {"productId": "0" * 24, "quantity": 10**6},
        {"productId": "0" * 24, "quantity": 1.5},
        {"productId": "0" * 24, "quantity": True},
        {"productId": "0" * 24, "quantity": 1, "userId": "0" * 24},
    ],
)
async def test_bad_cart_input_is_refused(shop: Shop, body: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        parse(CartChange, body)
    assert await shop.store.carts.count_documents({}) == 0
