# ruff: noqa: RUF001 (Russian texts: Cyrillic letters that look like Latin ones are meant)
"""Customers' data in the bot: what the shop keeps, deleting it after a confirmation, coming
back as a new customer; forged buttons delete nothing."""

from __future__ import annotations

from collections.abc import Callable

from bot.callbacks import EraseMyData
from core.accounts.access import SYSTEM
from core.accounts.commands import LanguageChoice
from core.accounts.models import Language
from core.sales.commands import StatusUpdate
from core.sales.models import OrderStatus
from core.shop import Shop
from sandbox import FakeUser
from tests.bot.chat import Customer, fill_cart, orders_of, tap
from tests.factories import NewProduct

FSM = "bot_fsm"
YES = "Yes, delete my data"


async def _confirmation(player: FakeUser) -> str:
    """Open the profile, the data screen and the confirmation: the text shown."""
    await player.send("/profile")
    await tap(player, "🔒 Your data")
    return (await tap(player, "Delete my data")).text or ""


def _token(player: FakeUser) -> str:
    """The token in the "Yes" button of the player's latest confirmation."""
    [message] = [m for m in player.messages if m.from_bot and m.button(YES)][-1:]
    button = message.button(YES)
    assert button is not None and button.callback_data is not None
    return EraseMyData.unpack(button.callback_data).token


async def test_the_customer_sees_what_is_kept_deletes_it_and_comes_back_new(
    shop: Shop,
    new_product: NewProduct,
    customer: Customer,
    make_user: Callable[..., FakeUser],
    running_bot: None,
) -> None:
    alice, account = await customer("Alice")
    tea = await new_product("Tea", stock=10)
    await fill_cart(shop, account, (tea, 2))
    [order] = [await shop.checkout.place_order(account.id)]
    await fill_cart(shop, account, (tea, 1))

    await alice.send("/profile")
    shown = (await tap(alice, "🔒 Your data")).text or ""
    assert "What the shop keeps about you" in shown
    assert f"Email: {account.email}" in shown and f"Telegram id: {alice.id}" in shown
    assert "Cart: 1 product" in shown and "Orders: 1" in shown
    assert "Telegram username" in shown

    asked = (await tap(alice, "Delete my data")).text or ""
    assert "Delete your data?" in asked and "charge ids" in asked
    back = (await tap(alice, "No, keep it")).text or ""
    assert "Your profile" in back
    assert (await shop.users.get(account.id)).email == account.email  # nothing deleted

    await tap(alice, "🔒 Your data")
    await tap(alice, "Delete my data")
    token = _token(alice)
    done = (await tap(alice, YES)).text or ""

    assert "Your data is deleted." in done
    assert f"Unpaid orders cancelled: #{order.number}." in done
    assert f"orders #{order.number}" in done and "/start" in done
    erased = await shop.users.get(account.id)
    assert (erased.name, erased.telegram_id, erased.active) == ("deleted", None, False)
    assert account.email not in erased.email
    [kept] = await orders_of(shop, erased)
    assert (kept.status.value, kept.total_amount) == ("cancelled", order.total_amount)
    assert (await shop.catalog.get(tea.id)).stock == 10
    fsm = shop.store.users.database[FSM]
    assert await fsm.count_documents({"_id": {"$regex": f":{alice.id}$"}}) == 0

    again = await alice.send_callback(EraseMyData(token=token).pack())  # a double tap
    assert again.show_alert and again.text == "Please send /start to sign up first."
    welcome = await alice.send("/start")  # a new customer: signup starts afresh
    assert welcome is not None and "Keep “Alice”" in str(welcome.buttons)
    await tap(alice, "Keep “Alice”")
    await alice.send(account.email)  # the same email is free again
    fresh = await shop.users.by_telegram(alice.id)
    assert fresh is not None and fresh.id != account.id and fresh.last_delivery is None
    assert (await shop.carts.view(fresh.id)).is_empty
    assert await orders_of(shop, fresh) == []


async def test_a_forged_or_foreign_confirmation_deletes_nothing(
    shop: Shop, customer: Customer, running_bot: None
) -> None:
    alice, alices = await customer("Alice")
    bob, bobs = await customer("Bob")
    await _confirmation(bob)
    bobs_token = _token(bob)
    await alice.send("/profile")

    for forged in (EraseMyData(token=bobs_token), EraseMyData(token="guess")):
        answer = await alice.send_callback(forged.pack())
        assert answer.show_alert and answer.text == "This button is out of date."
    await _confirmation(alice)
    answer = await alice.send_callback(EraseMyData(token=bobs_token).pack())
    assert answer.text == "This button is out of date."  # Alice's own token differs

    for account in (alices, bobs):
        assert (await shop.users.get(account.id)).email == account.email
    assert "Your data is deleted." not in alice.transcript() + bob.transcript()
    assert "Your data is deleted." in ((await tap(bob, YES)).text or "")  # Bob's own, still
    assert (await shop.users.get(alices.id)).email == alices.email


async def test_in_russian_paid_orders_to_deliver_hold_the_deletion_back(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    alice, account = await customer("Alice")
    await shop.users.set_language(account.id, LanguageChoice(language=Language.RU))
    await fill_cart(shop, account, (await new_product("Tea", stock=10), 1))
    order = await shop.checkout.place_order(account.id)
    await shop.orders.change_status(SYSTEM, order.id, StatusUpdate(status=OrderStatus.PAID))

    await alice.send("/profile")
    shown = (await tap(alice, "🔒 Ваши данные")).text or ""
    assert "Что магазин хранит о вас" in shown
    asked = (await tap(alice, "Удалить мои данные")).text or ""
    assert "Удалить ваши данные?" in asked
    answer = await alice.press("Да, удалить мои данные")

    assert answer.show_alert
    assert answer.text == (
        f"Ваши оплаченные заказы #{order.number} ещё не доставлены, а для доставки нужны их "
        "данные. Попросите снова, когда они придут."
    )
    assert (await shop.users.get(account.id)).email == account.email
