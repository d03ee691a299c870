"""Products' SKUs: optional, unique in upper case, trimmed, removable; many products have none."""

from __future__ import annotations

import pytest

from core.accounts.access import SYSTEM
from core.base.commands import parse
from core.base.errors import InvalidInput
from core.catalog.commands import ProductDraft, ProductPatch
from core.catalog.errors import SkuTaken
from core.shop import Shop
from tests.factories import NewProduct


async def test_a_sku_is_stored_trimmed_in_upper_case_and_unique(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await new_product(sku=" abc-1.x_2 ")
    assert tea.sku == "ABC-1.X_2"
    stored = await shop.store.products.find_one({"_id": tea.id})
    assert stored is not None and stored["sku"] == "ABC-1.X_2"
    with pytest.raises(SkuTaken) as taken:
        await new_product(name="Copy", sku="Abc-1.x_2")
    assert taken.value.message == "Another product has the SKU ABC-1.X_2."
    assert await shop.store.products.count_documents({}) == 1


async def test_many_products_have_no_sku(shop: Shop, new_product: NewProduct) -> None:
    for name in ("Tea", "Mate", "Coffee"):
        assert (await new_product(name=name)).sku is None
    assert await shop.store.products.count_documents({"sku": {"$exists": True}}) == 0


async def test_a_sku_is_changed_removed_and_taken_again(
    shop: Shop, new_product: NewProduct
) -> None:
    tea, mate = await new_product(sku="T-1"), await new_product(name="Mate", sku="M-1")
    with pytest.raises(SkuTaken):
        await shop.catalog.update(SYSTEM, mate.id, ProductPatch(sku="t-1"))
    assert (await shop.catalog.get(mate.id)).sku == "M-1"
    removed = await shop.catalog.update(SYSTEM, tea.id, parse(ProductPatch, {"sku": None}))
    assert removed.sku is None
    stored = await shop.store.products.find_one({"_id": tea.id})
    assert stored is not None and "sku" not in stored  # absent, not null: the index is sparse
    renamed = await shop.catalog.update(SYSTEM, mate.id, ProductPatch(sku="T-1"))
    assert renamed.sku == "T-1"
    kept = await shop.catalog.update(SYSTEM, renamed.id, ProductPatch(price=99))
    assert kept.sku == "T-1"  # a patch without sku leaves it alone
    assert (await shop.catalog.with_skus(["T-1", "M-1"])).keys() == {"T-1"}


@pytest.mark.parametrize("sku", ["", " ", "a b", "-A", ".A", "A/1", "Ü-1", "A" * 65, "A\n"])
async def test_a_sku_of_other_characters_is_refused(shop: Shop, sku: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse(ProductDraft, {"name": "Tea", "price": 1, "sku": sku})
    assert refused.value.errors[0].loc == ("sku",)
    assert "letters, digits" in refused.value.errors[0].message


async def test_null_gives_a_product_the_shop_s_low_stock_threshold_again(
    shop: Shop, new_product: NewProduct
) -> None:
    honey = await new_product(low_stock_threshold=3)
    patch = parse(ProductPatch, {"lowStockThreshold": None})
    assert (await shop.catalog.update(SYSTEM, honey.id, patch)).low_stock_threshold is None
