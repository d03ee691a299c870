"""Stars payments the shop missed are recorded from Telegram's ledger (getStarTransactions)
when the bot starts and every ``STARS_RECONCILE_SECONDS``, exactly like the
``successful_payment`` the shop never got."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

import pytest

from bot.bootstrap import create_bot, run_bot
from bot.config import BotSettings
from bot.star_ledger import read_ledger
from core.accounts.models import User
from core.sales.models import Order, OrderStatus, PaymentState
from core.shop import Shop
from sandbox import FakeUser, SandboxServer
from tests.bot.chat import Customer, fill_cart, orders_of, review_order, tap
from tests.bot.workers import working
from tests.factories import NewProduct

WAIT = 30.0
PAID_NOTICE = "is now <b>paid</b>"


@pytest.fixture
def core_overrides() -> dict[str, Any]:
    return {"shop_currency": "XTR", "payment_methods": "stars,manual"}


async def _order_with_invoice(
    shop: Shop, player: FakeUser, account: User, new_product: NewProduct
) -> Order:
    """An order placed through the bot and its invoice in the chat (the bot must run)."""
    tea = await new_product("Tea", price=45, stock=10)
    await fill_cart(shop, account, (tea, 2))
    await review_order(player)
    placed = await tap(player, "✅ Confirm order")
    pay = next(b.text for row in placed.buttons for b in row if b.text.startswith("Pay"))
    await player.press(pay, message_id=placed.message_id)
    await player.wait_for(lambda m: m.invoice is not None)
    return (await orders_of(shop, account))[0]


async def _until(shop: Shop, order: Order, status: OrderStatus) -> Order:
    async with asyncio.timeout(WAIT):
        while (now := await shop.orders.get_own(order.user_id, order.id)).status is not status:
            await asyncio.sleep(0.05)
    return now


async def test_a_stars_payment_whose_update_was_lost_is_recorded_at_startup(
    shop: Shop,
    new_product: NewProduct,
    customer: Customer,
    sandbox_server: SandboxServer,
    bot_settings: BotSettings,
) -> None:
    sandbox = sandbox_server.sandbox
    alice, account = await customer("Alice")
    serving = asyncio.create_task(run_bot(shop, bot_settings))
    order = await _order_with_invoice(shop, alice, account, new_product)

    async def bot_goes_away() -> None:  # once it said yes to the pre-checkout query
        await sandbox.wait_until(lambda: not sandbox.updates, WAIT, lambda: "no update due")
        serving.cancel()
        await asyncio.gather(serving, return_exceptions=True)

    result = await alice.pay(before_charge=bot_goes_away)
    assert result.ok and result.charge is not None
    telegram = create_bot(bot_settings)
    await telegram.delete_webhook(drop_pending_updates=True)  # Telegram lost the update
    assert sandbox.updates == []
    assert (await shop.orders.get_own(account.id, order.id)).status is OrderStatus.PENDING

    async with working(shop, bot_settings):
        serving = asyncio.create_task(run_bot(shop, bot_settings))
        try:
            paid = await _until(shop, order, OrderStatus.PAID)
            notice = await alice.wait_for(lambda m: PAID_NOTICE in (m.source or ""))
        finally:
            serving.cancel()
            await asyncio.gather(serving, return_exceptions=True)
        # Reconciling again (another process, the next period) records nothing twice.
        assert await shop.star_ledger.reconcile(partial(read_ledger, telegram)) == 0
        await telegram.session.close()

    assert paid.payment.state is PaymentState.PAID
    assert paid.payment.telegram_payment_charge_id == result.charge.telegram_payment_charge_id
    assert [entry.to_status for entry in paid.history].count(OrderStatus.PAID) == 1
    assert [m for m in alice.bot_messages if PAID_NOTICE in (m.source or "")] == [notice]


async def test_a_payment_the_bot_recorded_is_not_recorded_again(
    running_bot: None,
    shop: Shop,
    bot_settings: BotSettings,
    customer: Customer,
    new_product: NewProduct,
) -> None:
    """The ledger also lists payments the bot got: nothing changes, a refund is ignored, and
    the cursor only reads what is new."""
    alice, account = await customer("Alice")
    order = await _order_with_invoice(shop, alice, account, new_product)
    result = await alice.pay()
    assert result.ok
    paid = await _until(shop, order, OrderStatus.PAID)
    telegram = create_bot(bot_settings)
    try:
        await telegram.refund_star_payment(alice.id, paid.payment.telegram_payment_charge_id or "")
        pages: list[int] = []

        async def read(offset: int, limit: int) -> Any:
            pages.append(offset)
            return await read_ledger(telegram, offset, limit)

        assert await shop.star_ledger.reconcile(read) == 0
        assert await shop.star_ledger.reconcile(read) == 0
    finally:
        await telegram.session.close()
    assert pages == [0, 2]  # the payment and its refund read once
    assert (await shop.orders.get_own(account.id, order.id)).version == paid.version
