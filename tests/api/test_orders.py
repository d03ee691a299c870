"""Cart, checkout, order history and status changes over HTTP."""

from __future__ import annotations

import asyncio

from core.accounts.models import Role
from tests.api.client import Api
from tests.api.world import NewAccount, World
from tests.factories import NewProduct


async def test_cart_add_grows_the_line_and_view_joins_products(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    alice = await new_account()
    tea = await new_product("Tea", price=450, stock=10)
    line = {"productId": str(tea.id), "quantity": 2}
    await api.post("/api/cart/add", json=line, token=alice.token)
    added = await api.post("/api/cart/add", json=line, token=alice.token)
    assert added.status == 200
    [item] = added.body["items"]
    assert (item["name"], item["quantity"], item["lineTotal"]) == ("Tea", 4, 1800)
    cart = await api.get("/api/cart", token=alice.token)
    assert (cart.body["totalAmount"], cart.body["currency"]) == (1800, "USD")
    removed = await api.post("/api/cart/remove", json={"productId": str(tea.id)}, token=alice.token)
    assert removed.body["items"] == []


async def test_cannot_add_more_than_is_in_stock(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    alice = await new_account()
    tea = await new_product(stock=2)
    line = {"productId": str(tea.id), "quantity": 3}
    reply = await api.post("/api/cart/add", json=line, token=alice.token)
    assert (reply.status, reply.code) == (409, "out-of-stock")


async def test_a_cart_past_its_limits_is_a_conflict_and_stays_as_it_was(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    alice = await new_account()
    tea = await new_product(stock=500)
    line = {"productId": str(tea.id), "quantity": 60}
    assert (await api.post("/api/cart/add", json=line, token=alice.token)).status == 200
    reply = await api.post("/api/cart/add", json=line, token=alice.token)  # 120 > 100
    assert (reply.status, reply.code) == (409, "cart-limit")
    many = [await new_product(f"P{n}", stock=5) for n in range(49)]
    for product in many:
        one = {"productId": str(product.id), "quantity": 1}
        assert (await api.post("/api/cart/add", json=one, token=alice.token)).status == 200
    extra = {"productId": str((await new_product("One too many")).id), "quantity": 1}
    reply = await api.post("/api/cart/add", json=extra, token=alice.token)
    assert (reply.status, reply.code) == (409, "cart-limit")
    cart = await api.get("/api/cart", token=alice.token)
    assert len(cart.body["items"]) == 50
    assert cart.body["items"][0]["quantity"] == 60


async def test_checkout_places_a_pending_order_and_empties_the_cart(api: Api, world: World) -> None:
    w = world
    placed = await api.post("/api/orders", token=w.alice.token)
    assert placed.status == 201
    order = placed.body
    assert (order["status"], order["totalAmount"], order["userId"]) == ("pending", 450, w.alice.id)
    assert placed.headers["Location"] == f"/api/orders/{order['id']}"
    assert (await api.get("/api/cart", token=w.alice.token)).body["items"] == []
    assert (await api.get(f"/api/products/{w.tea.id}")).body["stock"] == 7
    again = await api.post("/api/orders", token=w.alice.token)
    assert (again.status, again.code) == (409, "empty-cart")


async def test_an_idempotency_key_places_one_order_however_often_it_is_sent(
    api: Api, world: World
) -> None:
    w = world
    headers = {"Idempotency-Key": "tap-1"}
    replies = await asyncio.gather(
        *(api.post("/api/orders", token=w.alice.token, headers=headers) for _ in range(3))
    )
    assert {r.status for r in replies} == {201}
    assert len({r.body["id"] for r in replies}) == 1
    assert (await api.get(f"/api/products/{w.tea.id}")).body["stock"] == 7
    history = await api.get("/api/orders", token=w.alice.token)
    assert history.body["total"] == 2


async def test_an_invalid_idempotency_key_is_refused(api: Api, world: World) -> None:
    headers = {"Idempotency-Key": "x" * 129}
    reply = await api.post("/api/orders", token=world.alice.token, headers=headers)
    assert reply.status == 422
    assert reply.body["errors"][0]["field"] == "Idempotency-Key"


async def test_customers_see_only_their_own_orders(api: Api, world: World) -> None:
    w = world
    mine = await api.get("/api/orders", token=w.alice.token)
    assert [o["id"] for o in mine.body["items"]] == [w.order_id]
    assert (await api.get("/api/orders", token=w.bob.token)).body["items"] == []
    assert (await api.get(f"/api/orders/{w.order_id}", token=w.alice.token)).status == 200
    theirs = await api.get(f"/api/orders/{w.order_id}", token=w.bob.token)
    missing = await api.get("/api/orders/" + "0" * 24, token=w.bob.token)
    assert theirs.status == missing.status == 404
    assert theirs.body["detail"] == missing.body["detail"]


async def test_staff_move_orders_along_allowed_transitions(api: Api, world: World) -> None:
    w = world
    url = f"/api/orders/{w.order_id}"
    skipped = await api.patch(url, json={"status": "shipped"}, token=w.operator.token)
    assert (skipped.status, skipped.code) == (409, "illegal-transition")
    paid = await api.patch(url, json={"status": "paid"}, token=w.operator.token)
    assert (paid.status, paid.body["status"]) == (200, "paid")
    assert paid.body["history"][-1]["by"] == w.operator.id
    shipped = await api.patch(url, json={"status": "shipped"}, token=w.admin.token)
    assert shipped.body["status"] == "shipped"
    seen = await api.get(url, token=w.alice.token)
    assert [h["to"] for h in seen.body["history"]] == ["pending", "paid", "shipped"]


async def test_cancelling_puts_the_stock_back(api: Api, world: World) -> None:
    w = world
    url = f"/api/orders/{w.order_id}"
    assert (await api.patch(url, json={"status": "cancelled"}, token=w.admin.token)).status == 200
    assert (await api.get(f"/api/products/{w.tea.id}")).body["stock"] == 10


async def test_staff_search_all_orders_by_status_user_and_date(api: Api, world: World) -> None:
    w = world
    await api.post("/api/cart/add", json={"productId": str(w.tea.id)}, token=w.bob.token)
    bobs = (await api.post("/api/orders", token=w.bob.token)).body
    await api.patch(f"/api/orders/{bobs['id']}", json={"status": "paid"}, token=w.admin.token)
    token = w.operator.token

    async def ids(**params: str) -> list[str]:
        reply = await api.get("/api/admin/orders", params=params, token=token)
        assert reply.status == 200
        return [o["id"] for o in reply.body["items"]]

    assert await ids() == [bobs["id"], w.order_id]
    assert await ids(status="paid") == [bobs["id"]]
    assert await ids(userId=w.alice.id) == [w.order_id]
    assert await ids(**{"from": bobs["createdAt"]}) == [bobs["id"]]
    assert await ids(to=bobs["createdAt"]) == [w.order_id]
    assert await ids(limit="1", page="2") == [w.order_id]
    any_order = await api.get(f"/api/admin/orders/{w.order_id}", token=token)
    assert any_order.body["userId"] == w.alice.id
    naive = await api.get("/api/admin/orders", params={"from": "2026-01-01T00:00:00"}, token=token)
    assert naive.status == 422


async def test_staff_list_users(api: Api, world: World, new_account: NewAccount) -> None:
    reply = await api.get("/api/admin/users", params={"limit": "2"}, token=world.admin.token)
    assert (reply.status, reply.body["total"], len(reply.body["items"])) == (200, 4, 2)
    assert all("passwordHash" not in user for user in reply.body["items"])
    operator = await new_account(Role.OPERATOR)
    assert (await api.get("/api/admin/users", token=operator.token)).status == 200
    assert (await api.get("/api/admin/users", token=world.bob.token)).status == 403
