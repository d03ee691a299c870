"""Products: admin edits, customer browsing, validation."""

from typing import Any

import pytest
from bson import ObjectId

from core.accounts.access import SYSTEM, Actor
from core.accounts.models import Role
from core.base.commands import parse
from core.base.errors import Forbidden, InvalidInput, NotFound, VersionConflict
from core.catalog.commands import MAX_STOCK, ProductDraft, ProductPatch, ProductQuery
from core.catalog.errors import StockOutOfRange
from core.shop import Shop
from tests.factories import NewProduct, NewUser


async def test_only_admins_create_products(shop: Shop, new_user: NewUser) -> None:
    user = await new_user()
    operator = Actor(user.id, Role.OPERATOR)
    with pytest.raises(Forbidden):
        await shop.catalog.create(operator, ProductDraft(name="Tea", price=100))
    product = await shop.catalog.create(SYSTEM, ProductDraft(name=" Tea ", price=100, stock=3))
    assert (product.name, product.price, product.currency, product.stock) == ("Tea", 100, "USD", 3)
    assert product.active


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Tea", "price": -1},
        {"name": "Tea", "price": 1.5},
        {"name": "Tea", "price": "100"},
        {"name": "Tea", "price": 100, "stock": -3},
        {"name": "Tea", "price": 100, "stock": 10**9},
        {"name": "", "price": 100},
        {"name": "x" * 201, "price": 100},
        {"name": {"$gt": ""}, "price": 100},
        {"name": "Tea", "price": 100, "currency": "usd"},
        {"name": "Tea", "price": 100, "version": 7},
    ],
)
async def test_invalid_products_write_nothing(shop: Shop, body: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        await shop.catalog.create(SYSTEM, parse(ProductDraft, body))
    assert await shop.store.products.count_documents({}) == 0


async def test_foreign_currency_is_refused(shop: Shop) -> None:
    with pytest.raises(InvalidInput):
        await shop.catalog.create(SYSTEM, ProductDraft(name="Tea", price=1, currency="EUR"))


async def test_stock_delta_stays_between_zero_and_the_most_stock_may_be(
    shop: Shop, new_product: NewProduct
) -> None:
    product = await new_product(stock=2)
    with pytest.raises(StockOutOfRange, match="below zero"):
        await shop.catalog.update(SYSTEM, product.id, ProductPatch(stock_delta=-3))
    updated = await shop.catalog.update(SYSTEM, product.id, ProductPatch(stock_delta=5))
    assert (updated.stock, updated.version) == (7, 1)
    with pytest.raises(StockOutOfRange, match=f"above {MAX_STOCK}"):
        await shop.catalog.update(SYSTEM, product.id, ProductPatch(stock_delta=MAX_STOCK - 6))
    full = await shop.catalog.update(SYSTEM, product.id, ProductPatch(stock_delta=MAX_STOCK - 7))
    assert (full.stock, full.version) == (MAX_STOCK, 2)
    assert (await shop.catalog.get(product.id)).stock == MAX_STOCK
    with pytest.raises(InvalidInput):
        parse(ProductPatch, {"stock": 1, "stockDelta": 1})


async def test_stale_version_is_a_conflict(shop: Shop, new_product: NewProduct) -> None:
    product = await new_product()
    await shop.catalog.update(SYSTEM, product.id, ProductPatch(price=500, expected_version=0))
    with pytest.raises(VersionConflict):
        await shop.catalog.update(SYSTEM, product.id, ProductPatch(price=600, expected_version=0))
    assert (await shop.catalog.get(product.id)).price == 500


async def test_archived_products_are_hidden_from_customers(
    shop: Shop, new_product: NewProduct
) -> None:
    product = await new_product()
    await shop.catalog.archive(SYSTEM, product.id)
    with pytest.raises(NotFound):
        await shop.catalog.get(product.id)
    assert (await shop.catalog.list(ProductQuery())).total == 0
    operator = Actor(ObjectId(), Role.OPERATOR)
    customer = Actor(ObjectId(), Role.USER)
    everything = ProductQuery(include_inactive=True)
    staff_view = await shop.catalog.list(everything, viewer=operator)
    assert [p.id for p in staff_view.items] == [product.id]
    assert (await shop.catalog.get(product.id, viewer=operator)).id == product.id
    for viewer in (customer, None):
        assert (await shop.catalog.list(everything, viewer=viewer)).total == 0
        with pytest.raises(NotFound):
            await shop.catalog.get(product.id, viewer=viewer)


async def test_listing_pages_searches_and_sorts(shop: Shop, new_product: NewProduct) -> None:
    for index, price in enumerate([300, 100, 200]):
        await new_product(name=f"Green tea {index}", price=price)
    await new_product(name="Coffee (dark)", price=50)

    first = await shop.catalog.list(ProductQuery(limit=2, sort="price"))
    assert [p.price for p in first.items] == [50, 100]
    assert (first.total, first.pages) == (4, 2)
    second = await shop.catalog.list(ProductQuery(limit=2, page=2, sort="price"))
    assert [p.price for p in second.items] == [200, 300]

    teas = await shop.catalog.list(ProductQuery(q="GREEN", sort="-price"))
    assert [p.price for p in teas.items] == [300, 200, 100]
    # Search text is literal, never a pattern.
    assert (await shop.catalog.list(ProductQuery(q="(dark)"))).total == 1
    assert (await shop.catalog.list(ProductQuery(q=".*"))).total == 0


async def test_page_size_is_capped(shop: Shop) -> None:
    with pytest.raises(InvalidInput):
        parse(ProductQuery, {"limit": 1000})
    with pytest.raises(InvalidInput):
        await shop.catalog.get("not-an-id")
