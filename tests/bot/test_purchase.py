"""A whole purchase through the bot, and checkout's safety: one order per confirmation,
stale summaries, stock running out."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from core.accounts.access import SYSTEM
from core.catalog.commands import ProductPatch
from core.shop import Shop
from sandbox import FakeUser, SandboxServer
from tests.bot.chat import Customer, fill_cart, orders_of, review_order, tap
from tests.factories import NewProduct

CONFIRM = "✅ Confirm order"


async def test_full_purchase(
    shop: Shop, new_product: NewProduct, make_user: Callable[..., FakeUser], running_bot: None
) -> None:
    tea = await new_product("Green <tea>", price=450, stock=10, description="Sencha & more")
    alice = make_user("Alice")

    ask_name = await alice.send("/start")
    assert ask_name is not None and "What name" in (ask_name.text or "")
    ask_email = await tap(alice, "Keep “Alice”")
    assert "email" in (ask_email.text or "")
    menu = await alice.send("alice@example.com")
    assert menu is not None and menu.text == "Hello, Alice! What would you like to do?"

    catalog = await tap(alice, "🛍 Catalog")
    assert catalog.message_id == menu.message_id  # navigation edits in place
    card = await tap(alice, "Green <tea> · $4.50 · in stock")
    assert "Sencha & more" in (card.text or "") and "Quantity: 1" in (card.text or "")
    assert "Quantity: 2" in ((await tap(alice, "+")).text or "")
    added = await alice.press("Add to cart")
    assert added.text == "Added 2 x Green <tea> to your cart."

    cart = await tap(alice, "🛒 Cart")
    assert "Green <tea> x 2 = $9.00" in (cart.text or "")
    summary = await tap(alice, "Checkout")
    assert "Total: $9.00" in (summary.text or "") and "Place this order?" in (summary.text or "")
    placed = await tap(alice, CONFIRM)
    assert "Order #1 placed." in (placed.text or "") and "Payment is manual" in (placed.text or "")

    history = await tap(alice, "📦 My orders")
    assert "Your orders" in (history.text or "")
    details = await tap(alice, "#1 · $9.00 · pending")
    assert "Green <tea> x 2 = $9.00" in (details.text or "")
    assert "Status: pending" in (details.text or "")

    assert len(alice.bot_messages) == 2  # the signup prompt and one menu, both edited in place
    account = await shop.users.by_telegram(alice.id)
    assert account is not None
    assert [order.number for order in await orders_of(shop, account)] == [1]
    assert (await shop.catalog.get(tea.id)).stock == 8
    assert (await shop.carts.view(account.id)).is_empty


async def test_double_tap_and_redelivery_make_one_order(
    shop: Shop,
    new_product: NewProduct,
    customer: Customer,
    sandbox_server: SandboxServer,
    running_bot: None,
) -> None:
    tea = await new_product("Tea", stock=5)
    alice, account = await customer("Alice")
    await fill_cart(shop, account, (tea, 2))
    summary = await review_order(alice)
    button = summary.button(CONFIRM)
    assert button is not None and button.callback_data is not None
    before = len(sandbox_server.sandbox.calls)

    await asyncio.gather(
        *(alice.send_callback(button.callback_data, message_id=summary.message_id) for _ in "ab")
    )
    await alice.send_callback(button.callback_data, message_id=summary.message_id)  # redelivered

    orders = await orders_of(shop, account)
    assert len(orders) == 1
    assert (await shop.catalog.get(tea.id)).stock == 3
    assert f"Order #{orders[0].number} placed." in (summary.text or "")
    # The summary became the order once; the repeats did not ask Telegram for the same edit
    # (it would refuse: "message is not modified").
    calls = sandbox_server.sandbox.calls[before:]
    assert [c.status for c in calls if c.method.lower() == "editmessagetext"] == [200]


async def test_shopping_on_from_a_placed_order_makes_a_second_order(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea = await new_product("Tea", price=450, stock=5)
    await new_product("Mug", price=1200)
    alice, account = await customer("Alice")
    await fill_cart(shop, account, (tea, 1))
    summary = await review_order(alice)
    assert "Order #1 placed." in ((await tap(alice, CONFIRM)).text or "")

    # Everything from here on happens in the same message, edited in place.
    await tap(alice, "« Menu")
    await tap(alice, "🛍 Catalog")
    await tap(alice, "Mug · $12.00 · in stock")
    assert (await alice.press("Add to cart")).text == "Added 1 x Mug to your cart."
    await tap(alice, "🛒 Cart")
    again = await tap(alice, "Checkout")
    assert again.message_id == summary.message_id and "Total: $12.00" in (again.text or "")
    placed = await tap(alice, CONFIRM)

    assert "Order #2 placed." in (placed.text or "") and "$12.00" in (placed.text or "")
    orders = await orders_of(shop, account)
    assert sorted((o.number, o.total_amount) for o in orders) == [(1, 450), (2, 1200)]
    assert (await shop.carts.view(account.id)).is_empty


async def test_a_summary_older_than_the_cart_is_shown_again(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea, mug = await new_product("Tea"), await new_product("Mug", price=1200)
    alice, account = await customer("Alice")
    await fill_cart(shop, account, (tea, 1))
    await review_order(alice)
    await fill_cart(shop, account, (mug, 1))  # e.g. from another device

    answer = await alice.press(CONFIRM)

    assert (
        answer.show_alert
        and answer.text == "Your cart changed since this summary. Here it is again."
    )
    summary = alice.chat.messages[answer.message_id]
    assert "Mug x 1 = $12.00" in (summary.text or "") and "Total: $16.50" in (summary.text or "")
    assert await orders_of(shop, account) == []
    assert "Order #" in ((await tap(alice, CONFIRM)).text or "")


async def test_out_of_stock_at_checkout_is_explained(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea = await new_product("Tea", stock=2)
    alice, account = await customer("Alice")
    await fill_cart(shop, account, (tea, 2))
    await review_order(alice)
    await shop.catalog.update(SYSTEM, tea.id, ProductPatch(stock=1))  # sold in the meantime

    answer = await alice.press(CONFIRM)

    assert answer.show_alert and answer.text == "Not enough stock for: Tea."
    assert await orders_of(shop, account) == []
    assert (await shop.catalog.get(tea.id)).stock == 1
    cart = await tap(alice, "Cancel")
    assert "Tea x 2 = $9.00 (only 1 left; please lower" in (cart.text or "")
