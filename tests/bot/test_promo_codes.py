"""Promo codes in the chat: the cart's "🏷 Promo code" button, a refused code's reason, the
discount as its own line up to the order, and ordering without a code that stopped
applying."""

from __future__ import annotations

from bot import staff_texts
from core.accounts.access import SYSTEM
from core.accounts.commands import LanguageChoice
from core.accounts.models import Language
from core.promotions.commands import PromoDraft, PromoEntry, PromoPatch
from core.promotions.models import PromoCode
from core.shop import Shop
from sandbox import FakeUser
from tests.bot.chat import Customer, english, fill_cart, orders_of, review_order, tap
from tests.factories import NewProduct

CONFIRM = "✅ Confirm order"


async def _code(shop: Shop, code: str = "SAVE10", **terms: object) -> PromoCode:
    draft = PromoDraft.model_validate({"code": code, "kind": "percent", "value": 10, **terms})
    return await shop.promotions.create(SYSTEM, draft)


async def _type_code(alice: FakeUser, code: str) -> str:
    """Press the cart's promo button and send ``code``: the bot's first reply."""
    asked = await tap(alice, "🏷 Promo code")
    assert "Send your promo code" in (asked.text or "")
    reply = await alice.send(code)
    assert reply is not None
    return reply.text or ""


async def test_a_code_added_in_the_cart_shows_up_to_the_order(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    await _code(shop)
    tea = await new_product("Tea", price=450, stock=10)
    alice, account = await customer("Alice")
    await fill_cart(shop, account, (tea, 2))
    await alice.send("/cart")

    assert await _type_code(alice, "nope") == "There is no such promo code."
    cart = await alice.wait_for(lambda m: "Your cart" in (m.text or ""))
    assert "Promo code" not in (cart.text or "").replace("🏷 Promo code", "")
    assert await _type_code(alice, "save10") == "Promo code SAVE10 added."
    cart = await alice.wait_for(lambda m: "SAVE10 = -$0.90" in (m.text or ""))
    assert "Total: $8.10" in (cart.text or "")
    assert cart.button("✖ Remove SAVE10") is not None

    summary = await tap(alice, "Checkout")
    assert "🏷 Promo code SAVE10 = -$0.90" in (summary.text or "")
    assert "Total: $8.10" in (summary.text or "")
    placed = await tap(alice, CONFIRM)
    assert "🏷 Promo code SAVE10 = -$0.90" in (placed.text or "")
    assert "Total: $8.10" in (placed.text or "")
    [order] = await orders_of(shop, account)
    assert order.promo is not None and (order.total_amount, order.promo.discount) == (810, 90)
    details = await tap(alice, "📦 My orders")
    card = await tap(alice, "#1 · $8.10 · pending")
    assert details.message_id == card.message_id
    assert "🏷 Promo code SAVE10 = -$0.90" in (card.text or "")


async def test_a_code_that_stopped_applying_is_refused_at_confirm_and_the_order_goes_without(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    promo = await _code(shop)
    tea = await new_product("Tea", price=450, stock=10)
    alice, account = await customer("Alice")
    await fill_cart(shop, account, (tea, 1))
    await shop.cart_codes.add(account.id, PromoEntry(code="SAVE10"))
    summary = await review_order(alice)
    assert "SAVE10 = -$0.45" in (summary.text or "")
    await shop.promotions.update(SYSTEM, promo.id, PromoPatch(state="paused"))

    answer = await alice.press(CONFIRM)
    assert answer.show_alert and answer.text == "This promo code is not active."
    again = alice.chat.messages[answer.message_id]
    assert "🏷 SAVE10: This promo code is not active." in (again.text or "")
    assert "Total: $4.50" in (again.text or "")
    without = await tap(alice, "Order without the code")
    assert "SAVE10" not in (without.text or "")
    placed = await tap(alice, CONFIRM)
    assert "Order #1 placed." in (placed.text or "")
    [order] = await orders_of(shop, account)
    assert (order.promo, order.total_amount) == (None, 450)


async def test_a_code_used_through_the_api_is_refused_in_the_chat(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    """The per-customer limit is the customer's, whichever channel they use."""
    await _code(shop, "ONCE", perCustomer=1)
    tea = await new_product("Tea", price=450, stock=10)
    alice, account = await customer("Alice")
    await fill_cart(shop, account, (tea, 1))
    await shop.cart_codes.add(account.id, PromoEntry(code="ONCE"))
    await shop.checkout.place_order(account.id)  # as POST /api/orders does

    await fill_cart(shop, account, (tea, 1))
    await alice.send("/cart")
    assert await _type_code(alice, "once") == "You have already used this promo code."


async def test_the_operators_card_shows_the_discount_as_its_own_line(
    shop: Shop, new_product: NewProduct, customer: Customer
) -> None:
    await _code(shop)
    tea = await new_product("Tea", price=450, stock=10)
    _, account = await customer("Alice")
    await fill_cart(shop, account, (tea, 2))
    await shop.cart_codes.add(account.id, PromoEntry(code="SAVE10"))
    order = await shop.checkout.place_order(account.id)

    card = english(staff_texts.order_card, await shop.staff.view(SYSTEM, order.id))
    assert "Tea x 2 = $9.00\n🏷 Promo code SAVE10 = -$0.90" in card
    assert "$8.10" in card


async def test_a_russian_customer_adds_a_code_in_russian(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    await _code(shop)
    ivan, account = await customer("Ivan")
    await shop.users.set_language(account.id, LanguageChoice(language=Language.RU))
    await fill_cart(shop, account, (await new_product("Чай", price=450, stock=10), 2))
    await ivan.send("/cart")

    asked = await tap(ivan, "🏷 Промокод")
    assert (asked.text or "").startswith("Отправьте промокод")
    assert ((await ivan.send("nope")) or asked).text == "Такого промокода нет."
    await ivan.wait_for(lambda m: m.button("🏷 Промокод") is not None)  # the cart again
    await tap(ivan, "🏷 Промокод")
    assert ((await ivan.send("save10")) or asked).text == "Промокод SAVE10 добавлен."
    cart = await ivan.wait_for(lambda m: "🏷 Промокод SAVE10 = -0,90\xa0$" in (m.text or ""))
    assert "Итого: 8,10\xa0$" in (cart.text or "")
    assert cart.button("✖ Убрать SAVE10") is not None
