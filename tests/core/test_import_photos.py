"""Several photos per product in an import: ``<SKU>.jpg`` then ``<SKU>-2.jpg`` ... in a ZIP,
or the names a ``photo`` cell lists (``a.png|b.png``); each compared with the product's photo
in the same place, so only a changed one is written and photos past the row's stay."""

from __future__ import annotations

from bson import ObjectId

from core.accounts.access import SYSTEM
from core.catalog.commands import ImportOptions
from core.catalog.models import Product, RowOutcome
from core.shop import Shop
from tests.factories import NewProduct
from tests.images import image_bytes
from tests.sheets import csv_file, zip_file

DRY = ImportOptions(dry_run=True)
APPLY = ImportOptions()
PARTIAL = ImportOptions(partial=True)


def picture(n: int, kind: str = "PNG") -> bytes:
    return image_bytes(kind, (n + 1, n + 1))


async def by_sku(shop: Shop, sku: str) -> Product:
    return (await shop.catalog.with_skus([sku]))[sku]


def widths(product: Product) -> list[int]:
    return [photo.width for photo in product.photos]


def ids(product: Product) -> list[ObjectId]:
    return [photo.file_id for photo in product.photos]


async def test_numbered_files_and_listed_names_give_several_photos(shop: Shop) -> None:
    sheet = csv_file(
        ["TEA", "Tea", "", "4.50", 1, "", "", ""],
        ["ABC", "Abc", "", "1.00", 1, "", "", ""],
        ["ABC-2", "Abc two", "", "2.00", 1, "", "", ""],  # ABC-2.png is its own, not ABC's
        ["MUG", "Mug", "", "9.00", 1, "", "", "side.png | front.PNG"],
    )
    files = {
        "TEA.jpg": picture(0, "JPEG"),
        "tea-2.png": picture(1),
        "photos/TEA-3.webp": picture(2, "WEBP"),
        "TEA-12.png": picture(11),  # past the tenth: no photo of TEA's
        "ABC.png": picture(3),
        "ABC-2.png": picture(4),
        "front.png": picture(5),
        "side.png": picture(6),
    }
    dry = await shop.imports.run(SYSTEM, sheet, DRY, zip_file(files))
    assert [row.changes for row in dry.results] == [("photo",)] * 4
    assert dry.unused_photos == ("TEA-12.png",)
    report = await shop.imports.run(SYSTEM, sheet, APPLY, zip_file(files))
    assert report.created == 4
    tea = await by_sku(shop, "TEA")
    assert widths(tea) == [1, 2, 3]
    assert [photo.content_type for photo in tea.photos] == [
        "image/jpeg",
        "image/png",
        "image/webp",
    ]
    assert widths(await by_sku(shop, "ABC")) == [4]
    assert widths(await by_sku(shop, "ABC-2")) == [5]
    assert widths(await by_sku(shop, "MUG")) == [7, 6]  # in the cell's order
    again = await shop.imports.run(SYSTEM, sheet, APPLY, zip_file(files))
    assert again.unchanged == 4
    assert await shop.store.photo_files.count_documents({}) == 7


async def test_only_a_changed_photo_is_written_and_later_ones_stay(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await new_product("Tea", sku="TEA")
    for n in (0, 1, 2):
        tea = await shop.photos.add(SYSTEM, tea.id, picture(n))
    sheet = csv_file(["TEA", "Tea", "", "", "", "", "", ""])

    same_two = zip_file({"TEA.png": picture(0), "TEA-2.png": picture(1)})
    unchanged = await shop.imports.run(SYSTEM, sheet, APPLY, same_two)
    assert unchanged.results[0].outcome is RowOutcome.UNCHANGED
    assert ids(await by_sku(shop, "TEA")) == ids(tea)

    second_changed = zip_file({"TEA.png": picture(0), "TEA-2.png": picture(8)})
    report = await shop.imports.run(SYSTEM, sheet, APPLY, second_changed)
    assert report.results[0].changes == ("photo",)
    after = await by_sku(shop, "TEA")
    assert widths(after) == [1, 9, 3]
    assert ids(after)[0::2] == ids(tea)[0::2]  # the others were not written again

    more = zip_file({f"TEA-{n}.png": picture(n) for n in range(4, 7)} | {"TEA.png": picture(0)})
    await shop.imports.run(SYSTEM, sheet, APPLY, more)  # TEA, TEA-4..6: four photos
    assert widths(await by_sku(shop, "TEA")) == [1, 5, 6, 7]
    assert await shop.store.photo_files.count_documents({}) == 4


async def test_a_photo_cell_listing_too_many_or_one_twice_refuses_its_row(shop: Shop) -> None:
    files = {f"p{n}.png": picture(n) for n in range(11)}
    sheet = csv_file(
        ["A-1", "Eleven", "", "1.00", 1, "", "", "|".join(files)],
        ["A-2", "Twice", "", "1.00", 1, "", "", "p1.png|P1.png"],
        ["A-3", "Missing", "", "1.00", 1, "", "", "p1.png|nowhere.png"],
        ["A-4", "Fine", "", "1.00", 1, "", "", "p1.png||p2.png"],
    )
    report = await shop.imports.run(SYSTEM, sheet, PARTIAL, zip_file(files))
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (2, "photo", "too-many-photos"),
        (3, "photo", "photo-repeated"),
        (4, "photo", "no-photo"),
    ]
    assert widths(await by_sku(shop, "A-4")) == [2, 3]
    assert set(await shop.catalog.with_skus(["A-1", "A-2", "A-3"])) == set()
