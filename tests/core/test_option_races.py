"""A product's options and its variants written at the same moment: a variant made or
restored while the options drop its value, and options dropping the value of a variant made
meanwhile. Each checks after its write too, so never is a variant on sale with a value its
product's options lack; nor do variants made at once pass the most a product may have."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from bson import ObjectId

from core.accounts.access import SYSTEM
from core.catalog.variants.commands import (
    MAX_VALUES,
    MAX_VARIANTS,
    OptionsChange,
    VariantDraft,
    VariantPatch,
)
from core.catalog.variants.errors import OptionsInUse, OptionsMismatch, TooManyVariants
from core.shop import Shop
from core.store import Collection, update_and_fetch
from tests.core.variants import make_shirt
from tests.factories import NewProduct

NO_SMALL = OptionsChange(options={"Size": ["M", "L"], "Colour": ["Red", "Blue"]})
SMALL = {"Size": "S", "Colour": "Red"}


async def on_sale_with(shop: Shop, product_id: ObjectId, size: str) -> int:
    return await shop.store.variants.count_documents(
        {"productId": product_id, "active": True, "options.Size": size}
    )


async def test_a_variant_made_while_the_options_drop_its_value_is_undone(
    shop: Shop, new_product: NewProduct, monkeypatch: pytest.MonkeyPatch
) -> None:
    shirt = await make_shirt(shop, new_product)
    checked = shop.variants._sku_free_of_products

    async def options_changed_right_after_the_check(sku: str) -> None:
        await checked(sku)
        await shop.variants.set_options(SYSTEM, shirt.product.id, NO_SMALL)

    monkeypatch.setattr(
        shop.variants, "_sku_free_of_products", options_changed_right_after_the_check
    )
    with pytest.raises(OptionsMismatch):
        await shop.variants.create(SYSTEM, shirt.product.id, VariantDraft(options=SMALL, sku="S1"))

    assert await on_sale_with(shop, shirt.product.id, "S") == 0


async def test_options_dropping_the_value_of_a_variant_made_meanwhile_are_undone(
    shop: Shop, new_product: NewProduct, monkeypatch: pytest.MonkeyPatch
) -> None:
    shirt = await make_shirt(shop, new_product)

    async def variant_made_right_before_the_write(
        collection: Collection, query: dict[str, Any], update: dict[str, Any]
    ) -> dict[str, Any] | None:
        await shop.variants.create(SYSTEM, shirt.product.id, VariantDraft(options=SMALL))
        return await update_and_fetch(collection, query, update)

    monkeypatch.setattr(
        "core.catalog.variants.service.update_and_fetch", variant_made_right_before_the_write
    )
    with pytest.raises(OptionsInUse):
        await shop.variants.set_options(SYSTEM, shirt.product.id, NO_SMALL)

    product = await shop.catalog.get(shirt.product.id)
    assert product.options == shirt.product.options  # as before
    assert await on_sale_with(shop, shirt.product.id, "S") == 1


async def test_a_variant_restored_while_the_options_drop_its_value_stays_archived(
    shop: Shop, new_product: NewProduct, monkeypatch: pytest.MonkeyPatch
) -> None:
    shirt = await make_shirt(shop, new_product)
    small = await shop.variants.create(SYSTEM, shirt.product.id, VariantDraft(options=SMALL))
    await shop.variants.archive(SYSTEM, small.id)
    checked = shop.variants._fits_its_product

    async def options_changed_right_after_the_check(variant_id: ObjectId) -> None:
        await checked(variant_id)
        await shop.variants.set_options(SYSTEM, shirt.product.id, NO_SMALL)

    monkeypatch.setattr(shop.variants, "_fits_its_product", options_changed_right_after_the_check)
    with pytest.raises(OptionsMismatch):
        await shop.variants.update(SYSTEM, small.id, VariantPatch(active=True))

    assert await on_sale_with(shop, shirt.product.id, "S") == 0


async def test_variants_made_at_once_never_pass_the_most_a_product_may_have(
    shop: Shop, new_product: NewProduct
) -> None:
    tee = await new_product("T-shirt", stock=0)
    sizes = [f"S{n}" for n in range(MAX_VALUES)]
    await shop.variants.set_options(
        SYSTEM, tee.id, OptionsChange(options={"Size": sizes, "Colour": ["A", "B", "C", "D"]})
    )
    pairs = [{"Size": size, "Colour": colour} for colour in "ABCD" for size in sizes]
    for options in pairs[: MAX_VARIANTS - 3]:
        await shop.variants.create(SYSTEM, tee.id, VariantDraft(options=options))

    results = await asyncio.gather(
        *(
            shop.variants.create(SYSTEM, tee.id, VariantDraft(options=options))
            for options in pairs[MAX_VARIANTS - 3 : MAX_VARIANTS + 7]
        ),
        return_exceptions=True,
    )

    assert all(not isinstance(r, Exception) or isinstance(r, TooManyVariants) for r in results)
    made = await shop.store.variants.count_documents({"productId": tee.id})
    assert MAX_VARIANTS - 3 < made <= MAX_VARIANTS
    assert made == MAX_VARIANTS - 3 + sum(not isinstance(r, Exception) for r in results)
