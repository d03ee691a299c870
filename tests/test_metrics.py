"""Each process's metrics endpoint, scraped over HTTP: the API process's own, behind its
token, after an order placed and paid over HTTP; the outbox's and the queue's oldest
entries by an injected clock; recovery's actions; the endpoint's settings."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from core.accounts.access import SYSTEM
from core.accounts.commands import TelegramSignup
from core.accounts.models import Role
from core.base import clock
from core.config import ConfigError
from core.messaging.models import NoticeKind
from core.sales.commands import CartChange, StatusUpdate
from core.sales.models import OrderStatus
from core.sales.outbox import outbox_entry
from core.shop import Shop
from core.store import connect
from runtime.metrics import CountRecoveries, MetricsSettings, serve_metrics
from tests.api.world import Account, account_maker
from tests.clocks import FakeClock
from tests.core.crashes import checkout_on, dying_store, run_until_killed
from tests.factories import NewProduct, NewUser
from tests.metrics import fetch, labels, scrape, serving
from tests.processes import children, environment, free_port, wait_until_serving
from tests.settings import make_settings

TOKEN = "scrape-me-please"


def _bearer(account: Account) -> dict[str, str]:
    return {"Authorization": f"Bearer {account.token}"}


async def _expect(request: Any, status: int) -> Any:
    """The JSON answer of ``request`` (an aiohttp request context), which must be ``status``."""
    async with request as reply:
        assert reply.status == status, await reply.text()
        return await reply.json()


@pytest.mark.slow  # a real process
async def test_the_api_process_counts_an_order_placed_and_paid_over_http_behind_its_token(
    shop: Shop, mongo_uri: str, new_product: NewProduct, tmp_path: Path
) -> None:
    api_port, metrics_port = free_port(), free_port()
    api, metrics = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{metrics_port}/metrics"
    env = environment(
        MONGODB_URI=mongo_uri,
        MONGODB_DATABASE=shop.settings.mongodb_database,
        API_PORT=str(api_port),
        METRICS_PORT=str(metrics_port),
        METRICS_TOKEN=TOKEN,
    )
    new_account = account_maker(shop)
    alice, olga = await new_account(name="Alice"), await new_account(Role.OPERATOR, name="Olga")
    tea = await new_product("Tea", price=450, stock=10)
    async with children(tmp_path) as started:
        await started.start("api", "admin_api", env)
        await wait_until_serving(f"{api}/readyz")
        assert (await fetch(metrics))[0] == 401
        assert (await fetch(metrics, "not-the-token"))[0] == 401
        before = await scrape(metrics, TOKEN)
        async with aiohttp.ClientSession(base_url=api) as http:
            added = {"productId": str(tea.id)}
            await _expect(http.post("/api/cart/add", json=added, headers=_bearer(alice)), 200)
            order = await _expect(http.post("/api/orders", headers=_bearer(alice)), 201)
            paid = {"status": "paid"}
            path = f"/api/orders/{order['id']}"
            await _expect(http.patch(path, json=paid, headers=_bearer(olga)), 200)
        after = await scrape(metrics, TOKEN)

    assert (before.value("shop_orders_placed_total"), after.value("shop_orders_placed_total")) == (
        0,
        1,
    )
    assert after.value("shop_payments_total", method="manual") == 1
    assert after.value("shop_orders", status="paid") == 1
    assert after.moved(before, "shop_http_requests_total") == {
        labels(method="POST", route="/api/cart/add", status="200"): 1,
        labels(method="POST", route="/api/orders", status="201"): 1,
        labels(method="PATCH", route="/api/orders/{id}", status="200"): 1,
    }
    assert after.value("process_resident_memory_bytes") > 0  # the process's own figures


async def test_the_outbox_and_the_queue_say_how_long_their_oldest_entry_has_waited(
    shop: Shop,
    new_user: NewUser,
    new_product: NewProduct,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = FakeClock()
    monkeypatch.setattr(clock, "now", now)
    signup = TelegramSignup(telegram_id=4242, name="Tg", email="tg@example.com")
    user, tea = await shop.users.sign_up_telegram(signup), await new_product("Tea", stock=5)
    await shop.carts.add(user.id, CartChange(product_id=tea.id, quantity=1))
    order = await shop.checkout.place_order(user.id)
    async with serving(shop) as url:
        empty = await scrape(url)
        # A status change whose relay a crash cut short: its entry waits in the outbox.
        entry = outbox_entry(NoticeKind.ORDER_STATUS, order.id, 99)
        await shop.store.orders.update_one({"_id": order.id}, {"$push": {"outbox": entry}})
        now.moment += timedelta(seconds=90)
        waiting = await scrape(url)
        await shop.outbox.relay(order.id)  # the notice is queued, due now
        now.moment += timedelta(seconds=30)
        relayed = await scrape(url)

    assert empty.value("shop_outbox_oldest_age_seconds") == 0
    assert empty.value("shop_notices_oldest_due_age_seconds") == 0
    assert waiting.value("shop_outbox_oldest_age_seconds") == 90
    assert relayed.value("shop_outbox_oldest_age_seconds") == 0
    assert relayed.value("shop_notices", state="queued") == 1
    assert relayed.value("shop_notices_oldest_due_age_seconds") == 30


async def test_a_paid_order_cancelled_owes_a_refund_until_staff_record_it(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    user, tea = await new_user(), await new_product("Tea", stock=5)
    await shop.carts.add(user.id, CartChange(product_id=tea.id, quantity=1))
    order = await shop.checkout.place_order(user.id)
    async with serving(shop) as url:
        for status in (OrderStatus.PAID, OrderStatus.CANCELLED):
            await shop.orders.change_status(SYSTEM, order.id, StatusUpdate(status=status))
        owed = await scrape(url)
        await shop.payments.mark_refunded(SYSTEM, order.id, None)
        refunded = await scrape(url)

    for scraped in (owed, refunded):
        assert scraped.value("shop_orders_placed_total") == 1
        assert scraped.value("shop_orders", status="cancelled") == 1
        assert scraped.value("shop_payments_total", method="manual") == 1  # paid, once
    assert (owed.value("shop_refunds_due"), owed.value("shop_refunds_total")) == (1, 0)
    assert (refunded.value("shop_refunds_due"), refunded.value("shop_refunds_total")) == (0, 1)


async def test_recovery_counts_each_checkout_it_rolled_back_or_forward(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    watched = Shop.build(shop.settings, shop.client, watcher=CountRecoveries())
    tea = await new_product("Tea", stock=5)
    for writes in (2, 5):  # killed after inserting the order; after placing it
        user = await new_user()
        await shop.carts.add(user.id, CartChange(product_id=tea.id, quantity=1))
        dying = checkout_on(shop, dying_store(shop.store, writes))
        assert await run_until_killed(lambda: dying.place_order(user.id))  # noqa: B023
    async with serving(watched, metrics_shop_figures=False) as url:
        before = await scrape(url)
        assert await watched.recover(clock.now() + timedelta(hours=1)) == 3
        after = await scrape(url)

    assert "shop_orders_placed_total" not in after.names()  # figures served elsewhere
    assert after.moved(before, "shop_recovery_actions_total") == {
        labels(work="checkout", action="rolled_back"): 1,
        labels(work="checkout", action="rolled_forward"): 1,
        labels(work="outbox", action="resumed"): 1,  # the placed order's new-order notice
    }


async def test_no_port_serves_nothing_and_a_taken_port_stops_with_one_line(shop: Shop) -> None:
    async with serve_metrics(shop, MetricsSettings(_env_file=None)) as port:
        assert port is None
    async with serving(shop) as url:
        taken = int(url.split(":")[2].split("/")[0])
        with pytest.raises(ConfigError, match=rf"cannot serve metrics on 127.0.0.1:{taken}: "):
            async with serve_metrics(shop, MetricsSettings(_env_file=None, metrics_port=taken)):
                pass


async def test_a_database_that_does_not_answer_shows_as_figures_down_not_a_failed_scrape() -> None:
    client = connect(f"mongodb://127.0.0.1:{free_port()}", timeout=timedelta(milliseconds=200))
    try:
        async with serving(Shop.build(make_settings(), client)) as url:
            scraped = await scrape(url)
    finally:
        await client.close()
    assert scraped.value("shop_figures_up") == 0
    assert "shop_orders_placed_total" not in scraped.names()
