"""Subcategories in spreadsheets: the import names one ``Parent / Child`` (or by its own
name when no other category has it), and the products export writes that path, so an
export imports again unchanged."""

from __future__ import annotations

from core.accounts.access import SYSTEM, Actor
from core.accounts.models import Role
from core.catalog.commands import CategoryDraft, ImportOptions, ProductDraft
from core.shop import Shop
from tests.sheets import csv_file

APPLY = ImportOptions()


async def test_a_subcategory_is_named_with_its_parent_in_an_import(shop: Shop) -> None:
    tea = await shop.categories.create(SYSTEM, CategoryDraft(name="Tea"))
    green = await shop.categories.create(SYSTEM, CategoryDraft(name="Green", parent_id=tea.id))
    coffee = await shop.categories.create(SYSTEM, CategoryDraft(name="Coffee"))
    await shop.categories.create(SYSTEM, CategoryDraft(name="Green", parent_id=coffee.id))
    await shop.categories.create(SYSTEM, CategoryDraft(name="Oolong", parent_id=tea.id))
    sheet = csv_file(
        ["T-1", "Sencha", "", "4.50", 1, "Tea / Green", "", ""],
        ["T-2", "Matcha", "", "9.00", 1, "tea/GREEN", "", ""],
        ["T-3", "Sampler", "", "5.00", 1, "Tea", "", ""],
        ["T-4", "Tieguanyin", "", "7.00", 1, "oolong", "", ""],
        ["T-5", "Mystery", "", "1.00", 1, "Green", "", ""],
        ["T-6", "Lost", "", "1.00", 1, "Tea / Black", "", ""],
    )
    report = await shop.imports.run(SYSTEM, sheet, ImportOptions(partial=True))
    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (6, "category", "2 categories are named 'Green'; give its id"),
        (7, "category", "no category is named 'Tea / Black'"),
    ]
    made = await shop.catalog.with_skus(["T-1", "T-2", "T-3", "T-4"])
    oolong = (await shop.categories.all())[2]
    assert [made[sku].category_id for sku in ("T-1", "T-2", "T-3", "T-4")] == [
        green.id,
        green.id,
        tea.id,
        oolong.id,
    ]


async def test_a_products_export_names_subcategories_so_it_imports_unchanged(
    shop: Shop,
) -> None:
    tea = await shop.categories.create(SYSTEM, CategoryDraft(name="Tea"))
    green = await shop.categories.create(SYSTEM, CategoryDraft(name="Green", parent_id=tea.id))
    coffee = await shop.categories.create(SYSTEM, CategoryDraft(name="Coffee"))
    await shop.categories.create(SYSTEM, CategoryDraft(name="Green", parent_id=coffee.id))
    await shop.catalog.create(
        SYSTEM, ProductDraft(name="Sencha", sku="SEN-1", price=450, category_id=green.id)
    )
    export = await shop.exports.products(Actor(None, Role.OPERATOR))
    sheet = b"".join([chunk async for chunk in export.chunks])
    assert b",Tea / Green," in sheet

    report = await shop.imports.run(SYSTEM, sheet, ImportOptions(dry_run=True))

    assert report.problems == ()
    assert (report.rows, report.unchanged) == (1, 1)
