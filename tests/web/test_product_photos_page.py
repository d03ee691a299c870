"""A product's several photos on its back-office page: added after each other, moved earlier
and later, replaced and removed by plain forms (no script), at most ten, bad files and forged
forms refused with nothing written."""

from __future__ import annotations

import re

from core.accounts.access import SYSTEM
from core.catalog.commands import ProductDraft
from core.catalog.models import MAX_PHOTOS, Product
from core.shop import Shop
from tests.api.world import NewAccount
from tests.images import image_bytes
from tests.web.office import Office, Page, upload
from tests.web.office import signed_in_admin as _admin


def picture(n: int) -> bytes:
    return image_bytes("PNG", (n + 1, n + 1))


async def widths(shop: Shop, product: Product) -> list[int]:
    return [photo.width for photo in (await shop.catalog.get(product.id, viewer=SYSTEM)).photos]


def shown_photos(page: Page, product: Product) -> list[str]:
    """The photo ids the page shows, in order."""
    return re.findall(rf'src="/admin/products/{product.id}/photos/([0-9a-f]{{24}})"', page.text)


async def test_photos_are_added_moved_replaced_and_removed(
    office: Office, new_account: NewAccount, shop: Shop
) -> None:
    await _admin(office, new_account)
    tea = await shop.catalog.create(SYSTEM, ProductDraft(name="Tea", price=450))
    path = f"/admin/products/{tea.id}"
    page = await office.get(path)
    assert page.shows("Photos 0 of 10") and page.shows("Add a photo")
    for n in range(3):
        added = await upload(office, f"{path}/photos", picture(n), page.csrf)
        assert added.status == 303 and added.location == path
    assert await widths(shop, tea) == [1, 2, 3]
    page = await office.get(path)
    ids = shown_photos(page, tea)
    assert len(ids) == 3 and page.shows("Photo 1 (customers see it first)")
    assert page.shows("Add a photo after the others")
    async with office.client.get(f"{path}/photos/{ids[1]}") as served:
        assert served.status == 200 and await served.read() == picture(1)

    moved = await office.post(f"{path}/photos/{ids[2]}/earlier", csrf=page.csrf)
    assert moved.status == 303
    assert await widths(shop, tea) == [1, 3, 2]
    await office.post(f"{path}/photos/{ids[2]}/earlier", csrf=page.csrf)
    await office.post(f"{path}/photos/{ids[2]}/earlier", csrf=page.csrf)  # first already
    assert await widths(shop, tea) == [3, 1, 2]
    await office.post(f"{path}/photos/{ids[0]}/later", csrf=page.csrf)
    assert await widths(shop, tea) == [3, 2, 1]

    replaced = await upload(office, f"{path}/photos/{ids[1]}", picture(6), page.csrf)
    assert replaced.status == 303
    assert await widths(shop, tea) == [3, 7, 1]
    removed = await office.post(f"{path}/photos/{ids[2]}/remove", csrf=page.csrf)
    assert removed.status == 303
    assert await widths(shop, tea) == [7, 1]
    gone = await office.post(f"{path}/photos/{ids[2]}/later", csrf=page.csrf)
    assert (await office.follow(gone)).shows("Nothing was moved: the photo was removed.")
    page = await office.get(path)
    assert len(shown_photos(page, tea)) == 2 and page.shows("Photos 2 of 10")


async def test_bad_files_forged_forms_and_an_eleventh_change_nothing(
    office: Office, new_account: NewAccount, shop: Shop
) -> None:
    await _admin(office, new_account)
    tea = await shop.catalog.create(SYSTEM, ProductDraft(name="Tea", price=450))
    for n in range(MAX_PHOTOS - 1):
        tea = await shop.photos.add(SYSTEM, tea.id, picture(n))
    path = f"/admin/products/{tea.id}"
    page = await office.get(path)
    first = str(tea.photos[0].file_id)

    refused = await upload(office, f"{path}/photos", b"GIF89a not a photo", page.csrf)
    assert refused.status == 422 and refused.shows("send a JPEG, PNG or WebP image")
    not_a_photo = await upload(office, f"{path}/photos/{first}", b"<svg/>", page.csrf)
    assert not_a_photo.status == 422
    assert (await upload(office, f"{path}/photos", picture(1), "forged")).status == 403
    forged = await office.post(f"{path}/photos/{first}/remove", csrf="forged")
    assert forged.status == 403
    assert await widths(shop, tea) == list(range(1, MAX_PHOTOS))

    assert (await upload(office, f"{path}/photos", picture(20), page.csrf)).status == 303
    full = await office.get(path)
    assert full.shows("A product has at most 10 photos") and not full.shows("Add a photo")
    eleventh = await upload(office, f"{path}/photos", picture(21), page.csrf)
    assert eleventh.status == 409 and eleventh.shows("A product has at most 10 photos.")
    assert len(await widths(shop, tea)) == MAX_PHOTOS
