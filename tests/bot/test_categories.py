"""Browsing by category in the bot: categories with counts, a category's pages, back to the
categories; search across all; archived categories gone; forged buttons refused."""

from __future__ import annotations

from bot.callbacks import CatalogPage
from core.accounts.access import SYSTEM
from core.catalog.commands import CategoryDraft
from core.shop import Shop
from tests.bot.chat import Customer, tap
from tests.factories import NewProduct


async def test_browsing_categories_edits_one_message_in_place(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    teas = await shop.categories.create(SYSTEM, CategoryDraft(name="Teas", description="Loose"))
    await shop.categories.create(SYSTEM, CategoryDraft(name="Cups"))
    for name in ("Green", "Black", "White", "Oolong"):
        await new_product(name, stock=9, category_id=teas.id)
    await new_product("Spoon", price=100)
    alice, _ = await customer("Alice")

    shelves = await alice.send("/catalog")
    assert shelves is not None and "Pick a category" in (shelves.text or "")
    assert [row[0].text for row in shelves.buttons[:3]] == ["Teas (4)", "Cups (0)", "Other (1)"]

    first = await tap(alice, "Teas (4)")
    assert first.message_id == shelves.message_id
    assert (first.text or "").startswith("Teas (page 1 of 2)\nLoose")
    second = await tap(alice, "▶")
    assert [b.text for b in second.buttons[0]] == ["Green · $4.50 · in stock"]
    card = await tap(alice, "Green · $4.50 · in stock")
    assert "Green" in (card.text or "") and card.message_id == shelves.message_id
    back = await tap(alice, "« Back")
    assert (back.text or "").startswith("Teas (page 2 of 2)")
    again = await tap(alice, "« Categories")
    assert [row[0].text for row in again.buttons[:3]] == ["Teas (4)", "Cups (0)", "Other (1)"]
    empty = await tap(alice, "Cups (0)")
    assert "Nothing here for now" in (empty.text or "")
    assert len([m for m in alice.messages if m.from_bot]) == 1  # the rest were edits

    found = await alice.send("O")  # search covers every category
    assert found is not None and "Search: O (page 1 of 1)" in (found.text or "")
    names = [row[0].text.split(" · ")[0] for row in found.buttons[:-1]]
    assert sorted(names) == ["Oolong", "Spoon"]


async def test_archived_categories_and_their_products_are_gone_for_customers(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    teas = await shop.categories.create(SYSTEM, CategoryDraft(name="Teas"))
    cups = await shop.categories.create(SYSTEM, CategoryDraft(name="Cups"))
    await new_product("Green", category_id=teas.id)
    await new_product("Mug", category_id=cups.id)
    alice, _ = await customer("Alice")
    await alice.send("/catalog")

    await shop.categories.archive(SYSTEM, teas.id)

    stale = await alice.press("Teas (1)")
    assert stale.show_alert and stale.text == "No such category."
    shelves = await alice.send("/catalog")
    assert shelves is not None
    assert [row[0].text for row in shelves.buttons[:-1]] == ["Cups (1)"]
    nothing = await alice.send("green")
    assert nothing is not None and "Nothing matches" in (nothing.text or "")
    forged = await alice.send_callback(CatalogPage(page=1, category="x" * 24).pack())
    assert forged.show_alert


async def test_a_shop_with_no_categories_lists_its_products_at_once(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    await new_product("Tea")
    alice, _ = await customer("Alice")
    catalog = await alice.send("/catalog")
    assert catalog is not None and (catalog.text or "").startswith("Catalog (page 1 of 1)")
    assert catalog.buttons[0][0].text == "Tea · $4.50 · in stock"
