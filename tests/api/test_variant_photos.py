"""A variant's own photo over HTTP: one of its product's photos, by `fileId` (another
product's, or a made-up one, is refused and writes nothing); `null` clears it; replacing
the photo moves the variant to the new file, removing it clears it."""

from __future__ import annotations

from typing import Any

from core.accounts.models import Role
from tests.api.client import Api
from tests.api.world import NewAccount
from tests.factories import NewProduct
from tests.images import image_bytes, photo_form

OPTIONS = {"options": {"Size": ["S", "M"]}}
NO_SUCH_PHOTO = "The product has no such photo."


def picture(n: int) -> bytes:
    return image_bytes("PNG", (n + 2, n + 2))


async def _with_photos(api: Api, token: str, product_id: str, count: int) -> list[str]:
    for n in range(count):
        added = await api.post(
            f"/api/products/{product_id}/photos", data=photo_form(picture(n)), token=token
        )
        assert added.status == 201, added.body
    return [photo["fileId"] for photo in added.body["photos"]]


async def test_a_variant_names_one_of_its_products_photos(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin = await new_account(Role.ADMIN)
    shirt, other = str((await new_product("T-shirt")).id), str((await new_product("Mug")).id)
    photos = await _with_photos(api, admin.token, shirt, 3)
    [mug_photo] = await _with_photos(api, admin.token, other, 1)
    opts = await api.request(
        "PUT", f"/api/products/{shirt}/options", json=OPTIONS, token=admin.token
    )
    assert opts.status == 200, opts.body

    async def create(**body: Any) -> Any:
        return await api.post(f"/api/products/{shirt}/variants", json=body, token=admin.token)

    foreign = await create(options={"Size": "S"}, photoId=mug_photo)
    assert (foreign.status, foreign.body["detail"]) == (404, NO_SUCH_PHOTO), foreign.body
    made_up = await create(options={"Size": "S"}, photoId="0" * 24)
    assert (made_up.status, made_up.body["detail"]) == (404, NO_SUCH_PHOTO)
    listed = await api.get(
        f"/api/products/{shirt}/variants?includeInactive=true", token=admin.token
    )
    assert listed.body["items"] == []  # nothing written

    small = await create(options={"Size": "S"}, photoId=photos[1], stock=3)
    assert (small.status, small.body["photoId"]) == (201, photos[1]), small.body
    medium = await create(options={"Size": "M"}, stock=3)
    assert medium.body["photoId"] is None
    url = f"/api/variants/{medium.body['id']}"

    refused = await api.patch(url, json={"photoId": mug_photo, "stock": 9}, token=admin.token)
    assert (refused.status, refused.body["detail"]) == (404, NO_SUCH_PHOTO)
    assert (await api.get(url)).body["stock"] == 3  # the refused patch changed nothing
    given = await api.patch(url, json={"photoId": photos[2]}, token=admin.token)
    assert (given.status, given.body["photoId"]) == (200, photos[2])
    assert (await api.get(url)).body["photoId"] == photos[2]  # customers see it too
    cleared = await api.patch(url, json={"photoId": None}, token=admin.token)
    assert (cleared.status, cleared.body["photoId"]) == (200, None)

    small_url = f"/api/variants/{small.body['id']}"
    replaced = await api.put(
        f"/api/products/{shirt}/photos/{photos[1]}", data=photo_form(picture(7)), token=admin.token
    )
    new = replaced.body["photos"][1]["fileId"]
    assert new != photos[1]
    assert (await api.get(small_url)).body["photoId"] == new  # follows its replacement
    removed = await api.delete(f"/api/products/{shirt}/photos/{new}", token=admin.token)
    assert removed.status == 200, removed.body
    assert (await api.get(small_url)).body["photoId"] is None  # removed: cleared
