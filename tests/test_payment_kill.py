"""A payment is never lost to a bot process killed while handling it.

The bot runs as a child process (by polling, then in webhook mode) on an engine of its own.
A customer pays by card; between the bot's yes to the pre-checkout query and the charge,
the engine is paused (SIGSTOP), so the bot can receive the ``successful_payment`` update
but cannot record it. Once the bot has told Telegram what it makes of the update (the next
getUpdates call, or its answer to the webhook request), the bot is killed (SIGKILL), the
engine resumed and the bot started again: Telegram must still have the update (never
confirmed, or answered with an error), and the order ends up paid, once.

A card payment, not Stars: Stars payments are also recovered by reconciliation with
getStarTransactions, which would hide a lost update.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from core.accounts.access import SYSTEM
from core.accounts.commands import TelegramSignup
from core.base.commands import HistoryQuery
from core.catalog.commands import ProductDraft
from core.config import DATA_DIR
from core.sales.commands import CartChange
from core.sales.models import Order, OrderStatus
from core.shop import Shop, open_shop
from runtime.embedded import EmbeddedMongo
from sandbox import FakeUser, Sandbox, SandboxServer
from sandbox.testing import running_sandbox
from tests.bot.chat import review_order, tap
from tests.processes import Children, children, environment, free_port, wait_until_listening
from tests.settings import make_settings

pytestmark = pytest.mark.slow

WAIT = 90.0
"""Seconds any one step may take on a loaded machine."""
PAYMENTS = {
    "PAYMENT_METHODS": "provider,manual",
    "PAYMENT_PROVIDER_TOKEN": "284685063:TEST:sandbox",
}


@asynccontextmanager
async def engine_and_shop() -> AsyncIterator[tuple[EmbeddedMongo, Shop]]:
    engine = EmbeddedMongo("memory", cache_dir=DATA_DIR / "engine")
    uri = await asyncio.to_thread(engine.start)
    settings = make_settings(
        payment_methods=PAYMENTS["PAYMENT_METHODS"],
        payment_provider_token=PAYMENTS["PAYMENT_PROVIDER_TOKEN"],
    )
    try:
        async with open_shop(settings, uri) as shop:
            yield engine, shop
    finally:
        if engine.pid is not None:
            os.kill(engine.pid, signal.SIGCONT)
        await asyncio.to_thread(engine.stop)


def bot_environment(shop: Shop, uri: str, server: SandboxServer, mode: str) -> dict[str, str]:
    values = {
        "MONGODB_URI": uri,
        "MONGODB_DATABASE": shop.settings.mongodb_database,
        "BOT_TOKEN": server.sandbox.token,
        "BOT_API_BASE_URL": server.url,
        "EVENT_LEASE_SECONDS": "1",  # the killed process's hold on the customer, if any
        "MONGODB_TIMEOUT_SECONDS": "2",  # how long the bot waits for the paused engine
        **PAYMENTS,
    }
    if mode == "webhook":
        port = free_port()
        values |= {
            "BOT_MODE": "webhook",
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
            "WEBHOOK_PORT": str(port),
        }
    return environment(**values)


async def started_bot(
    processes: Children, name: str, env: dict[str, str], sandbox: Sandbox
) -> None:
    """Start ``python -m bot``; return once it takes updates."""
    polls = sandbox.polls
    await processes.start(name, "bot", env)
    if "WEBHOOK_PORT" in env:
        await wait_until_listening(int(env["WEBHOOK_PORT"]), timeout=WAIT)
    else:
        await sandbox.wait_until(lambda: sandbox.polls > polls, WAIT, lambda: f"{name} to poll")


async def until_paid(shop: Shop, order: Order) -> Order:
    async with asyncio.timeout(WAIT):
        while True:
            now = await shop.orders.get_own(order.user_id, order.id)
            if now.status is not OrderStatus.PENDING:
                return now
            await asyncio.sleep(0.1)


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_payment_survives_a_bot_killed_before_recording_it(
    tmp_path: Path, mode: str
) -> None:
    async with (
        engine_and_shop() as (engine, shop),
        running_sandbox() as server,
        children(tmp_path) as processes,
    ):
        sandbox = server.sandbox
        tea = await shop.catalog.create(SYSTEM, ProductDraft(name="Tea", price=450, stock=10))
        alice = FakeUser.create(sandbox, first_name="Alice")
        account = await shop.users.sign_up_telegram(
            TelegramSignup(telegram_id=alice.id, name="Alice", email="alice@example.com")
        )
        await shop.carts.add(account.id, CartChange(product_id=tea.id, quantity=2))
        env = bot_environment(shop, engine.uri, server, mode)
        await started_bot(processes, "bot", env, sandbox)

        await review_order(alice)
        placed = await tap(alice, "✅ Confirm order")
        await alice.press("💳 Pay $9.00", message_id=placed.message_id)
        invoice = await alice.wait_for(lambda m: m.invoice is not None)
        order = (await shop.orders.history(account.id, HistoryQuery())).items[0]
        before: list[int] = []

        async def pause_engine() -> None:
            # Once the bot is done with the pre-checkout query (Telegram has it confirmed).
            await sandbox.wait_until(lambda: not sandbox.updates, WAIT, lambda: "no update due")
            before.append(max(sandbox.handed_out))
            assert engine.pid is not None
            os.kill(engine.pid, signal.SIGSTOP)

        result = await alice.pay(invoice, before_charge=pause_engine)
        assert result.ok and result.charge is not None
        await sandbox.wait_until(
            lambda: max(sandbox.handed_out) > before[0],
            WAIT,
            lambda: "the payment to reach the bot",
        )
        said = (sandbox.polls, len(sandbox.webhook.delivered), sandbox.webhook.failures)
        await sandbox.wait_until(
            lambda: (
                (sandbox.polls, len(sandbox.webhook.delivered), sandbox.webhook.failures) != said
            ),
            WAIT,
            lambda: "the bot's next call or its answer",
        )
        await processes.kill("bot")
        assert engine.pid is not None
        os.kill(engine.pid, signal.SIGCONT)
        await started_bot(processes, "bot again", env, sandbox)

        paid = await until_paid(shop, order)
        assert paid.status is OrderStatus.PAID
        assert paid.payment.telegram_payment_charge_id == result.charge.telegram_payment_charge_id
        assert [entry.to_status for entry in paid.history].count(OrderStatus.PAID) == 1
