"""Categories: shelves in the staff's order; archiving one hides its products from customers
(lists, cards, carts, checkout) and never touches orders."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from bson import ObjectId

from core.accounts.access import SYSTEM, Actor
from core.accounts.models import Role
from core.base import clock
from core.base.commands import parse
from core.base.errors import Forbidden, InvalidInput, NotFound
from core.catalog.commands import (
    MAX_CATEGORIES,
    CategoryDraft,
    CategoryOrder,
    CategoryPatch,
    CategoryQuery,
    ProductPatch,
    ProductQuery,
)
from core.catalog.errors import CategoriesChanged, TooManyCategories
from core.sales.commands import CartChange
from core.sales.errors import ProductUnavailable
from core.shop import Shop
from tests.factories import NewProduct, NewUser

LATER = timedelta(minutes=5)


async def test_categories_are_listed_in_position_order_with_products_on_sale(
    shop: Shop, new_product: NewProduct
) -> None:
    teas = await shop.categories.create(SYSTEM, CategoryDraft(name="Teas"))
    cups = await shop.categories.create(SYSTEM, CategoryDraft(name="Cups", description="Mugs"))
    assert (teas.position, cups.position) == (0, 1)
    await new_product("Green", category_id=teas.id)
    await new_product("Black", category_id=teas.id)
    await new_product("Old", category_id=teas.id, active=False)
    await new_product("Spoon")

    shelves = await shop.categories.shelves(CategoryQuery())
    assert [(s.name, s.products) for s in shelves.items] == [("Teas", 2), ("Cups", 0)]
    assert shelves.uncategorized == 1

    await shop.categories.reorder(SYSTEM, CategoryOrder(ids=[cups.id, teas.id]))
    assert [c.name for c in await shop.categories.all()] == ["Cups", "Teas"]
    in_teas = await shop.catalog.list(ProductQuery(category=str(teas.id), sort="name"))
    assert [p.name for p in in_teas.items] == ["Black", "Green"]
    loose = await shop.catalog.list(ProductQuery(category="none"))
    assert [p.name for p in loose.items] == ["Spoon"]


async def test_only_admins_change_categories(shop: Shop, new_user: NewUser) -> None:
    operator = Actor((await new_user()).id, Role.OPERATOR)
    with pytest.raises(Forbidden):
        await shop.categories.create(operator, CategoryDraft(name="Teas"))
    teas = await shop.categories.create(SYSTEM, CategoryDraft(name="Teas"))
    with pytest.raises(Forbidden):
        await shop.categories.archive(operator, teas.id)
    with pytest.raises(Forbidden):
        await shop.categories.reorder(operator, CategoryOrder(ids=[teas.id]))


async def test_a_reorder_must_name_every_category_once(shop: Shop) -> None:
    teas = await shop.categories.create(SYSTEM, CategoryDraft(name="Teas"))
    cups = await shop.categories.create(SYSTEM, CategoryDraft(name="Cups"))
    with pytest.raises(CategoriesChanged):
        await shop.categories.reorder(SYSTEM, CategoryOrder(ids=[teas.id]))
    with pytest.raises(InvalidInput):
        parse(CategoryOrder, {"ids": [str(teas.id), str(teas.id)]})
    with pytest.raises(CategoriesChanged):
        await shop.categories.reorder(SYSTEM, CategoryOrder(ids=[teas.id, cups.id, ObjectId()]))
    assert [c.name for c in await shop.categories.all()] == ["Teas", "Cups"]


async def test_archiving_hides_the_category_and_its_products_but_not_orders(
    shop: Shop, new_product: NewProduct, new_user: NewUser
) -> None:
    teas = await shop.categories.create(SYSTEM, CategoryDraft(name="Teas"))
    green = await new_product("Green", category_id=teas.id)
    spoon = await new_product("Spoon")
    user = await new_user()
    await shop.carts.add(user.id, CartChange(product_id=green.id, quantity=1))
    order = await shop.checkout.place_order(user.id)
    await shop.carts.add(user.id, CartChange(product_id=green.id, quantity=1))

    archived = await shop.categories.archive(SYSTEM, teas.id)

    assert not archived.active
    assert [c.name for c in await shop.categories.all()] == []
    assert [p.name for p in (await shop.catalog.list(ProductQuery())).items] == ["Spoon"]
    with pytest.raises(NotFound):
        await shop.catalog.get(green.id)
    with pytest.raises(NotFound):
        await shop.categories.get(teas.id)
    staff = Actor(user.id, Role.OPERATOR)
    assert (await shop.categories.get(teas.id, viewer=staff)).name == "Teas"
    assert (await shop.catalog.get(green.id, viewer=staff)).category_hidden
    assert not (await shop.carts.view(user.id)).can_check_out
    with pytest.raises(ProductUnavailable):
        await shop.checkout.place_order(user.id)
    with pytest.raises(NotFound):
        await shop.carts.add(user.id, CartChange(product_id=green.id, quantity=1))
    assert (await shop.orders.get_own(user.id, order.id)) == order
    assert (await shop.catalog.get(spoon.id)).on_sale

    await shop.categories.update(SYSTEM, teas.id, CategoryPatch(active=True))
    assert (await shop.catalog.get(green.id)).on_sale
    assert (await shop.carts.view(user.id)).can_check_out


async def test_a_product_moved_into_an_archived_category_is_hidden_and_out_again_shown(
    shop: Shop, new_product: NewProduct
) -> None:
    old = await shop.categories.create(SYSTEM, CategoryDraft(name="Old"))
    await shop.categories.archive(SYSTEM, old.id)
    tea = await new_product("Tea")
    moved = await shop.catalog.update(SYSTEM, tea.id, ProductPatch(category_id=old.id))
    assert (moved.category_id, moved.category_hidden) == (old.id, True)
    created = await new_product("Mug", category_id=old.id)
    assert created.category_hidden
    out = await shop.catalog.update(SYSTEM, tea.id, parse(ProductPatch, {"categoryId": None}))
    assert (out.category_id, out.on_sale) == (None, True)
    with pytest.raises(NotFound):
        await shop.catalog.update(SYSTEM, tea.id, ProductPatch(category_id=ObjectId()))


async def test_archive_and_restore_racing_moves_leave_every_product_agreeing(
    shop: Shop, new_product: NewProduct
) -> None:
    teas = await shop.categories.create(SYSTEM, CategoryDraft(name="Teas"))
    products = [await new_product(f"Tea {n}") for n in range(8)]

    async def toggle() -> None:
        for active in (False, True, False):
            await shop.categories.update(SYSTEM, teas.id, CategoryPatch(active=active))

    async def move(n: int) -> None:
        await shop.catalog.update(SYSTEM, products[n].id, ProductPatch(category_id=teas.id))

    await asyncio.gather(toggle(), *(move(n) for n in range(len(products))))
    stored = await shop.store.products.find({}).to_list()
    assert {doc["categoryHidden"] for doc in stored} == {True}


async def test_an_interrupted_archive_is_finished_by_recovery(
    shop: Shop, new_product: NewProduct
) -> None:
    teas = await shop.categories.create(SYSTEM, CategoryDraft(name="Teas"))
    green = await new_product("Green", category_id=teas.id)
    # the archive's first write, as if the process died before copying it to the products
    await shop.store.categories.update_one(
        {"_id": teas.id},
        {"$set": {"active": False, "syncUntil": clock.now() + timedelta(seconds=60)}},
    )
    assert await shop.recover() == 0  # the archive may still be going on
    assert await shop.recover(at=clock.now() + LATER) == 1
    with pytest.raises(NotFound):
        await shop.catalog.get(green.id)
    assert await shop.recover(at=clock.now() + LATER) == 0


@pytest.mark.parametrize(
    "body",
    [{"name": ""}, {"name": "x" * 101}, {"name": "Teas", "position": -1}, {"name": "T", "x": 1}],
)
async def test_invalid_categories_write_nothing(shop: Shop, body: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        await shop.categories.create(SYSTEM, parse(CategoryDraft, body))
    assert await shop.store.categories.count_documents({}) == 0


async def test_a_shop_has_a_bounded_number_of_categories(shop: Shop) -> None:
    await shop.store.categories.insert_many(
        [{"name": f"C{n}", "position": n, "active": True} for n in range(MAX_CATEGORIES)]
    )
    with pytest.raises(TooManyCategories):
        await shop.categories.create(SYSTEM, CategoryDraft(name="One more"))
