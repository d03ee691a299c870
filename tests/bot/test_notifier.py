"""The notifier against the sandbox: each notification once, within the limits."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import typing
from collections.abc import Callable
from typing import Any

import pytest

from bot.config import BotSettings
from bot.notifier.messages import RENDERERS
from core.accounts.commands import TelegramSignup
from core.accounts.models import User
from core.base.commands import parse
from core.catalog.models import Product
from core.config import PROJECT_ROOT
from core.messaging.commands import BroadcastDraft
from core.messaging.models import NoticeKind, Notification
from core.sales.commands import StatusUpdate
from core.sales.models import Order
from core.shop import Shop
from sandbox import FakeUser, SandboxServer
from tests.bot.chat import Customer, fill_cart
from tests.bot.workers import STAFF, notice_settled, settled, working
from tests.processes import environment


async def _ordered(shop: Shop, account: User, product: Product) -> Order:
    await fill_cart(shop, account, (product, 1))
    return await shop.checkout.place_order(account.id)


async def _customers(shop: Shop, server: SandboxServer, count: int, first: int) -> list[int]:
    """``count`` customers with a chat in the sandbox, signed up through core."""
    ids = list(range(first, first + count))
    for chat_id in ids:
        server.sandbox.add_user(chat_id, f"C{chat_id}")
        await shop.users.sign_up_telegram(
            TelegramSignup(telegram_id=chat_id, name=f"C{chat_id}", email=f"c{chat_id}@example.com")
        )
    return ids


async def test_a_status_change_reaches_the_customer_once_with_a_button_to_the_order(
    shop: Shop,
    bot_settings: BotSettings,
    sandbox_server: SandboxServer,
    running_bot: None,
    customer: Customer,
    new_product: Callable[..., Any],
) -> None:
    player, account = await customer("Alice")
    order = await _ordered(shop, account, await new_product(name="Tea", price=450))
    async with working(shop, bot_settings):
        await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="paid"))
        notice = await player.wait_for(lambda m: "is now paid" in (m.text or ""))
        notice_text = notice.text or ""
        await player.press(f"Open order #{order.number}", message_id=notice.message_id)
        card = await player.wait_for(lambda m: f"Order #{order.number}" in (m.text or ""))
        stored = await notice_settled(shop, {"orderId": order.id})

    assert f"#{order.number} ($4.50) is now paid" in notice_text
    assert "Status: paid" in (card.text or "")  # the notice opened the order in place
    assert sandbox_server.sandbox.sent_count(player.id) == 1
    assert stored["state"] == "sent"


async def test_a_notice_made_while_the_bot_api_fails_arrives_after_it_recovers(
    shop: Shop,
    bot_settings: BotSettings,
    sandbox_server: SandboxServer,
    customer: Customer,
    new_product: Callable[..., Any],
) -> None:
    player, account = await customer("Bob")
    order = await _ordered(shop, account, await new_product())
    sandbox_server.sandbox.faults.fail(count=2, status=502, methods=["sendMessage"])
    async with working(shop, bot_settings):
        await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="paid"))
        await player.wait_for(lambda m: "is now paid" in (m.text or ""), timeout=15)
        stored = await notice_settled(shop, {"orderId": order.id})

    assert (stored["state"], stored["attempts"]) == ("sent", 3)
    assert sandbox_server.sandbox.sent_count(player.id) == 1


async def _blocked_customer(
    shop: Shop, server: SandboxServer, customer: Customer, product: Product, name: str
) -> tuple[FakeUser, User, Order]:
    """A customer with a pending order who has blocked the bot."""
    player, account = await customer(name)
    order = await _ordered(shop, account, product)
    server.sandbox.block(player.id)
    return player, account, order


async def test_a_customer_who_blocked_the_bot_is_marked_unreachable(
    shop: Shop,
    bot_settings: BotSettings,
    sandbox_server: SandboxServer,
    customer: Customer,
    new_product: Callable[..., Any],
) -> None:
    _, account, order = await _blocked_customer(
        shop, sandbox_server, customer, await new_product(), "Carol"
    )
    async with working(shop, bot_settings):
        for status, blocked in (("paid", 1), ("shipped", 2)):
            await shop.orders.change_status(STAFF, order.id, StatusUpdate(status=status))
            async with asyncio.timeout(10):
                while (
                    await shop.store.notifications.count_documents({"state": "blocked"}) < blocked
                ):
                    await asyncio.sleep(0.02)

    sends = [c for c in sandbox_server.sandbox.calls if c.method.lower() == "sendmessage"]
    assert [c.status for c in sends] == [403]  # the second notice was not even tried
    stored = await shop.store.users.find_one({"_id": account.id})
    assert stored is not None and stored["telegramBlocked"] is True


async def test_blocked_and_failed_notices_are_logged_with_their_reason_and_chat_only(
    shop: Shop,
    bot_settings: BotSettings,
    sandbox_server: SandboxServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fine, blocked = await _customers(shop, sandbox_server, 2, first=7001)
    sandbox_server.sandbox.block(blocked)
    gone = 7003  # an account whose chat Telegram does not know
    await shop.users.sign_up_telegram(
        TelegramSignup(telegram_id=gone, name="Gone Person", email="gone@example.com")
    )
    draft = parse(BroadcastDraft, {"text": "Private sale", "segment": {"kind": "all"}})
    with caplog.at_level(logging.INFO, logger="bot.notifier"):
        async with working(shop, bot_settings):
            broadcast = await shop.broadcasts.start(STAFF, draft)
            progress = await settled(shop, broadcast.id)

    assert (progress.sent, progress.blocked, progress.failed) == (1, 1, 1)
    assert sandbox_server.sandbox.sent_count(fine) == 1
    lines = {
        (r.levelname, r.getMessage(), vars(r)["chat_id"], vars(r)["kind"])
        for r in caplog.records
        if r.name == "bot.notifier.worker"
    }
    assert lines == {
        ("WARNING", "notice blocked: Forbidden: bot was blocked by the user", blocked, "broadcast"),
        ("WARNING", "notice failed: Bad Request: chat not found", gone, "broadcast"),
    }
    standard = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message"}
    extras = {
        frozenset(set(vars(r)) - standard) for r in caplog.records if r.name.endswith("worker")
    }
    assert extras == {frozenset({"notice_id", "kind", "chat_id"})}  # no name, no text
    for word in ("Private sale", "Gone Person", "gone@example.com", f"C{blocked}"):
        assert word not in caplog.text


async def test_two_workers_never_send_the_same_notice(
    shop: Shop, bot_settings: BotSettings, sandbox_server: SandboxServer
) -> None:
    chats = await _customers(shop, sandbox_server, 60, first=5000)
    draft = parse(BroadcastDraft, {"text": "Two workers", "segment": {"kind": "all"}})
    async with working(shop, bot_settings), working(shop, bot_settings):
        broadcast = await shop.broadcasts.start(STAFF, draft)
        progress = await settled(shop, broadcast.id)

    assert (progress.total, progress.sent) == (60, 60)
    assert [sandbox_server.sandbox.sent_count(chat) for chat in chats] == [1] * 60


async def test_a_broadcast_under_rate_limits_skips_the_blocked_and_obeys_retry_after(
    shop: Shop, bot_settings: BotSettings, sandbox_server: SandboxServer
) -> None:
    """Telegram's limits at a test's size; ``python -m bench.broadcast`` sends thousands."""
    sandbox = sandbox_server.sandbox
    chats = await _customers(shop, sandbox_server, 200, first=10_000)
    blocked = set(chats[::40])  # 5 customers blocked the bot
    for chat in blocked:
        sandbox.block(chat)
    sandbox.faults.rate_limit(global_per_second=300, per_chat_per_second=1)
    # Telegram's flood control, by construction rather than by the worker's speed: the first
    # sends are answered 429, and any burst past the sandbox's 300/s is too.
    sandbox.faults.fail(3, status=429, retry_after=1, methods=["sendMessage"])
    draft = parse(BroadcastDraft, {"text": "Big sale <today>!", "segment": {"kind": "all"}})

    senders = 8
    async with working(
        shop, bot_settings, telegram_messages_per_second=400, notifier_senders=senders
    ):
        broadcast = await shop.broadcasts.start(STAFF, draft)
        progress = await settled(shop, broadcast.id, timeout=120)

    assert (progress.total, progress.sent, progress.blocked, progress.failed) == (200, 195, 5, 0)
    assert all(sandbox.sent_count(chat) == (0 if chat in blocked else 1) for chat in chats)
    assert sandbox.messages(chats[1])[-1].text == "Big sale <today>!"
    floods = [c for c in sandbox.calls if c.status == 429]
    assert len(floods) >= 3
    _assert_obeyed_retry_after(sandbox.calls, in_flight=senders - 1)


def _assert_obeyed_retry_after(calls: list[Any], in_flight: int) -> None:
    """After a 429 (retry_after 1 s) no send goes through before Telegram asked, but for
    the ``in_flight`` requests other senders already had on the wire, however slow the
    machine is."""
    sends = [c for c in calls if c.method.lower() == "sendmessage"]
    for flood in (c for c in sends if c.status == 429):
        early = [c for c in sends if c.status == 200 and flood.at < c.at < flood.at + 0.95]
        assert len(early) <= in_flight, f"{len(early)} sends within retry_after of a 429"


@pytest.mark.slow
async def test_a_killed_worker_process_resumes_without_losing_or_repeating(
    shop: Shop, bot_settings: BotSettings, sandbox_server: SandboxServer, mongo_uri: str
) -> None:
    sandbox = sandbox_server.sandbox
    chats = await _customers(shop, sandbox_server, 300, first=20_000)
    draft = parse(BroadcastDraft, {"text": "Resume me", "segment": {"kind": "all"}})
    broadcast = await shop.broadcasts.start(STAFF, draft)
    env = environment(
        MONGODB_URI=mongo_uri,
        MONGODB_DATABASE=shop.settings.mongodb_database,
        LEASE_SECONDS="5",
        BOT_TOKEN=sandbox.token,
        BOT_API_BASE_URL=sandbox_server.url,
        TELEGRAM_MESSAGES_PER_SECOND="200",
        TELEGRAM_CHAT_MESSAGES_PER_SECOND="20",
        NOTIFIER_IDLE_SECONDS="0.05",
    )

    async def start_worker() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.notifier",
            cwd=PROJECT_ROOT,
            env=env,
            stderr=asyncio.subprocess.DEVNULL,
        )

    worker = await start_worker()
    async with asyncio.timeout(60):
        while sum(sandbox.sent_count(chat) for chat in chats) < 100:
            await asyncio.sleep(0.01)
    worker.send_signal(signal.SIGKILL)
    await worker.wait()
    in_flight = {
        n["chatId"]
        async for n in shop.store.notifications.find(
            {"broadcastId": broadcast.id, "state": "sending"}
        )
    }
    delivered_before = {chat for chat in chats if sandbox.sent_count(chat)}

    worker = await start_worker()
    try:
        progress = await settled(shop, broadcast.id, timeout=60)
    finally:
        worker.send_signal(signal.SIGTERM)
        await worker.wait()

    assert (progress.sent, progress.remaining) == (300, 0)
    counts = {chat: sandbox.sent_count(chat) for chat in chats}
    assert min(counts.values()) == 1, "a message was lost"
    repeated = {chat for chat, count in counts.items() if count > 1}
    # The documented window: only a send Telegram accepted just before the kill, whose
    # 'sent' mark was never written, can go out twice.
    assert repeated <= in_flight & delivered_before
    assert len(repeated) <= 8


async def test_the_operators_chat_hears_of_each_new_order_once(
    shop: Shop,
    bot_settings: BotSettings,
    customer: Customer,
    make_user: Callable[..., FakeUser],
    new_product: Callable[..., Any],
) -> None:
    operators = make_user("Operators")
    shop.outbox.operator_chat_id = operators.id
    _, account = await customer("Dora")
    async with working(shop, bot_settings):
        order = await _ordered(shop, account, await new_product(price=1250))
        notice = await operators.wait_for(lambda m: "New order" in (m.text or ""))
        await shop.outbox.relay(order.id)  # relaying again queues nothing new

    assert (notice.text or "").startswith(f"New order #{order.number}: $12.50\nCustomer: Dora")
    assert [[b.text for b in row] for row in notice.buttons] == [["✅ Mark paid", "✖ Cancel"]]
    assert await shop.store.notifications.count_documents({"kind": "new_order"}) == 1


async def test_a_customer_who_comes_back_gets_notices_again(
    shop: Shop,
    bot_settings: BotSettings,
    sandbox_server: SandboxServer,
    running_bot: None,
    customer: Customer,
    new_product: Callable[..., Any],
) -> None:
    player, account, order = await _blocked_customer(
        shop, sandbox_server, customer, await new_product(), "Erin"
    )
    async with working(shop, bot_settings):
        await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="paid"))
        async with asyncio.timeout(10):
            while not (await shop.users.get(account.id)).telegram_blocked:
                await asyncio.sleep(0.02)

        sandbox_server.sandbox.block(player.id, blocked=False)
        await player.send("/start")  # writing to the bot again shows it is not blocked
        assert not (await shop.users.get(account.id)).telegram_blocked
        await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="shipped"))
        await player.wait_for(lambda m: "is now shipped" in (m.text or ""))


def test_every_kind_of_notification_has_one_renderer() -> None:
    """Adding a kind is a class in core and a renderer here; forgetting the renderer fails."""
    kinds = typing.get_args(typing.get_args(Notification)[0])
    assert set(RENDERERS) == set(kinds)
    assert {kind.model_fields["kind"].annotation for kind in kinds} == {
        typing.Literal[kind] for kind in NoticeKind
    }
