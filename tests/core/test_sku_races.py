"""A SKU given by an edit while the other collection takes it: a variant's edit racing a
new product, a product's edit racing a new variant. The edit checks before its write and
after it, so the one that writes second gives the SKU back: never do both keep it."""

from __future__ import annotations

import pytest

from core.accounts.access import SYSTEM
from core.catalog.commands import ProductDraft, ProductPatch
from core.catalog.errors import SkuTaken
from core.catalog.variants.commands import VariantDraft, VariantPatch
from core.shop import Shop
from tests.core.variants import make_shirt
from tests.factories import NewProduct


async def holders(shop: Shop, sku: str) -> int:
    products = await shop.store.products.count_documents({"sku": sku})
    return products + await shop.store.variants.count_documents({"sku": sku})


async def test_a_variants_new_sku_taken_by_a_product_meanwhile_is_given_back(
    shop: Shop, new_product: NewProduct, monkeypatch: pytest.MonkeyPatch
) -> None:
    shirt = await make_shirt(shop, new_product)
    await shop.variants.update(SYSTEM, shirt.red_m.id, VariantPatch(sku="TEE-OLD"))
    checked = shop.variants._sku_free_of_products

    async def product_made_right_after_the_check(sku: str) -> None:
        await checked(sku)
        await shop.catalog.create(SYSTEM, ProductDraft(name="Mug", price=100, sku=sku))

    monkeypatch.setattr(shop.variants, "_sku_free_of_products", product_made_right_after_the_check)
    with pytest.raises(SkuTaken):
        await shop.variants.update(SYSTEM, shirt.red_m.id, VariantPatch(sku="MUG-1"))

    assert await holders(shop, "MUG-1") == 1
    assert (await shop.variants.get(shirt.red_m.id)).sku == "TEE-OLD"  # its own SKU again


async def test_a_products_new_sku_taken_by_a_variant_meanwhile_is_given_back(
    shop: Shop, new_product: NewProduct, monkeypatch: pytest.MonkeyPatch
) -> None:
    shirt = await make_shirt(shop, new_product)
    mug = await new_product("Mug")
    checked = shop.catalog._sku_free_of_variants

    async def variant_made_right_after_the_check(sku: str | None) -> None:
        await checked(sku)
        small = VariantDraft(options={"Size": "S", "Colour": "Red"}, sku=sku)
        await shop.variants.create(SYSTEM, shirt.product.id, small)

    monkeypatch.setattr(shop.catalog, "_sku_free_of_variants", variant_made_right_after_the_check)
    with pytest.raises(SkuTaken):
        await shop.catalog.update(SYSTEM, mug.id, ProductPatch(sku="TEE-S"))

    assert await holders(shop, "TEE-S") == 1
    assert (await shop.catalog.get(mug.id)).sku is None
