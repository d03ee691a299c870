"""Subcategories: one level under a top-level category, ordered among their siblings,
counted into their parent, listed with it, and hidden with it from customers on every path
(lists, search, cards, carts, checkout)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from bson import ObjectId

from core.accounts.access import SYSTEM, Actor
from core.accounts.models import Role
from core.base import clock
from core.base.commands import parse
from core.base.errors import InvalidInput, NotFound
from core.catalog.categories import Categories
from core.catalog.commands import (
    CategoryDraft,
    CategoryOrder,
    CategoryPatch,
    CategoryQuery,
    ProductPatch,
    ProductQuery,
)
from core.catalog.errors import CategoriesChanged, UnfitParent
from core.catalog.models import Category
from core.catalog.tree import path_names
from core.sales.commands import CartChange
from core.sales.errors import ProductUnavailable
from core.shop import Shop
from tests.core.crashes import LEASE, Killed, dying_store
from tests.factories import NewProduct, NewUser

LATER = timedelta(minutes=5)


async def _tea(shop: Shop) -> tuple[Category, Category, Category]:
    """Tea with Green and Black under it."""
    tea = await shop.categories.create(SYSTEM, CategoryDraft(name="Tea"))
    green = await shop.categories.create(SYSTEM, CategoryDraft(name="Green", parent_id=tea.id))
    black = await shop.categories.create(SYSTEM, CategoryDraft(name="Black", parent_id=tea.id))
    return tea, green, black


async def _names(shop: Shop, query: ProductQuery) -> list[str]:
    return sorted(p.name for p in (await shop.catalog.list(query)).items)


async def test_subcategories_are_listed_under_their_parent_and_counted_into_it(
    shop: Shop, new_product: NewProduct
) -> None:
    tea, green, black = await _tea(shop)
    cups = await shop.categories.create(SYSTEM, CategoryDraft(name="Cups"))
    assert (green.parent_id, green.position, black.position, cups.position) == (tea.id, 0, 1, 1)
    await new_product("Sencha", category_id=green.id)
    await new_product("Matcha", category_id=green.id)
    await new_product("Assam", category_id=black.id)
    await new_product("Sampler", category_id=tea.id)
    await new_product("Mug", category_id=cups.id)
    await new_product("Spoon")

    shelves = await shop.categories.shelves(CategoryQuery())
    assert [(s.name, s.products, s.subcategories) for s in shelves.items] == [
        ("Tea", 4, 2),
        ("Green", 2, 0),
        ("Black", 1, 0),
        ("Cups", 1, 0),
    ]
    top = await shop.categories.shelves(CategoryQuery(parent="none"))
    assert [(s.name, s.products) for s in top.items] == [("Tea", 4), ("Cups", 1)]
    under = await shop.categories.shelves(CategoryQuery(parent=str(tea.id)))
    assert [(s.name, s.products, s.parent_id) for s in under.items] == [
        ("Green", 2, tea.id),
        ("Black", 1, tea.id),
    ]
    assert (shelves.uncategorized, top.uncategorized, under.uncategorized) == (1, 1, 1)
    assert path_names(await shop.categories.all())[green.id] == "Tea / Green"

    everything = ["Assam", "Matcha", "Sampler", "Sencha"]
    assert await _names(shop, ProductQuery(category=str(tea.id))) == everything
    own = ProductQuery(category=str(tea.id), subcategories=False)
    assert await _names(shop, own) == ["Sampler"]
    assert await _names(shop, ProductQuery(category=str(green.id))) == ["Matcha", "Sencha"]
    flag = parse(ProductQuery, {"category": str(tea.id), "subcategories": "false"})
    assert await _names(shop, flag) == ["Sampler"]


async def test_subcategories_are_reordered_among_their_siblings(shop: Shop) -> None:
    tea, green, black = await _tea(shop)
    cups = await shop.categories.create(SYSTEM, CategoryDraft(name="Cups"))
    await shop.categories.reorder(SYSTEM, CategoryOrder(ids=[black.id, green.id], parent_id=tea.id))
    await shop.categories.reorder(SYSTEM, CategoryOrder(ids=[cups.id, tea.id]))
    assert [c.name for c in await shop.categories.all()] == ["Cups", "Tea", "Black", "Green"]
    with pytest.raises(CategoriesChanged):  # a top-level category among the subcategories
        await shop.categories.reorder(
            SYSTEM, CategoryOrder(ids=[black.id, green.id, cups.id], parent_id=tea.id)
        )
    with pytest.raises(CategoriesChanged):  # the top level does not hold subcategories
        await shop.categories.reorder(SYSTEM, CategoryOrder(ids=[tea.id, cups.id, green.id]))
    assert [c.name for c in await shop.categories.all()] == ["Cups", "Tea", "Black", "Green"]


async def test_only_a_top_level_category_that_is_shown_can_be_a_parent(shop: Shop) -> None:
    tea, green, _ = await _tea(shop)
    old = await shop.categories.create(SYSTEM, CategoryDraft(name="Old"))
    await shop.categories.archive(SYSTEM, old.id)
    with pytest.raises(UnfitParent):
        await shop.categories.create(SYSTEM, CategoryDraft(name="Deep", parent_id=green.id))
    with pytest.raises(UnfitParent):
        await shop.categories.create(SYSTEM, CategoryDraft(name="Late", parent_id=old.id))
    with pytest.raises(NotFound):
        await shop.categories.create(SYSTEM, CategoryDraft(name="Lost", parent_id=ObjectId()))
    with pytest.raises(InvalidInput):  # a category's parent never changes
        parse(CategoryPatch, {"parentId": str(tea.id)})
    assert await shop.store.categories.count_documents({}) == 4


async def test_renaming_and_archiving_a_subcategory_hides_only_it(
    shop: Shop, new_product: NewProduct
) -> None:
    tea, green, black = await _tea(shop)
    sencha = await new_product("Sencha", category_id=green.id)
    await new_product("Assam", category_id=black.id)
    renamed = await shop.categories.update(SYSTEM, green.id, CategoryPatch(name="Green tea"))
    assert (renamed.name, renamed.parent_id) == ("Green tea", tea.id)

    await shop.categories.archive(SYSTEM, green.id)
    with pytest.raises(NotFound):
        await shop.catalog.get(sencha.id)
    shelves = await shop.categories.shelves(CategoryQuery())
    assert [(s.name, s.products, s.subcategories) for s in shelves.items] == [
        ("Tea", 1, 1),
        ("Black", 1, 0),
    ]
    assert await _names(shop, ProductQuery(category=str(tea.id))) == ["Assam"]


async def test_archiving_a_parent_hides_its_subcategories_and_their_products_everywhere(
    shop: Shop, new_product: NewProduct, new_user: NewUser
) -> None:
    tea, green, black = await _tea(shop)
    sencha = await new_product("Sencha", category_id=green.id)
    await new_product("Assam", category_id=black.id)
    await new_product("Mug")
    user = await new_user()
    await shop.carts.add(user.id, CartChange(product_id=sencha.id, quantity=1))
    await shop.categories.archive(SYSTEM, black.id)  # archived in its own right too

    await shop.categories.archive(SYSTEM, tea.id)

    assert await shop.categories.all() == ()
    assert (await shop.categories.shelves(CategoryQuery(parent=str(tea.id)))).items == ()
    assert await _names(shop, ProductQuery()) == ["Mug"]
    assert await _names(shop, ProductQuery(q="sencha")) == []
    assert await _names(shop, ProductQuery(category=str(green.id))) == []
    with pytest.raises(NotFound):
        await shop.categories.get(green.id)
    with pytest.raises(NotFound):
        await shop.catalog.get(sencha.id)
    with pytest.raises(NotFound):
        await shop.carts.add(user.id, CartChange(product_id=sencha.id, quantity=1))
    assert not (await shop.carts.view(user.id)).can_check_out
    with pytest.raises(ProductUnavailable):
        await shop.checkout.place_order(user.id)
    staff = Actor(user.id, Role.OPERATOR)
    assert (await shop.categories.get(green.id, viewer=staff)).active
    assert (await shop.catalog.get(sencha.id, viewer=staff)).category_hidden
    moved_in = await new_product("Gyokuro", category_id=green.id)
    assert moved_in.category_hidden

    await shop.categories.update(SYSTEM, tea.id, CategoryPatch(active=True))
    assert (await shop.catalog.get(sencha.id)).on_sale
    assert (await shop.catalog.get(moved_in.id)).on_sale
    assert [c.name for c in await shop.categories.all()] == ["Tea", "Green"]  # Black stays
    assert await _names(shop, ProductQuery(category=str(tea.id))) == ["Gyokuro", "Sencha"]
    assert (await shop.carts.view(user.id)).can_check_out


async def test_an_interrupted_archive_of_a_parent_is_finished_by_recovery(
    shop: Shop, new_product: NewProduct
) -> None:
    tea, green, _ = await _tea(shop)
    sencha = await new_product("Sencha", category_id=green.id)
    # the archive's first write, as if the process died before copying it to the products
    await shop.store.categories.update_one(
        {"_id": tea.id},
        {"$set": {"active": False, "syncUntil": clock.now() + timedelta(seconds=60)}},
    )
    assert (await shop.catalog.get(sencha.id)).on_sale
    assert await shop.recover(at=clock.now() + LATER) == 1
    with pytest.raises(NotFound):
        await shop.catalog.get(sencha.id)


async def test_parent_and_subcategory_toggled_at_once_with_moves_leave_products_agreeing(
    shop: Shop, new_product: NewProduct
) -> None:
    """The parent's archive and restore race the subcategory's and products moving into
    it; at the end each product's copy agrees with both categories."""
    tea, green, _ = await _tea(shop)
    products = [await new_product(f"Tea {n}") for n in range(6)]
    for n in range(3):
        await shop.catalog.update(SYSTEM, products[n].id, ProductPatch(category_id=green.id))

    async def toggle(category: ObjectId, states: tuple[bool, ...]) -> None:
        for active in states:
            await shop.categories.update(SYSTEM, category, CategoryPatch(active=active))

    async def move(n: int) -> None:
        await shop.catalog.update(SYSTEM, products[n].id, ProductPatch(category_id=green.id))

    await asyncio.gather(
        toggle(tea.id, (False, True, False)),
        toggle(green.id, (False, True, True)),
        *(move(n) for n in range(3, 6)),
    )
    stored = await shop.store.products.find({}).to_list()
    assert {doc["categoryHidden"] for doc in stored} == {True}
    await shop.categories.update(SYSTEM, tea.id, CategoryPatch(active=True))
    stored = await shop.store.products.find({}).to_list()
    assert {doc["categoryHidden"] for doc in stored} == {False}


class _PausedCopy:
    """The products collection, running ``meanwhile`` before the first copy to products."""

    def __init__(self, products: Any, meanwhile: Callable[[], Awaitable[object]]) -> None:
        self._products = products
        self._meanwhile: Callable[[], Awaitable[object]] | None = meanwhile

    def __getattr__(self, name: str) -> Any:
        return getattr(self._products, name)

    async def update_many(self, *args: Any, **kwargs: Any) -> Any:
        if self._meanwhile is not None:
            meanwhile, self._meanwhile = self._meanwhile, None
            await meanwhile()
        return await self._products.update_many(*args, **kwargs)


async def test_a_parent_archived_while_its_subcategory_is_restored_hides_its_products(
    shop: Shop, new_product: NewProduct, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The subcategory's copy read the parent shown, then the parent's whole archive ran
    before that copy was written: the copy must notice and write again."""
    tea, green, _ = await _tea(shop)
    sencha = await new_product("Sencha", category_id=green.id)
    await shop.categories.archive(SYSTEM, green.id)
    products = shop.store.products
    paused = _PausedCopy(products, lambda: shop.categories.archive(SYSTEM, tea.id))
    monkeypatch.setattr(shop.categories, "_products", paused)

    await shop.categories.update(SYSTEM, green.id, CategoryPatch(active=True))

    stored = await products.find_one({"_id": sencha.id})
    assert stored is not None and stored["categoryHidden"] is True
    with pytest.raises(NotFound):
        await shop.catalog.get(sencha.id)


async def test_categories_stored_before_subcategories_are_top_level(shop: Shop) -> None:
    """Documents without ``parentId`` (made before it existed) are top-level categories:
    listed, reordered and given subcategories like new ones."""
    now = clock.now()
    old = {"position": 0, "active": True, "version": 0, "createdAt": now, "updatedAt": now}
    first, second = ObjectId(), ObjectId()
    await shop.store.categories.insert_many(
        [{"_id": first, "name": "Tea", **old}, {"_id": second, "name": "Cups", **old}]
    )
    green = await shop.categories.create(SYSTEM, CategoryDraft(name="Green", parent_id=first))
    await shop.categories.reorder(SYSTEM, CategoryOrder(ids=[second, first]))
    assert [(c.name, c.parent_id) for c in await shop.categories.all()] == [
        ("Cups", None),
        ("Tea", None),
        ("Green", first),
    ]
    top = await shop.categories.shelves(CategoryQuery(parent="none"))
    assert [(s.name, s.subcategories) for s in top.items] == [("Cups", 0), ("Tea", 1)]
    assert green.position == 0


async def test_a_parent_archive_killed_at_any_write_is_finished_by_recovery(
    shop: Shop, new_product: NewProduct
) -> None:
    """Killed before each of its writes in turn (the parent's, each copy to products, the
    end of its lease), the archive of a parent is finished by recovery: every product of
    the parent and of its subcategories is hidden, the others are not touched."""
    tea, green, black = await _tea(shop)
    placed = [
        await new_product(name, category_id=category.id)
        for name, category in (("Sampler", tea), ("Sencha", green), ("Assam", black))
    ]
    mug = await new_product("Mug")
    writes, kills = 0, 0
    while True:
        await shop.categories.update(SYSTEM, tea.id, CategoryPatch(active=True))
        dying = Categories(dying_store(shop.store, writes, bulk=True), LEASE)
        try:
            await dying.archive(SYSTEM, tea.id)
        except Killed:
            kills += 1
            await shop.recover(clock.now() + LATER)
        else:
            break
        stored = {p["_id"]: p["categoryHidden"] for p in await shop.store.products.find().to_list()}
        parent_archived = not (await shop.categories.get(tea.id, viewer=SYSTEM)).active
        assert [stored[p.id] for p in placed] == [parent_archived] * 3, writes
        assert stored[mug.id] is False
        writes += 1
    assert kills == 5  # the parent, three copies, the end of its lease
    for product in placed:
        with pytest.raises(NotFound):
            await shop.catalog.get(product.id)
