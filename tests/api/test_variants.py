"""Options and variants over HTTP: admins define them, customers buy one variant at a time
and concurrent checkouts never oversell a variant."""

from __future__ import annotations

import asyncio
from typing import Any

from core.accounts.models import Role
from tests.api.client import Api
from tests.api.variants import shirt as _shirt
from tests.api.world import NewAccount
from tests.factories import NewProduct


async def test_admins_define_options_and_variants_customers_buy_one(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin, alice = await new_account(Role.ADMIN, name="Ada"), await new_account()
    pid, red_m, blue_l = await _shirt(api, admin, new_product)
    assert (red_m["name"], red_m["sku"], red_m["price"]) == ("M, Red", "TEE-M-RED", None)

    listed = await api.get(f"/api/products/{pid}/variants")
    assert [v["name"] for v in listed.body["items"]] == ["M, Red", "L, Blue"]
    plain = await api.post("/api/cart/add", json={"productId": pid}, token=alice.token)
    assert (plain.status, plain.code) == (409, "choose-variant")
    line = {"productId": pid, "variantId": blue_l["id"], "quantity": 2}
    added = await api.post("/api/cart/add", json=line, token=alice.token)
    assert added.status == 200, added.body
    [item] = added.body["items"]
    assert (item["name"], item["variantName"], item["unitPrice"], item["lineTotal"]) == (
        "T-shirt (L, Blue)",
        "L, Blue",
        1500,
        3000,
    )

    placed = await api.post("/api/orders", token=alice.token)
    assert placed.status == 201, placed.body
    [ordered] = placed.body["products"]
    assert (ordered["name"], ordered["variantId"], ordered["variantName"]) == (
        "T-shirt (L, Blue)",
        blue_l["id"],
        "L, Blue",
    )
    left = await api.get(f"/api/variants/{blue_l['id']}")
    assert left.body["stock"] == 3
    export = await api.get("/api/exports/orders.csv", token=admin.token)
    assert "T-shirt (L, Blue) x 2" in export.body


async def test_bad_variant_requests_are_refused_and_change_nothing(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin, alice = await new_account(Role.ADMIN, name="Ada"), await new_account()
    pid, red_m, _ = await _shirt(api, admin, new_product)
    tea = await new_product("Tea")

    cases: list[tuple[str, str, dict[str, Any], int, str]] = [
        ("POST", f"/api/products/{pid}/variants", {"options": {"Size": "XL", "Colour": "Red"}},
         409, "options-mismatch"),
        ("POST", f"/api/products/{pid}/variants", {"options": {"Size": "M", "Colour": "Red"}},
         409, "variant-taken"),
        ("POST", f"/api/products/{tea.id}/variants", {"options": {"Size": "M"}}, 409,
         "options-mismatch"),
        ("POST", f"/api/products/{pid}/variants", {"options": {"Size": "M", "Colour": 1}}, 422,
         "invalid-input"),
        ("PATCH", f"/api/variants/{red_m['id']}", {"stockDelta": -6}, 409, "stock-out-of-range"),
        ("PATCH", f"/api/variants/{red_m['id']}", {"stock": 1, "expectedVersion": 7}, 409,
         "version-conflict"),
        ("PATCH", f"/api/products/{tea.id}", {"sku": "TEE-M-RED"}, 409, "sku-taken"),
        ("PUT", f"/api/products/{pid}/options", {"options": {"Size": ["S"]}}, 409,
         "options-in-use"),
        ("PUT", f"/api/products/{pid}/options", {"options": {"Size": ["S", "S"]}}, 422,
         "invalid-input"),
    ]  # fmt: skip
    for method, path, body, status, code in cases:
        reply = await api.request(method, path, json=body, token=admin.token)
        assert (reply.status, reply.code) == (status, code), (path, body, reply.body)
    other = {"productId": str(tea.id), "variantId": red_m["id"]}
    reply = await api.post("/api/cart/add", json=other, token=alice.token)
    assert (reply.status, reply.body["detail"]) == (404, "This product has no such option.")
    assert (await api.get(f"/api/variants/{red_m['id']}")).body["stock"] == 5
    assert (await api.get("/api/cart", token=alice.token)).body["items"] == []


async def test_an_archived_variant_is_gone_for_customers_not_for_staff(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin, alice = await new_account(Role.ADMIN, name="Ada"), await new_account()
    pid, red_m, blue_l = await _shirt(api, admin, new_product)

    archived = await api.post(f"/api/variants/{red_m['id']}/archive", token=admin.token)

    assert (archived.status, archived.body["active"]) == (200, False)
    assert (await api.get(f"/api/variants/{red_m['id']}")).status == 404
    staff_view = await api.get(f"/api/variants/{red_m['id']}", token=admin.token)
    assert staff_view.status == 200
    customers = await api.get(f"/api/products/{pid}/variants?includeInactive=true")
    assert [v["id"] for v in customers.body["items"]] == [blue_l["id"]]
    everything = await api.get(
        f"/api/products/{pid}/variants?includeInactive=true", token=admin.token
    )
    assert len(everything.body["items"]) == 2
    line = {"productId": pid, "variantId": red_m["id"]}
    reply = await api.post("/api/cart/add", json=line, token=alice.token)
    assert reply.status == 404


async def test_concurrent_checkouts_over_http_never_oversell_a_variant(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin = await new_account(Role.ADMIN, name="Ada")
    pid, red_m, blue_l = await _shirt(api, admin, new_product, stock=4)
    buyers = [await new_account(name=f"Buyer {n}") for n in range(12)]
    line = {"productId": pid, "variantId": red_m["id"], "quantity": 1}
    for buyer in buyers:
        assert (await api.post("/api/cart/add", json=line, token=buyer.token)).status == 200

    replies = await asyncio.gather(
        *(api.post("/api/orders", token=buyer.token) for buyer in buyers)
    )

    statuses = sorted(reply.status for reply in replies)
    assert statuses == [201] * 4 + [409] * 8
    assert {r.code for r in replies if r.status == 409} == {"out-of-stock"}
    assert (await api.get(f"/api/variants/{red_m['id']}")).body["stock"] == 0
    assert (await api.get(f"/api/variants/{blue_l['id']}")).body["stock"] == 4
