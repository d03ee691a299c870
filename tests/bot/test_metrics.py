"""The metrics of the processes that talk to Telegram, scraped over HTTP after real traffic
through the sandbox: updates by type and outcome, Bot API requests by method and result
(each as the sandbox saw it), and the shop's figures moving with them."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pymongo.errors import ConnectionFailure

from bot.bootstrap import create_bot, create_dispatcher
from bot.config import BotSettings
from core.accounts.models import User
from core.catalog.models import Product
from core.sales.commands import StatusUpdate
from core.sales.models import Order, OrderStatus
from core.shop import Shop
from core.store import connect
from sandbox import FakeUser, Sandbox, SandboxServer
from tests.bot.chat import Customer, fill_cart, orders_of, review_order, tap
from tests.bot.workers import STAFF, notice_settled, working
from tests.factories import NewProduct
from tests.metrics import Samples, labels, scrape, serving
from tests.processes import children, environment, free_port, wait_until_serving
from tests.settings import make_settings

CONFIRM = "✅ Confirm order"
REQUESTS = "shop_bot_api_requests_total"
UPDATES = "shop_update_handling_seconds_count"


@pytest.fixture
def core_overrides() -> dict[str, Any]:
    """A shop taking cards through a provider, and manual payment."""
    return {"payment_methods": "provider,manual", "payment_provider_token": "284685063:TEST:x"}


def _calls_since(sandbox: Sandbox, first: int) -> dict[frozenset[tuple[str, str]], float]:
    """The Bot API calls the sandbox answered since its ``first``-th, as the request counter
    labels them (long polls left out: one may be under way at either scrape)."""
    seen = Counter(
        (call.method, "5xx" if call.status >= 500 else str(call.status))
        for call in sandbox.calls[first:]
        if call.method != "getUpdates"
    )
    return {labels(method=method, result=result): n for (method, result), n in seen.items()}


def _requests_moved(after: Samples, before: Samples) -> dict[frozenset[tuple[str, str]], float]:
    return {
        key: n
        for key, n in after.moved(before, REQUESTS).items()
        if dict(key)["method"] != "getUpdates"
    }


async def _ordered(shop: Shop, player: FakeUser, account: User, product: Product) -> Order:
    await fill_cart(shop, account, (product, 1))
    await shop.checkout.place_order(account.id)
    [order] = await orders_of(shop, account)
    return order


async def test_an_order_placed_and_paid_in_the_chat_moves_each_figure_by_its_steps(
    shop: Shop,
    new_product: NewProduct,
    customer: Customer,
    sandbox_server: SandboxServer,
    bot_settings: BotSettings,
    running_bot: None,
) -> None:
    sandbox = sandbox_server.sandbox
    tea = await new_product("Tea", price=450, stock=10)
    alice, account = await customer("Alice")
    async with serving(shop) as url:
        before, first_call = await scrape(url), len(sandbox.calls)
        await fill_cart(shop, account, (tea, 2))
        await review_order(alice)  # a message (/cart) and a tap (Checkout)
        placed = await tap(alice, CONFIRM)
        pay = next(b.text for row in placed.buttons for b in row if b.text.startswith("💳 Pay"))
        await alice.press(pay, message_id=placed.message_id)
        invoice = await alice.wait_for(lambda m: m.invoice is not None)
        async with working(shop, bot_settings):
            paid = await alice.pay(invoice)  # a pre-checkout query, then a message
            assert paid.ok
            await alice.wait_for(lambda m: "is now <b>paid</b>" in (m.source or ""))
            [order] = await orders_of(shop, account)
            await notice_settled(shop, {"orderId": order.id})
        after = await scrape(url)

    assert after.moved(before, UPDATES) == {
        labels(type="message", outcome="handled"): 2,
        labels(type="callback_query", outcome="handled"): 3,
        labels(type="pre_checkout_query", outcome="handled"): 1,
    }
    moved = _requests_moved(after, before)
    assert moved == _calls_since(sandbox, first_call)
    assert moved[labels(method="sendInvoice", result="200")] == 1
    assert moved[labels(method="answerPreCheckoutQuery", result="200")] == 1
    assert before.value("shop_orders_placed_total") == 0
    assert after.value("shop_orders_placed_total") == 1
    assert after.value("shop_orders", status="paid") == 1
    assert after.value("shop_orders", status="pending") == 0
    assert after.value("shop_payments_total", method="provider") == 1
    assert after.value("shop_payments_total", method="manual") == 0
    assert after.value("shop_notices", state="sent") == 1  # the customer's "now paid"
    assert before.value("shop_figures_up") == after.value("shop_figures_up") == 1


async def test_a_customer_who_blocked_the_bot_counts_as_403_and_a_blocked_notice(
    shop: Shop,
    new_product: NewProduct,
    customer: Customer,
    sandbox_server: SandboxServer,
    bot_settings: BotSettings,
) -> None:
    sandbox = sandbox_server.sandbox
    bob, account = await customer("Bob")
    order = await _ordered(shop, bob, account, await new_product("Tea", stock=5))
    sandbox.block(bob.id)
    before, after, first_call = await _paid_and_told(shop, order, bot_settings, sandbox)

    moved = _requests_moved(after, before)
    assert moved == {labels(method="sendMessage", result="403"): 1}
    assert moved == _calls_since(sandbox, first_call)
    assert after.value("shop_notices", state="blocked") == 1
    assert after.value("shop_notices", state="sent") == 0


async def test_flood_control_counts_as_429_and_the_retry_as_200(
    shop: Shop,
    new_product: NewProduct,
    customer: Customer,
    sandbox_server: SandboxServer,
    bot_settings: BotSettings,
) -> None:
    sandbox = sandbox_server.sandbox
    carol, account = await customer("Carol")
    order = await _ordered(shop, carol, account, await new_product("Tea", stock=5))
    sandbox.faults.fail(1, status=429, retry_after=1, methods=["sendMessage"])
    before, after, first_call = await _paid_and_told(shop, order, bot_settings, sandbox)

    moved = _requests_moved(after, before)
    assert moved == {
        labels(method="sendMessage", result="429"): 1,
        labels(method="sendMessage", result="200"): 1,
    }
    assert moved == _calls_since(sandbox, first_call)
    assert after.value("shop_notices", state="sent") == 1


async def test_a_lost_answer_counts_as_network_and_a_server_error_as_5xx(
    shop: Shop,
    new_product: NewProduct,
    customer: Customer,
    sandbox_server: SandboxServer,
    bot_settings: BotSettings,
) -> None:
    sandbox = sandbox_server.sandbox
    dave, account = await customer("Dave")
    order = await _ordered(shop, dave, account, await new_product("Tea", stock=5))
    sandbox.faults.fail(1, status=502, methods=["sendMessage"])
    sandbox.faults.fail(1, drop=True, methods=["sendMessage"])
    before, after, _ = await _paid_and_told(shop, order, bot_settings, sandbox)

    assert _requests_moved(after, before) == {
        labels(method="sendMessage", result="5xx"): 1,
        labels(method="sendMessage", result="network"): 1,
        labels(method="sendMessage", result="200"): 1,
    }


@pytest.mark.slow  # a real process
async def test_the_notifier_process_counts_its_sends_and_leaves_the_figures_to_the_api(
    shop: Shop,
    mongo_uri: str,
    new_product: NewProduct,
    customer: Customer,
    sandbox_server: SandboxServer,
    tmp_path: Path,
) -> None:
    erin, account = await customer("Erin")
    order = await _ordered(shop, erin, account, await new_product("Tea", stock=5))
    metrics = f"http://127.0.0.1:{free_port()}/metrics"
    env = environment(
        MONGODB_URI=mongo_uri,
        MONGODB_DATABASE=shop.settings.mongodb_database,
        BOT_TOKEN=sandbox_server.sandbox.token,
        BOT_API_BASE_URL=sandbox_server.url,
        METRICS_PORT=metrics.split(":")[2].split("/")[0],
        NOTIFIER_IDLE_SECONDS="0.1",
    )
    async with children(tmp_path) as started:
        await started.start("notifier", "bot.notifier", env)
        await wait_until_serving(metrics)
        async with asyncio.timeout(120):  # serving before it asks Telegram who it is
            greeted = {"method": "getMe", "result": "200"}
            while not (before := await scrape(metrics)).value(REQUESTS, **greeted):
                await asyncio.sleep(0.05)
        await shop.orders.change_status(STAFF, order.id, StatusUpdate(status=OrderStatus.PAID))
        await notice_settled(shop, {"orderId": order.id})  # counted before marked sent
        after = await scrape(metrics)

    assert after.moved(before, REQUESTS) == {labels(method="sendMessage", result="200"): 1}
    assert "shop_orders_placed_total" not in after.names()  # the API's to serve
    assert after.value("process_resident_memory_bytes") > 0


async def test_an_update_nobody_handles_and_one_that_fails_count_by_their_outcome(
    shop: Shop, bot_settings: BotSettings, sandbox_server: SandboxServer, customer: Customer
) -> None:
    sandbox = sandbox_server.sandbox
    frank, _ = await customer("Frank")
    message = sandbox.message_api(sandbox.user_sends(frank.id, "/start"))
    unreachable = connect(f"mongodb://127.0.0.1:{free_port()}", timeout=timedelta(milliseconds=200))
    bot = create_bot(bot_settings)
    try:
        async with serving(shop, metrics_shop_figures=False) as url:
            before = await scrape(url)
            edited = {"update_id": 1, "edited_message": {**message, "edit_date": message["date"]}}
            await create_dispatcher(shop, bot_settings).feed_raw_update(bot, edited)
            down = Shop.build(make_settings(), unreachable)
            with pytest.raises(ConnectionFailure):
                await create_dispatcher(down, bot_settings).feed_raw_update(
                    bot, {"update_id": 2, "message": message}
                )
            after = await scrape(url)
    finally:
        await bot.session.close()
        await unreachable.close()

    assert after.moved(before, UPDATES) == {
        labels(type="edited_message", outcome="unhandled"): 1,
        labels(type="message", outcome="error"): 1,
    }


async def _paid_and_told(
    shop: Shop, order: Order, bot_settings: BotSettings, sandbox: Sandbox
) -> tuple[Samples, Samples, int]:
    """Scrapes of the API's endpoint before and after ``order`` is marked paid and its
    notice sent, and the sandbox's first call in between."""
    async with serving(shop) as url:
        before, first_call = await scrape(url), len(sandbox.calls)
        await shop.orders.change_status(STAFF, order.id, StatusUpdate(status=OrderStatus.PAID))
        async with working(shop, bot_settings):
            await notice_settled(shop, {"orderId": order.id})
        after = await scrape(url)
    return before, after, first_call
