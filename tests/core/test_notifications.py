"""The notification outbox: recorded with the status change, relayed once, leased to senders."""

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

import pytest

from core.accounts.access import Actor
from core.accounts.models import Language, Role, User
from core.base import clock
from core.messaging.models import NoticeKind, SendState
from core.sales.commands import CartChange, StatusUpdate
from core.sales.models import Order
from core.shop import Shop
from tests.factories import NewProduct, NewUser

STAFF = Actor(None, Role.OPERATOR)


async def _telegram_order(shop: Shop, user: User, product_id: object, chat_id: int) -> Order:
    await shop.store.users.update_one({"_id": user.id}, {"$set": {"telegramId": chat_id}})
    await shop.carts.add(user.id, CartChange.model_validate({"productId": product_id}))
    return await shop.checkout.place_order(user.id)


async def test_each_status_change_queues_one_notice_for_the_customer(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    order = await _telegram_order(shop, await new_user(), (await new_product()).id, 777)
    await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="paid"))
    await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="shipped"))
    await shop.outbox.relay(order.id)  # relaying again changes nothing
    await shop.outbox.relay_pending(at=clock.now() + timedelta(minutes=1))

    notices = await shop.store.notifications.find({"orderId": order.id}).to_list()
    assert sorted((n["status"], n["chatId"], n["state"]) for n in notices) == [
        ("paid", 777, "queued"),
        ("shipped", 777, "queued"),
    ]
    assert all(n["orderNumber"] == order.number for n in notices)


async def test_a_notice_carries_the_customers_language(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    user = await new_user()
    await shop.store.users.update_one({"_id": user.id}, {"$set": {"language": "ru"}})
    order = await _telegram_order(shop, user, (await new_product()).id, 778)
    await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="paid"))
    notice = await shop.notifications.claim()
    assert notice is not None and notice.language is Language.RU


async def test_no_notice_without_a_telegram_chat(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    user = await new_user()
    await shop.carts.add(user.id, CartChange(product_id=(await new_product()).id))
    order = await shop.checkout.place_order(user.id)
    await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="paid"))
    assert await shop.store.notifications.count_documents({}) == 0
    stored = await shop.store.orders.find_one({"_id": order.id})
    assert stored is not None and stored["outbox"] == []


async def test_the_operators_chat_hears_of_new_orders(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    shop.outbox.operator_chat_id = -100
    order = await _telegram_order(shop, await new_user(), (await new_product()).id, 5)
    notice = await shop.store.notifications.find_one({"kind": NoticeKind.NEW_ORDER.value})
    assert notice is not None
    assert (notice["chatId"], notice["orderId"], notice["totalAmount"]) == (
        -100,
        order.id,
        order.total_amount,
    )


async def test_a_claim_is_exclusive_until_its_lease_expires(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    order = await _telegram_order(shop, await new_user(), (await new_product()).id, 9)
    await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="paid"))

    claims = await asyncio.gather(*(shop.notifications.claim() for _ in range(5)))
    claimed = [c for c in claims if c is not None]
    assert len(claimed) == 1 and claimed[0].state is SendState.SENDING
    assert claimed[0].attempts == 1

    # A sender that died: after the lease, another sender takes it over ...
    later = clock.now() + timedelta(minutes=5)
    again = await shop.notifications.claim(at=later)
    assert again is not None and again.id == claimed[0].id and again.attempts == 2
    # ... and the stale owner can no longer mark it.
    assert not await shop.notifications.mark_sent(claimed[0], message_id=1)
    assert await shop.notifications.mark_sent(again, message_id=2)
    assert await shop.notifications.claim(at=later + timedelta(hours=1)) is None


async def test_retry_later_and_blocked_chats(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    user = await new_user()
    order = await _telegram_order(shop, user, (await new_product()).id, 10)
    await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="paid"))

    notice = await shop.notifications.claim()
    assert notice is not None
    assert await shop.notifications.retry_later(notice, "429", delay=timedelta(seconds=30))
    assert await shop.notifications.claim() is None  # not due yet
    notice = await shop.notifications.claim(at=clock.now() + timedelta(seconds=31))
    assert notice is not None
    assert await shop.notifications.mark_blocked(notice, "Forbidden: bot was blocked by the user")
    assert not await shop.notifications.is_reachable(notice)
    stored = await shop.store.notifications.find_one({"_id": notice.id})
    assert stored is not None and stored["state"] == "blocked"


async def test_rate_slots_are_distinct_and_spaced(shop: Shop) -> None:
    step = timedelta(milliseconds=40)
    asked = clock.now() - timedelta(milliseconds=1)  # MongoDB keeps milliseconds
    slots = sorted(
        await asyncio.gather(*(shop.pacing.reserve_slot("bot", step) for _ in range(30)))
    )
    gaps = [later - earlier for earlier, later in itertools.pairwise(slots)]
    assert all(gap >= step for gap in gaps)
    assert slots[0] >= asked  # an idle rate starts from the moment it is asked, however slow


async def test_an_idle_rate_starts_again_from_now_and_a_hold_pushes_it_back(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    moments = iter([start, start, start + timedelta(hours=1), start + timedelta(hours=1)])
    monkeypatch.setattr(clock, "now", lambda: next(moments))
    step = timedelta(milliseconds=40)
    assert await shop.pacing.reserve_slot("chat:1", step) == start  # a new key: now
    assert await shop.pacing.reserve_slot("chat:1", step) == start + step  # busy: queued
    assert await shop.pacing.reserve_slot("chat:1", step) == start + timedelta(hours=1)  # idle
    await shop.pacing.hold("chat:1", start + timedelta(hours=2))
    assert await shop.pacing.reserve_slot("chat:1", step) == start + timedelta(hours=2)
