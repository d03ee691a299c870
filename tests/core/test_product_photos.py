"""Several photos per product: adding up to ten, replacing, removing and reordering one by its
id, edits racing each other (none lost, never an eleventh), Telegram ids kept per photo,
products stored with one ``photo`` before ``photos``, and recovery in the middle of a list."""

from __future__ import annotations

import asyncio

import pytest
from bson import ObjectId

from core.accounts.access import SYSTEM
from core.base import clock
from core.base.commands import parse
from core.base.errors import InvalidInput, NotFound, VersionConflict
from core.catalog.commands import PhotoOrder, ProductPatch
from core.catalog.errors import PhotosChanged, TooManyPhotos
from core.catalog.models import MAX_PHOTOS, Product, TelegramFile
from core.catalog.photos import CURRENT, PENDING
from core.shop import Shop
from tests.core.photos import LATER, files, ids, picture, with_photos
from tests.factories import NewProduct, photo_as_before
from tests.images import image_bytes


async def test_photos_are_added_in_order_up_to_ten(shop: Shop, new_product: NewProduct) -> None:
    tea = await with_photos(shop, await new_product(), MAX_PHOTOS)
    assert [photo.width for photo in tea.photos] == list(range(1, MAX_PHOTOS + 1))
    assert tea.photo == tea.photos[0]
    with pytest.raises(TooManyPhotos):
        await shop.photos.add(SYSTEM, tea.id, picture(20))
    assert ids(await shop.catalog.get(tea.id)) == ids(tea)
    assert await files(shop) == dict.fromkeys(ids(tea), CURRENT)  # the refused one left none
    for photo in tea.photos:
        assert await shop.photos.photo_of(tea.id, photo.file_id) == photo
    assert await shop.photos.content(tea.photos[3]) == picture(3)


async def test_one_photo_is_replaced_in_its_place(shop: Shop, new_product: NewProduct) -> None:
    tea = await with_photos(shop, await new_product(), 3)
    first, second, third = ids(tea)
    replaced = await shop.photos.replace(SYSTEM, tea.id, second, picture(7))
    assert ids(replaced)[0::2] == [first, third] and ids(replaced)[1] != second
    assert replaced.photos[1].width == 8
    assert set(await files(shop)) == set(ids(replaced))
    with pytest.raises(NotFound) as missing:
        await shop.photos.replace(SYSTEM, tea.id, second, picture(8))  # gone already
    assert missing.value.reason == "no-such-photo"
    with pytest.raises(NotFound):
        await shop.photos.photo_of(tea.id, second)
    assert set(await files(shop)) == set(ids(replaced))  # the refused upload left nothing


async def test_the_first_photo_routes_of_before_act_on_the_first(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await with_photos(shop, await new_product(), 2)
    first, second = ids(tea)
    attached = await shop.photos.attach(SYSTEM, tea.id, picture(5))
    assert ids(attached)[1] == second and ids(attached)[0] != first
    removed = await shop.photos.remove(SYSTEM, tea.id)
    assert ids(removed) == [second]
    assert await shop.photos.photo_of(tea.id) == removed.photos[0]


async def test_removing_one_moves_the_others_up(shop: Shop, new_product: NewProduct) -> None:
    tea = await with_photos(shop, await new_product(), 3)
    first, second, third = ids(tea)
    after = await shop.photos.remove(SYSTEM, tea.id, second)
    assert ids(after) == [first, third]
    assert set(await files(shop)) == {first, third}
    with pytest.raises(NotFound):
        await shop.photos.remove(SYSTEM, tea.id, second)
    with pytest.raises(InvalidInput):
        await shop.photos.remove(SYSTEM, tea.id, "not-an-id")


async def test_reordering_needs_every_photo_once(shop: Shop, new_product: NewProduct) -> None:
    tea = await with_photos(shop, await new_product(), 3)
    first, second, third = ids(tea)
    reordered = await shop.photos.reorder(SYSTEM, tea.id, PhotoOrder(ids=[third, first, second]))
    assert ids(reordered) == [third, first, second]
    assert reordered.version == tea.version + 1
    for partial in ([third, first], [third, first, second, ObjectId()]):
        with pytest.raises(PhotosChanged):
            await shop.photos.reorder(SYSTEM, tea.id, PhotoOrder(ids=partial))
    with pytest.raises(InvalidInput):
        parse(PhotoOrder, {"ids": [str(first), str(first), str(second)]})
    same = await shop.photos.reorder(SYSTEM, tea.id, PhotoOrder(ids=[third, first, second]))
    assert same.version == reordered.version  # nothing to change, nothing written


async def test_racing_adds_never_make_an_eleventh_nor_lose_one(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await with_photos(shop, await new_product(), MAX_PHOTOS - 4)
    outcomes = await asyncio.gather(
        *(shop.photos.add(SYSTEM, tea.id, picture(n)) for n in range(10, 18)),
        return_exceptions=True,
    )
    added = [o for o in outcomes if isinstance(o, Product)]
    refused = [o for o in outcomes if not isinstance(o, Product)]
    assert all(isinstance(o, TooManyPhotos | VersionConflict) for o in refused), refused
    final = await shop.catalog.get(tea.id)
    assert len(final.photos) == MAX_PHOTOS - 4 + len(added) <= MAX_PHOTOS
    assert await files(shop) == dict.fromkeys(ids(final), CURRENT)
    assert ids(final)[: MAX_PHOTOS - 4] == ids(tea)


async def test_racing_edits_of_one_list_lose_nothing(shop: Shop, new_product: NewProduct) -> None:
    tea = await with_photos(shop, await new_product(), 4)
    first, second, third, fourth = ids(tea)
    outcomes = await asyncio.gather(
        shop.photos.add(SYSTEM, tea.id, picture(10)),
        shop.photos.remove(SYSTEM, tea.id, second),
        shop.photos.add(SYSTEM, tea.id, picture(11)),
        shop.photos.replace(SYSTEM, tea.id, fourth, picture(12)),
        shop.catalog.update(SYSTEM, tea.id, ProductPatch(price=900)),
        return_exceptions=True,
    )
    assert all(isinstance(o, Product) for o in outcomes), outcomes
    final = await shop.catalog.get(tea.id)
    assert final.price == 900
    assert ids(final)[:2] == [first, third]
    assert sorted(photo.width for photo in final.photos) == [1, 3, 11, 12, 13]
    assert await files(shop) == dict.fromkeys(ids(final), CURRENT)


async def test_telegram_ids_stay_with_their_photo(shop: Shop, new_product: NewProduct) -> None:
    tea = await with_photos(shop, await new_product(), 3)
    first, second, third = tea.photos
    known = TelegramFile(file_id="AgAD-2", file_unique_id="u-2")
    await shop.photos.remember_on_telegram(tea.id, second, 42, known)
    await shop.photos.reorder(
        SYSTEM, tea.id, PhotoOrder(ids=[third.file_id, second.file_id, first.file_id])
    )
    after = await shop.catalog.get(tea.id)
    assert [photo.telegram for photo in after.photos] == [{}, {"42": known}, {}]
    await shop.photos.replace(SYSTEM, tea.id, second.file_id, picture(9))
    await shop.photos.remember_on_telegram(tea.id, second, 42, known)  # replaced: not kept
    assert all(not photo.telegram for photo in (await shop.catalog.get(tea.id)).photos)


async def test_a_product_stored_with_one_photo_reads_and_changes_as_a_list(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await new_product()
    data = image_bytes("PNG", (4, 4))
    stored = await photo_as_before(shop, tea, data)
    product = await shop.catalog.get(tea.id)
    assert ids(product) == [stored["fileId"]] and product.photo == product.photos[0]
    assert await shop.photos.content(await shop.photos.photo_of(tea.id)) == data
    known = TelegramFile(file_id="AgAD-old", file_unique_id="u-old")
    await shop.photos.remember_on_telegram(tea.id, product.photos[0], 7, known)
    assert (await shop.catalog.get(tea.id)).photos[0].telegram == {"7": known}

    added = await shop.photos.add(SYSTEM, tea.id, picture(3))
    assert ids(added)[0] == stored["fileId"] and len(added.photos) == 2
    assert added.photos[0].telegram == {"7": known}  # carried over into ``photos``
    document = await shop.store.products.find_one({"_id": tea.id})
    assert document is not None and "photo" not in document and len(document["photos"]) == 2


async def test_recovery_reads_a_product_stored_with_one_photo(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await new_product()
    stored = await photo_as_before(shop, tea, image_bytes("PNG", (4, 4)))
    await shop.store.photo_files.update_one(  # a removal (step 1) that died
        {"_id": stored["fileId"]},
        {"$set": {"metadata.state": PENDING, "metadata.leaseUntil": clock.now()}},
    )
    assert await shop.recover(at=clock.now() + LATER) == 1
    assert await files(shop) == {stored["fileId"]: CURRENT}  # still its photo: kept


async def test_recovery_finishes_a_replace_in_the_middle_of_the_list(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await with_photos(shop, await new_product(), 3)
    first, _, third = ids(tea)
    # a replace of the second that died after writing the list (step 2): its new file is
    # pending, the replaced one is still there
    new_id = await shop.store.photos.upload_from_stream(
        "new.png",
        picture(6),
        metadata={"productId": tea.id, "state": PENDING, "leaseUntil": clock.now()},
    )
    listed = (await shop.store.products.find_one({"_id": tea.id}) or {})["photos"]
    listed[1] = {**listed[1], "fileId": new_id}
    await shop.store.products.update_one({"_id": tea.id}, {"$set": {"photos": listed}})
    assert await shop.recover(at=clock.now() + LATER) == 1
    assert await files(shop) == {first: CURRENT, new_id: CURRENT, third: CURRENT}
    assert ids(await shop.catalog.get(tea.id)) == [first, new_id, third]
