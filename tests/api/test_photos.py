"""Product photos over HTTP: multipart upload sniffed by content, served with an ETag and
304, replaced and removed; bad, huge and misdeclared files change nothing."""

from __future__ import annotations

import aiohttp

from core.accounts.models import Role
from tests.api.client import Api, Serve
from tests.api.world import NewAccount, World
from tests.factories import NewProduct
from tests.images import image_bytes, photo_form


async def test_upload_serve_revalidate_replace_and_remove(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin = await new_account(Role.ADMIN)
    tea = await new_product()
    url = f"/api/products/{tea.id}/photo"
    assert (await api.get(url)).status == 404

    png = image_bytes("PNG", (32, 24))
    # the name and the declared type say JPEG; the content says PNG, and wins
    uploaded = await api.post(url, data=photo_form(png, "x.jpg", "image/jpeg"), token=admin.token)
    assert uploaded.status == 200
    photo = uploaded.body["photo"]
    assert (photo["contentType"], photo["width"], photo["height"]) == ("image/png", 32, 24)
    assert "telegram" not in photo

    served = await api.get(url)
    assert (served.status, served.body) == (200, png)
    assert served.headers["Content-Type"] == "image/png"
    etag = served.headers["ETag"]
    assert etag == f'"{photo["fileId"]}"'
    assert served.headers["Cache-Control"] == "no-cache"
    fresh = await api.get(url, headers={"If-None-Match": etag})
    assert (fresh.status, fresh.body) == (304, "")
    assert fresh.headers["ETag"] == etag

    webp = image_bytes("WEBP", (8, 8))
    replaced = await api.post(url, data=photo_form(webp), token=admin.token)
    assert replaced.body["photo"]["contentType"] == "image/webp"
    changed = await api.get(url, headers={"If-None-Match": etag})
    assert (changed.status, changed.body) == (200, webp)
    assert changed.headers["ETag"] != etag

    removed = await api.delete(url, token=admin.token)
    assert (removed.status, removed.body.get("photo")) == (200, None)
    assert (await api.get(url)).status == 404
    again = await api.delete(url, token=admin.token)  # idempotent
    assert (again.status, again.body["version"]) == (200, removed.body["version"])


async def test_bad_files_get_problems_and_change_nothing(
    serve: Serve, new_account: NewAccount, new_product: NewProduct
) -> None:
    api = await serve(photo_max_bytes=64 * 1024)
    admin, alice = await new_account(Role.ADMIN), await new_account(name="Alice")
    tea = await new_product()
    url = f"/api/products/{tea.id}/photo"
    good = image_bytes("JPEG", (4, 4))
    await api.post(url, data=photo_form(good), token=admin.token)
    before = (await api.get(url)).headers["ETag"]

    cases = [
        (photo_form(b"<?php echo 1; ?>", "tea.png"), 422, "invalid-photo"),
        (photo_form(b"\x89PNG\r\n\x1a\n" + b"junk" * 10), 422, "invalid-photo"),
        (photo_form(b"\xff\xd8\xff" + b"\0" * (200 * 1024)), 413, "body-too-large"),
    ]
    for form, status, code in cases:
        reply = await api.post(url, data=form, token=admin.token)
        assert (reply.status, reply.code) == (status, code), reply.body
    huge = await api.post(
        url,
        data=b"x" * (2 * 1024 * 1024),
        headers={"Content-Type": "multipart/form-data; boundary=b"},
        token=admin.token,
    )
    assert (huge.status, huge.code) == (413, "body-too-large")
    wrong_field = aiohttp.FormData()
    wrong_field.add_field("file", good, filename="a.jpg")
    missing = await api.post(url, data=wrong_field, token=admin.token)
    assert (missing.status, missing.code) == (400, "missing-file")
    as_json = await api.post(url, json={"photo": "aGk="}, token=admin.token)
    assert as_json.status == 415
    assert (await api.post(url, data=photo_form(good), token=alice.token)).status == 403
    assert (await api.post(url, data=photo_form(good))).status == 401
    assert (await api.delete(url, token=alice.token)).status == 403

    after = await api.get(url)
    assert (after.headers["ETag"], after.body) == (before, good)


async def test_an_archived_products_photo_is_for_staff_only(api: Api, world: World) -> None:
    url = f"/api/products/{world.tea.id}/photo"  # the world's tea has a photo
    await api.post(f"/api/products/{world.tea.id}/archive", token=world.admin.token)
    assert (await api.get(url)).status == 404
    assert (await api.get(url, token=world.alice.token)).status == 404
    assert (await api.get(url, token=world.operator.token)).status == 200
