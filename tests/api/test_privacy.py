"""Customers' data over HTTP: the caller's own, and a customer's for an admin."""

from __future__ import annotations

from bson import ObjectId

from core.accounts.access import SYSTEM
from core.sales.commands import StatusUpdate
from core.sales.models import OrderStatus
from core.shop import Shop
from tests.api.client import Api, Reply
from tests.api.world import PASSWORD, World

PROBLEM = "application/problem+json"
CONFIRM = {"confirm": True}


def _problem(reply: Reply, status: int, code: str) -> None:
    assert (reply.status, reply.code) == (status, code), reply.body
    assert reply.headers["Content-Type"].startswith(PROBLEM)


async def test_a_customer_sees_their_data_and_erases_it(api: Api, shop: Shop, world: World) -> None:
    alice = world.alice
    data = await api.get("/api/me/data", token=alice.token)
    assert data.status == 200
    assert (data.body["account"]["email"], data.body["account"]["name"]) == (alice.email, "Alice")
    assert "passwordHash" not in data.body["account"]
    assert [line["quantity"] for line in data.body["cart"]["products"]] == [1]
    assert [order["id"] for order in data.body["orders"]] == [world.order_id]
    assert data.body["erased"] is False

    erased = await api.post("/api/me/data/erase", json=CONFIRM, token=alice.token)

    assert erased.status == 200, erased.body
    order = await shop.store.orders.find_one({"_id": ObjectId(world.order_id)})
    assert order is not None
    assert erased.body == {
        "userId": alice.id,
        "erased": True,
        "cancelledOrders": [order["number"]],
        "keptOrders": [order["number"]],
    }
    assert order["status"] == OrderStatus.CANCELLED.value
    _problem(await api.get("/api/me/data", token=alice.token), 401, "unauthenticated")
    login = {"email": alice.email, "password": PASSWORD}
    _problem(await api.post("/api/auth/login", json=login), 401, "unauthenticated")
    again = {"name": "Alice", "email": alice.email, "password": PASSWORD}
    assert (await api.post("/api/auth/register", json=again)).status == 201  # a new customer


async def test_erasing_needs_a_confirmation_and_writes_nothing_without_it(
    api: Api, shop: Shop, world: World
) -> None:
    for body in ({}, {"confirm": False}, {"confirm": "yes"}):
        refused = await api.post("/api/me/data/erase", json=body, token=world.alice.token)
        _problem(refused, 422, "invalid-input")
    assert (await shop.users.get(world.alice.id)).email == world.alice.email
    assert (await api.get("/api/me/data", token=world.alice.token)).status == 200


async def test_an_admin_sees_and_erases_a_customers_data_on_request(api: Api, world: World) -> None:
    path = f"/api/admin/users/{world.alice.id}/data"
    seen = await api.get(path, token=world.admin.token)
    assert (seen.status, seen.body["account"]["email"]) == (200, world.alice.email)

    first = await api.post(f"{path}/erase", json=CONFIRM, token=world.admin.token)
    second = await api.post(f"{path}/erase", json=CONFIRM, token=world.admin.token)

    assert (first.status, first.body["erased"]) == (200, True)
    assert (second.status, second.body["erased"]) == (200, False)  # nothing more to erase
    assert second.body["keptOrders"] == first.body["keptOrders"]
    after = await api.get(path, token=world.admin.token)
    assert after.body["erased"] is True
    assert (after.body["account"]["name"], after.body["account"]["active"]) == ("deleted", False)
    assert world.alice.email not in str(after.body)
    assert after.body["cart"] is None


async def test_nobody_else_sees_or_erases_a_customers_data(api: Api, world: World) -> None:
    path = f"/api/admin/users/{world.alice.id}/data"
    for caller in (world.bob, world.operator):
        _problem(await api.get(path, token=caller.token), 403, "forbidden")
        _problem(
            await api.post(f"{path}/erase", json=CONFIRM, token=caller.token), 403, "forbidden"
        )
    _problem(await api.get(path), 401, "unauthenticated")
    unknown = f"/api/admin/users/{ObjectId()}/data"
    _problem(await api.get(unknown, token=world.admin.token), 404, "not-found")
    erase_unknown = await api.post(f"{unknown}/erase", json=CONFIRM, token=world.admin.token)
    _problem(erase_unknown, 404, "not-found")
    seen = await api.get("/api/me/data", token=world.alice.token)
    assert seen.body["account"]["email"] == world.alice.email  # untouched


async def test_paid_orders_to_deliver_and_staff_accounts_are_refused(
    api: Api, shop: Shop, world: World
) -> None:
    await shop.orders.change_status(SYSTEM, world.order_id, StatusUpdate(status=OrderStatus.PAID))
    refused = await api.post("/api/me/data/erase", json=CONFIRM, token=world.alice.token)
    _problem(refused, 409, "delivery-outstanding")
    assert "still to be delivered" in refused.body["detail"]
    assert (await api.get("/api/me/data", token=world.alice.token)).status == 200
    own = await api.post("/api/me/data/erase", json=CONFIRM, token=world.operator.token)
    _problem(own, 409, "staff-account")
