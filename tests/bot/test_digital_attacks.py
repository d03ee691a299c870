"""Digital goods attacked through the sandbox: a forged "Send my goods again" button with
someone else's order (or no order) sends nothing; a cart of digital goods only goes
straight to its summary in a shop that delivers (no method, phone or address asked), a
mixed cart still asks."""

from __future__ import annotations

from typing import Any

import pytest

from bot import texts
from bot.callbacks import ResendGoods
from bot.config import BotSettings
from core.accounts.access import Actor
from core.accounts.models import Role
from core.sales.commands import CartRemoval
from core.shop import Shop
from tests.bot.chat import Customer, english, fill_cart, orders_of, review_order, tap
from tests.bot.workers import working
from tests.core.paying import paid_order, payment_of
from tests.factories import NewProduct
from tests.settings import DELIVERY_METHODS

ADMIN = Actor(None, Role.ADMIN)


@pytest.fixture
def core_overrides() -> dict[str, Any]:
    return {
        "shop_currency": "XTR",
        "payment_methods": "stars,manual",
        "delivery_methods": DELIVERY_METHODS,
    }


async def test_a_forged_resend_button_sends_nobody_elses_goods(
    running_bot: None,
    shop: Shop,
    customer: Customer,
    new_product: NewProduct,
    bot_settings: BotSettings,
) -> None:
    game = await new_product("Game", price=50, stock=0)
    await shop.keys.add_text(ADMIN, game.id, "ALICE-ONLY-KEY")
    alice, alice_account = await customer("Alice")
    bob, _ = await customer("Bob")
    order = await paid_order(shop, alice_account, game.id)
    async with working(shop, bot_settings):
        await alice.wait_for(lambda m: "ALICE-ONLY-KEY" in (m.text or ""))
    await bob.send("/orders")

    for forged in (str(order.id), "not-an-id", "0" * 24):
        answer = await bob.send_callback(ResendGoods(order_id=forged).pack())
        assert answer.show_alert and answer.text
    assert not [m for m in bob.bot_messages if "KEY" in (m.text or "")]
    assert [m for m in alice.bot_messages if "ALICE-ONLY-KEY" in (m.text or "")]


async def test_a_cart_of_digital_goods_only_asks_no_delivery_details(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    game = await new_product("Game", price=50, stock=0)
    await shop.keys.add_text(ADMIN, game.id, "K-1\nK-2")
    alice, account = await customer("Alice")
    await fill_cart(shop, account, (game, 1))

    summary = await review_order(alice)  # straight to the summary: nothing is shipped
    assert "Place this order?" in (summary.text or "")
    assert english(texts.ask_method) not in (summary.text or "")
    placed = await tap(alice, "✅ Confirm order")
    assert "Digital goods are paid in Telegram Stars only." in (placed.text or "")
    [order] = await orders_of(shop, account)
    assert order.delivery is None and order.total_amount == 50

    mug = await new_product("Mug", price=100, stock=5)
    await fill_cart(shop, account, (game, 1), (mug, 1))
    ask = await review_order(alice)  # a mug is shipped: how should it reach you?
    assert (ask.text or "") == english(texts.ask_method)

    await shop.carts.remove(account.id, CartRemoval(product_id=mug.id))
    summary = await review_order(alice)  # digital only again: no details needed
    assert "Place this order?" in (summary.text or "")
    await fill_cart(shop, account, (mug, 1))  # meanwhile, in another chat
    changed = await alice.press("✅ Confirm order", message_id=summary.message_id)
    assert changed.show_alert and changed.text == english(texts.cart_changed)
    cart = alice.chat.messages[summary.message_id]  # the cart, to check out again
    assert "Checkout" in [b.text for row in cart.buttons for b in row]
    assert (await tap(alice, "Checkout")).text == english(texts.ask_method)
    assert len(await orders_of(shop, account)) == 1


async def test_more_keys_than_one_message_holds_arrive_in_several(
    running_bot: None,
    customer: Customer,
    shop: Shop,
    bot_settings: BotSettings,
    new_product: NewProduct,
) -> None:
    keys = [f"{n:03d}-<&>" + "K" * 192 for n in range(40)]  # 200 characters each: 8,000 in all
    game = await new_product("Game", price=5, stock=0)
    await shop.keys.add_text(ADMIN, game.id, "\n".join(keys))
    alice, account = await customer("Alice")
    await fill_cart(shop, account, (game, 40))
    order = await shop.checkout.place_order(account.id)
    await shop.payments.record(account.id, payment_of(order))
    async with working(shop, bot_settings):
        await alice.wait_for(lambda m: "039-<&>" in (m.text or ""))
    parts = [m for m in alice.bot_messages if "Your keys:" in (m.text or "")]
    assert len(parts) == 2 and all(len(m.text or "") <= 4096 for m in parts)
    shown = [line for m in parts for line in (m.text or "").splitlines() if "-<&>" in line]
    assert sorted(shown) == sorted(keys)  # each once, as typed
    assert all("Tap a key to copy it" in (m.text or "") for m in parts)
