"""Product imports from CSV (and a ZIP of photos): a dry run that writes nothing, problems by
row and column for the catalog's own reasons, apply, re-apply without change, partial
imports, an import killed at every write and run again, photos checked as uploads are."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.accounts.access import SYSTEM, Actor
from core.accounts.models import Role
from core.base import clock
from core.base.errors import Forbidden
from core.catalog import import_files, products
from core.catalog.categories import Categories
from core.catalog.commands import CategoryDraft, ImportOptions, ProductPatch
from core.catalog.errors import ImportRefused, InvalidImport
from core.catalog.imports import ProductImports
from core.catalog.models import RowOutcome, stored_photos
from core.catalog.photos import ProductPhotos
from core.catalog.products import Catalog
from core.catalog.restock_alerts import RestockAlerts
from core.catalog.stock_alerts import StockAlerts
from core.messaging.notifications import NotificationQueue
from core.sales.outbox import Outbox
from core.shop import Shop
from core.store import Store
from tests.core.crashes import LEASE, Killed, WriteBudget, dying_store
from tests.factories import NewProduct
from tests.images import image_bytes
from tests.sheets import csv_file, zip_file

DRY = ImportOptions(dry_run=True)
APPLY = ImportOptions()
PARTIAL = ImportOptions(partial=True)
LATER = timedelta(minutes=5)


async def tea_shelf(shop: Shop) -> None:
    for name in ("Tea", "Teaware"):
        await shop.categories.create(SYSTEM, CategoryDraft(name=name))


def snapshot(documents: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What an import sets on each product, by SKU (not ids, times or versions)."""
    return sorted(
        (
            doc.get("sku"),
            doc["name"],
            doc["description"],
            doc["price"],
            doc["stock"],
            doc["active"],
            doc.get("categoryId"),
            doc.get("lowStockThreshold"),
            tuple(photo.get("sha256") for photo in stored_photos(doc)),
        )
        for doc in documents
    )


async def catalog_state(shop: Shop) -> list[tuple[Any, ...]]:
    return snapshot(await shop.store.products.find().to_list())


GOOD = csv_file(
    ["abc-1", "Green tea", "Sencha, 100 g.", "6.50", 20, "Tea", "", ""],
    ["ABC-2", "Black tea", "", "5.5", 0, "tea", "no", ""],
    ["POT.1", "Teapot", "Cast iron", "45", 3, "Teaware", "yes", ""],
)


async def test_a_dry_run_says_what_it_would_do_and_writes_nothing(shop: Shop) -> None:
    await tea_shelf(shop)
    report = await shop.imports.run(SYSTEM, GOOD, DRY)
    assert (report.dry_run, report.applied, report.rows) == (True, False, 3)
    assert (report.created, report.updated, report.unchanged, report.refused) == (3, 0, 0, 0)
    assert [row.sku for row in report.results] == ["ABC-1", "ABC-2", "POT.1"]
    assert [row.row for row in report.results] == [2, 3, 4]
    assert report.problems == ()
    assert await shop.store.products.count_documents({}) == 0


async def test_apply_creates_and_the_same_file_again_changes_nothing(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(products, "SKU_BATCH", 2)  # known SKUs are read in batches
    await tea_shelf(shop)
    tea = {category.name: category.id for category in await shop.categories.all()}
    report = await shop.imports.run(SYSTEM, GOOD, APPLY)
    assert (report.applied, report.created) == (True, 3)
    made = await shop.catalog.with_skus(["ABC-1", "ABC-2", "POT.1"])
    green, black, pot = made["ABC-1"], made["ABC-2"], made["POT.1"]
    assert (green.name, green.price, green.stock, green.category_id) == (
        "Green tea",
        650,
        20,
        tea["Tea"],
    )
    assert (black.price, black.description, black.category_id, black.active) == (
        550,
        "",
        tea["Tea"],
        True,
    )
    assert (pot.price, pot.active, pot.category_id) == (4500, False, tea["Teaware"])
    assert {row.product_id for row in report.results} == {green.id, black.id, pot.id}

    before = await shop.store.products.find().to_list()
    again = await shop.imports.run(SYSTEM, GOOD, APPLY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert await shop.store.products.find().to_list() == before  # not even a version


async def test_only_what_differs_is_updated_and_absent_columns_are_left_alone(
    shop: Shop,
) -> None:
    await tea_shelf(shop)
    await shop.imports.run(SYSTEM, GOOD, APPLY)
    green = (await shop.catalog.with_skus(["ABC-1"]))["ABC-1"]
    tea = green.category_id
    await shop.catalog.update(SYSTEM, green.id, ProductPatch(low_stock_threshold=4))
    changed = csv_file(
        ["ABC-1", "Green tea", "", "7.00", "", ""],
        ["abc-2", "", "Assam", "", 5, ""],
        header=("sku", "name", "description", "price", "stock", "low_stock_threshold"),
    )
    report = await shop.imports.run(SYSTEM, changed, APPLY)
    assert [(row.outcome, row.changes) for row in report.results] == [
        (RowOutcome.UPDATED, ("description", "price", "low_stock_threshold")),
        (RowOutcome.UPDATED, ("description", "stock")),
    ]
    products = await shop.catalog.with_skus(["ABC-1", "ABC-2"])
    green, black = products["ABC-1"], products["ABC-2"]
    # an empty description clears it, an empty stock keeps it, an empty threshold is the
    # shop's again; without a category column, categories are left alone
    assert (green.description, green.price, green.stock) == ("", 700, 20)
    assert (green.low_stock_threshold, green.category_id) == (None, tea)
    assert (black.name, black.description, black.stock, black.price) == (
        "Black tea",
        "Assam",
        5,
        550,
    )


async def test_every_problem_is_named_by_row_and_column_and_nothing_is_written(
    shop: Shop, new_product: NewProduct
) -> None:
    await tea_shelf(shop)
    await new_product(name="Old", sku="OLD-1", stock=2)
    bad = csv_file(
        ["OK-1", "Fine", "", "1.00", 1, "", "", ""],  # row 2: good
        ["NEG-1", "Tea", "", "1.00", -3, "", "", ""],  # negative stock
        ["CAT-1", "Tea", "", "1.00", 1, "Coffee", "", ""],  # unknown category
        ["PR-1", "Tea", "", "abc", 1, "", "", ""],  # not a price
        ["PR-2", "Tea", "", "4.505", 1, "", "", ""],  # past the cents
        ["PR-3", "Tea", "", "-1", 1, "", "", ""],  # negative price
        ["LONG-1", "x" * 201, "", "1.00", 1, "", "", ""],  # name too long
        ["NEW-1", "", "", "", 1, "", "", ""],  # a new product without name and price
        ["OK-1", "Twice", "", "1.00", 1, "", "", ""],  # SKU repeated
        ["bad sku!", "Tea", "", "1.00", 1, "", "", ""],  # not a SKU
        ["", "Tea", "", "1.00", -1, "", "", ""],  # no SKU, and its other cells still checked
        ["OLD-1", "Old", "", "", "lots", "", "maybe", ""],  # stock and archived unreadable
        ["SHORT-1", "Tea"],  # too few cells
        ["N-1", "Bell\u0007", "", "1.00", 1, "", "", ""],  # a control character
    )
    report = await shop.imports.run(SYSTEM, bad, DRY)
    found = {(p.row, p.column, p.reason) for p in report.problems}
    assert found == {
        (3, "stock", "greater_than_equal"),
        (4, "category", "no-such-category"),
        (5, "price", "cell"),
        (6, "price", "cell"),
        (7, "price", "greater_than_equal"),
        (8, "name", "string_too_long"),
        (9, "name", "missing"),
        (9, "price", "missing"),
        (10, "sku", "sku-repeated"),
        (11, "sku", "sku"),
        (12, "sku", "missing"),
        (12, "stock", "greater_than_equal"),
        (13, "stock", "cell"),
        (13, "archived", "cell"),
        (14, None, "cells"),
        (15, "name", "invisible_character"),
    }
    messages = {(p.row, p.column): p.message for p in report.problems}
    assert messages[(4, "category")] == "no category is named 'Coffee'"
    assert messages[(6, "price")] == "USD prices have at most 2 digits after the point"
    assert messages[(10, "sku")] == "the SKU is on row 2 too"
    assert (report.rows, report.refused, report.created) == (14, 13, 1)

    before = await shop.store.products.find().to_list()
    with pytest.raises(ImportRefused) as refused:
        await shop.imports.run(SYSTEM, bad, APPLY)
    assert refused.value.report.applied is False
    assert refused.value.report.problems == report.problems
    assert ("rows", 3, "stock") in {error.loc for error in refused.value.errors}
    assert await shop.store.products.find().to_list() == before


async def test_partial_writes_the_good_rows_and_refuses_the_bad(shop: Shop) -> None:
    await tea_shelf(shop)
    mixed = csv_file(
        ["A-1", "Tea", "", "1.00", 1, "", "", ""],
        ["A-2", "Tea", "", "1.00", -1, "", "", ""],
        ["A-3", "Tea", "", "2.00", 1, "Nowhere", "", ""],
        ["A-4", "Mate", "", "3.00", 1, "Tea", "", ""],
    )
    report = await shop.imports.run(SYSTEM, mixed, PARTIAL)
    assert (report.applied, report.created, report.refused) == (True, 2, 2)
    assert [(row.sku, row.outcome) for row in report.results] == [
        ("A-1", RowOutcome.CREATED),
        ("A-2", RowOutcome.REFUSED),
        ("A-3", RowOutcome.REFUSED),
        ("A-4", RowOutcome.CREATED),
    ]
    assert set(await shop.catalog.with_skus(["A-1", "A-2", "A-3", "A-4"])) == {"A-1", "A-4"}
    again = await shop.imports.run(SYSTEM, mixed, PARTIAL)
    assert (again.created, again.unchanged, again.refused) == (0, 2, 2)


async def test_excel_s_semicolons_byte_order_mark_and_decimal_comma(shop: Shop) -> None:
    sheet = csv_file(
        ["X-1", "Café crème", "Deux lignes\nici", "4,50", 2],
        header=("SKU", "Name", "Description", "Price", "Stock"),
        delimiter=";",
        bom=True,
    )
    report = await shop.imports.run(SYSTEM, sheet, APPLY)
    assert (report.created, report.problems) == (1, ())
    product = (await shop.catalog.with_skus(["X-1"]))["X-1"]
    assert (product.name, product.description, product.price) == (
        "Café crème",
        "Deux lignes\nici",
        450,
    )


async def test_header_names_are_read_loosely_and_unknown_ones_reported(shop: Shop) -> None:
    sheet = csv_file(
        ["L-1", "Tea", "1", "3", "42"],
        header=("Sku", "NAME", "price", "Low-stock threshold", "id"),
    )
    report = await shop.imports.run(SYSTEM, sheet, APPLY)
    assert report.ignored_columns == ("id",)
    product = (await shop.catalog.with_skus(["L-1"]))["L-1"]
    assert (product.price, product.low_stock_threshold) == (100, 3)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "it is empty"),
        (b"\n\n", "it is empty"),
        (b"sku,name\nA-1,Caf\xe9\n", "line 2 is not UTF-8"),
        (b"name,price\nTea,1\n", "no sku column"),
        (b"sku,name,Name\nA,b,c\n", "names the column name twice"),
        (b'sku,name\nA-1,"Tea"x\n', "line 2 is not CSV"),
    ],
)
async def test_a_file_that_cannot_be_read_is_refused_whole(
    shop: Shop, data: bytes, says: str
) -> None:
    for options in (DRY, APPLY):
        with pytest.raises(InvalidImport, match=says) as refused:
            await shop.imports.run(SYSTEM, data, options)
        assert refused.value.errors[0].loc == ("file",)
    assert await shop.store.products.count_documents({}) == 0


async def test_a_file_past_its_limits_is_refused_before_a_row_is_checked(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [[f"S-{n}", "Tea", "", "1", 1, "", "", ""] for n in range(import_files.MAX_ROWS + 1)]
    with pytest.raises(InvalidImport, match=f"more than {import_files.MAX_ROWS} rows"):
        await shop.imports.run(SYSTEM, csv_file(*rows), DRY)
    monkeypatch.setattr(import_files, "MAX_CSV_BYTES", 100)
    with pytest.raises(InvalidImport, match="larger than 100 bytes"):
        await shop.imports.run(SYSTEM, csv_file(*rows[:10]), DRY)


async def test_only_admins_import(shop: Shop) -> None:
    with pytest.raises(Forbidden):
        await shop.imports.run(Actor(None, Role.OPERATOR), GOOD, DRY)


# -- photos -------------------------------------------------------------------------------


async def test_photos_named_by_sku_are_attached_once(shop: Shop) -> None:
    green, black = image_bytes("JPEG", (40, 30), "green"), image_bytes("PNG", (20, 20), "black")
    sheet = csv_file(
        ["ABC-1", "Green tea", "", "6.50", 1, "", "", ""],
        ["ABC-2", "Black tea", "", "5.50", 1, "", "", "black.PNG"],
        ["ABC-3", "White tea", "", "9.00", 1, "", "", ""],  # no photo: fine
    )
    photos = zip_file(
        {"photos/abc-1.jpg": green, "black.png": black, "readme.txt": b"hi", "__MACOSX/x": b""}
    )
    dry = await shop.imports.run(SYSTEM, sheet, DRY, photos)
    assert [(row.outcome, row.changes) for row in dry.results] == [
        (RowOutcome.CREATED, ("photo",)),
        (RowOutcome.CREATED, ("photo",)),
        (RowOutcome.CREATED, ()),
    ]
    assert dry.unused_photos == ("readme.txt",)
    assert await shop.store.photo_files.count_documents({}) == 0

    report = await shop.imports.run(SYSTEM, sheet, APPLY, photos)
    assert report.created == 3
    made = await shop.catalog.with_skus(["ABC-1", "ABC-2", "ABC-3"])
    assert made["ABC-1"].photo is not None and made["ABC-1"].photo.content_type == "image/jpeg"
    assert await shop.photos.content(made["ABC-1"].photo) == green
    assert made["ABC-2"].photo is not None
    assert await shop.photos.content(made["ABC-2"].photo) == black
    assert made["ABC-3"].photo is None

    again = await shop.imports.run(SYSTEM, sheet, APPLY, photos)
    assert (again.unchanged, again.updated) == (3, 0)
    assert await shop.store.photo_files.count_documents({}) == 2

    swapped = zip_file({"ABC-1.webp": image_bytes("WEBP", (8, 8))})
    third = await shop.imports.run(SYSTEM, sheet, PARTIAL, swapped)
    assert [(row.outcome, row.changes) for row in third.results] == [
        (RowOutcome.UPDATED, ("photo",)),
        (RowOutcome.REFUSED, ()),  # its photo cell names a file this ZIP does not have
        (RowOutcome.UNCHANGED, ()),
    ]
    assert [(p.row, p.column, p.reason) for p in third.problems] == [(3, "photo", "no-photo")]
    webp = (await shop.catalog.with_skus(["ABC-1"]))["ABC-1"].photo
    assert webp is not None and webp.content_type == "image/webp"
    assert await shop.store.photo_files.count_documents({}) == 2


async def test_a_photo_that_is_not_fit_refuses_its_row(shop: Shop, new_product: NewProduct) -> None:
    old = await new_product(name="Old", sku="OLD-1")
    kept = await shop.photos.attach(SYSTEM, old.id, image_bytes("PNG", (5, 5)))
    shop_max = shop.photos.max_bytes
    photos = zip_file(
        {
            "OLD-1.png": b"<?php echo 1; ?>",
            "BIG-1.jpg": b"\xff\xd8\xff" + b"\0" * (shop_max + 1),  # over the limit
            "HALF-1.png": image_bytes("PNG", (30, 30))[:40],
        }
    )
    sheet = csv_file(
        ["OLD-1", "Old", "", "", "", "", "", ""],
        ["BIG-1", "Big", "", "1", 1, "", "", ""],
        ["HALF-1", "Half", "", "1", 1, "", "", ""],
        ["GONE-1", "Gone", "", "1", 1, "", "", "gone.jpg"],
    )
    report = await shop.imports.run(SYSTEM, sheet, PARTIAL, photos)
    found = {(p.row, p.column, p.reason) for p in report.problems}
    assert found == {
        (2, "photo", "invalid-photo"),
        (3, "photo", "invalid-photo"),
        (4, "photo", "invalid-photo"),
        (5, "photo", "no-photo"),
    }
    messages = [p.message for p in report.problems]
    assert messages[0] == "OLD-1.png: send a JPEG, PNG or WebP image"
    assert messages[1] == f"BIG-1.jpg: it is larger than {shop_max} bytes"
    assert messages[2] == "HALF-1.png: it is not a readable PNG image"
    assert messages[3] == "names gone.jpg, but the ZIP has none"
    assert report.created == 0 and await shop.store.products.count_documents({}) == 1
    assert (await shop.catalog.get(old.id)).photo == kept.photo


async def test_a_zip_bomb_is_refused_before_it_is_unpacked(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = csv_file(["A-1", "Tea", "", "1", 1, "", "", ""])
    zeros = zip_file({"A-1.jpg": b"\0" * 2_000_000})  # 2 MB of zeros in about 2 KB
    assert len(zeros) < 10_000
    monkeypatch.setattr(import_files, "MAX_UNCOMPRESSED_BYTES", 1_000_000)
    with pytest.raises(InvalidImport, match="unpacks to more than 1000000 bytes"):
        await shop.imports.run(SYSTEM, sheet, DRY, zeros)
    monkeypatch.setattr(import_files, "MAX_ZIP_ENTRIES", 3)
    many = zip_file({f"{n}.jpg": b"x" for n in range(4)})
    with pytest.raises(InvalidImport, match="more than 3 files") as refused:
        await shop.imports.run(SYSTEM, sheet, DRY, many)
    assert refused.value.errors[0].loc == ("photos",)
    with pytest.raises(InvalidImport, match="not a ZIP archive"):
        await shop.imports.run(SYSTEM, sheet, DRY, b"PK\x03\x04 not really")
    twice = zip_file({"a/A-1.jpg": b"1", "b/a-1.JPG": b"2"})
    with pytest.raises(InvalidImport, match="two files named"):
        await shop.imports.run(SYSTEM, sheet, DRY, twice)


async def test_an_entry_that_lies_about_its_size_is_never_read_past_it(shop: Shop) -> None:
    """The archive says 10 bytes; the data unpacks to 3 MB: reading stops at 10 and the
    checksum refuses the file."""
    honest = zip_file({"A-1.png": b"\0" * 3_000_000})
    size, small = (3_000_000).to_bytes(4, "little"), (10).to_bytes(4, "little")
    assert honest.count(size) == 2  # the local header and the central directory
    lying = honest.replace(size, small)
    sheet = csv_file(["A-1", "Tea", "", "1", 1, "", "", ""])
    report = await shop.imports.run(SYSTEM, sheet, DRY, lying)
    assert [(p.column, p.reason) for p in report.problems] == [("photo", "invalid-photo")]
    assert report.problems[0].message == "A-1.png: it cannot be unpacked from the ZIP"


async def test_fifty_products_with_photos_from_one_csv_and_zip(shop: Shop) -> None:
    await tea_shelf(shop)
    rows, files = [], {}
    for n in range(50):
        sku = f"TEA-{n:02d}"
        rows.append([sku, f"Tea {n}", f"Blend number {n}", f"{n + 1}.25", n, "Tea", "", ""])
        files[f"{sku}.jpg"] = image_bytes("JPEG", (64, 48), f"#{n:02x}80{n:02x}")
    sheet, photos = csv_file(*rows), zip_file(files)
    dry = await shop.imports.run(SYSTEM, sheet, DRY, photos)
    assert (dry.created, dry.problems, dry.unused_photos) == (50, (), ())
    report = await shop.imports.run(SYSTEM, sheet, APPLY, photos)
    assert report.created == 50
    products = await shop.store.products.find().to_list()
    assert len(products) == 50 and all(
        [photo["contentType"] for photo in doc["photos"]] == ["image/jpeg"] for doc in products
    )
    assert await shop.store.photo_files.count_documents({"metadata.state": "current"}) == 50
    tea_25 = next(doc for doc in products if doc["sku"] == "TEA-25")
    assert (tea_25["price"], tea_25["stock"]) == (2625, 25)
    again = await shop.imports.run(SYSTEM, sheet, APPLY, photos)
    assert again.unchanged == 50


# -- a killed import ----------------------------------------------------------------------


def imports_on(shop: Shop, store: Store) -> ProductImports:
    """The shop's imports over ``store`` (one whose writes may die)."""
    queue = NotificationQueue(store, LEASE)
    alerts = StockAlerts(store, queue, 5, Outbox(store, queue, None))
    categories = Categories(store, LEASE)
    restock = RestockAlerts(store, queue, LEASE)
    catalog = Catalog(store, shop.catalog.currency, categories, alerts, restock)
    photos = ProductPhotos(store, catalog, shop.photos.max_bytes, LEASE)
    return ProductImports(catalog, categories, photos)


async def test_an_import_killed_at_any_write_run_again_ends_as_one_run(
    shop: Shop, new_product: NewProduct
) -> None:
    await tea_shelf(shop)
    sheet = csv_file(
        ["K-1", "Kept", "", "1.00", 5, "", "", ""],
        ["K-2", "Renamed", "", "2.00", 5, "Tea", "", ""],
        ["K-3", "New", "", "3.00", 5, "Teaware", "yes", ""],
        ["K-4", "Also new", "", "4.00", 5, "", "", ""],
    )
    photos = zip_file(
        {
            "K-2.png": image_bytes("PNG", (9, 9)),
            "K-2-2.png": image_bytes("PNG", (7, 7)),  # a second photo of K-2's
            "K-3.jpg": image_bytes("JPEG"),
        }
    )

    async def start() -> None:
        await shop.store.products.delete_many({})
        for stored in await shop.store.photo_files.find().to_list():
            await shop.store.photos.delete(stored["_id"])
        await new_product(name="Kept", sku="K-1", price=100, stock=5)
        await new_product(name="Old name", sku="K-2", price=200, stock=1)

    await start()
    await shop.imports.run(SYSTEM, sheet, APPLY, photos)
    expected = await catalog_state(shop)

    writes, kills = 0, 0
    while True:
        await start()
        try:
            await imports_on(shop, dying_store(shop.store, writes)).run(
                SYSTEM, sheet, APPLY, photos
            )
        except Killed:
            kills += 1
        else:
            break
        rerun = await shop.imports.run(SYSTEM, sheet, APPLY, photos)
        assert rerun.refused == 0, writes
        await shop.recover(clock.now() + LATER)
        assert await catalog_state(shop) == expected, f"killed before write {writes}"
        listed = sum(len(stored_photos(doc)) for doc in await shop.store.products.find().to_list())
        assert await shop.store.photo_files.count_documents({"metadata.state": "current"}) == (
            listed
        ), writes
        final = await shop.imports.run(SYSTEM, sheet, APPLY, photos)
        assert final.unchanged == 4, writes
        writes += 1
    assert kills >= 8  # creates, a category settle, updates, photo writes


async def test_an_import_that_finds_its_new_skus_taken_meanwhile_edits_them(
    shop: Shop,
) -> None:
    """Another import of the file runs to its end between this one's check and its first
    write: each create finds its SKU taken and edits that product instead."""
    await tea_shelf(shop)
    await shop.imports.run(SYSTEM, GOOD, APPLY)
    alone = await catalog_state(shop)
    await shop.store.products.delete_many({})

    store = dying_store(shop.store, WriteBudget(1_000))
    other = shop.imports.run(SYSTEM, GOOD, APPLY)
    store.products.before_first_write = lambda: other  # type: ignore[attr-defined]
    late = await imports_on(shop, store).run(SYSTEM, GOOD, APPLY)
    assert late.created == 3  # as checked
    assert await shop.store.products.count_documents({}) == 3
    assert await catalog_state(shop) == alone


async def test_a_photo_uploaded_before_digests_is_compared_by_its_content(
    shop: Shop, new_product: NewProduct
) -> None:
    old = await new_product(name="Old", sku="OLD-1")
    same, other = image_bytes("PNG", (6, 6)), image_bytes("PNG", (7, 7))
    await shop.photos.attach(SYSTEM, old.id, same)
    await shop.store.products.update_one({"_id": old.id}, {"$unset": {"photos.0.sha256": ""}})
    assert (await shop.photos.photo_of(old.id)).sha256 is None
    sheet = csv_file(["OLD-1", "Old", "", "", "", "", "", ""])
    kept = await shop.imports.run(SYSTEM, sheet, APPLY, zip_file({"OLD-1.png": same}))
    assert kept.unchanged == 1
    swapped = await shop.imports.run(SYSTEM, sheet, APPLY, zip_file({"OLD-1.png": other}))
    assert [row.changes for row in swapped.results] == [("photo",)]
    assert await shop.photos.content(await shop.photos.photo_of(old.id)) == other


async def test_a_photo_named_without_a_zip_refuses_its_row(shop: Shop) -> None:
    sheet = csv_file(["A-1", "Tea", "", "1", 1, "", "", "tea.jpg"])
    report = await shop.imports.run(SYSTEM, sheet, DRY)
    assert [(p.column, p.message) for p in report.problems] == [
        ("photo", "names tea.jpg, but no ZIP of photos was given")
    ]


async def test_a_products_export_with_skus_imports_as_it_was_written(shop: Shop) -> None:
    """The columns of ``GET /api/exports/products.csv``: the ones the import does not know
    are ignored, ``active`` stands for ``archived``, and the ``'`` an export puts before a
    text that looks like a formula is dropped."""
    await tea_shelf(shop)
    header = [
        "id",
        "sku",
        "name",
        "description",
        "category_id",
        "category",
        "currency",
        "price_minor",
        "price",
        "stock",
        "low_stock_threshold",
        "low_stock",
        "active",
        "created_at",
        "updated_at",
    ]
    row = ["0" * 24, "E-1", "'=Tea", "'-strong", "", "Tea", "USD", "650", "6.50", "4", "2"]
    sheet = csv_file([*row, "true", "false", "2030-01-31T21:30:00+03:00", ""], header=header)
    report = await shop.imports.run(SYSTEM, sheet, APPLY)
    assert report.ignored_columns == (
        "id",
        "category_id",
        "currency",
        "price_minor",
        "low_stock",
        "created_at",
        "updated_at",
    )
    product = (await shop.catalog.with_skus(["E-1"]))["E-1"]
    assert (product.name, product.description, product.price, product.stock) == (
        "=Tea",
        "-strong",
        650,
        4,
    )
    assert (product.active, product.low_stock_threshold) == (False, 2)
    both = csv_file(["E-1", "yes", "no"], header=("sku", "archived", "active"))
    with pytest.raises(InvalidImport, match="archived or active, not both"):
        await shop.imports.run(SYSTEM, both, DRY)


async def test_a_zip_that_claims_too_many_files_is_refused_before_they_are_read(
    shop: Shop,
) -> None:
    small = zip_file({"A-1.png": image_bytes()})
    end = small.rindex(b"PK\x05\x06")
    claims = small[: end + 10] + (0xFFFF).to_bytes(2, "little") + small[end + 12 :]
    sheet = csv_file(["A-1", "Tea", "", "1", 1, "", "", ""])
    with pytest.raises(InvalidImport, match=f"more than {import_files.MAX_ZIP_ENTRIES} files"):
        await shop.imports.run(SYSTEM, sheet, DRY, claims)
    assert (await shop.imports.run(SYSTEM, sheet, DRY, small)).problems == ()


async def test_tab_separated_text_is_read_too(shop: Shop) -> None:
    sheet = csv_file(["T-1", "Tea, green", "2.00"], header=("sku", "name", "price"), delimiter="\t")
    report = await shop.imports.run(SYSTEM, sheet, APPLY)
    assert report.created == 1
    assert (await shop.catalog.with_skus(["T-1"]))["T-1"].name == "Tea, green"
