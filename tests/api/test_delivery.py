"""Delivery details over HTTP: the methods, checkout with details (required where the shop
delivers, refused where it does not), problems that write nothing, staff seeing them."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

from core.sales.models import DeliveryMethod
from core.shop import Shop
from tests.api.client import Api, Serve
from tests.api.world import NewAccount, World
from tests.settings import DELIVERY_METHODS

COURIER = {"method": "courier", "phone": "+1 (202) 555-0143", "address": "1 High St"}


@pytest.fixture
async def delivering(serve: Serve) -> Api:
    methods = [DeliveryMethod.model_validate(method) for method in DELIVERY_METHODS]
    return await serve(delivery_methods=methods)


async def _nothing_written(api: Api, shop: Shop, world: World, orders_before: int) -> None:
    assert await shop.store.orders.count_documents({}) == orders_before
    cart = await api.get("/api/cart", token=world.alice.token)
    assert [item["quantity"] for item in cart.body["items"]] == [1]
    assert (await api.get(f"/api/products/{world.tea.id}")).body["stock"] == 8


async def test_the_methods_are_public(delivering: Api, api: Api) -> None:
    listed = await delivering.get("/api/delivery-methods")
    assert listed.status == 200
    assert listed.body["methods"] == [
        {"code": "pickup", "title": "Pickup", "fee": 0, "needsAddress": False,
         "info": "12 Market St, 9 to 6"},
        {"code": "courier", "title": "Courier", "fee": 500, "needsAddress": True, "info": ""},
    ]  # fmt: skip
    assert (await api.get("/api/delivery-methods")).body == {"methods": []}


async def test_an_order_with_details_shows_them_to_the_customer_and_staff(
    delivering: Api, world: World, new_account: NewAccount
) -> None:
    note = "<script>alert(1)</script> & ring"
    placed = await delivering.post(
        "/api/orders", json={**COURIER, "note": note}, token=world.alice.token
    )

    assert placed.status == 201
    assert placed.body["totalAmount"] == 450 + 500
    expected = {
        "method": "courier",
        "title": "Courier",
        "fee": 500,
        "info": "",
        "recipientName": "Alice",
        "phone": "+12025550143",
        "address": "1 High St",
        "note": note,
    }
    assert placed.body["delivery"] == expected
    order_id = placed.body["id"]
    own = await delivering.get(f"/api/orders/{order_id}", token=world.alice.token)
    assert own.body["delivery"] == expected
    one = await delivering.get(f"/api/admin/orders/{order_id}", token=world.operator.token)
    assert one.body["delivery"] == expected
    listed = await delivering.get("/api/admin/orders", token=world.operator.token)
    by_id = {order["id"]: order for order in listed.body["items"]}
    assert by_id[order_id]["delivery"] == expected
    assert by_id[world.order_id]["delivery"] is None  # placed before the shop delivered
    me = await delivering.get("/api/auth/me", token=world.alice.token)
    assert me.body["lastDelivery"]["address"] == "1 High St"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"method", "phone"}),
        ({**COURIER, "address": None}, {"address"}),
        ({**COURIER, "method": "pickup"}, {"address"}),
        ({**COURIER, "method": "drone"}, {"method"}),
        ({**COURIER, "phone": "12"}, {"phone"}),
        ({**COURIER, "phone": "555-0143", "address": " "}, {"address"}),
        ({**COURIER, "address": "1 High St\u202e"}, {"address"}),
        ({**COURIER, "phone": "+1 202 555 0143 ext. 9"}, {"phone"}),
        ({**COURIER, "phone": "+1 900 555 0100"}, {"phone"}),
        ({**COURIER, "recipientName": "\u3164"}, {"recipientName"}),
        ({**COURIER, "note": "x" * 501}, {"note"}),
        ({**COURIER, "userId": "0123456789abcdef01234567"}, {"userId"}),
        ({**COURIER, "fee": 0}, {"fee"}),
    ],
)
async def test_bad_details_are_a_problem_and_write_nothing(
    delivering: Api, shop: Shop, world: World, body: dict[str, Any], fields: set[str]
) -> None:
    before = await shop.store.orders.count_documents({})

    reply = await delivering.post("/api/orders", json=body, token=world.alice.token)

    assert (reply.status, reply.code) == (422, "invalid-input")
    assert reply.headers["Content-Type"].startswith("application/problem+json")
    assert {error["field"] for error in reply.body["errors"]} == fields
    await _nothing_written(delivering, shop, world, before)


async def test_a_shop_that_delivers_requires_the_details(
    delivering: Api, shop: Shop, world: World
) -> None:
    before = await shop.store.orders.count_documents({})

    reply = await delivering.post("/api/orders", token=world.alice.token)

    # no body is for a cart of digital goods only (tests/api/test_digital_attacks.py)
    assert (reply.status, reply.code) == (422, "invalid-input")
    assert [error["field"] for error in reply.body["errors"]] == ["method"]
    await _nothing_written(delivering, shop, world, before)


async def test_a_shop_that_does_not_deliver_takes_no_details(
    api: Api, shop: Shop, world: World
) -> None:
    before = await shop.store.orders.count_documents({})

    reply = await api.post("/api/orders", json=COURIER, token=world.alice.token)

    assert (reply.status, reply.code) == (415, "unexpected-body")
    await _nothing_written(api, shop, world, before)
    placed = await api.post("/api/orders", token=world.alice.token)
    assert (placed.status, placed.body["delivery"]) == (201, None)


def test_the_document_says_what_each_shop_takes(delivering: Api, api: Api) -> None:
    place = delivering.document["paths"]["/api/orders"]["post"]
    assert place["requestBody"]["required"] is False  # digital goods only need none
    details = delivering.document["components"]["schemas"]["DeliveryDetails"]
    assert details["properties"]["method"]["enum"] == ["pickup", "courier"]
    assert details["required"] == ["method", "phone"]
    assert details["oneOf"] == [
        {"properties": {"method": {"const": "pickup"}, "address": {"type": "null"}},
         "required": []},
        {"properties": {"method": {"const": "courier"}, "address": {"not": {"type": "null"}}},
         "required": ["address"]},
    ]  # fmt: skip
    validate(delivering.document)
    assert "requestBody" not in api.document["paths"]["/api/orders"]["post"]
    assert "DeliveryDetails" not in api.document["components"]["schemas"]


async def test_an_address_padded_with_blank_lines_is_kept_without_them(
    delivering: Api, world: World
) -> None:
    padded = {**COURIER, "address": "1" + "\n" * 298 + "B"}  # 300 characters, the most
    placed = await delivering.post("/api/orders", json=padded, token=world.alice.token)
    assert (placed.status, placed.body["delivery"]["address"]) == (201, "1\n\n\nB")
