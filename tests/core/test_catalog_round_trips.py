"""The products export imported again, with subcategories, several photos and a product sold
by variant: every row unchanged, the photos (with the ZIP of them named as the import names
them, or without one) and the variant's photo kept."""

from __future__ import annotations

from core.accounts.access import SYSTEM
from core.catalog.commands import CategoryDraft, ImportOptions, ProductPatch
from core.catalog.variants.commands import VariantPatch
from core.shop import Shop
from tests.core.photos import ids, picture, with_photos
from tests.core.variants import make_shirt
from tests.factories import NewProduct
from tests.sheets import zip_file

APPLY = ImportOptions()


async def test_an_export_with_subcategories_photos_and_variants_imports_unchanged(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await shop.categories.create(SYSTEM, CategoryDraft(name="Tea"))
    green = await shop.categories.create(SYSTEM, CategoryDraft(name="Green", parent_id=tea.id))
    sencha = await new_product("Sencha", sku="SEN-1")
    await shop.catalog.update(SYSTEM, sencha.id, ProductPatch(category_id=green.id))
    sencha = await with_photos(shop, sencha, 3)
    shirt = await make_shirt(shop, new_product)
    await shop.catalog.update(SYSTEM, shirt.product.id, ProductPatch(sku="TEE"))
    shirt_photos = ids(await with_photos(shop, shirt.product, 2))
    await shop.variants.update(SYSTEM, shirt.red_m.id, VariantPatch(photo_id=shirt_photos[1]))
    export = await shop.exports.products(SYSTEM)
    sheet = b"".join([chunk async for chunk in export.chunks])
    assert b",Tea / Green," in sheet

    plain = await shop.imports.run(SYSTEM, sheet, APPLY)
    photos = {"SEN-1.png": picture(0), "SEN-1-2.png": picture(1), "SEN-1-3.png": picture(2)}
    photos |= {"TEE.png": picture(0), "TEE-2.png": picture(1)}
    zipped = await shop.imports.run(SYSTEM, sheet, APPLY, zip_file(photos))

    for report in (plain, zipped):
        assert report.problems == () and (report.rows, report.unchanged) == (2, 2)
    assert ids(await shop.catalog.get(sencha.id)) == ids(sencha)
    assert (await shop.catalog.get(sencha.id)).category_id == green.id
    assert ids(await shop.catalog.get(shirt.product.id)) == shirt_photos
    assert (await shop.variants.get(shirt.red_m.id)).photo_id == shirt_photos[1]
    assert await shop.store.variants.count_documents({"productId": shirt.product.id}) == 2
