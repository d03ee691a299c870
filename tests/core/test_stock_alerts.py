"""Low stock: operators hear once per crossing of the threshold, again after a restock,
once when orders cross together, and also when a process dies on the way."""

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from core.accounts.access import SYSTEM, Actor
from core.accounts.models import Role, User
from core.base import clock
from core.catalog.commands import ProductPatch
from core.catalog.models import Product
from core.catalog.restock_alerts import RestockAlerts
from core.catalog.stock import Stock
from core.catalog.stock_alerts import StockAlerts
from core.messaging.notifications import NotificationQueue
from core.sales.carts import Carts
from core.sales.checkout import Checkout
from core.sales.commands import CartChange, StatusUpdate
from core.sales.outbox import Outbox
from core.shop import Shop
from core.store import Store
from tests.core.crashes import LEASE, dying_store, run_until_killed
from tests.factories import NewProduct, NewUser

OPERATORS = -1001
THRESHOLD = 5


@pytest.fixture
def watched(shop: Shop) -> Shop:
    """The shop with an operators' chat and a threshold of 5."""
    settings = {"operator_chat_id": OPERATORS, "low_stock_threshold": THRESHOLD}
    return Shop.build(shop.settings.model_copy(update=settings), shop.client)


async def _buy(shop: Shop, new_user: NewUser, product: Product, quantity: int) -> None:
    await _buy_as(shop, await new_user(), product, quantity)


async def _buy_as(shop: Shop, customer: User, product: Product, quantity: int) -> None:
    await shop.carts.add(customer.id, CartChange(product_id=product.id, quantity=quantity))
    await shop.checkout.place_order(customer.id)


async def _alerts(shop: Shop) -> list[dict[str, Any]]:
    cursor = shop.store.notifications.find({"kind": "low_stock"}).sort("createdAt", 1)
    return await cursor.to_list()


async def test_operators_hear_once_per_crossing_and_again_after_a_restock(
    watched: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    shop = watched
    tea = await new_product("Tea", stock=9)
    await _buy(shop, new_user, tea, 3)  # 6: above
    assert await _alerts(shop) == []
    await _buy(shop, new_user, tea, 1)  # 5: at the threshold
    await _buy(shop, new_user, tea, 2)  # 3: still low, already told
    [alert] = await _alerts(shop)
    assert (alert["chatId"], alert["productName"], alert["stock"]) == (OPERATORS, "Tea", 5)
    assert alert["threshold"] == THRESHOLD
    assert (await shop.catalog.get(tea.id)).low_stock

    restocked = await shop.catalog.update(SYSTEM, tea.id, ProductPatch(stock_delta=1))
    assert restocked.low_stock  # 4: still low, nothing to re-arm
    restocked = await shop.catalog.update(SYSTEM, tea.id, ProductPatch(stock_delta=10))
    assert not restocked.low_stock  # 14: heard again at the next crossing
    await _buy(shop, new_user, tea, 9)
    assert [a["stock"] for a in await _alerts(shop)] == [5, 5]
    product = await shop.store.products.find_one({"_id": tea.id})
    assert product is not None and product["outbox"] == [] and product["reservedBy"] == []


async def test_a_cancellation_that_lifts_stock_above_re_arms(
    watched: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    shop = watched
    tea = await new_product(stock=8)
    customer = await new_user()
    await shop.carts.add(customer.id, CartChange(product_id=tea.id, quantity=4))
    order = await shop.checkout.place_order(customer.id)
    assert (await shop.catalog.get(tea.id)).low_stock
    staff = Actor(None, Role.OPERATOR)
    await shop.orders.change_status(staff, order.id, StatusUpdate(status="cancelled"))
    assert not (await shop.catalog.get(tea.id)).low_stock
    await _buy(shop, new_user, tea, 3)
    assert len(await _alerts(shop)) == 2


async def test_a_product_s_own_threshold_wins(
    watched: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    shop = watched
    honey = await new_product("Honey", stock=10, low_stock_threshold=1)
    await _buy(shop, new_user, honey, 7)  # 3: low for the shop, not for honey
    assert await _alerts(shop) == []
    await _buy(shop, new_user, honey, 2)
    assert [a["threshold"] for a in await _alerts(shop)] == [1]
    lowered = await shop.catalog.update(SYSTEM, honey.id, ProductPatch(low_stock_threshold=0))
    assert not lowered.low_stock  # 1 is above 0: armed for the next crossing


async def test_orders_crossing_at_once_make_one_alert(
    watched: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    shop = watched
    tea = await new_product(stock=12)
    customers = [await new_user() for _ in range(12)]
    await asyncio.gather(*(_buy_as(shop, customer, tea, 1) for customer in customers))
    assert (await shop.catalog.get(tea.id)).stock == 0
    assert len(await _alerts(shop)) == 1


async def test_no_operators_chat_no_alert_but_the_crossing_is_noted(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    tea = await new_product(stock=6)
    await _buy(shop, new_user, tea, 2)
    assert await _alerts(shop) == []
    assert (await shop.catalog.get(tea.id)).low_stock


async def test_recovery_re_arms_a_product_restocked_by_a_process_that_died(
    watched: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    shop = watched
    tea = await new_product(stock=6)
    await _buy(shop, new_user, tea, 2)
    await shop.store.products.update_one({"_id": tea.id}, {"$inc": {"stock": 10}})
    assert await shop.recover() == 1
    assert not (await shop.catalog.get(tea.id)).low_stock


async def test_without_an_operators_chat_each_staff_member_on_telegram_hears_it(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    shop = Shop.build(shop.settings.model_copy(update={"low_stock_threshold": 5}), shop.client)
    assert shop.outbox.operator_chat_id is None
    for telegram_id, role in ((601, Role.OPERATOR), (602, Role.ADMIN), (603, Role.USER)):
        user = await new_user()
        await shop.store.users.update_one({"_id": user.id}, {"$set": {"telegramId": telegram_id}})
        await shop.accounts.set_role(SYSTEM, user.id, role)
    tea = await new_product("Tea", stock=6)
    await _buy(shop, new_user, tea, 2)  # 4: low
    await _buy(shop, new_user, tea, 1)  # 3: still low, already told
    alerts = await _alerts(shop)
    assert sorted(alert["chatId"] for alert in alerts) == [601, 602]  # staff, not the customer
    assert {alert["productName"] for alert in alerts} == {"Tea"}


def _checkout_on(shop: Shop, store: Store) -> Checkout:
    queue = NotificationQueue(store, LEASE)
    outbox = Outbox(store, queue, OPERATORS)
    alerts = StockAlerts(store, queue, THRESHOLD, outbox)
    return Checkout(
        store,
        shop.catalog,
        Carts(store, shop.catalog),
        shop.delivery,
        outbox,
        Stock(store, alerts, RestockAlerts(store, queue, LEASE)),
        LEASE,
    )


async def test_a_checkout_killed_at_every_write_alerts_exactly_when_it_ordered(
    watched: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    shop = watched
    for writes in range(30):
        tea = await new_product(stock=6)
        customer = await new_user()
        await shop.carts.add(customer.id, CartChange(product_id=tea.id, quantity=2))
        checkout = _checkout_on(shop, dying_store(shop.store, writes))

        killed = await run_until_killed(lambda: checkout.place_order(customer.id))  # noqa: B023
        await shop.recover(at=clock.now() + LEASE + timedelta(seconds=1))

        ordered = await shop.store.orders.count_documents({"userId": customer.id}) == 1
        alerts = await shop.store.notifications.count_documents({"productId": tea.id})
        assert alerts == (1 if ordered else 0), writes
        product = await shop.store.products.find_one({"_id": tea.id})
        assert product is not None and product.get("outbox", []) == []
        assert product.get("lowStock", False) is ordered
        if not killed:
            break
    else:
        pytest.fail("the checkout never completed within the write budget")
