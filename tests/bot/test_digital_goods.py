"""Digital goods through the sandbox: paid in Stars only (checkout says so), the key sent
at once as text to copy, once however often the payment is delivered, again on request
from /orders; a file sent as a document (uploaded once, then by its file_id); staff's
card shows the goods were sent, never the key."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot import staff_texts, texts
from bot.config import BotSettings
from core.accounts.access import Actor
from core.accounts.commands import LanguageChoice
from core.accounts.models import Language, Role
from core.catalog.models import Product, TelegramFile
from core.sales.models import Order
from core.shop import Shop
from sandbox import FakeUser, Message, SandboxServer
from tests.bot.chat import Customer, english, fill_cart, orders_of, review_order, tap
from tests.bot.workers import working
from tests.core.paying import paid_order
from tests.factories import NewProduct

CONFIRM = "✅ Confirm order"
ADMIN = Actor(None, Role.ADMIN)


@pytest.fixture
def core_overrides() -> dict[str, Any]:
    return {"shop_currency": "XTR", "payment_methods": "stars,manual"}


async def _buy(shop: Shop, player: FakeUser, account: Any, product: Product) -> Message:
    """Order one through the bot and pay for it in Stars; the payment's service message."""
    await fill_cart(shop, account, (product, 1))
    summary = await review_order(player)
    assert "paid in Telegram Stars only" in (summary.text or "")
    placed = await tap(player, CONFIRM)
    buttons = [b.text for row in placed.buttons for b in row]
    assert "I will pay by hand" not in buttons  # the shop takes manual payments, not for these
    assert "Digital goods are paid in Telegram Stars only." in (placed.text or "")
    pay = next(text for text in buttons if text.startswith("Pay"))
    await player.press(pay, message_id=placed.message_id)
    invoice = await player.wait_for(lambda m: m.invoice is not None)
    assert invoice.invoice is not None and invoice.invoice.currency == "XTR"
    result = await player.pay(invoice)
    assert result.ok and result.message is not None
    return result.message


async def _order_screen(shop: Shop, player: FakeUser, order: Order) -> Message:
    """/orders, then the order's button: its screen."""
    listing = await player.send("/orders")
    assert listing is not None
    paid = await shop.orders.get_own(order.user_id, order.id)
    query = await player.press(english(texts.order_button, paid), message_id=listing.message_id)
    screen = player.chat.messages[query.message_id]
    assert "Digital goods: sent" in (screen.text or "")
    return screen


async def test_a_key_arrives_once_and_again_on_request(
    caplog: pytest.LogCaptureFixture,
    shop: Shop,
    new_product: NewProduct,
    customer: Customer,
    bot_settings: BotSettings,
    running_bot: None,
) -> None:
    caplog.set_level(logging.DEBUG)
    game = await new_product("Game", price=50, stock=0)
    await shop.keys.add_text(ADMIN, game.id, "GAME-<KEY>-0001\nGAME-KEY-0002")
    card = english(texts.product, await shop.catalog.get(game.id), 1)
    assert "Digital: a unique key, sent in this chat once paid in Telegram Stars" in card
    alice, account = await customer("Alice")
    async with working(shop, bot_settings), working(shop, bot_settings):  # two notifiers
        paid = await _buy(shop, alice, account, game)
        delivered = await alice.wait_for(lambda m: "Your key:" in (m.text or ""))
        alice.redeliver(paid)  # Telegram delivers the payment again
        alice.redeliver(paid)
        await alice.send("/orders")
        [order] = await orders_of(shop, account)
        await alice.wait_for(lambda m: "is now <b>paid</b>" in (m.source or ""))
    assert "<code>GAME-&lt;KEY&gt;-0001</code>" in (delivered.source or "")
    card = english(staff_texts.order_card, await shop.staff.view(ADMIN, order.id))
    assert "Digital goods: sent to the chat" in card and "KEY-000" not in card
    assert [m for m in alice.bot_messages if "Your key:" in (m.text or "")] == [delivered]
    counts = await shop.keys.counts(ADMIN, game.id)
    assert (counts.free, counts.taken, counts.stock) == (1, 1, 1)

    screen = await _order_screen(shop, alice, order)
    await alice.press("📩 Send my goods again", message_id=screen.message_id)
    again = await alice.wait_for(
        lambda m: "Your key:" in (m.text or "") and m.message_id != delivered.message_id
    )
    assert "GAME-&lt;KEY&gt;-0001" in (again.source or "")
    assert (await shop.keys.counts(ADMIN, game.id)).taken == 1
    assert caplog.records and "KEY-000" not in caplog.text  # no log line holds a key


async def test_a_file_is_sent_as_a_document_and_by_file_id_after(
    shop: Shop,
    new_product: NewProduct,
    customer: Customer,
    bot_settings: BotSettings,
    running_bot: None,
    sandbox_server: SandboxServer,
) -> None:
    book = await new_product("E-book", price=20, stock=0)
    await shop.goods_files.attach(ADMIN, book.id, "book.pdf", b"%PDF-1.4 the book")
    alice, account = await customer("Alice")
    async with working(shop, bot_settings):
        await _buy(shop, alice, account, book)
        sent = await alice.wait_for(lambda m: m.document is not None)
    assert sent.upload == b"%PDF-1.4 the book" and "E-book" in (sent.caption or "")
    [remembered] = await _remembered_file_ids(shop, book)
    assert sent.file is not None and remembered.file_id == sent.file.file_id
    [order] = await orders_of(shop, account)
    screen = await _order_screen(shop, alice, order)
    await alice.press("📩 Send my goods again", message_id=screen.message_id)
    again = await alice.wait_for(
        lambda m: m.document is not None and m.message_id != sent.message_id
    )
    assert again.document == remembered.file_id  # sent by its file_id, not uploaded again


async def _remembered_file_ids(shop: Shop, product: Product) -> list[TelegramFile]:
    """The ``file_id``s kept for the product's file, once the notifier, which keeps them
    after Telegram's answer (so after the chat shows the document), has kept one."""
    async with asyncio.timeout(60):
        while True:
            stored = await shop.catalog.get(product.id)
            assert stored.digital is not None and stored.digital.file is not None
            if stored.digital.file.telegram:
                return list(stored.digital.file.telegram.values())
            await asyncio.sleep(0.01)


async def test_a_russian_customer_gets_the_key_in_russian(
    shop: Shop,
    new_product: NewProduct,
    customer: Customer,
    bot_settings: BotSettings,
) -> None:
    game = await new_product("Игра", price=50, stock=0)
    await shop.keys.add_text(ADMIN, game.id, "GAME-KEY-0001")
    ivan, account = await customer("Ivan")
    await shop.users.set_language(account.id, LanguageChoice(language=Language.RU))
    await paid_order(shop, account, game.id)

    async with working(shop, bot_settings):
        sent = await ivan.wait_for(lambda m: "GAME-KEY-0001" in (m.text or ""))
    assert (sent.text or "").startswith("Заказ №1: Игра\nВаш ключ:")  # noqa: RUF001
    assert "Нажмите на ключ" in (sent.text or "")
