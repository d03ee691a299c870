"""Cart reminders: one per contents of a cart left untouched, none for carts emptied or
checked out, none to customers who opted out, blocked the bot or were deactivated, none at
night in the shop's time zone, once however many processes scan, and after a crash."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic_settings import SettingsConfigDict

from core.accounts.access import SYSTEM
from core.accounts.commands import AccountChange, TelegramSignup
from core.accounts.models import User
from core.catalog.models import Product
from core.config import ConfigError, CoreSettings, load
from core.messaging.models import NOTIFICATION, CartReminder, SendState
from core.messaging.notifications import NotificationQueue
from core.sales.cart_reminders import SEND, CartReminders, DayHours, reminder_id
from core.sales.carts import Carts
from core.sales.commands import CartChange
from core.shop import Shop
from tests.clocks import FakeClock
from tests.core.crashes import LEASE, WriteBudget, dying_store, run_until_killed
from tests.factories import NewProduct

ZONE = "Europe/Moscow"
IDLE = timedelta(hours=24)
ANY_HOUR = {"cart_reminder_from_hour": 0, "cart_reminder_until_hour": 24}


@pytest.fixture
def core_overrides() -> dict[str, Any]:
    return {"shop_timezone": ZONE, "cart_reminder_hours": 24, **ANY_HOUR}


def _reminders(shop: Shop, clock: FakeClock, **settings: Any) -> CartReminders:
    configured = shop.settings.model_copy(update=settings)
    return CartReminders(
        shop.store, shop.carts, shop.cart_codes, shop.notifications, configured, now=clock
    )


async def _customer(shop: Shop, name: str = "Alice") -> User:
    telegram_id = 10_000 + uuid.uuid4().int % 1_000_000
    email = f"{name.lower()}-{uuid.uuid4().hex[:6]}@example.com"
    signup = TelegramSignup(telegram_id=telegram_id, name=name, email=email)
    return await shop.users.sign_up_telegram(signup)


async def _fill(shop: Shop, user: User, *lines: tuple[Product, int]) -> datetime:
    """Put ``lines`` in the cart; when it was last changed."""
    for product, quantity in lines:
        await shop.carts.add(user.id, CartChange(product_id=product.id, quantity=quantity))
    return await _changed_at(shop, user)


async def _changed_at(shop: Shop, user: User) -> datetime:
    cart = await shop.store.carts.find_one({"userId": user.id})
    assert cart is not None
    changed: datetime = cart["updatedAt"].replace(tzinfo=UTC)
    return changed


async def _reminders_of(shop: Shop, user: User) -> list[CartReminder]:
    cursor = shop.store.notifications.find({"kind": "cart_reminder", "userId": user.id})
    found = [NOTIFICATION.validate_python(d) for d in await cursor.sort("createdAt", 1).to_list()]
    return [notice for notice in found if isinstance(notice, CartReminder)]


def _local(after: datetime, hour: int, minute: int = 0) -> datetime:
    """The first moment at ``hour:minute`` in the shop's zone at or after ``after`` (UTC)."""
    zone = ZoneInfo(ZONE)
    day = after.astimezone(zone).date()
    while True:
        moment = datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)
        if moment >= after:
            return moment
        day += timedelta(days=1)


async def test_a_cart_left_untouched_for_the_hours_gets_one_reminder_of_its_contents(
    shop: Shop, new_product: NewProduct
) -> None:
    tea, coffee = await new_product("Tea", price=450), await new_product("Coffee", price=700)
    alice = await _customer(shop)
    changed = await _fill(shop, alice, (tea, 2), (coffee, 1))
    clock = FakeClock(changed + IDLE - timedelta(seconds=1))
    reminders = _reminders(shop, clock)

    assert await reminders.queue_due() == 0
    clock.moment = changed + IDLE
    assert await reminders.queue_due() == 1
    clock.moment += timedelta(days=3)
    assert await reminders.queue_due() == 0  # never twice for the same contents

    [notice] = await _reminders_of(shop, alice)
    cart = await shop.carts.get(alice.id)
    cart_document = await shop.store.carts.find_one({"userId": alice.id})
    assert cart_document is not None
    assert notice.id == reminder_id(cart_document["_id"], cart.version)
    assert notice.chat_id == alice.telegram_id and notice.state is SendState.QUEUED
    assert [(line.name, line.quantity, line.line_total) for line in notice.lines] == [
        ("Tea", 2, 900),
        ("Coffee", 1, 700),
    ]
    assert (notice.total_amount, notice.currency) == (1600, "USD")
    assert await reminders.recheck(notice) == SEND


async def test_no_reminder_when_the_setting_is_zero(shop: Shop, new_product: NewProduct) -> None:
    alice = await _customer(shop)
    changed = await _fill(shop, alice, (await new_product(), 1))
    off = _reminders(shop, FakeClock(changed + 10 * IDLE), cart_reminder_hours=0)
    assert await off.queue_due() == 0
    assert await _reminders_of(shop, alice) == []


async def test_a_reminder_queued_before_the_shop_turned_reminders_off_is_dropped(
    shop: Shop, new_product: NewProduct
) -> None:
    alice = await _customer(shop)
    changed = await _fill(shop, alice, (await new_product(), 1))
    clock = FakeClock(changed + IDLE)
    assert await _reminders(shop, clock).queue_due() == 1
    [notice] = await _reminders_of(shop, alice)
    off = _reminders(shop, clock, cart_reminder_hours=0)  # restarted with the setting at 0
    assert (await off.recheck(notice)).drop == "cart reminders are turned off"


async def test_a_reminder_due_at_night_waits_for_the_morning_in_the_shops_zone(
    shop: Shop, new_product: NewProduct
) -> None:
    alice = await _customer(shop)
    changed = await _fill(shop, alice, (await new_product(), 1))
    clock = FakeClock(_local(changed + IDLE, 23))  # 20:00 UTC: day in UTC, night in Moscow
    reminders = _reminders(shop, clock, cart_reminder_from_hour=9, cart_reminder_until_hour=21)

    assert await reminders.queue_due() == 0
    clock.moment = _local(clock.moment, 8, 59)
    assert await reminders.queue_due() == 0
    morning = _local(clock.moment, 9)
    assert morning.hour == 6  # 09:00 in Moscow is 06:00 UTC
    clock.moment = morning
    assert await reminders.queue_due() == 1

    [notice] = await _reminders_of(shop, alice)
    evening = _local(morning, 21)
    assert await reminders.recheck(notice, at=evening - timedelta(seconds=1)) == SEND
    held = await reminders.recheck(notice, at=evening)  # reached a notifier after dark
    assert held.drop is None and held.hold_until == _local(evening, 9)


async def test_no_reminder_for_a_cart_emptied_or_checked_out(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await new_product("Tea", stock=10)
    emptied, bought = await _customer(shop, "Emma"), await _customer(shop, "Bob")
    await _fill(shop, emptied, (tea, 1))
    await shop.carts.clear(emptied.id)
    await _fill(shop, bought, (tea, 1))
    await shop.checkout.place_order(bought.id)
    later = max(await _changed_at(shop, emptied), await _changed_at(shop, bought)) + IDLE
    reminders = _reminders(shop, FakeClock(later))

    assert await reminders.queue_due() == 0
    assert await _reminders_of(shop, emptied) == await _reminders_of(shop, bought) == []


async def test_a_queued_reminder_is_dropped_once_the_cart_is_emptied_or_checked_out(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await new_product("Tea", stock=10)
    emptied, bought = await _customer(shop, "Emma"), await _customer(shop, "Bob")
    await _fill(shop, emptied, (tea, 1))
    await _fill(shop, bought, (tea, 1))
    clock = FakeClock(await _changed_at(shop, bought) + IDLE)
    reminders = _reminders(shop, clock)
    assert await reminders.queue_due() == 2

    await shop.carts.clear(emptied.id)
    await shop.checkout.place_order(bought.id)
    for customer in (emptied, bought):
        [notice] = await _reminders_of(shop, customer)
        assert (await reminders.recheck(notice)).drop is not None


async def test_contents_changed_then_left_again_get_one_new_reminder(
    shop: Shop, new_product: NewProduct
) -> None:
    tea, coffee = await new_product("Tea"), await new_product("Coffee")
    alice = await _customer(shop)
    changed = await _fill(shop, alice, (tea, 1))
    clock = FakeClock(changed + IDLE)
    reminders = _reminders(shop, clock)
    assert await reminders.queue_due() == 1

    changed = await _fill(shop, alice, (coffee, 1))
    [first] = await _reminders_of(shop, alice)
    assert (await reminders.recheck(first)).drop is not None  # not the cart it showed
    clock.moment = changed + IDLE - timedelta(seconds=1)
    assert await reminders.queue_due() == 0
    clock.moment = changed + IDLE
    assert await reminders.queue_due() == 1
    clock.moment += IDLE
    assert await reminders.queue_due() == 0

    first, second = await _reminders_of(shop, alice)
    assert second.cart_version > first.cart_version
    assert [line.name for line in second.lines] == ["Tea", "Coffee"]
    assert await reminders.recheck(second) == SEND


async def test_no_reminder_to_customers_who_opted_out_blocked_the_bot_or_were_deactivated(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await new_product()
    opted_out, blocked, gone, kept = [
        await _customer(shop, name) for name in ("Olga", "Boris", "Gina", "Kate")
    ]
    for customer in (opted_out, blocked, gone, kept):
        await _fill(shop, customer, (tea, 1))
    assert (await shop.users.set_cart_reminders(opted_out.id, False)).cart_reminders is False
    # what the notifier records when Telegram answers that the customer blocked the bot
    await shop.store.users.update_one({"_id": blocked.id}, {"$set": {"telegramBlocked": True}})
    await shop.accounts.change(SYSTEM, gone.id, AccountChange(active=False))
    reminders = _reminders(shop, FakeClock(await _changed_at(shop, kept) + IDLE))

    assert await reminders.queue_due() == 1
    assert len(await _reminders_of(shop, kept)) == 1
    for customer in (opted_out, blocked, gone):
        assert await _reminders_of(shop, customer) == []


async def test_a_queued_reminder_is_dropped_when_the_customer_opts_out_before_it_is_sent(
    shop: Shop, new_product: NewProduct
) -> None:
    alice, bob = await _customer(shop, "Alice"), await _customer(shop, "Bob")
    await _fill(shop, alice, (await new_product(), 1))
    await _fill(shop, bob, (await new_product("Coffee"), 1))
    reminders = _reminders(shop, FakeClock(await _changed_at(shop, bob) + IDLE))
    assert await reminders.queue_due() == 2

    await shop.users.set_cart_reminders(alice.id, False)
    await shop.accounts.change(SYSTEM, bob.id, AccountChange(active=False))
    for customer in (alice, bob):
        [notice] = await _reminders_of(shop, customer)
        assert (await reminders.recheck(notice)).drop is not None


async def test_scanners_running_at_once_queue_each_reminder_once(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await new_product()
    customers = [await _customer(shop, name) for name in ("Ann", "Ben", "Cid")]
    for customer in customers:
        await _fill(shop, customer, (tea, 1))
    clock = FakeClock(await _changed_at(shop, customers[-1]) + IDLE)
    scanners = [_reminders(shop, clock) for _ in range(4)]  # as in four processes

    await asyncio.gather(*(scanner.queue_due() for scanner in scanners))

    assert await shop.store.notifications.count_documents({"kind": "cart_reminder"}) == 3
    for customer in customers:
        assert len(await _reminders_of(shop, customer)) == 1
    assert await scanners[0].queue_due() == 0


async def test_a_scan_killed_between_queuing_and_marking_queues_the_reminder_once(
    shop: Shop, new_product: NewProduct
) -> None:
    alice = await _customer(shop)
    await _fill(shop, alice, (await new_product(), 1))
    clock = FakeClock(await _changed_at(shop, alice) + IDLE)
    store = dying_store(shop.store, WriteBudget(1))  # the reminder queued, then death
    dying = CartReminders(
        store,
        Carts(store, shop.catalog),
        shop.cart_codes,
        NotificationQueue(store, LEASE),
        shop.settings,
        now=clock,
    )

    assert await run_until_killed(dying.queue_due)
    assert len(await _reminders_of(shop, alice)) == 1
    cart = await shop.store.carts.find_one({"userId": alice.id})
    assert cart is not None and "remindedVersion" not in cart

    reminders = _reminders(shop, clock)
    await reminders.queue_due()  # the next scan finds the cart again: nothing new is queued
    assert len(await _reminders_of(shop, alice)) == 1
    clock.moment += IDLE
    assert await reminders.queue_due() == 0
    assert len(await _reminders_of(shop, alice)) == 1


async def test_every_process_queues_due_reminders_in_its_recovery_loop(
    shop: Shop, new_product: NewProduct
) -> None:
    looping = Shop.build(shop.settings.model_copy(update={"lease_seconds": 5}), shop.client)
    alice = await _customer(shop)
    changed = await _fill(shop, alice, (await new_product(), 1))
    left = {"$set": {"updatedAt": changed - IDLE - timedelta(hours=1)}}  # as if a day ago
    await shop.store.carts.update_one({"userId": alice.id}, left)

    loop = asyncio.create_task(looping.keep_recovering())
    try:
        async with asyncio.timeout(60):  # one pass after a lease period (5 s)
            while not await _reminders_of(shop, alice):
                await asyncio.sleep(0.05)
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop


class _Settings(CoreSettings):
    model_config = SettingsConfigDict(env_file=None)


@pytest.mark.parametrize(("start", "end"), [("9", "9"), ("21", "9")])
def test_the_day_must_end_after_it_begins(
    monkeypatch: pytest.MonkeyPatch, start: str, end: str
) -> None:
    monkeypatch.setenv("JWT_SECRET", "x" * 32)
    monkeypatch.setenv("CART_REMINDER_FROM_HOUR", start)
    monkeypatch.setenv("CART_REMINDER_UNTIL_HOUR", end)
    with pytest.raises(ConfigError) as stopped:
        load(_Settings)
    assert str(stopped.value.code) == (
        f"configuration error: CART_REMINDER_UNTIL_HOUR must be later than "
        f"CART_REMINDER_FROM_HOUR ({start})"
    )


@pytest.mark.parametrize(
    ("night", "morning"),
    [  # New York: clocks go forward on 8 March 2026 and back on 1 November 2026
        (datetime(2026, 3, 8, 4, 0, tzinfo=UTC), datetime(2026, 3, 8, 13, 0, tzinfo=UTC)),
        (datetime(2026, 11, 1, 3, 0, tzinfo=UTC), datetime(2026, 11, 1, 14, 0, tzinfo=UTC)),
    ],
)
def test_the_morning_after_a_night_when_the_clocks_change_is_nine_local(
    night: datetime, morning: datetime
) -> None:
    hours = DayHours(ZoneInfo("America/New_York"), 9, 21)
    assert night.astimezone(hours.zone).hour == 23  # the evening before the change
    assert hours.next_opening(night) == morning
    assert morning.astimezone(hours.zone).hour == 9
    assert hours.next_opening(morning) is None
    assert hours.next_opening(morning - timedelta(seconds=1)) == morning
