"""Paying in the chat, end to end through the sandbox: an invoice for the order, Telegram
Payments and Stars, refusals, redelivery, forged updates, expiry and Stars refunds."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta
from typing import Any

import pytest

from bot import texts
from bot.config import BotSettings
from core.accounts.access import SYSTEM
from core.accounts.models import Role, User
from core.base import clock
from core.catalog.models import Product
from core.sales.commands import StatusUpdate
from core.sales.errors import Unpayable
from core.sales.models import JobState, Order, OrderStatus, PaymentMethod, PaymentState
from core.sales.payments import payload_of
from core.shop import Shop
from sandbox import FakeGroup, FakeUser, Message, SandboxServer
from tests.bot.chat import Customer, english, fill_cart, orders_of, review_order, tap
from tests.bot.workers import STAFF, working
from tests.factories import NewProduct

CONFIRM = "✅ Confirm order"
SHOPS = {
    "stars": {"shop_currency": "XTR", "payment_methods": "stars,manual"},
    "provider": {
        "payment_methods": "provider,manual",
        "payment_provider_token": "284685063:TEST:sandbox",
    },
}


@pytest.fixture(params=sorted(SHOPS))
def core_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """A shop taking Telegram Stars or cards through a provider, and manual payment."""
    return {**SHOPS[request.param], "order_payment_minutes": 30}


def _pay_label(shop: Shop) -> str:
    return "Pay" if shop.payments.online_methods == (PaymentMethod.STARS,) else "💳 Pay"


async def _placed(
    shop: Shop, player: FakeUser, account: User, product: Product, quantity: int = 2
) -> tuple[Order, Message]:
    """An order placed through the bot, and the message that shows it."""
    await fill_cart(shop, account, (product, quantity))
    await review_order(player)
    placed = await tap(player, CONFIRM)
    return (await orders_of(shop, account))[0], placed


async def _invoice(shop: Shop, player: FakeUser, message: Message) -> Message:
    """Press the order's Pay button: the invoice the bot sends."""
    button = next(
        b.text for row in message.buttons for b in row if b.text.startswith(_pay_label(shop))
    )
    await player.press(button, message_id=message.message_id)
    return await player.wait_for(lambda m: m.invoice is not None)


async def test_a_customer_pays_in_the_chat_and_hears_once(
    shop: Shop,
    new_product: NewProduct,
    customer: Customer,
    sandbox_server: SandboxServer,
    bot_settings: BotSettings,
    running_bot: None,
) -> None:
    tea = await new_product("Tea", price=450, stock=10)
    mug = await new_product("Mug", price=1200, stock=5)
    alice, account = await customer("Alice")
    await fill_cart(shop, account, (tea, 2), (mug, 1))
    await review_order(alice)
    placed = await tap(alice, CONFIRM)
    order = (await orders_of(shop, account))[0]
    assert "Pay now" in (placed.text or "")
    assert "I will pay by hand" in [b.text for row in placed.buttons for b in row]

    message = await _invoice(shop, alice, placed)
    invoice = message.invoice
    assert invoice is not None
    assert (invoice.currency, invoice.total_amount) == (order.currency, 2100)
    assert invoice.payload == payload_of(order) and invoice.title == f"Order #{order.number}"
    assert invoice.description == "Tea x 2, Mug x 1"
    if invoice.currency == "XTR":
        assert [p["amount"] for p in invoice.prices] == [2100]  # Stars: exactly one price
    else:
        assert [(p["label"], p["amount"]) for p in invoice.prices] == [
            ("Tea x 2", 900),
            ("Mug x 1", 1200),
        ]
        assert invoice.provider_token == "284685063:TEST:sandbox"

    async with working(shop, bot_settings):
        result = await alice.pay(message)
        assert result.ok and result.message is not None
        notice = await alice.wait_for(lambda m: "is now <b>paid</b>" in (m.source or ""))
        alice.redeliver(result.message)  # Telegram delivers the payment again
        alice.redeliver(result.message)
        await alice.send("/orders")  # the bot has handled both redeliveries by its answer

    paid = await shop.orders.get_own(account.id, order.id)
    assert paid.status is OrderStatus.PAID and paid.version == order.version + 1
    assert paid.payment.state is PaymentState.PAID
    assert result.charge is not None
    assert paid.payment.telegram_payment_charge_id == result.charge.telegram_payment_charge_id
    assert paid.payment.provider_payment_charge_id == result.charge.provider_payment_charge_id
    assert [c.to_status for c in paid.history].count(OrderStatus.PAID) == 1
    notices = [m for m in alice.bot_messages if "is now" in (m.text or "")]
    assert notices == [notice]


async def test_an_unpaid_order_is_paid_from_the_order_list(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea = await new_product("Tea", price=450, stock=10)
    alice, account = await customer("Alice")
    order, _ = await _placed(shop, alice, account, tea)

    history = await alice.send("/orders")
    assert history is not None
    button = next(b.text for row in history.buttons for b in row if b.text.endswith("pending"))
    await alice.press(button, message_id=history.message_id, wait_edit=True)
    card = alice.chat.messages[history.message_id]
    assert "Status: pending" in (card.text or "")
    result = await alice.pay(await _invoice(shop, alice, card))
    await alice.send("/orders")  # one user's updates are handled in order: the payment was

    assert result.ok
    assert (await shop.orders.get_own(account.id, order.id)).status is OrderStatus.PAID


async def test_pre_checkout_refuses_other_customers_and_cancelled_orders(
    shop: Shop,
    new_product: NewProduct,
    customer: Customer,
    sandbox_server: SandboxServer,
    running_bot: None,
) -> None:
    tea = await new_product("Tea", price=450, stock=10)
    alice, account = await customer("Alice")
    mallory, _ = await customer("Mallory")
    order, placed = await _placed(shop, alice, account, tea)
    invoice = await _invoice(shop, alice, placed)

    query = await mallory.send_pre_checkout(
        currency=order.currency, total_amount=order.total_amount, invoice_payload=payload_of(order)
    )
    assert (query.ok, query.error_message) == (False, Unpayable.NOT_FOUND.message)

    await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="cancelled"))
    result = await alice.pay(invoice)
    assert (result.ok, result.error_message, result.charge) == (
        False,
        Unpayable.CANCELLED.message,
        None,
    )
    assert sandbox_server.sandbox.payments.charges == {}


async def test_forged_payment_messages_mark_nothing_paid(
    shop: Shop,
    new_product: NewProduct,
    customer: Customer,
    running_bot: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    tea = await new_product("Tea", price=450, stock=10)
    alice, account = await customer("Alice")
    mallory, _ = await customer("Mallory")
    order, _ = await _placed(shop, alice, account, tea)
    right: dict[str, Any] = {
        "currency": order.currency,
        "total_amount": order.total_amount,
        "invoice_payload": payload_of(order),
    }
    forgeries: list[tuple[FakeUser, dict[str, Any]]] = [
        (mallory, right),  # another customer's order
        (alice, {**right, "total_amount": order.total_amount - 1}),
        (alice, {**right, "currency": "EUR"}),
        (alice, {**right, "invoice_payload": f"o:{uuid.uuid4().hex[:24]}:0"}),
    ]
    with caplog.at_level(logging.WARNING, logger="core.sales.payments"):
        for player, fields in forgeries:
            player.send_successful_payment(**fields)
        for player in (alice, mallory):  # one user's updates are handled in order
            await player.send("/orders")
    assert sum("payment refused" in r.getMessage() for r in caplog.records) == len(forgeries)
    stored = await shop.orders.get_own(account.id, order.id)
    assert (stored.status, stored.version) == (OrderStatus.PENDING, order.version)


async def test_an_unpaid_order_expires_and_its_stock_comes_back(
    shop: Shop,
    new_product: NewProduct,
    customer: Customer,
    bot_settings: BotSettings,
    running_bot: None,
) -> None:
    tea = await new_product("Tea", price=450, stock=10)
    alice, account = await customer("Alice")
    order, placed = await _placed(shop, alice, account, tea, quantity=3)
    invoice = await _invoice(shop, alice, placed)
    assert (await shop.catalog.get(tea.id)).stock == 7

    due = order.created_at + timedelta(minutes=30)
    assert await shop.payments.expire_unpaid(at=due - timedelta(seconds=1)) == 0
    async with working(shop, bot_settings):
        assert await shop.payments.expire_unpaid(at=due) == 1
        await alice.wait_for(lambda m: "not paid in time" in (m.text or ""))
        assert await shop.payments.expire_unpaid(at=due + timedelta(minutes=5)) == 0

    assert (await shop.catalog.get(tea.id)).stock == 10
    result = await alice.pay(invoice)
    assert (result.ok, result.error_message) == (False, Unpayable.CANCELLED.message)
    assert len([m for m in alice.bot_messages if "not paid in time" in (m.text or "")]) == 1


async def test_cancelling_a_paid_order_refunds_stars_once_or_flags_it_for_staff(
    shop: Shop,
    new_product: NewProduct,
    customer: Customer,
    sandbox_server: SandboxServer,
    bot_settings: BotSettings,
    running_bot: None,
) -> None:
    tea = await new_product("Tea", price=450, stock=10)
    alice, account = await customer("Alice")
    order, placed = await _placed(shop, alice, account, tea)
    result = await alice.pay(await _invoice(shop, alice, placed))
    assert result.ok and result.charge is not None
    stars = shop.payments.online_methods == (PaymentMethod.STARS,)

    async with working(shop, bot_settings):
        await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="cancelled"))
        if stars:
            await alice.wait_for(lambda m: "We refunded your payment" in (m.text or ""))
            await _refund_again(shop)  # as if the refunder died before closing the job
        else:
            await alice.wait_for(lambda m: "is now <b>cancelled</b>" in (m.source or ""))
        await alice.send("/orders")  # anything queued behind the notices is sent by now

    refunds = sandbox_server.sandbox.payments.refunds
    cancelled = await shop.orders.get_own(account.id, order.id)
    if stars:
        assert [(r.user_id, r.telegram_payment_charge_id) for r in refunds] == [
            (alice.id, result.charge.telegram_payment_charge_id)
        ]
        assert cancelled.payment.state is PaymentState.REFUNDED
        told = [m for m in alice.bot_messages if "We refunded your payment" in (m.text or "")]
        assert len(told) == 1
    else:
        assert refunds == []  # the Bot API cannot refund a provider's payment
        assert cancelled.payment.state is PaymentState.REFUND_DUE
    assert (await shop.catalog.get(tea.id)).stock == 10


async def _refund_again(shop: Shop) -> None:
    """Make every refund job due again and wait until the refunder has done it again
    (Telegram answers CHARGE_ALREADY_REFUNDED, which counts as done)."""
    due = {"state": JobState.DUE.value, "dueAt": clock.now()}
    assert (await shop.store.refunds.update_many({}, {"$set": due})).modified_count == 1
    async with asyncio.timeout(60):
        while await shop.store.refunds.count_documents({"state": {"$ne": JobState.DONE.value}}):
            await asyncio.sleep(0.02)


async def test_an_invoice_telegram_refuses_gets_a_clear_answer(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    piano = await new_product("Piano", price=2_000_000, stock=1)  # past either limit
    alice, account = await customer("Alice")
    _, placed = await _placed(shop, alice, account, piano, quantity=1)
    button = next(
        b.text for row in placed.buttons for b in row if b.text.startswith(_pay_label(shop))
    )
    answer = await alice.press(button, message_id=placed.message_id)
    assert (answer.text, answer.show_alert) == (english(texts.invoice_refused), True)
    assert [m for m in alice.bot_messages if m.invoice is not None] == []


async def test_the_operators_get_a_card_for_each_payment_and_see_the_refund_due(
    shop: Shop,
    new_product: NewProduct,
    customer: Customer,
    sandbox_server: SandboxServer,
    bot_settings: BotSettings,
    running_bot: None,
) -> None:
    olga, staff_account = await customer("Olga")
    await shop.accounts.set_role(SYSTEM, staff_account.id, Role.OPERATOR)
    group = FakeGroup.create(sandbox_server.sandbox, "Operators", [olga])
    shop.outbox.operator_chat_id = group.id
    alice, account = await customer("Alice")
    order, placed = await _placed(shop, alice, account, await new_product("Tea", price=450))
    total = english(texts.money, 900, order.currency)

    async with working(shop, bot_settings):
        result = await alice.pay(await _invoice(shop, alice, placed))
        assert result.ok and result.message is not None
        alice.redeliver(result.message)  # Telegram delivers the payment again
        card = await group.wait_for(lambda m: "Payment for order" in (m.text or ""))
        text, buttons = card.text or "", [b.text for row in card.buttons for b in row]
        await olga.press("✖ Cancel", message_id=card.message_id, chat_id=group.id, wait_edit=True)
        await alice.send("/orders")  # the bot has handled the redelivery by its answer

    assert text.startswith(f"Payment for order #{order.number}: {total}\n")
    assert "Status: paid, set by Telegram payment at " in text
    assert f"Payment: paid, {total} " in text
    assert buttons == ["🚚 Shipped", "✖ Cancel"]
    cancelled = group.chat.messages[card.message_id].text or ""
    assert "Status: cancelled, set by Olga (operator)" in cancelled
    assert f"Payment: refund due: {total} " in cancelled
    cards = await shop.store.notifications.count_documents({"kind": "payment_received"})
    assert cards == 1
