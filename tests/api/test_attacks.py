"""Hostile input: NoSQL operators, mass assignment, broken and oversized bodies."""

from __future__ import annotations

from typing import Any

import pytest

from admin_api.routes import PATH_PARAMETER, ROUTES
from core.shop import Shop
from tests.api.client import Api, Serve
from tests.api.world import PASSWORD, NewAccount, World

OPERATOR_VALUES: list[Any] = [
    {"$ne": None},
    {"$gt": ""},
    {"$regex": ".*"},
    {"$where": "sleep(1000) || true"},
    ["a@example.com"],
]


@pytest.mark.parametrize("value", OPERATOR_VALUES)
async def test_operators_in_login_fields_are_refused(
    api: Api, new_account: NewAccount, value: Any
) -> None:
    alice = await new_account()
    for body in ({"email": value, "password": PASSWORD}, {"email": alice.email, "password": value}):
        reply = await api.post("/api/auth/login", json=body)
        assert reply.status == 422
        assert "token" not in reply.body


async def test_operator_text_in_login_is_just_a_wrong_email(
    api: Api, new_account: NewAccount
) -> None:
    await new_account()
    reply = await api.post("/api/auth/login", json={"email": '{"$ne": null}', "password": PASSWORD})
    assert reply.status == 401


@pytest.mark.parametrize(
    "params",
    [
        {"q[$ne]": "x"},
        {"q[$regex]": ".*"},
        {"sort[$gt]": ""},
        {"sort": '{"price": 1}'},
        {"limit": '{"$gt": 0}'},
        {"active": "false"},
        {"$where": "1"},
    ],
)
async def test_operator_shaped_product_filters_are_refused(
    api: Api, params: dict[str, str]
) -> None:
    assert (await api.get("/api/products", params=params)).status == 422


async def test_regex_characters_in_search_are_literal(api: Api, world: World) -> None:
    for q in (".*", "^", "Tea|.*", "(?i).*"):
        reply = await api.get("/api/products", params={"q": q})
        assert (reply.status, reply.body["total"]) == (200, 0)


@pytest.mark.parametrize(
    "params",
    [
        {"status[$ne]": "paid"},
        {"status": "paid' || '1'=='1"},
        {"userId[$gt]": ""},
        {"userId": '{"$gt": ""}'},
        {"from": '{"$gt": ""}'},
        {"userId": "000000000000000000000000", "user_id": "x"},
    ],
)
async def test_operator_shaped_order_filters_are_refused(
    api: Api, world: World, params: dict[str, str]
) -> None:
    reply = await api.get("/api/admin/orders", params=params, token=world.admin.token)
    assert reply.status == 422


async def test_a_repeated_query_parameter_is_refused(api: Api, world: World) -> None:
    reply = await api.get("/api/admin/orders?status=paid&status=pending", token=world.admin.token)
    assert reply.status == 422, reply.body
    assert reply.body["errors"][0]["field"] == "status"


@pytest.mark.parametrize("raw_id", ['{"$ne":null}', "%7B%22%24ne%22%3Anull%7D", "$where", "1" * 25])
async def test_operator_shaped_ids_are_refused(api: Api, world: World, raw_id: str) -> None:
    reply = await api.get(f"/api/orders/{raw_id}", token=world.alice.token)
    assert reply.status in (404, 422)
    assert "userId" not in reply.body


@pytest.mark.parametrize(
    "extra",
    [{"role": "admin"}, {"_id": "000000000000000000000000"}, {"passwordHash": "x"}],
)
async def test_registration_cannot_set_protected_fields(
    api: Api, shop: Shop, extra: dict[str, str]
) -> None:
    body = {"name": "Mallory", "email": "m@example.com", "password": PASSWORD, **extra}
    reply = await api.post("/api/auth/register", json=body)
    assert reply.status == 422
    assert await shop.store.users.count_documents({}) == 0


@pytest.mark.parametrize("extra", [{"role": "admin"}, {"email": "x@example.com"}, {"id": "1"}])
async def test_profile_cannot_set_protected_fields(
    api: Api, new_account: NewAccount, extra: dict[str, str]
) -> None:
    alice = await new_account()
    reply = await api.patch("/api/auth/me", json={"name": "A", **extra}, token=alice.token)
    assert reply.status == 422
    assert (await api.get("/api/auth/me", token=alice.token)).body["role"] == "user"


@pytest.mark.parametrize(
    "extra", [{"price": 1}, {"unitPrice": 1}, {"userId": "000000000000000000000000"}]
)
async def test_cart_lines_cannot_carry_prices_or_owners(
    api: Api, world: World, extra: dict[str, Any]
) -> None:
    body = {"productId": str(world.tea.id), **extra}
    assert (await api.post("/api/cart/add", json=body, token=world.bob.token)).status == 422


async def test_checkout_refuses_a_body_claiming_another_total_owner_or_status(
    api: Api, world: World
) -> None:
    body = {"totalAmount": 1, "userId": world.bob.id, "status": "shipped", "products": []}
    refused = await api.post("/api/orders", json=body, token=world.alice.token)
    assert (refused.status, refused.code) == (415, "unexpected-body")
    placed = await api.post("/api/orders", token=world.alice.token)
    assert placed.status == 201
    assert (placed.body["totalAmount"], placed.body["userId"]) == (450, world.alice.id)
    assert placed.body["status"] == "pending"


@pytest.mark.parametrize(
    "extra", [{"totalAmount": 0}, {"userId": "000000000000000000000000"}, {"history": []}]
)
async def test_status_changes_cannot_touch_other_fields(
    api: Api, world: World, extra: dict[str, Any]
) -> None:
    body = {"status": "paid", **extra}
    reply = await api.patch(f"/api/orders/{world.order_id}", json=body, token=world.admin.token)
    assert reply.status == 422


@pytest.mark.parametrize("extra", [{"id": "x"}, {"version": 9}, {"createdAt": "2020-01-01"}])
async def test_products_cannot_set_managed_fields(
    api: Api, world: World, extra: dict[str, Any]
) -> None:
    body = {"name": "Tea", "price": 1, **extra}
    assert (await api.post("/api/products", json=body, token=world.admin.token)).status == 422


@pytest.mark.parametrize("price", ["450", 4.5, -1, True, 10**30])
async def test_prices_must_be_plain_integers_in_range(api: Api, world: World, price: Any) -> None:
    body = {"name": "Tea", "price": price}
    assert (await api.post("/api/products", json=body, token=world.admin.token)).status == 422


@pytest.mark.parametrize(
    "raw", [b"{", b"", b"null", b"[1, 2]", b'"text"', b"[" * 5000 + b"]" * 5000, b'{"price": NaN}']
)
async def test_broken_json_is_refused(api: Api, raw: bytes) -> None:
    headers = {"Content-Type": "application/json"}
    reply = await api.post("/api/auth/register", data=raw, headers=headers)
    assert reply.status in (400, 422)
    assert reply.headers["Content-Type"].startswith("application/problem+json")


async def test_bodies_must_be_json(api: Api) -> None:
    form = {"name": "A", "email": "a@example.com", "password": PASSWORD}
    reply = await api.post("/api/auth/register", data=form)
    assert (reply.status, reply.code) == (415, "unsupported-media-type")


async def test_oversized_bodies_are_refused(serve: Serve, shop: Shop) -> None:
    api = await serve(max_body_bytes=1024)
    body = {"name": "A", "email": "a@example.com", "password": PASSWORD, "pad": "x" * 2000}
    reply = await api.post("/api/auth/register", json=body)
    assert (reply.status, reply.code) == (413, "body-too-large")
    assert await shop.store.users.count_documents({}) == 0


async def test_oversized_chunked_bodies_are_refused(serve: Serve) -> None:
    api = await serve(max_body_bytes=1024)

    async def chunks() -> Any:
        for _ in range(10):
            yield b" " * 500

    headers = {"Content-Type": "application/json"}
    reply = await api.post("/api/auth/register", data=chunks(), headers=headers)
    assert reply.status == 413


async def test_a_body_where_none_is_expected_is_refused(api: Api, world: World) -> None:
    huge = b"x" * (10 * 1024 * 1024)
    plain = {"Content-Type": "text/plain"}
    for body, status, code in ((huge, 413, "body-too-large"), (b"hi", 415, "unexpected-body")):
        reply = await api.post("/api/orders", data=body, headers=plain, token=world.alice.token)
        assert (reply.status, reply.code) == (status, code)
    assert (await api.get("/api/orders", token=world.alice.token)).body["total"] == 1
    cancel = f"/api/broadcasts/{world.broadcast_id}/cancel"
    sneaky = await api.post(cancel, json={"force": True}, token=world.admin.token)
    assert (sneaky.status, sneaky.code) == (415, "unexpected-body")
    listed = await api.request("GET", "/api/products", data=b"{}", headers=plain)
    assert (listed.status, listed.code) == (415, "unexpected-body")
    empty = await api.post("/api/orders", data=b"", headers=plain, token=world.alice.token)
    assert empty.status == 201


async def test_every_operation_without_a_body_refuses_one(api: Api) -> None:
    """Before anything else, whoever calls: the route table says there is no body."""
    for route in (r for r in ROUTES if r.body is None and r.upload is None and r.form is None):
        path = PATH_PARAMETER.sub("0" * 24, route.path)
        reply = await api.request(route.method, path, json={"sneaky": True})
        assert (reply.status, reply.code) == (415, "unexpected-body"), route.path


HIDDEN = [
    "Eve\u202egnp.exe",
    "Ev\u200be",
    "Eve\x00",
    "Eve\ufeff",
    "E\u2066ve",
    "\u3164",
    "Eve\uffff",
]


@pytest.mark.parametrize("name", HIDDEN)
async def test_names_and_texts_with_hidden_characters_are_refused(
    api: Api, world: World, shop: Shop, name: str
) -> None:
    """Bidi overrides, zero-width characters and NUL never reach staff screens or Telegram."""
    admin = world.admin.token
    signup = {"name": name, "email": "e@example.com", "password": PASSWORD}
    attempts = [
        ("POST", "/api/auth/register", signup, None, "name"),
        ("PATCH", "/api/auth/me", {"name": name}, world.bob.token, "name"),
        ("POST", "/api/products", {"name": name, "price": 1}, admin, "name"),
        ("POST", "/api/products", {"name": "Tea", "description": f"Fine\n{name}", "price": 1},
         admin, "description"),
        ("PATCH", f"/api/products/{world.tea.id}", {"name": name}, admin, "name"),
        ("POST", "/api/broadcasts", {"text": f"Sale!\n{name}", "segment": {"kind": "all"}},
         admin, "text"),
    ]  # fmt: skip
    for method, path, body, token, field in attempts:
        reply = await api.request(method, path, json=body, token=token)
        assert (reply.status, reply.body["errors"][0]["field"]) == (422, field), path
    assert await shop.store.users.count_documents({"name": {"$regex": "^E"}}) == 0
    assert await shop.store.products.count_documents({}) == 2
    assert (await shop.catalog.get(world.tea.id)).name == "Tea"
    assert await shop.store.broadcasts.count_documents({}) == 1


async def test_the_route_table_decides_who_may_call_before_the_body_is_read(
    api: Api, world: World
) -> None:
    """A customer probing a staff operation learns nothing about what it accepts."""
    for method, path in (("POST", "/api/admin/orders/status"), ("POST", "/api/products")):
        reply = await api.request(method, path, json={"bogus": 1}, token=world.alice.token)
        assert (reply.status, reply.code) == (403, "forbidden"), path
    anonymous = await api.request("POST", "/api/products", json={"bogus": 1})
    assert anonymous.status == 401
