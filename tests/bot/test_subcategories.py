"""Subcategories in the bot: a parent shows its subcategories with counts before its own
products, each goes back one level; an archived parent takes its subcategories and their
products away from customers, also through old buttons, search and cards."""

from __future__ import annotations

from bot.callbacks import CatalogPage, ProductCard
from core.accounts.access import SYSTEM
from core.catalog.commands import CategoryDraft
from core.shop import Shop
from tests.bot.chat import Customer, tap
from tests.factories import NewProduct


async def test_a_parent_shows_its_subcategories_then_its_products_and_back_goes_up(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea = await shop.categories.create(SYSTEM, CategoryDraft(name="Tea"))
    green = await shop.categories.create(SYSTEM, CategoryDraft(name="Green", parent_id=tea.id))
    await shop.categories.create(SYSTEM, CategoryDraft(name="Black", parent_id=tea.id))
    await shop.categories.create(SYSTEM, CategoryDraft(name="Cups"))
    await new_product("Sencha", category_id=green.id)
    await new_product("Matcha", category_id=green.id)
    await new_product("Sampler", category_id=tea.id)
    alice, _ = await customer("Alice")

    shelves = await alice.send("/catalog")
    assert shelves is not None
    assert [row[0].text for row in shelves.buttons[:-1]] == ["Tea (3)", "Cups (0)"]

    parent = await tap(alice, "Tea (3)")
    assert (parent.text or "").startswith("Tea (page 1 of 1)\nPick a subcategory or a product:")
    assert [row[0].text for row in parent.buttons] == [
        "Green (2)",
        "Black (0)",
        "Sampler · $4.50 · in stock",
        "« Categories",
        "🛒 Cart",
    ]
    child = await tap(alice, "Green (2)")
    assert (child.text or "").startswith("Green (page 1 of 1)\nPick a product:")
    names = [row[0].text.split(" · ")[0] for row in child.buttons[:2]]
    assert sorted(names) == ["Matcha", "Sencha"]
    card = await tap(alice, child.buttons[0][0].text)
    assert "« Back" in [b.text for row in card.buttons for b in row]
    again = await tap(alice, "« Back")
    assert (again.text or "").startswith("Green (page 1 of 1)")
    up = await tap(alice, "« Tea")
    assert (up.text or "").startswith("Tea (page 1 of 1)")
    top = await tap(alice, "« Categories")
    assert [row[0].text for row in top.buttons[:-1]] == ["Tea (3)", "Cups (0)"]
    assert len([m for m in alice.messages if m.from_bot]) == 1  # the rest were edits


async def test_a_parent_with_only_subcategories_asks_to_pick_one(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea = await shop.categories.create(SYSTEM, CategoryDraft(name="Tea"))
    green = await shop.categories.create(SYSTEM, CategoryDraft(name="Green", parent_id=tea.id))
    await new_product("Sencha", category_id=green.id)
    alice, _ = await customer("Alice")
    await alice.send("/catalog")
    parent = await tap(alice, "Tea (1)")
    assert (parent.text or "") == "Tea\nPick a subcategory:"
    assert [row[0].text for row in parent.buttons[:2]] == ["Green (1)", "« Categories"]


async def test_an_archived_parent_hides_its_subcategories_and_their_products(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea = await shop.categories.create(SYSTEM, CategoryDraft(name="Tea"))
    green = await shop.categories.create(SYSTEM, CategoryDraft(name="Green", parent_id=tea.id))
    sencha = await new_product("Sencha", category_id=green.id)
    await new_product("Mug")
    alice, _ = await customer("Alice")
    await alice.send("/catalog")
    await tap(alice, "Tea (1)")

    await shop.categories.archive(SYSTEM, tea.id)

    stale = await alice.press("Green (1)")
    assert stale.show_alert and stale.text == "No such category."
    shelves = await alice.send("/catalog")
    assert shelves is not None and (shelves.text or "").startswith("Catalog (page 1 of 1)")
    assert [row[0].text.split(" · ")[0] for row in shelves.buttons[:-1]] == ["Mug"]
    nothing = await alice.send("sencha")
    assert nothing is not None and "Nothing matches" in (nothing.text or "")
    old_page = await alice.send_callback(CatalogPage(page=1, category=str(green.id)).pack())
    assert old_page.show_alert and old_page.text == "No such category."
    old_card = await alice.send_callback(ProductCard(product_id=str(sencha.id)).pack())
    assert old_card.show_alert and old_card.text == "No such product."


async def test_a_russian_customer_reads_the_subcategory_screens_in_russian(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea = await shop.categories.create(SYSTEM, CategoryDraft(name="Чай"))
    green = await shop.categories.create(SYSTEM, CategoryDraft(name="Зелёный", parent_id=tea.id))
    await new_product("Сенча", category_id=green.id)
    await new_product("Ассорти", category_id=tea.id)
    ivan, _ = await customer("Ivan")
    ivan.sandbox.update_user(ivan.id, language_code="ru")
    await ivan.send("/catalog")
    parent = await tap(ivan, "Чай (2)")
    assert "Выберите подкатегорию или товар:" in (parent.text or "")
    assert [row[0].text for row in parent.buttons][-2] == "« Категории"
    child = await tap(ivan, "Зелёный (1)")
    assert "Выберите товар:" in (child.text or "")
    assert [row[0].text for row in child.buttons][-2] == "« Чай"
