"""Two languages: the customer's Telegram language at first, their pick in /profile after,
stored, so that notifications the notifier sends later speak it too."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.config import BotSettings
from core.accounts.models import Language
from core.sales.commands import CartChange, StatusUpdate
from core.shop import Shop
from sandbox import FakeUser, SandboxServer
from tests.bot.chat import Customer, tap
from tests.bot.workers import STAFF, working

NBSP = "\N{NO-BREAK SPACE}"


async def test_a_russian_telegram_user_signs_up_and_shops_in_russian(
    shop: Shop,
    make_user: Callable[..., FakeUser],
    new_product: Callable[..., Any],
    running_bot: None,
) -> None:
    await new_product(name="Tea", price=123_450, stock=3)
    ivan = make_user("Ivan", language_code="ru")

    asked = await ivan.send("/start")
    assert asked is not None and asked.text == (
        "Добро пожаловать в магазин! Какое имя указывать в ваших заказах?"
    )
    await tap(ivan, "Оставить «Ivan»")
    welcome = await ivan.send("ivan@example.com")
    assert welcome is not None and welcome.text == "Здравствуйте, Ivan! Что будем делать?"
    account = await shop.users.by_telegram(ivan.id)
    assert account is not None and account.language is Language.RU

    catalog = await ivan.send("/catalog")
    assert catalog is not None and "Каталог" in (catalog.text or "")
    # Russian separators and symbol placement; a Russian plural for the stock hint.
    card = await tap(ivan, f"Tea · 1{NBSP}234,50{NBSP}$ · осталось 3")
    assert f"Цена: 1{NBSP}234,50{NBSP}$" in (card.text or "")
    added = await ivan.press("В корзину")
    assert added.text == "В корзину добавлено: Tea × 1."
    await ivan.send("/cart")
    await tap(ivan, "+ Tea")
    await tap(ivan, "+ Tea")
    too_many = await ivan.press("+ Tea")
    assert too_many.show_alert and too_many.text == "Не хватает на складе: Tea."


async def test_a_language_the_shop_does_not_speak_gets_the_default(
    shop: Shop, make_user: Callable[..., FakeUser], running_bot: None
) -> None:
    hans = make_user("Hans", language_code="de")
    asked = await hans.send("/start")
    assert asked is not None and asked.text == (
        "Welcome to the shop! What name should we use for your orders?"
    )
    await tap(hans, "Keep “Hans”")
    await hans.send("hans@example.com")
    account = await shop.users.by_telegram(hans.id)
    assert account is not None and account.language is None  # nothing chosen yet


async def test_the_language_picked_in_the_profile_wins_over_telegrams(
    shop: Shop, customer: Customer, running_bot: None
) -> None:
    alice, account = await customer("Alice")  # Telegram app in English
    await alice.send("/profile")
    picker = await tap(alice, "🌐 Language")
    assert [[button.text for button in row] for row in picker.buttons] == [
        ["✓ English"],
        ["Русский"],
        ["« Profile"],
    ]

    profile = await tap(alice, "Русский")
    assert (profile.text or "").startswith("Ваш профиль\n")
    assert "Язык: Русский" in (profile.text or "")
    assert (await shop.users.get(account.id)).language is Language.RU
    help_text = await alice.send("/help")
    assert help_text is not None and "Как здесь делать покупки" in (help_text.text or "")

    await tap(alice, "🌐 Язык")
    back = await tap(alice, "English")
    assert "Language: English" in (back.text or "")
    assert (await shop.users.get(account.id)).language is Language.EN


async def test_a_forged_language_button_changes_nothing(
    shop: Shop, customer: Customer, running_bot: None
) -> None:
    alice, account = await customer("Alice")
    await alice.send("/profile")
    forged = await alice.send_callback("lg:de")
    assert forged.show_alert and forged.text == "This button is out of date."
    assert (await shop.users.get(account.id)).language is Language.EN  # Telegram's, kept


async def test_an_account_without_a_language_keeps_its_telegram_language(
    shop: Shop, make_user: Callable[..., FakeUser], customer: Customer, running_bot: None
) -> None:
    """Accounts made before languages existed learn theirs the next time they write."""
    alice, account = await customer("Alice")
    assert account.language is None
    alice.sandbox.update_user(alice.id, language_code="ru-RU")

    menu = await alice.send("/start")
    assert menu is not None and menu.text == "Здравствуйте, Alice! Что будем делать?"
    assert (await shop.users.get(account.id)).language is Language.RU

    alice.sandbox.update_user(alice.id, language_code="en")  # stored now: Telegram's no longer
    menu = await alice.send("/start")
    assert menu is not None and menu.text == "Здравствуйте, Alice! Что будем делать?"


async def test_notifications_speak_the_stored_language(
    shop: Shop,
    bot_settings: BotSettings,
    customer: Customer,
    new_product: Callable[..., Any],
    running_bot: None,
) -> None:
    alice, account = await customer("Alice")  # Telegram in English, shop set to Russian
    await alice.send("/profile")
    await tap(alice, "🌐 Language")
    await tap(alice, "Русский")
    product = await new_product(name="Tea", price=450)
    await shop.carts.add(account.id, CartChange(product_id=product.id, quantity=2))
    order = await shop.checkout.place_order(account.id)

    async with working(shop, bot_settings):
        await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="paid"))
        notice = await alice.wait_for(lambda m: "оплачен" in (m.text or ""))

    assert notice.text == f"Статус вашего заказа №{order.number} (9,00{NBSP}$): оплачен."
    assert [button.text for row in notice.buttons for button in row] == [
        f"Открыть заказ №{order.number}"
    ]


async def test_the_command_menu_is_set_in_every_language(
    sandbox_server: SandboxServer, running_bot: None
) -> None:
    def menu(language: str) -> list[str]:
        key = (json.dumps({"type": "default"}), language)
        return [command["description"] for command in sandbox_server.sandbox.commands[key]]

    assert menu("")[0] == menu("en")[0] == "Main menu"
    assert menu("ru")[0] == "Главное меню"
