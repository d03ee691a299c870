"""Back in stock: each customer who asked hears once per restock, whichever write gave the
product stock; again after it sold out and came back; never about a product they cannot
buy; also when a process dies in the middle of a fan-out."""

import asyncio
import functools
from datetime import timedelta
from typing import Any

import pytest
from bson import ObjectId

from core.accounts.access import SYSTEM
from core.accounts.commands import TelegramSignup
from core.accounts.models import User
from core.base import clock
from core.base.errors import NotFound
from core.catalog import restock_alerts
from core.catalog.commands import CategoryDraft, CategoryPatch, ImportOptions, ProductPatch
from core.catalog.models import Product
from core.catalog.restock_alerts import RestockAlerts
from core.catalog.variants.commands import VariantPatch
from core.messaging.models import NOTIFICATION, BackInStockAlert, NoticeKind
from core.messaging.notifications import NotificationQueue
from core.sales.commands import CartChange, StatusUpdate
from core.sales.models import OrderLine
from core.shop import Shop
from tests.core.crashes import LEASE, WriteBudget, dying_store, run_until_killed, stock_on
from tests.core.variants import make_shirt
from tests.factories import NewProduct
from tests.sheets import csv_file

LATER = timedelta(hours=1)


async def _subscribers(shop: Shop, count: int, first: int = 9000) -> list[User]:
    return [
        await shop.users.sign_up_telegram(
            TelegramSignup(telegram_id=n, name=f"C{n}", email=f"c{n}@example.com")
        )
        for n in range(first, first + count)
    ]


async def _watching(shop: Shop, product: Product, users: list[User]) -> None:
    for user in users:
        assert await shop.restock_alerts.watch(user.id, product.id)


async def _alerts(shop: Shop, **query: Any) -> list[dict[str, Any]]:
    found = shop.store.notifications.find({"kind": NoticeKind.BACK_IN_STOCK.value, **query})
    return await found.sort("_id", 1).to_list()


async def _set_stock(shop: Shop, product: Product, stock: int) -> Product:
    return await shop.catalog.update(SYSTEM, product.id, ProductPatch(stock=stock))


async def _waiting(shop: Shop, product: Product) -> int:
    return await shop.store.restock_subscriptions.count_documents({"productId": product.id})


async def test_each_subscriber_hears_once_per_restock_and_again_after_it_sold_out(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await new_product("Tea", stock=0)
    alice, bob, carol = await _subscribers(shop, 3)
    await _watching(shop, tea, [alice, bob])
    assert await shop.restock_alerts.watch(alice.id, tea.id)  # pressed twice: one subscription
    assert await shop.restock_alerts.is_watching(alice.id, tea.id)
    assert await _alerts(shop) == []

    await _set_stock(shop, tea, 5)
    first = await _alerts(shop)
    assert [(a["chatId"], a["productName"], a["generation"]) for a in first] == [
        (9000, "Tea", 1),
        (9001, "Tea", 1),
    ]
    assert [a["_id"] for a in first] == [f"back_in_stock:{tea.id}:1:{u.id}" for u in (alice, bob)]
    assert await _waiting(shop, tea) == 0  # the alert ends the subscription
    assert not await shop.restock_alerts.is_watching(alice.id, tea.id)

    await shop.catalog.update(SYSTEM, tea.id, ProductPatch(stock_delta=3))  # more: nobody waits
    assert not await shop.restock_alerts.watch(carol.id, tea.id)  # in stock: nothing to wait for
    assert len(await _alerts(shop)) == 2

    await _set_stock(shop, tea, 0)
    await _watching(shop, tea, [bob, carol])
    await shop.catalog.update(SYSTEM, tea.id, ProductPatch(stock_delta=1))
    second = await _alerts(shop, generation=2)
    assert [a["chatId"] for a in second] == [9001, 9002]
    stored = await shop.store.products.find_one({"_id": tea.id})
    assert stored is not None and stored["restockGeneration"] == 2
    assert "restockFanOut" not in stored


async def test_stock_given_back_by_a_cancellation_or_a_rolled_back_checkout_alerts(
    shop: Shop, new_product: NewProduct
) -> None:
    tea, cake = await new_product("Tea", stock=1), await new_product("Cake", stock=1)
    buyer, waiter = await _subscribers(shop, 2)
    await shop.carts.add(buyer.id, CartChange(product_id=tea.id, quantity=1))
    order = await shop.checkout.place_order(buyer.id)
    await _watching(shop, tea, [waiter])
    await shop.orders.change_status(SYSTEM, order.id, StatusUpdate(status="cancelled"))
    assert [a["productName"] for a in await _alerts(shop)] == ["Tea"]

    line = OrderLine(product_id=cake.id, quantity=1, name="Cake", unit_price=450, line_total=450)
    stock, checkout = stock_on(shop.store), ObjectId()
    assert await stock.take(checkout, line)
    await _watching(shop, cake, [waiter])
    await stock.give_back(checkout, [line])  # what a rolled-back checkout does
    assert [a["productName"] for a in await _alerts(shop)] == ["Tea", "Cake"]


async def test_an_import_that_gives_a_sold_out_product_stock_alerts(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await new_product("Tea", stock=0, sku="TEA-1")
    [alice] = await _subscribers(shop, 1)
    await _watching(shop, tea, [alice])
    sheet = csv_file(["TEA-1", "Tea", 3], header=("sku", "name", "stock"))
    await shop.imports.run(SYSTEM, sheet, ImportOptions())
    assert [a["chatId"] for a in await _alerts(shop)] == [9000]


async def test_a_product_coming_back_on_sale_with_stock_alerts_and_an_archived_one_nobody(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await new_product("Tea", stock=0)
    [alice] = await _subscribers(shop, 1)
    await _watching(shop, tea, [alice])
    await shop.catalog.archive(SYSTEM, tea.id)
    await _set_stock(shop, tea, 4)
    assert await _alerts(shop) == []
    assert await _waiting(shop, tea) == 1  # still waiting: it may come back
    with pytest.raises(NotFound):
        await shop.restock_alerts.watch(alice.id, tea.id)

    await shop.catalog.update(SYSTEM, tea.id, ProductPatch(active=True))
    assert [a["chatId"] for a in await _alerts(shop)] == [9000]


async def test_a_category_shown_again_alerts_at_the_next_recovery_pass(
    shop: Shop, new_product: NewProduct
) -> None:
    teas = await shop.categories.create(SYSTEM, CategoryDraft(name="Teas"))
    tea = await new_product("Tea", stock=0, category_id=teas.id)
    [alice] = await _subscribers(shop, 1)
    await _watching(shop, tea, [alice])
    await shop.categories.archive(SYSTEM, teas.id)
    await _set_stock(shop, tea, 4)
    assert await _alerts(shop) == []  # hidden with its category: nobody hears

    await shop.categories.update(SYSTEM, teas.id, CategoryPatch(active=True))
    await shop.recover()  # once a lease period in every process
    assert [a["chatId"] for a in await _alerts(shop)] == [9000]


async def test_a_product_under_an_archived_parent_category_alerts_nobody_until_shown_again(
    shop: Shop, new_product: NewProduct
) -> None:
    teas = await shop.categories.create(SYSTEM, CategoryDraft(name="Teas"))
    green = await shop.categories.create(SYSTEM, CategoryDraft(name="Green", parent_id=teas.id))
    sencha = await new_product("Sencha", stock=0, category_id=green.id)
    [alice] = await _subscribers(shop, 1)
    await _watching(shop, sencha, [alice])
    await shop.categories.archive(SYSTEM, teas.id)
    with pytest.raises(NotFound):
        await shop.restock_alerts.watch(alice.id, sencha.id)
    await _set_stock(shop, sencha, 4)
    await shop.recover()
    assert await _alerts(shop) == []

    await shop.categories.update(SYSTEM, teas.id, CategoryPatch(active=True))
    await shop.recover()
    assert [a["chatId"] for a in await _alerts(shop)] == [9000]


async def test_a_customer_who_blocked_the_bot_is_dropped(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await new_product("Tea", stock=0)
    alice, bob = await _subscribers(shop, 2)
    await _watching(shop, tea, [alice, bob])
    await shop.store.users.update_one({"_id": bob.id}, {"$set": {"telegramBlocked": True}})
    await _set_stock(shop, tea, 2)
    assert [a["chatId"] for a in await _alerts(shop)] == [9000]
    assert await _waiting(shop, tea) == 0


async def test_not_notify_me_ends_the_subscription_and_drops_a_queued_alert(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await new_product("Tea", stock=0)
    alice, bob = await _subscribers(shop, 2)
    await _watching(shop, tea, [alice, bob])
    await shop.restock_alerts.unwatch(bob.id, tea.id)
    await _set_stock(shop, tea, 2)
    [queued] = await _alerts(shop)
    await shop.restock_alerts.unwatch(alice.id, tea.id)  # changed their mind before the send
    assert (await _alerts(shop))[0]["state"] == "cancelled"
    assert queued["chatId"] == 9000


async def _claimed(shop: Shop) -> BackInStockAlert:
    notice = await shop.notifications.claim()
    assert isinstance(notice, BackInStockAlert)
    return notice


async def test_an_alert_for_a_product_sold_out_again_is_dropped_and_the_customer_waits_on(
    shop: Shop, new_product: NewProduct
) -> None:
    """The race rule: an order took the last unit again between the restock and the send.
    The alert is not sent (nobody is told of stock they cannot buy); the subscription is
    put back, so the next restock is heard."""
    tea = await new_product("Tea", stock=0)
    alice, buyer = await _subscribers(shop, 2)
    await _watching(shop, tea, [alice])
    await _set_stock(shop, tea, 1)
    await shop.carts.add(buyer.id, CartChange(product_id=tea.id, quantity=1))
    await shop.checkout.place_order(buyer.id)  # the last unit, before the notifier sends

    notice = await _claimed(shop)
    assert not await shop.restock_alerts.still_wanted(notice)
    [dropped] = await _alerts(shop)
    assert dropped["state"] == "cancelled"
    assert await shop.restock_alerts.is_watching(alice.id, tea.id)

    await _set_stock(shop, tea, 3)
    again = await _claimed(shop)
    assert (again.generation, again.chat_id) == (2, 9000)
    assert await shop.restock_alerts.still_wanted(again)  # in stock: send it


async def test_restocks_at_the_same_moment_fan_out_once(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await new_product("Tea", stock=0)
    users = await _subscribers(shop, 20)
    await _watching(shop, tea, users)
    await asyncio.gather(
        *(shop.catalog.update(SYSTEM, tea.id, ProductPatch(stock_delta=1)) for _ in range(8))
    )
    alerts = await _alerts(shop)
    assert len(alerts) == 20
    assert {a["generation"] for a in alerts} == {1}
    assert (await shop.catalog.get(tea.id)).stock == 8


async def test_a_fan_out_killed_at_any_write_is_finished_by_recovery_once(
    shop: Shop, new_product: NewProduct, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five subscribers in batches of two; the process dies before each write in turn,
    then recovery (in another process, after the lease) finishes the fan-out."""
    monkeypatch.setattr(restock_alerts, "BATCH", 2)
    users = await _subscribers(shop, 5)
    for dies_at in range(20):
        tea = await new_product(f"Tea {dies_at}", stock=0)
        await _watching(shop, tea, users)
        store = dying_store(shop.store, WriteBudget(dies_at), bulk=True)
        dying = RestockAlerts(store, NotificationQueue(store, LEASE), LEASE)
        await shop.store.products.update_one({"_id": tea.id}, {"$set": {"stock": 2}})
        killed = await run_until_killed(functools.partial(dying.fire, tea.id))

        await shop.restock_alerts.recover(clock.now() + LEASE + LATER)
        alerts = await _alerts(shop, productId=tea.id)
        assert sorted(a["chatId"] for a in alerts) == [9000, 9001, 9002, 9003, 9004], dies_at
        assert {a["generation"] for a in alerts} == {1}
        assert await _waiting(shop, tea) == 0
        if not killed:
            break
    else:
        pytest.fail("the fan-out never finished")


async def test_recovery_fires_a_restock_whose_writer_died_before_firing(
    shop: Shop, new_product: NewProduct
) -> None:
    tea = await new_product("Tea", stock=0)
    [alice] = await _subscribers(shop, 1)
    await _watching(shop, tea, [alice])
    await shop.store.products.update_one({"_id": tea.id}, {"$set": {"stock": 5}})
    assert await _alerts(shop) == []
    assert await shop.recover() == 1
    [alert] = await _alerts(shop)
    assert NOTIFICATION.validate_python(alert).kind is NoticeKind.BACK_IN_STOCK

    shirt = await make_shirt(shop, new_product, stock=0)  # sold by variant: the same
    await _watching(shop, shirt.product, [alice])
    await shop.store.variants.update_one({"_id": shirt.red_m.id}, {"$set": {"stock": 1}})
    assert await shop.recover() == 1
    assert [a["productName"] for a in await _alerts(shop)] == ["Tea", "T-shirt"]


async def test_a_fan_out_stalled_past_its_lease_stops_once_recovery_took_it_over(
    shop: Shop, new_product: NewProduct, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(restock_alerts, "BATCH", 2)
    users = await _subscribers(shop, 5)
    tea = await new_product("Tea", stock=0)
    await _watching(shop, tea, users)
    budget = WriteBudget(100, stall_at=4)  # the second batch's queueing
    store = dying_store(shop.store, budget, bulk=True)
    stalled = RestockAlerts(store, NotificationQueue(store, LEASE), LEASE)
    await shop.store.products.update_one({"_id": tea.id}, {"$set": {"stock": 2}})
    first = asyncio.create_task(stalled.fire(tea.id))
    await budget.stalled.wait()

    assert await shop.restock_alerts.recover(clock.now() + LEASE + LATER) == 1
    budget.resume.set()
    assert await first  # it had fired, and then found its journal taken over

    alerts = await _alerts(shop, productId=tea.id)
    assert sorted(a["chatId"] for a in alerts) == [9000, 9001, 9002, 9003, 9004]
    assert await _waiting(shop, tea) == 0
    stored = await shop.store.products.find_one({"_id": tea.id})
    assert stored is not None and "restockFanOut" not in stored
    assert stored["restockGeneration"] == 1


async def test_a_product_sold_by_variant_is_back_when_one_of_its_variants_on_sale_is(
    shop: Shop, new_product: NewProduct
) -> None:
    """Its own ``stock`` is not what customers buy: every variant sold out is sold out
    (whatever the product's stock says), and a variant given stock by staff, restored with
    stock or credited by a cancellation is the restock."""
    shirt = await make_shirt(shop, new_product, stock=0)
    await _set_stock(shop, shirt.product, 7)  # left from before it had options
    alice, bob, buyer = await _subscribers(shop, 3)
    await _watching(shop, shirt.product, [alice, bob])
    assert await _alerts(shop) == []

    await shop.variants.archive(SYSTEM, shirt.red_m.id)
    await shop.variants.update(SYSTEM, shirt.red_m.id, VariantPatch(stock=3))  # archived
    assert await _alerts(shop) == []
    await shop.variants.update(SYSTEM, shirt.blue_l.id, VariantPatch(stock_delta=1))
    assert [(a["chatId"], a["generation"]) for a in await _alerts(shop)] == [(9000, 1), (9001, 1)]
    assert await _waiting(shop, shirt.product) == 0
    assert await shop.restock_alerts.still_wanted(await _claimed(shop))

    await shop.carts.add(buyer.id, shirt.change(shirt.blue_l))
    order = await shop.checkout.place_order(buyer.id)  # the last one in stock
    assert not await shop.restock_alerts.still_wanted(await _claimed(shop))  # Bob's: dropped
    assert await shop.restock_alerts.watch(alice.id, shirt.product.id)
    await shop.variants.update(SYSTEM, shirt.red_m.id, VariantPatch(active=True))  # restored
    assert [(a["chatId"], a["generation"]) for a in await _alerts(shop, generation=2)] == [
        (9000, 2),
        (9001, 2),
    ]

    await shop.carts.add(buyer.id, shirt.change(shirt.red_m, 3))
    await shop.checkout.place_order(buyer.id)
    assert await shop.restock_alerts.watch(alice.id, shirt.product.id)
    await shop.orders.change_status(SYSTEM, order.id, StatusUpdate(status="cancelled"))
    assert [a["chatId"] for a in await _alerts(shop, generation=3)] == [9000]


async def test_notify_me_pressed_on_two_devices_at_once_subscribes_once(
    shop: Shop, new_product: NewProduct
) -> None:
    for round_ in range(10):
        tea = await new_product(f"Tea {round_}", stock=0)
        [alice] = await _subscribers(shop, 1, first=9100 + round_)
        pressed = await asyncio.gather(
            *(shop.restock_alerts.watch(alice.id, tea.id) for _ in range(8))
        )
        assert pressed == [True] * 8
        assert await _waiting(shop, tea) == 1
