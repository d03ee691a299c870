"""Digital goods attacked over HTTP: a shop that delivers takes an order of digital goods
only without a body (and refuses details for it), a mixed cart still needs them; another
customer's (or an operator's) look at someone's goods is a 404; an empty goods file and one
past Telegram's 50 MB are refused and change nothing."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import pytest

from core.accounts.access import Actor
from core.accounts.models import Role
from core.digital.commands import GOODS_FILE_MAX_BYTES
from core.sales.commands import CartChange
from core.sales.models import DeliveryMethod
from core.shop import Shop
from tests.api.client import Api, Serve
from tests.api.world import NewAccount
from tests.core.paying import payment_of
from tests.factories import NewProduct
from tests.settings import DELIVERY_METHODS

STARS = {"shop_currency": "XTR", "payment_methods": "stars"}
COURIER = {"method": "courier", "phone": "+1 (202) 555-0143", "address": "1 High St"}


def _file(data: bytes, name: str = "guide.pdf") -> Any:
    form = aiohttp.FormData()
    form.add_field("name", name)
    form.add_field("file", data, filename=name, content_type="application/octet-stream")
    return form


@pytest.mark.parametrize("core_overrides", [STARS])
async def test_a_delivering_shop_takes_digital_goods_without_details(
    serve: Serve, shop: Shop, new_account: NewAccount, new_product: NewProduct
) -> None:
    methods = [DeliveryMethod.model_validate(method) for method in DELIVERY_METHODS]
    delivering = await serve(delivery_methods=methods, **STARS)
    admin, alice = await new_account(Role.ADMIN), await new_account(name="Alice")
    game = await new_product("Game", price=50, stock=0)
    mug = await new_product("Mug", price=100, stock=5)
    keys = await delivering.post(
        f"/api/products/{game.id}/keys", json={"keys": ["K-1", "K-2"]}, token=admin.token
    )
    assert keys.status == 200, keys.body
    document = (await delivering.get("/api/openapi.json")).body
    assert document["paths"]["/api/orders"]["post"]["requestBody"]["required"] is False

    await shop.carts.add(alice.user.id, CartChange(product_id=game.id, quantity=1))
    refused = await delivering.post("/api/orders", json=COURIER, token=alice.token)
    assert (refused.status, refused.code) == (422, "invalid-input")
    assert "digital goods only" in refused.body["detail"]
    assert await shop.store.orders.count_documents({}) == 0
    placed = await delivering.post("/api/orders", token=alice.token)
    assert placed.status == 201, placed.body
    assert (placed.body["delivery"], placed.body["totalAmount"]) == (None, 50)

    await shop.carts.add(alice.user.id, CartChange(product_id=mug.id, quantity=1))
    await shop.carts.add(alice.user.id, CartChange(product_id=game.id, quantity=1))
    bare = await delivering.post("/api/orders", token=alice.token)
    assert (bare.status, bare.code) == (422, "invalid-input")  # the mug is shipped
    assert [error["field"] for error in bare.body["errors"]] == ["method"]
    mixed = await delivering.post("/api/orders", json=COURIER, token=alice.token)
    assert (mixed.status, mixed.body["totalAmount"]) == (201, 50 + 100 + 500)


@pytest.mark.parametrize("core_overrides", [STARS])
async def test_nobody_but_the_buyer_and_admins_reads_an_orders_goods(
    api: Api, shop: Shop, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin, operator = await new_account(Role.ADMIN), await new_account(Role.OPERATOR)
    alice, bob = await new_account(name="Alice"), await new_account(name="Bob")
    game = await new_product("Game", price=50, stock=0)
    await shop.keys.add_text(Actor.of(admin.user), game.id, "<b>ALICE-KEY</b>")
    await shop.carts.add(alice.user.id, CartChange(product_id=game.id, quantity=1))
    order = await shop.checkout.place_order(alice.user.id)
    await shop.payments.record(alice.user.id, payment_of(order))
    url = f"/api/orders/{order.id}/goods"

    own = await api.get(url, token=alice.token)
    assert own.body["lines"][0]["keys"] == ["<b>ALICE-KEY</b>"]
    assert (await api.get(url, token=admin.token)).body["lines"][0]["keys"] == own.body["lines"][0][
        "keys"
    ]
    for stranger in (bob, operator):
        refused = await api.get(url, token=stranger.token)
        assert (refused.status, refused.code) == (404, "not-found")
        assert "ALICE-KEY" not in str(refused.body)
    assert (await api.get(f"/api/orders/{order.id}/goods", token=None)).status == 401
    assert (await api.get("/api/orders/nonsense/goods", token=alice.token)).status in (404, 422)
    listings = [
        await api.get("/api/orders", token=alice.token),
        await api.get(f"/api/orders/{order.id}", token=alice.token),
        await api.get("/api/admin/orders", token=admin.token),
        await api.get(f"/api/admin/orders/{order.id}", token=operator.token),
        # exports: staff's spreadsheets, and the customer's data (the keys are goods, read
        # at /api/orders/{id}/goods, not data kept about the buyer: a copy would only leak)
        await api.get("/api/exports/orders.csv", token=operator.token),
        await api.get("/api/exports/products.csv", token=operator.token),
        await api.get("/api/exports/customers.csv", token=operator.token),
        await api.get("/api/me/data", token=alice.token),
        await api.get(f"/api/admin/users/{alice.user.id}/data", token=admin.token),
    ]
    assert [r.status for r in listings] == [200] * len(listings)
    assert all("ALICE-KEY" not in str(r.body) for r in listings)


@pytest.mark.parametrize("core_overrides", [STARS])
async def test_an_empty_or_oversized_goods_file_is_refused(
    new_product: NewProduct, new_account: NewAccount, api: Api, shop: Shop
) -> None:
    book = await new_product("Book", price=20, stock=3)
    admin = await new_account(Role.ADMIN)
    url = f"/api/products/{book.id}/file"

    empty = await api.post(url, data=_file(b""), token=admin.token)
    assert (empty.status, empty.code) == (422, "invalid-input"), empty.body
    huge = await api.post(url, data=_file(b"x" * (GOODS_FILE_MAX_BYTES + 1)), token=admin.token)
    assert huge.status == 413, huge.body
    stored = await shop.catalog.get(book.id)
    assert (stored.digital, stored.stock) == (None, 3)
    assert await shop.store.goods_files.count_documents({}) == 0


@pytest.mark.parametrize("core_overrides", [STARS])
async def test_a_key_file_that_is_not_utf8_adds_nothing(
    new_product: NewProduct, api: Api, shop: Shop, new_account: NewAccount
) -> None:
    game = await new_product("Game", price=50, stock=0)
    admin = await new_account(Role.ADMIN)
    form = aiohttp.FormData()
    form.add_field("file", b"GOOD-1\nCAF\xc9-2\n", filename="keys.csv", content_type="text/csv")
    refused = await api.post(f"/api/products/{game.id}/keys/import", data=form, token=admin.token)
    assert (refused.status, refused.code) == (422, "invalid-input"), refused.body
    assert "not UTF-8" in refused.body["detail"]
    assert await shop.store.goods_keys.count_documents({}) == 0


@pytest.mark.parametrize("core_overrides", [STARS])
async def test_no_log_line_names_a_key_even_at_debug(
    caplog: pytest.LogCaptureFixture,
    api: Api,
    shop: Shop,
    new_account: NewAccount,
    new_product: NewProduct,
) -> None:
    caplog.set_level(logging.DEBUG)  # pymongo's command log and aiohttp's included
    admin, alice = await new_account(Role.ADMIN), await new_account(name="Alice")
    game = await new_product("Game", price=50, stock=0)
    url = f"/api/products/{game.id}/keys"
    await api.post(url, json={"keys": ["LOGGED-KEY-1", "bad\tLOGGED-KEY-X"]}, token=admin.token)
    await api.post(url, json={"keys": ["LOGGED-KEY-1", "LOGGED-KEY-2"]}, token=admin.token)
    await shop.carts.add(alice.user.id, CartChange(product_id=game.id, quantity=1))
    order = await shop.checkout.place_order(alice.user.id)
    await shop.payments.record(alice.user.id, payment_of(order))
    shown = await api.get(f"{url}?secrets=true", token=admin.token)
    goods = await api.get(f"/api/orders/{order.id}/goods", token=alice.token)
    assert "LOGGED-KEY-1" in str(shown.body) and "LOGGED-KEY" in str(goods.body)
    assert any(r.name.startswith("pymongo") for r in caplog.records)  # DEBUG was on
    assert "LOGGED-KEY" not in caplog.text
