"""Broadcasts fan out to a segment once, resumably; bulk status changes notify once each."""

from datetime import timedelta
from typing import Any

import pytest

from core.accounts.access import SYSTEM, Actor
from core.accounts.models import Role, User
from core.base import clock
from core.base.commands import parse
from core.base.errors import Forbidden, InvalidInput
from core.messaging import broadcasts
from core.messaging.broadcasts import Broadcasts
from core.messaging.commands import BroadcastDraft
from core.messaging.models import BroadcastState
from core.messaging.notifications import NotificationQueue
from core.sales.commands import BulkStatusUpdate, CartChange, StatusUpdate
from core.sales.models import Order
from core.shop import Shop
from tests.core.crashes import LEASE, Killed, dying_store
from tests.factories import NewProduct, NewUser

STAFF = Actor(None, Role.OPERATOR)


async def _customer(shop: Shop, new_user: NewUser, chat_id: int | None, **fields: Any) -> User:
    user = await new_user(name=f"Customer {chat_id}")
    if chat_id is not None:
        await shop.store.users.update_one(
            {"_id": user.id}, {"$set": {"telegramId": chat_id, **fields}}
        )
    return user


async def _order(shop: Shop, user: User, product_id: object) -> Order:
    await shop.carts.add(user.id, CartChange.model_validate({"productId": product_id}))
    return await shop.checkout.place_order(user.id)


def _draft(text: str = "Sale!", **segment: Any) -> BroadcastDraft:
    return parse(BroadcastDraft, {"text": text, "segment": segment or {"kind": "all"}})


async def test_a_broadcast_reaches_each_customer_with_a_chat_once(
    shop: Shop, new_user: NewUser
) -> None:
    reachable = [await _customer(shop, new_user, chat) for chat in (11, 12, 13)]
    await _customer(shop, new_user, None)  # web only: nothing to send to
    await _customer(shop, new_user, 14, telegramBlocked=True)
    staff = await _customer(shop, new_user, 15, role="operator")
    await _customer(shop, new_user, 16, active=False)  # deactivated: unknown to the bot

    broadcast = await shop.broadcasts.start(STAFF, _draft())
    progress = await shop.broadcasts.progress(STAFF, broadcast.id)

    assert (progress.state, progress.total, progress.blocked, progress.remaining) == (
        BroadcastState.SENDING,
        4,
        1,
        3,
    )
    notices = await shop.store.notifications.find({"broadcastId": broadcast.id}).to_list()
    assert sorted(n["chatId"] for n in notices if n["state"] == "queued") == [11, 12, 13]
    assert {n["userId"] for n in notices} >= {u.id for u in reachable}
    assert staff.id not in {n["userId"] for n in notices}
    assert all(n["text"] == "Sale!" for n in notices)
    assert {n["language"] for n in notices} == {None}  # none stored: the bot's default


async def test_each_recipient_gets_the_broadcast_with_their_language(
    shop: Shop, new_user: NewUser
) -> None:
    ivan = await _customer(shop, new_user, 21, language="ru")
    alice = await _customer(shop, new_user, 22, language="en")
    broadcast = await shop.broadcasts.start(STAFF, _draft())
    notices = await shop.store.notifications.find({"broadcastId": broadcast.id}).to_list()
    assert {n["userId"]: n["language"] for n in notices} == {ivan.id: "ru", alice.id: "en"}


async def test_segments_by_status_orders_and_users(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    tea = await new_product(stock=50)
    alice, bob, carol = [await _customer(shop, new_user, c) for c in (21, 22, 23)]
    paid = await _order(shop, alice, tea.id)
    await shop.orders.change_status(STAFF, paid.id, StatusUpdate(status="paid"))
    bobs = await _order(shop, bob, tea.id)

    async def chats(**segment: Any) -> list[int]:
        broadcast = await shop.broadcasts.start(STAFF, _draft(**segment))
        found = shop.store.notifications.find({"broadcastId": broadcast.id})
        return sorted([n["chatId"] async for n in found])

    assert await chats(kind="order_status", status="paid") == [21]
    assert await chats(kind="order_status", status="pending") == [22]
    assert await chats(kind="orders", orderIds=[str(bobs.id), str(paid.id)]) == [21, 22]
    assert await chats(kind="users", userIds=[str(carol.id)]) == [23]


@pytest.mark.parametrize(
    "body",
    [
        {"text": "", "segment": {"kind": "all"}},
        {"text": "x" * 4097, "segment": {"kind": "all"}},
        {"text": "Hi", "segment": {"kind": "order_status"}},
        {"text": "Hi", "segment": {"kind": "all", "status": "paid"}},
        {"text": "Hi", "segment": {"kind": "users", "userIds": ["nope"]}},
        {"text": "Hi", "segment": {"kind": "everyone"}},
        {"text": {"$gt": ""}, "segment": {"kind": "all"}},
    ],
)
async def test_bad_broadcasts_write_nothing(shop: Shop, body: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        await shop.broadcasts.start(STAFF, parse(BroadcastDraft, body))
    assert await shop.store.broadcasts.count_documents({}) == 0


async def test_only_staff_broadcast(shop: Shop, new_user: NewUser) -> None:
    user = await new_user()
    with pytest.raises(Forbidden):
        await shop.broadcasts.start(Actor.of(user), _draft())


async def test_cancel_stops_what_is_not_sent(shop: Shop, new_user: NewUser) -> None:
    for chat in (31, 32, 33):
        await _customer(shop, new_user, chat)
    broadcast = await shop.broadcasts.start(STAFF, _draft())
    first = await shop.notifications.claim()
    assert first is not None
    await shop.notifications.mark_sent(first, message_id=1)

    progress = await shop.broadcasts.cancel(STAFF, broadcast.id)

    assert (progress.state, progress.sent, progress.cancelled, progress.remaining) == (
        BroadcastState.CANCELLED,
        1,
        2,
        0,
    )
    assert await shop.notifications.claim() is None


async def test_a_fan_out_killed_at_any_write_resumes_without_duplicates(
    shop: Shop, new_user: NewUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(broadcasts, "BATCH", 2)
    users = [await _customer(shop, new_user, 100 + n) for n in range(5)]
    for writes in range(12):
        store = dying_store(shop.store, writes)
        dying = Broadcasts(store, NotificationQueue(store, LEASE), LEASE)
        try:
            await dying.start(SYSTEM, _draft(f"Round {writes}"))
            finished = True
        except Killed:
            finished = False
        await shop.recover(at=clock.now() + LEASE + timedelta(seconds=1))

        for broadcast in await shop.store.broadcasts.find({"text": f"Round {writes}"}).to_list():
            assert "journal" not in broadcast and broadcast["state"] == "sending"
            notices = await shop.store.notifications.find(
                {"broadcastId": broadcast["_id"]}
            ).to_list()
            assert sorted(n["userId"] for n in notices) == sorted(u.id for u in users)
        if finished:
            break
    else:
        pytest.fail("the fan-out never completed within the write budget")


async def test_bulk_status_change_reports_each_order_and_notifies_once(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    tea = await new_product(stock=50)
    customers = [await _customer(shop, new_user, 40 + n) for n in range(3)]
    orders = [await _order(shop, customer, tea.id) for customer in customers]
    for order in orders[:2]:
        await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="paid"))

    shipped = await shop.orders.change_statuses(
        STAFF, BulkStatusUpdate(status="shipped", from_status="paid")
    )
    assert sorted((r.order_id, r.ok) for r in shipped.results) == sorted(
        (o.id, True) for o in orders[:2]
    )

    mixed = await shop.orders.change_statuses(
        STAFF, BulkStatusUpdate(status="paid", order_ids=[orders[0].id, orders[2].id])
    )
    assert [(r.ok, r.error) for r in mixed.results] == [(False, "illegal-transition"), (True, None)]

    shipped_notices = await shop.store.notifications.count_documents({"status": "shipped"})
    assert shipped_notices == 2
    with pytest.raises(InvalidInput):
        parse(BulkStatusUpdate, {"status": "paid"})
    with pytest.raises(Forbidden):
        await shop.orders.change_statuses(
            Actor.of(customers[0]), BulkStatusUpdate(status="paid", from_status="pending")
        )
