"""Digital goods over HTTP: keys uploaded as JSON or CSV, pool counts for staff (the keys
only for admins), put-back, the goods file; a buyer reads their own key, nobody else;
order listings never hold a key; and a shop without Stars sells no digital goods."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from core.accounts.models import Role
from core.sales.commands import CartChange, StatusUpdate
from core.sales.models import Order, OrderStatus
from core.shop import Shop
from tests.api.client import Api
from tests.api.world import NewAccount
from tests.core.paying import STAFF, payment_of
from tests.factories import NewProduct

STARS = {"shop_currency": "XTR", "payment_methods": "stars"}


def _file_form(field: str, data: bytes, filename: str, content_type: str, **fields: str) -> Any:
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    form.add_field(field, data, filename=filename, content_type=content_type)
    return form


@pytest.mark.parametrize("core_overrides", [STARS])
async def test_keys_by_json_and_csv_counts_and_put_back(
    api: Api, shop: Shop, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin, operator = await new_account(Role.ADMIN), await new_account(Role.OPERATOR)
    alice = await new_account(name="Alice")
    game = await new_product("Game", price=50, stock=0)
    url = f"/api/products/{game.id}/keys"
    added = await api.post(url, json={"keys": ["KEY-1", "KEY-2", "KEY-1"]}, token=admin.token)
    assert added.status == 200, added.body
    assert (added.body["added"], added.body["duplicates"]) == (2, 1)
    csv = b"key,note\nKEY-2,dup\nKEY-3,new\n"
    imported = await api.post(
        f"{url}/import", data=_file_form("file", csv, "keys.csv", "text/csv"), token=admin.token
    )
    assert imported.status == 200, imported.body
    assert imported.body["added"] == 1 and imported.body["pool"]["free"] == 3
    assert (await api.get(f"/api/products/{game.id}")).body["stock"] == 3

    counts = await api.get(f"{url}/counts", token=operator.token)
    assert counts.body == {"productId": str(game.id), "free": 3, "taken": 0, "returned": 0,
                           "stock": 3}  # fmt: skip
    assert (await api.get(url, token=operator.token)).status == 403  # keys: admins only
    listed = await api.get(url, token=admin.token)
    assert {item["secret"] for item in listed.body["items"]} == {None}
    shown = await api.get(f"{url}?secrets=true", token=admin.token)
    assert sorted(i["secret"] for i in shown.body["items"]) == ["KEY-1", "KEY-2", "KEY-3"]

    await shop.carts.add(alice.user.id, CartChange(product_id=game.id, quantity=1))
    order = await shop.checkout.place_order(alice.user.id)
    await shop.payments.record(alice.user.id, payment_of(order))
    goods = await api.get(f"/api/orders/{order.id}/goods", token=alice.token)
    assert goods.status == 200, goods.body
    [line] = goods.body["lines"]
    assert line["kind"] == "keys" and len(line["keys"]) == 1
    key = line["keys"][0]
    for listing in (
        await api.get("/api/orders", token=alice.token),
        await api.get(f"/api/orders/{order.id}", token=alice.token),
        await api.get("/api/admin/orders", token=operator.token),
        await api.get(f"/api/admin/orders/{order.id}", token=admin.token),
    ):
        assert listing.status == 200 and key not in str(listing.body)
    bob = await new_account(name="Bob")
    for stranger in (bob, operator):
        assert (await api.get(f"/api/orders/{order.id}/goods", token=stranger.token)).status == 404
    assert (await api.get(f"/api/orders/{order.id}/goods", token=admin.token)).status == 200

    await shop.orders.change_status(STAFF, order.id, StatusUpdate(status=OrderStatus.CANCELLED))
    returned = next(i for i in (await api.get(url, token=admin.token)).body["items"]
                    if i["state"] == "returned")  # fmt: skip
    put_back = await api.post(f"{url}/{returned['id']}/put-back", token=admin.token)
    assert put_back.status == 200 and put_back.body["free"] == 3
    again = await api.post(f"{url}/{returned['id']}/put-back", token=admin.token)
    assert again.status == 409 and again.body["type"].endswith(":key-not-returned")


@pytest.mark.parametrize("core_overrides", [STARS])
async def test_thirty_buyers_over_http_for_ten_keys_get_ten_different_keys(
    api: Api, shop: Shop, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin = await new_account(Role.ADMIN)
    game = await new_product("Game", price=50, stock=0)
    keys = [f"KEY-{n:02d}" for n in range(10)]
    await api.post(f"/api/products/{game.id}/keys", json={"keys": keys}, token=admin.token)
    buyers = [await new_account(name=f"Buyer {n}") for n in range(30)]
    for buyer in buyers:
        added = await api.post("/api/cart/add", json={"productId": str(game.id)}, token=buyer.token)
        assert added.status == 200
    placed = await asyncio.gather(*(api.post("/api/orders", token=b.token) for b in buyers))
    assert sorted(reply.status for reply in placed).count(201) == 10
    assert {r.body["type"].rsplit(":", 1)[-1] for r in placed if r.status != 201} == {
        "out-of-stock"
    }
    orders = {
        buyer.user.id: Order.model_validate(reply.body)
        for buyer, reply in zip(buyers, placed, strict=True)
        if reply.status == 201
    }
    await asyncio.gather(
        *(shop.payments.record(user, payment_of(order)) for user, order in orders.items())
    )
    seen = []
    for buyer in buyers:
        if (order := orders.get(buyer.user.id)) is None:
            continue
        goods = await api.get(f"/api/orders/{order.id}/goods", token=buyer.token)
        assert goods.status == 200
        seen += goods.body["lines"][0]["keys"]
    assert sorted(seen) == keys
    counts = await api.get(f"/api/products/{game.id}/keys/counts", token=admin.token)
    assert (counts.body["free"], counts.body["taken"], counts.body["stock"]) == (0, 10, 0)


@pytest.mark.parametrize("core_overrides", [STARS])
async def test_a_goods_file_and_bad_input(
    api: Api, shop: Shop, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin = await new_account(Role.ADMIN)
    book = await new_product("Book", price=20, stock=0)
    form = _file_form("file", b"%PDF-1.4", "x.bin", "application/pdf", name="guide.pdf")
    attached = await api.post(f"/api/products/{book.id}/file", data=form, token=admin.token)
    assert attached.status == 200, attached.body
    assert attached.body["digital"]["kind"] == "file"
    assert attached.body["digital"]["file"]["name"] == "guide.pdf"
    assert "telegram" not in attached.body["digital"]["file"]
    alice = await new_account(name="Alice")
    await shop.carts.add(alice.user.id, CartChange(product_id=book.id, quantity=1))
    order = await shop.checkout.place_order(alice.user.id)
    url = f"/api/orders/{order.id}/goods/file"
    assert (await api.get(url, token=alice.token)).status == 404  # not paid yet
    await shop.payments.record(alice.user.id, payment_of(order))
    download = await api.get(url, token=alice.token)
    assert (download.status, download.body) == (200, "%PDF-1.4")  # the client decodes text
    assert 'filename="guide.pdf"' in download.headers["Content-Disposition"]
    other = await new_account(name="Bob")
    assert (await api.get(url, token=other.token)).status == 404
    refused = await api.post(
        f"/api/products/{book.id}/keys", json={"keys": ["K"]}, token=admin.token
    )
    assert refused.status == 409
    empty = await api.post(f"/api/products/{book.id}/keys", json={"keys": [" "]}, token=admin.token)
    assert empty.status == 422


async def test_a_shop_without_stars_refuses_digital_goods(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin = await new_account(Role.ADMIN)
    game = await new_product("Game", price=50, stock=0)
    refused = await api.post(
        f"/api/products/{game.id}/keys", json={"keys": ["K"]}, token=admin.token
    )
    assert refused.status == 409
    assert refused.body["type"].endswith("stars-only")
    assert (await api.get(f"/api/products/{game.id}")).body["digital"] is None
