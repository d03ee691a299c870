"""Several photos per product over HTTP: add (201), list, serve one by its id with an ETag,
replace and remove one, reorder with the full list (409 when it is not the product's), the
eleventh refused; the `/photo` routes act on the first photo."""

from __future__ import annotations

from admin_api.middlewares import CORS_METHODS
from admin_api.routes import ROUTES
from core.accounts.models import Role
from core.catalog.models import MAX_PHOTOS
from tests.api.client import Api
from tests.api.world import NewAccount
from tests.factories import NewProduct
from tests.images import image_bytes, photo_form


def picture(n: int) -> bytes:
    return image_bytes("PNG", (n + 1, n + 1))


async def test_add_list_serve_replace_remove_and_reorder(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin = await new_account(Role.ADMIN)
    tea = await new_product()
    base = f"/api/products/{tea.id}"
    empty = await api.get(f"{base}/photos")
    assert (empty.status, empty.body["photos"], empty.body["productId"]) == (200, [], str(tea.id))

    for n in range(3):
        added = await api.post(f"{base}/photos", data=photo_form(picture(n)), token=admin.token)
        assert added.status == 201, added.body
    listed = await api.get(f"{base}/photos")
    photos = [photo["fileId"] for photo in listed.body["photos"]]
    assert [photo["width"] for photo in listed.body["photos"]] == [1, 2, 3]
    assert (
        added.body["photos"] == listed.body["photos"] and added.body["photo"]["fileId"] == photos[0]
    )
    assert "telegram" not in listed.body["photos"][0]

    second = await api.get(f"{base}/photos/{photos[1]}")
    assert (second.status, second.body) == (200, picture(1))
    assert second.headers["ETag"] == f'"{photos[1]}"'
    fresh = await api.get(
        f"{base}/photos/{photos[1]}", headers={"If-None-Match": second.headers["ETag"]}
    )
    assert fresh.status == 304
    first = await api.get(f"{base}/photo")  # the route of one photo: the first
    assert (first.status, first.body) == (200, picture(0))

    replaced = await api.put(
        f"{base}/photos/{photos[1]}", data=photo_form(picture(7)), token=admin.token
    )
    assert replaced.status == 200, replaced.body
    now = [photo["fileId"] for photo in replaced.body["photos"]]
    assert now[0::2] == photos[0::2] and now[1] != photos[1]
    assert (await api.get(f"{base}/photos/{photos[1]}")).code == "not-found"

    order = {"ids": [now[2], now[0], now[1]]}
    reordered = await api.post(f"{base}/photos/order", json=order, token=admin.token)
    assert [p["fileId"] for p in reordered.body["photos"]] == order["ids"]
    assert reordered.body["photo"]["fileId"] == now[2]

    removed = await api.delete(f"{base}/photos/{now[0]}", token=admin.token)
    assert [p["fileId"] for p in removed.body["photos"]] == [now[2], now[1]]
    gone = await api.delete(f"{base}/photos/{now[0]}", token=admin.token)
    assert (gone.status, gone.body["detail"]) == (404, "The product has no such photo.")


async def test_a_wrong_order_and_an_eleventh_photo_are_refused(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin = await new_account(Role.ADMIN)
    tea = await new_product()
    base = f"/api/products/{tea.id}"
    for n in range(MAX_PHOTOS):
        await api.post(f"{base}/photos", data=photo_form(picture(n)), token=admin.token)
    before = await api.get(f"{base}/photos")
    ids = [photo["fileId"] for photo in before.body["photos"]]

    eleventh = await api.post(f"{base}/photos", data=photo_form(picture(11)), token=admin.token)
    assert (eleventh.status, eleventh.code) == (409, "too-many-photos")
    for order, status, code in [
        (ids[:-1], 409, "photos-changed"),
        ([*ids[:-1], "0" * 24], 409, "photos-changed"),
        ([ids[0], *ids[:-1]], 422, "invalid-input"),
        ([], 422, "invalid-input"),
        (["not-an-id"], 422, "invalid-input"),
    ]:
        reply = await api.post(f"{base}/photos/order", json={"ids": order}, token=admin.token)
        assert (reply.status, reply.code) == (status, code), reply.body
    unknown = await api.put(
        f"{base}/photos/{'0' * 24}", data=photo_form(picture(1)), token=admin.token
    )
    assert (unknown.status, unknown.body["detail"]) == (404, "The product has no such photo.")
    after = await api.get(f"{base}/photos")
    assert after.body == before.body  # nothing changed


def test_every_method_of_the_route_table_is_allowed_across_origins() -> None:
    """A browser on an allowed origin may replace a photo (PUT) as it may call the rest."""
    allowed = {method.strip() for method in CORS_METHODS.split(",")}
    assert {route.method for route in ROUTES} <= allowed
