"""Back in stock through the bot: the card's "🔔 Notify me" button, the alert through the
notifier (once per subscriber, also with two notifiers), and no alert for a product sold
out again by the time it would be sent."""

from __future__ import annotations

import asyncio

from bot.config import BotSettings
from bot.restock import Watch
from core.accounts.access import SYSTEM
from core.accounts.commands import LanguageChoice, TelegramSignup
from core.accounts.models import Language
from core.catalog.commands import ProductPatch
from core.catalog.models import Product
from core.catalog.variants.commands import VariantPatch
from core.shop import Shop
from sandbox import SandboxServer
from tests.bot.chat import Customer, fill_cart, tap
from tests.bot.workers import notice_settled, working
from tests.core.variants import make_shirt
from tests.factories import NewProduct

ALERT = "Back in stock: Tea <Sencha>. Order it while it lasts!"
NOTIFY_RU = "🔔 Сообщить о поступлении"  # noqa: RUF001 (Cyrillic)
DONT_RU = "🔕 Не уведомлять"  # noqa: RUF001


async def _restock(shop: Shop, product: Product, stock: int) -> None:
    await shop.catalog.update(SYSTEM, product.id, ProductPatch(stock=stock))


async def test_notify_me_on_a_sold_out_card_brings_one_message_that_opens_the_product(
    shop: Shop,
    bot_settings: BotSettings,
    sandbox_server: SandboxServer,
    new_product: NewProduct,
    customer: Customer,
    running_bot: None,
) -> None:
    tea = await new_product("Tea <Sencha>", stock=0)
    alice, account = await customer("Alice")
    await alice.send("/catalog")
    card = await tap(alice, "Tea <Sencha> · $4.50 · sold out")
    assert card.button("🔔 Notify me") is not None and card.button("Add to cart") is None

    pressed = await alice.press("🔔 Notify me", wait_edit=True)
    card = alice.chat.messages[pressed.message_id]
    assert pressed.text == "We'll message you once when it's back in stock."
    assert card.button("🔕 Don't notify me") is not None and card.button("🔔 Notify me") is None
    assert card.button("« Back") is not None  # the rest of the card as it was
    await alice.press("🔕 Don't notify me", wait_edit=True)
    assert not await shop.restock_alerts.is_watching(account.id, tea.id)
    await alice.press("🔔 Notify me", wait_edit=True)
    assert await shop.restock_alerts.is_watching(account.id, tea.id)
    await alice.send("/catalog")  # the card shown anew remembers
    assert (await tap(alice, "Tea <Sencha> · $4.50 · sold out")).button("🔕 Don't notify me")

    async with working(shop, bot_settings):
        await _restock(shop, tea, 4)
        alert = await alice.wait_for(lambda m: (m.text or "").startswith("Back in stock"))
        stored = await notice_settled(shop, {"kind": "back_in_stock"})
    assert alert.text == ALERT
    assert [m.text for m in alice.chat.messages.values()].count(ALERT) == 1
    assert stored["state"] == "sent"
    assert await shop.store.notifications.count_documents({"kind": "back_in_stock"}) == 1
    assert not await shop.restock_alerts.is_watching(account.id, tea.id)
    opened = await tap(alice, "Open Tea <Sencha>")
    assert "Availability: only 4 left" in (opened.text or "")
    assert opened.button("Add to cart") is not None and opened.button("🔔 Notify me") is None


async def test_notify_me_on_a_card_that_is_in_stock_again_says_so(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea = await new_product("Tea", stock=0)
    alice, account = await customer("Alice")
    await alice.send("/catalog")
    await tap(alice, "Tea · $4.50 · sold out")
    await _restock(shop, tea, 2)  # while the card is open, nobody waiting yet
    pressed = await alice.press("🔔 Notify me", wait_edit=True)
    assert pressed.show_alert and (pressed.text or "").startswith("Good news: it's in stock now.")
    card = alice.chat.messages[pressed.message_id]
    assert card.button("🔔 Notify me") is None and card.button("« Back") is not None
    assert not await shop.restock_alerts.is_watching(account.id, tea.id)


async def test_five_hundred_subscribers_and_two_notifiers_get_one_message_each(
    shop: Shop, bot_settings: BotSettings, sandbox_server: SandboxServer, new_product: NewProduct
) -> None:
    sandbox = sandbox_server.sandbox
    tea = await new_product("Tea <Sencha>", stock=0)
    chats = list(range(30_000, 30_500))
    for chat in chats:
        sandbox.add_user(chat, f"C{chat}")
        account = await shop.users.sign_up_telegram(
            TelegramSignup(telegram_id=chat, name=f"C{chat}", email=f"c{chat}@example.com")
        )
        assert await shop.restock_alerts.watch(account.id, tea.id)

    fast = {"telegram_messages_per_second": 400, "notifier_senders": 4}
    async with working(shop, bot_settings, **fast), working(shop, bot_settings, **fast):
        await _restock(shop, tea, 10)
        sent = {"kind": "back_in_stock", "state": "sent"}
        async with asyncio.timeout(120):
            while await shop.store.notifications.count_documents(sent) < 500:
                await asyncio.sleep(0.05)

    assert [sandbox.sent_count(chat) for chat in chats] == [1] * 500
    assert {sandbox.messages(chat)[-1].text for chat in chats} == {ALERT}
    assert await shop.store.restock_subscriptions.count_documents({}) == 0


async def test_no_alert_for_a_product_an_order_sold_out_again_before_the_send(
    shop: Shop,
    bot_settings: BotSettings,
    sandbox_server: SandboxServer,
    new_product: NewProduct,
    customer: Customer,
) -> None:
    """The restock queues the alert; an order takes the last unit before the notifier
    gets to it: nothing is sent, and Alice still waits and hears of the next restock."""
    tea = await new_product("Tea <Sencha>", stock=0)
    (alice, account), (_, buyer) = await customer("Alice"), await customer("Bob")
    assert await shop.restock_alerts.watch(account.id, tea.id)
    await _restock(shop, tea, 1)
    await fill_cart(shop, buyer, (tea, 1))
    await shop.checkout.place_order(buyer.id)

    async with working(shop, bot_settings):
        dropped = await notice_settled(shop, {"kind": "back_in_stock"})
        assert dropped["state"] == "cancelled"
        assert sandbox_server.sandbox.sent_count(alice.id) == 0
        assert await shop.restock_alerts.is_watching(account.id, tea.id)
        await _restock(shop, tea, 3)
        alert = await alice.wait_for(lambda m: (m.text or "").startswith("Back in stock"))
    assert alert.text == ALERT


async def test_forged_or_stale_notify_me_buttons_are_refused_and_write_nothing(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea = await new_product("Tea", stock=0)
    alice, _ = await customer("Alice")
    await alice.send("/catalog")
    await shop.catalog.archive(SYSTEM, tea.id)

    for data, refusal in (
        (Watch(product_id=str(tea.id), on=True).pack(), "No such product."),
        ("rn:not-an-id:1", "Id: must be a 24-character hexadecimal id."),
        ("rn:1:2:3", "This button is out of date."),
    ):
        answer = await alice.send_callback(data)
        assert (answer.show_alert, answer.text) == (True, refusal)
    assert await shop.store.restock_subscriptions.count_documents({}) == 0


async def test_notify_me_on_a_product_sold_by_variant_with_none_in_stock(
    shop: Shop,
    bot_settings: BotSettings,
    new_product: NewProduct,
    customer: Customer,
    running_bot: None,
) -> None:
    """Every variant sold out is a sold-out card; a variant given stock is the restock,
    and the alert's button opens the options to choose from."""
    shirt = await make_shirt(shop, new_product, stock=0)
    alice, account = await customer("Alice")
    await alice.send("/catalog")
    card = await tap(alice, "T-shirt · $12.00 · sold out")
    assert card.button("🔔 Notify me") is not None
    await alice.press("🔔 Notify me", wait_edit=True)
    card = alice.chat.messages[card.message_id]
    assert card.button("🔕 Don't notify me") is not None and card.button("📤 Share") is not None
    assert await shop.restock_alerts.is_watching(account.id, shirt.product.id)

    async with working(shop, bot_settings):
        await shop.variants.update(SYSTEM, shirt.blue_l.id, VariantPatch(stock=2))
        alert = await alice.wait_for(lambda m: (m.text or "").startswith("Back in stock"))
    assert alert.text == "Back in stock: T-shirt. Order it while it lasts!"
    opened = await tap(alice, "Open T-shirt")
    assert opened.button("L, Blue · $15.00") is not None and opened.button("🔔 Notify me") is None


async def test_the_button_and_the_alert_speak_the_subscribers_language(
    shop: Shop,
    bot_settings: BotSettings,
    new_product: NewProduct,
    customer: Customer,
    running_bot: None,
) -> None:
    tea = await new_product("Чай", stock=0)
    ivan, account = await customer("Ivan")
    await shop.users.set_language(account.id, LanguageChoice(language=Language.RU))
    card = await ivan.send(f"/start p-{tea.id}")
    assert card is not None and card.button(NOTIFY_RU) is not None
    pressed = await ivan.press(NOTIFY_RU, wait_edit=True)
    assert pressed.text == "Мы напишем вам один раз, когда товар снова появится."
    assert ivan.chat.messages[pressed.message_id].button(DONT_RU) is not None
    assert await shop.restock_alerts.is_watching(account.id, tea.id)

    async with working(shop, bot_settings):
        await _restock(shop, tea, 3)
        alert = await ivan.wait_for(lambda m: m.button("Открыть Чай") is not None)
    assert alert.text == "Снова в наличии: Чай. Успейте заказать!"
