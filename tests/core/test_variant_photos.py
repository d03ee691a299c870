"""A variant's own photo against the product's photo list: a removal racing the variant's
edit never leaves it naming a photo the product no longer has, and a removal killed after
the list's write is finished by recovery, which clears the variants naming the file."""

from __future__ import annotations

from typing import Any

import pytest
from bson import ObjectId

from core.accounts.access import SYSTEM
from core.base import clock
from core.catalog.photos import PENDING
from core.catalog.variants.commands import VariantPatch
from core.shop import Shop
from tests.core.photos import LATER, files, ids, with_photos
from tests.core.variants import make_shirt
from tests.factories import NewProduct


async def stored_photo(shop: Shop, variant_id: ObjectId) -> Any:
    document = await shop.store.variants.find_one({"_id": variant_id})
    assert document is not None
    return document.get("photoId")


async def test_a_photo_removed_while_a_variant_is_given_it_is_cleared(
    shop: Shop, new_product: NewProduct, monkeypatch: pytest.MonkeyPatch
) -> None:
    shirt = await make_shirt(shop, new_product)
    product = await with_photos(shop, shirt.product, 2)
    first, second = ids(product)
    checked = shop.variants._has_photo

    async def removed_right_after_the_check(variant_id: ObjectId, photo_id: ObjectId) -> None:
        await checked(variant_id, photo_id)
        await shop.photos.remove(SYSTEM, product.id, photo_id)  # before the variant's write

    monkeypatch.setattr(shop.variants, "_has_photo", removed_right_after_the_check)
    edited = await shop.variants.update(SYSTEM, shirt.red_m.id, VariantPatch(photo_id=second))

    assert edited.photo_id is None and await stored_photo(shop, shirt.red_m.id) is None
    assert ids(await shop.catalog.get(product.id)) == [first]


async def test_a_removal_killed_after_the_lists_write_is_finished_by_recovery(
    shop: Shop, new_product: NewProduct
) -> None:
    shirt = await make_shirt(shop, new_product)
    product = await with_photos(shop, shirt.product, 2)
    first, second = ids(product)
    await shop.variants.update(SYSTEM, shirt.red_m.id, VariantPatch(photo_id=second))
    await shop.variants.update(SYSTEM, shirt.blue_l.id, VariantPatch(photo_id=first))
    # the removal of the second died after writing the list (step 2): its file is pending
    await shop.store.photo_files.update_one(
        {"_id": second}, {"$set": {"metadata.state": PENDING, "metadata.leaseUntil": clock.now()}}
    )
    await shop.store.products.update_one(
        {"_id": product.id}, {"$pull": {"photos": {"fileId": second}}}
    )

    assert await shop.recover(at=clock.now() + LATER) >= 1
    assert second not in await files(shop)
    assert await stored_photo(shop, shirt.red_m.id) is None
    assert await stored_photo(shop, shirt.blue_l.id) == first  # another photo: kept
