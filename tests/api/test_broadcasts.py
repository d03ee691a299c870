"""Broadcasts and bulk status changes over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from core.shop import Shop
from tests.api.client import Api
from tests.api.world import World


async def test_start_follow_and_cancel_a_broadcast(api: Api, world: World, shop: Shop) -> None:
    for account in (world.alice, world.bob):
        await shop.store.users.update_one(
            {"_id": account.user.id}, {"$set": {"telegramId": hash(account.user.email) % 10**9}}
        )
    body = {"text": "We ship on Sundays now", "segment": {"kind": "all"}}
    started = await api.request("POST", "/api/broadcasts", token=world.operator.token, json=body)

    assert started.status == 201
    progress = started.body
    assert (progress["state"], progress["total"], progress["remaining"]) == ("sending", 2, 2)
    assert started.headers["Location"] == f"/api/broadcasts/{progress['broadcast']['id']}"

    path = f"/api/broadcasts/{progress['broadcast']['id']}"
    followed = await api.request("GET", path, token=world.operator.token)
    assert followed.body["broadcast"]["text"] == "We ship on Sundays now"

    cancelled = await api.request("POST", f"{path}/cancel", token=world.admin.token)
    assert (cancelled.body["state"], cancelled.body["cancelled"]) == ("cancelled", 2)
    listed = await api.request("GET", "/api/broadcasts", token=world.admin.token)
    assert progress["broadcast"]["id"] in [b["id"] for b in listed.body["items"]]


@pytest.mark.parametrize(
    "body",
    [
        {"text": "Hi"},
        {"text": "Hi", "segment": {"kind": "order_status", "status": "lost"}},
        {"text": "Hi", "segment": {"kind": "users", "userIds": [{"$ne": None}]}},
        {"text": "Hi", "segment": {"kind": "all"}, "createdBy": "0" * 24},
        {"text": "Hi", "segment": {"kind": "all"}, "formatted": "yes"},
    ],
)
async def test_bad_broadcasts_are_refused(
    api: Api, world: World, shop: Shop, body: dict[str, Any]
) -> None:
    before = await shop.store.broadcasts.count_documents({})
    reply = await api.request("POST", "/api/broadcasts", token=world.operator.token, json=body)
    assert reply.status == 422
    assert await shop.store.broadcasts.count_documents({}) == before


async def test_a_formatted_broadcast_is_sent_as_telegram_html(
    api: Api, world: World, shop: Shop
) -> None:
    await shop.store.users.update_one({"_id": world.alice.user.id}, {"$set": {"telegramId": 77}})
    body = {"text": "<b>Sale</b>", "segment": {"kind": "all"}, "formatted": True}
    started = await api.request("POST", "/api/broadcasts", token=world.operator.token, json=body)

    assert started.status == 201 and started.body["broadcast"]["formatted"] is True
    notice = await shop.store.notifications.find_one({"chatId": 77})
    assert notice is not None and notice["formatted"] is True


async def test_unknown_broadcast_is_404(api: Api, world: World) -> None:
    reply = await api.request("GET", f"/api/broadcasts/{'0' * 24}", token=world.operator.token)
    assert reply.status == 404


async def test_bulk_status_change_answers_per_order(api: Api, world: World) -> None:
    body = {"status": "paid", "fromStatus": "pending"}
    moved = await api.request(
        "POST", "/api/admin/orders/status", token=world.operator.token, json=body
    )
    assert moved.status == 200
    assert moved.body["results"] == [
        {"orderId": world.order_id, "ok": True, "status": "paid", "error": None, "message": None}
    ]
    again = await api.request(
        "POST",
        "/api/admin/orders/status",
        token=world.operator.token,
        json={"status": "paid", "orderIds": [world.order_id]},
    )
    assert again.body["results"][0]["error"] == "illegal-transition"
