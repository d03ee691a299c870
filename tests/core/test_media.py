"""Product photos in GridFS: only images by their content, replace and remove, the Telegram
file id cache guarded by the photo, and recovery of interrupted uploads and removals."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.accounts.access import SYSTEM, Actor
from core.accounts.models import Role
from core.base import clock
from core.base.errors import Forbidden, NotFound
from core.catalog.errors import InvalidPhoto
from core.catalog.models import TelegramFile
from core.catalog.photos import CURRENT, PENDING, ProductPhotos, sniff
from core.shop import Shop
from tests.factories import NewProduct, NewUser
from tests.images import image_bytes, noise_bytes

LATER = timedelta(minutes=5)
NOISE = {kind: noise_bytes(kind) for kind in ("JPEG", "PNG", "WEBP")}
START_OF_SCAN, END_OF_IMAGE = b"\xff\xda", b"\xff\xd9"


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
async def test_a_photo_is_stored_served_and_replaced(
    shop: Shop, new_product: NewProduct, kind: str
) -> None:
    tea = await new_product()
    data = image_bytes(kind, (40, 30))
    product = await shop.photos.attach(SYSTEM, tea.id, data)
    assert product.photo is not None
    assert (product.photo.width, product.photo.height, product.photo.size) == (40, 30, len(data))
    assert product.photo.content_type == f"image/{kind.lower()}"
    assert await shop.photos.content(await shop.photos.photo_of(tea.id)) == data

    first = product.photo
    replaced = await shop.photos.attach(SYSTEM, tea.id, image_bytes("PNG", (10, 10)))
    assert replaced.photo is not None and replaced.photo.file_id != first.file_id
    with pytest.raises(NotFound):
        await shop.photos.content(first)  # the old file is gone
    assert await shop.store.photo_files.count_documents({}) == 1
    stored = await shop.store.photo_files.find_one({})
    assert stored is not None and stored["metadata"]["state"] == CURRENT


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"GIF89a" + b"\0" * 100, "JPEG, PNG or WebP"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "readable PNG"),
        (b"\xff\xd8\xff" + b"<script>", "readable JPEG"),
        (NOISE["JPEG"][:2000], "readable JPEG"),
        (NOISE["JPEG"][: NOISE["JPEG"].index(START_OF_SCAN)] + END_OF_IMAGE, "readable JPEG"),
        (NOISE["PNG"][: len(NOISE["PNG"]) // 2], "readable PNG"),
        (NOISE["WEBP"][: len(NOISE["WEBP"]) // 2], "readable WEBP"),
        (image_bytes("PNG", (4000, 100)), "20 times"),
        (image_bytes("PNG", (6000, 5000), mode="1"), "at most 10000"),
        (b"\xff\xd8\xff" + b"\0" * 2_000_000, "larger than"),
    ],
)
async def test_bad_files_are_refused_and_change_nothing(
    shop: Shop, new_product: NewProduct, data: bytes, reason: str
) -> None:
    tea = await new_product()
    small = ProductPhotos(shop.store, shop.catalog, 1_000_000, timedelta(seconds=60))
    with pytest.raises(InvalidPhoto, match=reason):
        await small.attach(SYSTEM, tea.id, data)
    assert (await shop.catalog.get(tea.id)).photo is None
    assert await shop.store.photo_files.count_documents({}) == 0


def test_formats_are_told_by_their_content() -> None:
    assert sniff(image_bytes("WEBP", (2, 2))) == "WEBP"
    assert sniff(b"RIFF\0\0\0\0WAVE") is None
    assert sniff(image_bytes("JPEG", (2, 2))) == "JPEG"


async def test_only_admins_attach_and_remove(
    shop: Shop, new_product: NewProduct, new_user: NewUser
) -> None:
    tea = await new_product()
    operator = Actor((await new_user()).id, Role.OPERATOR)
    with pytest.raises(Forbidden):
        await shop.photos.attach(operator, tea.id, image_bytes("PNG", (2, 2)))
    await shop.photos.attach(SYSTEM, tea.id, image_bytes("PNG", (2, 2)))
    with pytest.raises(Forbidden):
        await shop.photos.remove(operator, tea.id)


async def test_removing_deletes_the_file_and_customers_see_no_photo(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await new_product()
    await shop.photos.attach(SYSTEM, tea.id, image_bytes("JPEG", (8, 8)))
    product = await shop.photos.remove(SYSTEM, tea.id)
    assert product.photo is None
    assert await shop.store.photo_files.count_documents({}) == 0
    with pytest.raises(NotFound):
        await shop.photos.photo_of(tea.id)
    assert (await shop.photos.remove(SYSTEM, tea.id)) == product  # again: nothing to do


async def test_archived_products_photos_are_for_staff_only(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await new_product()
    await shop.photos.attach(SYSTEM, tea.id, image_bytes("PNG", (2, 2)))
    await shop.catalog.archive(SYSTEM, tea.id)
    with pytest.raises(NotFound):
        await shop.photos.photo_of(tea.id)
    assert await shop.photos.photo_of(tea.id, viewer=SYSTEM)


async def test_a_telegram_file_id_is_kept_only_for_the_photo_it_was_made_from(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await new_product()
    old = await shop.photos.attach(SYSTEM, tea.id, image_bytes("PNG", (2, 2)))
    new = await shop.photos.attach(SYSTEM, tea.id, image_bytes("PNG", (3, 3)))
    file = TelegramFile(file_id="AgAD-old", file_unique_id="u-old")
    assert old.photo is not None and new.photo is not None
    await shop.photos.remember_on_telegram(tea.id, old.photo, 42, file)  # a replaced photo
    assert (await shop.catalog.get(tea.id)).photo.telegram == {}  # type: ignore[union-attr]
    fresh = TelegramFile(file_id="AgAD-new", file_unique_id="u-new")
    await shop.photos.remember_on_telegram(tea.id, new.photo, 42, fresh)
    kept = (await shop.catalog.get(tea.id)).photo
    assert kept is not None and kept.telegram == {"42": fresh}
    assert "telegram" not in kept.model_dump(by_alias=True)  # not shown over the API


async def test_recovery_keeps_an_attached_upload_and_drops_an_orphan(
    shop: Shop, new_product: NewProduct
) -> None:
    tea, mug = await new_product(), await new_product("Mug")
    old = await shop.photos.attach(SYSTEM, tea.id, image_bytes("PNG", (2, 2)))
    assert old.photo is not None
    lease = {"metadata.leaseUntil": clock.now() + timedelta(seconds=60)}
    # an attach that died after pointing the product at its file (step 2): the old file and
    # the new one, still pending, are both there
    new_id = await shop.store.photos.upload_from_stream(
        "x.png", image_bytes("PNG", (5, 5)), metadata={"productId": tea.id, "state": PENDING}
    )
    await shop.store.photo_files.update_one({"_id": new_id}, {"$set": lease})
    await shop.store.products.update_one(
        {"_id": tea.id},
        {"$set": {"photos": [{**old.photo.model_dump(by_alias=True), "fileId": new_id}]}},
    )
    # an attach that died before step 2: nobody refers to its file
    orphan = await shop.store.photos.upload_from_stream(
        "y.png", image_bytes("PNG", (5, 5)), metadata={"productId": mug.id, "state": PENDING}
    )
    await shop.store.photo_files.update_one({"_id": orphan}, {"$set": lease})

    assert await shop.recover() == 0  # both may still be going on
    assert await shop.recover(at=clock.now() + LATER) == 2
    files = await shop.store.photo_files.find({}).to_list()
    assert [(f["_id"], f["metadata"]["state"]) for f in files] == [(new_id, CURRENT)]
    assert await shop.recover(at=clock.now() + LATER) == 0


async def test_an_interrupted_removal_is_finished_by_recovery(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await new_product()
    with_photo = await shop.photos.attach(SYSTEM, tea.id, image_bytes("PNG", (2, 2)))
    assert with_photo.photo is not None
    # removal step 1, then the unset (step 2), then death before deleting the file
    await shop.store.photo_files.update_one(
        {"_id": with_photo.photo.file_id},
        {"$set": {"metadata.state": PENDING, "metadata.leaseUntil": clock.now()}},
    )
    await shop.store.products.update_one({"_id": tea.id}, {"$set": {"photos": []}})
    assert await shop.recover(at=clock.now() + LATER) == 1
    assert await shop.store.photo_files.count_documents({}) == 0
