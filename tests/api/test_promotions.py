"""Promo codes over HTTP: staff set one up, a customer adds it to the cart and orders with
it; the per-customer limit holds across two API processes."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from core.accounts.models import Role
from core.shop import Shop
from tests.api.client import Api
from tests.api.world import NewAccount
from tests.factories import NewProduct
from tests.processes import api_processes

ROUNDS = 3


async def test_a_customer_orders_with_a_code_staff_made_and_staff_see_its_figures(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    staff, alice = await new_account(Role.OPERATOR, name="Olga"), await new_account()
    tea = await new_product(price=1250)
    made = await api.request(
        "POST",
        "/api/admin/promo-codes",
        token=staff.token,
        json={"code": "Spring20", "kind": "percent", "value": 20, "usageLimit": 5},
    )
    assert made.status == 201 and made.body["code"] == "SPRING20"
    taken = await api.request(
        "POST", "/api/admin/promo-codes", token=staff.token, json={"code": "spring20",
        "kind": "fixed", "value": 100})  # fmt: skip
    assert (taken.status, taken.code) == (409, "promo-code-taken")

    await api.request("POST", "/api/cart/add", token=alice.token, json={"productId": str(tea.id)})
    wrong = await api.request("POST", "/api/cart/promo", token=alice.token, json={"code": "NOPE"})
    assert (wrong.status, wrong.code) == (409, "promo-refused")
    assert wrong.body["detail"] == "There is no such promo code."
    added = await api.request(
        "POST", "/api/cart/promo", token=alice.token, json={"code": "spring20"}
    )
    assert added.status == 200
    assert added.body["promo"] == {"code": "SPRING20", "discount": 250, "problem": None,
                                   "message": None}  # fmt: skip
    assert added.body["totalAmount"] == 1250

    order = await api.request("POST", "/api/orders", token=alice.token)
    assert order.status == 201
    assert order.body["totalAmount"] == 1000
    assert order.body["promo"]["code"] == "SPRING20" and order.body["promo"]["discount"] == 250
    assert (await api.request("GET", "/api/cart", token=alice.token)).body["promo"] is None

    figures = await api.request(
        "GET", f"/api/admin/promo-codes/{made.body['id']}", token=staff.token
    )
    assert (figures.body["orders"], figures.body["discountGiven"], figures.body["revenue"]) == (
        1,
        250,
        1000,
    )
    assert figures.body["promo"]["used"] == 1
    paused = await api.request(
        "PATCH", f"/api/admin/promo-codes/{made.body['id']}", token=staff.token,
        json={"state": "paused"})  # fmt: skip
    assert paused.body["state"] == "paused"
    await api.request("POST", "/api/cart/add", token=alice.token, json={"productId": str(tea.id)})
    refused = await api.request(
        "POST", "/api/cart/promo", token=alice.token, json={"code": "SPRING20"}
    )
    assert (refused.status, refused.body["detail"]) == (409, "This promo code is not active.")


async def test_a_code_refused_at_checkout_says_why_and_the_customer_orders_without_it(
    api: Api, shop: Shop, new_account: NewAccount, new_product: NewProduct
) -> None:
    staff, alice = await new_account(Role.ADMIN), await new_account()
    tea = await new_product(price=500)
    made = await api.request("POST", "/api/admin/promo-codes", token=staff.token,
                             json={"code": "BIG", "kind": "fixed", "value": 100,
                                   "minTotal": 1000})  # fmt: skip
    await api.request("POST", "/api/cart/add", token=alice.token, json={"productId": str(tea.id)})
    kept = await api.request("POST", "/api/cart/promo", token=alice.token, json={"code": "big"})
    assert kept.body["promo"]["problem"] == "promo-min-total"
    refused = await api.request("POST", "/api/orders", token=alice.token)
    assert (refused.status, refused.code) == (409, "promo-refused")
    assert refused.body["detail"] == "Your order is below this promo code's minimum."
    dropped = await api.request("DELETE", "/api/cart/promo", token=alice.token)
    assert dropped.body["promo"] is None
    order = await api.request("POST", "/api/orders", token=alice.token)
    assert (order.status, order.body["promo"], order.body["totalAmount"]) == (201, None, 500)
    assert made.status == 201


async def _use(http: aiohttp.ClientSession, url: str, token: str) -> tuple[int, Any]:
    """Add the code and order; told the code is refused, drop it and order without."""
    headers = {"Authorization": f"Bearer {token}"}
    async with http.post(f"{url}/api/cart/promo", headers=headers, json={"code": "ONCE"}):
        pass
    async with http.post(f"{url}/api/orders", headers=headers) as reply:
        status, body = reply.status, await reply.json()
    if body.get("code") != "promo-refused":
        return status, body
    async with http.delete(f"{url}/api/cart/promo", headers=headers):
        pass
    async with http.post(f"{url}/api/orders", headers=headers) as reply:
        return reply.status, await reply.json()


@pytest.mark.slow
async def test_a_customer_limit_holds_across_two_api_processes(
    shop: Shop, mongo_uri: str, new_account: NewAccount, new_product: NewProduct
) -> None:
    staff, alice = await new_account(Role.ADMIN), await new_account()
    tea = await new_product(price=500, stock=100)
    async with (
        api_processes(mongo_uri, shop.settings.mongodb_database, 2) as urls,
        aiohttp.ClientSession() as http,
    ):
        headers = {"Authorization": f"Bearer {staff.token}"}
        draft = {"code": "ONCE", "kind": "fixed", "value": 100, "perCustomer": 1}
        async with http.post(f"{urls[0]}/api/admin/promo-codes", json=draft,
                             headers=headers) as made:  # fmt: skip
            assert made.status == 201
        for _ in range(ROUNDS):
            cart = {"Authorization": f"Bearer {alice.token}"}
            async with http.post(f"{urls[1]}/api/cart/add", headers=cart,
                                 json={"productId": str(tea.id)}) as added:  # fmt: skip
                assert added.status == 200
            replies = await asyncio.gather(
                *(_use(http, url, alice.token) for url in urls for _ in range(4))
            )
            assert {status for status, _ in replies} <= {201, 409}, replies
    orders = await shop.store.orders.find({"userId": alice.user.id, "placed": True}).to_list()
    assert len(orders) == ROUNDS  # each round's cart became one order ...
    assert sum("promo" in order for order in orders) == 1  # ... and one used the code
    promo = await shop.store.promo_codes.find_one({"code": "ONCE"})
    assert promo is not None and promo["used"] == 1


async def test_staff_edit_list_and_archive_codes_over_http(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    """Editing (with the version checked), listing with figures and archiving, as staff do."""
    staff, alice = await new_account(Role.OPERATOR), await new_account()
    tea = await new_product(price=2000)
    five = {"code": "five", "kind": "fixed", "value": 500}
    made = await api.request("POST", "/api/admin/promo-codes", token=staff.token, json=five)
    url = f"/api/admin/promo-codes/{made.body['id']}"
    terms = {"value": 700, "usageLimit": 3, "expectedVersion": 0}
    edited = await api.request("PATCH", url, token=staff.token, json=terms)
    assert edited.status == 200, edited.body
    assert (edited.body["value"], edited.body["usageLimit"], edited.body["version"]) == (700, 3, 1)
    stale = await api.request(
        "PATCH", url, token=staff.token, json={"value": 1, "expectedVersion": 0}
    )
    assert stale.status == 409
    assert (await api.request("GET", url, token=staff.token)).body["promo"]["value"] == 700

    await api.request("POST", "/api/cart/add", token=alice.token, json={"productId": str(tea.id)})
    await api.request("POST", "/api/cart/promo", token=alice.token, json={"code": "FIVE"})
    assert (await api.request("POST", "/api/orders", token=alice.token)).body["totalAmount"] == 1300
    listed = await api.request("GET", "/api/admin/promo-codes", token=staff.token)
    assert listed.status == 200 and listed.body["total"] == 1
    [row] = listed.body["items"]
    assert (row["promo"]["code"], row["promo"]["used"], row["orders"]) == ("FIVE", 1, 1)
    assert (row["discountGiven"], row["revenue"]) == (700, 1300)

    archived = await api.request("PATCH", url, token=staff.token, json={"state": "archived"})
    assert (archived.status, archived.body["state"]) == (200, "archived")
    again = await api.request("PATCH", url, token=staff.token, json={"state": "active"})
    assert (again.status, again.code) == (409, "promo-archived")
    assert (await api.request("GET", "/api/admin/promo-codes", token=staff.token)).body[
        "items"
    ] == []
    kept = await api.request(
        "GET", "/api/admin/promo-codes?includeArchived=true", token=staff.token
    )
    assert [r["promo"]["state"] for r in kept.body["items"]] == ["archived"]
    await api.request("POST", "/api/cart/add", token=alice.token, json={"productId": str(tea.id)})
    refused = await api.request("POST", "/api/cart/promo", token=alice.token, json={"code": "five"})
    assert (refused.status, refused.code) == (409, "promo-refused")
