"""Cart reminders in the chat: the notifier sends one with the cart's contents and a button
back to it, in the customer's language; not for a cart checked out meanwhile; and /profile
turns them off and on."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.config import BotSettings
from core.accounts.commands import LanguageChoice
from core.accounts.models import Language, User
from core.promotions.commands import PromoEntry
from core.sales.cart_reminders import CartReminders
from core.shop import Shop
from sandbox import FakeUser
from tests.bot.chat import Customer, fill_cart, tap
from tests.bot.workers import notice_settled, working
from tests.clocks import FakeClock
from tests.core.promos import new_code
from tests.core.variants import make_shirt
from tests.factories import NewProduct


@pytest.fixture
def core_overrides() -> dict[str, Any]:
    """Reminders at any hour: the notifier checks the hour by the real clock."""
    return {"cart_reminder_from_hour": 0, "cart_reminder_until_hour": 24}


async def _due_at(shop: Shop, account: User) -> datetime:
    """When the customer's cart, as it is now, is due a reminder."""
    cart = await shop.store.carts.find_one({"userId": account.id})
    assert cart is not None
    changed: datetime = cart["updatedAt"].replace(tzinfo=UTC)
    return changed + timedelta(hours=shop.settings.cart_reminder_hours)


async def _cart_left(
    shop: Shop,
    customer: Customer,
    new_product: NewProduct,
    *,
    product: str = "Tea",
    language: Language | None = None,
) -> tuple[FakeUser, User]:
    """A customer whose cart holds two of ``product`` and got its reminder queued."""
    player, account = await customer("Alice")
    if language is not None:
        await shop.users.set_language(account.id, LanguageChoice(language=language))
    await fill_cart(shop, account, (await new_product(product, price=450), 2))
    assert await shop.cart_reminders.queue_due(at=await _due_at(shop, account)) == 1
    return player, account


async def test_a_cart_left_untouched_gets_a_reminder_with_a_button_back_to_it(
    shop: Shop,
    bot_settings: BotSettings,
    customer: Customer,
    new_product: NewProduct,
    running_bot: None,
) -> None:
    alice, _ = await _cart_left(shop, customer, new_product)

    async with working(shop, bot_settings):
        reminder = await alice.wait_for(lambda m: "left something" in (m.text or ""))
        await notice_settled(shop, {"kind": "cart_reminder"})

    assert reminder.text == (
        "You left something in your cart\n"
        "Tea x 2 = $9.00\n\n"
        "Total: $9.00\n"
        "Check out whenever you are ready. Reminders can be turned off in /profile."
    )
    assert [[button.text for button in row] for row in reminder.buttons] == [["🛒 Back to cart"]]
    cart = await tap(alice, "🛒 Back to cart")
    assert (cart.text or "").startswith("Your cart\nTea x 2 = $9.00")
    assert cart.button("Checkout") is not None


async def test_the_reminder_speaks_the_customers_language(
    shop: Shop, bot_settings: BotSettings, customer: Customer, new_product: NewProduct
) -> None:
    ivan, _ = await _cart_left(shop, customer, new_product, product="Чай", language=Language.RU)

    async with working(shop, bot_settings):
        reminder = await ivan.wait_for(lambda m: bool(m.buttons))

    title = "В вашей корзине остались товары"  # noqa: RUF001 (Cyrillic)
    assert (reminder.text or "").startswith(f"{title}\nЧай x 2")  # noqa: RUF001
    assert reminder.button("🛒 Вернуться в корзину") is not None


async def test_a_reminder_of_a_cart_checked_out_meanwhile_is_not_sent(
    shop: Shop, bot_settings: BotSettings, customer: Customer, new_product: NewProduct
) -> None:
    alice, account = await _cart_left(shop, customer, new_product)
    await shop.checkout.place_order(account.id)

    async with working(shop, bot_settings):
        stored = await notice_settled(shop, {"kind": "cart_reminder"})

    assert stored["state"] == "cancelled"
    assert not [m for m in alice.messages if m.from_bot and "cart" in (m.text or "")]


async def test_a_reminder_reaching_the_notifier_at_night_waits_for_the_morning(
    shop: Shop, bot_settings: BotSettings, customer: Customer, new_product: NewProduct
) -> None:
    alice, _ = await _cart_left(shop, customer, new_product)
    night = FakeClock(datetime(2030, 1, 1, 23, 30, tzinfo=UTC))
    settings = {"cart_reminder_from_hour": 9, "cart_reminder_until_hour": 21}
    at_night = CartReminders(
        shop.store,
        shop.carts,
        shop.cart_codes,
        shop.notifications,
        shop.settings.model_copy(update=settings),
        now=night,
    )
    notifier_shop = dataclasses.replace(shop, cart_reminders=at_night)

    async with working(notifier_shop, bot_settings), asyncio.timeout(30):
        while (stored := await _reminder(shop))["attempts"] == 0 or stored["state"] != "queued":
            await asyncio.sleep(0.02)

    morning = datetime(2030, 1, 2, 9, tzinfo=UTC)  # put back by a delay: milliseconds later
    assert morning <= stored["dueAt"].replace(tzinfo=UTC) < morning + timedelta(minutes=1)
    assert not [m for m in alice.messages if m.from_bot]


async def _reminder(shop: Shop) -> dict[str, Any]:
    stored = await shop.store.notifications.find_one({"kind": "cart_reminder"})
    assert stored is not None
    return stored


async def test_the_profile_turns_cart_reminders_off_and_on(
    shop: Shop, customer: Customer, new_product: NewProduct, running_bot: None
) -> None:
    alice, account = await customer("Alice")
    profile = await alice.send("/profile")
    assert profile is not None and "Cart reminders: on" in (profile.text or "")

    off = await tap(alice, "🔕 Turn off cart reminders")
    assert "Cart reminders: off" in (off.text or "")
    assert off.button("🔔 Turn on cart reminders") is not None
    assert (await shop.users.get(account.id)).cart_reminders is False
    await fill_cart(shop, account, (await new_product("Tea"), 1))
    assert await shop.cart_reminders.queue_due(at=await _due_at(shop, account)) == 0

    on = await tap(alice, "🔔 Turn on cart reminders")
    assert "Cart reminders: on" in (on.text or "")
    assert (await shop.users.get(account.id)).cart_reminders is True


async def test_the_reminder_names_the_variant_and_totals_as_the_cart_with_its_promo_code(
    shop: Shop, bot_settings: BotSettings, customer: Customer, new_product: NewProduct
) -> None:
    """What the reminder says the cart costs is what its button shows: the promo code's
    discount taken off."""
    alice, account = await customer("Alice")
    shirt = await make_shirt(shop, new_product)
    await new_code(shop)
    await shop.carts.add(account.id, shirt.change(shirt.blue_l, 2))
    await shop.cart_codes.add(account.id, PromoEntry(code="SAVE10"))
    assert await shop.cart_reminders.queue_due(at=await _due_at(shop, account)) == 1

    async with working(shop, bot_settings):
        reminder = await alice.wait_for(lambda m: "left something" in (m.text or ""))

    assert reminder.text == (
        "You left something in your cart\n"
        "T-shirt (L, Blue) x 2 = $30.00\n"
        "🏷 Promo code SAVE10 = -$3.00\n\n"
        "Total: $27.00\n"
        "Check out whenever you are ready. Reminders can be turned off in /profile."
    )
    view = await shop.cart_codes.view(account.id)
    assert view.total_amount - (view.promo.discount if view.promo else 0) == 2700
