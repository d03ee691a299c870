"""Untrusted callback data and stale buttons: short explanations, nothing changed, no
spinning buttons, nobody sees another user's order."""

from __future__ import annotations

from bot.callbacks import AddToCart, OrderCard, SetLine
from core.accounts.access import SYSTEM
from core.shop import Shop
from sandbox import FakeUser
from tests.bot.chat import Customer, fill_cart, orders_of, tap
from tests.factories import NewProduct


async def _alert(player: FakeUser, data: str) -> str | None:
    answer = await player.send_callback(data)
    assert answer.show_alert, answer
    return answer.text


async def test_forged_callback_data_cannot_open_another_users_order(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea = await new_product("Secret tea")
    _, bob = await customer("Bob")
    await fill_cart(shop, bob, (tea, 1))
    bobs_order = await shop.checkout.place_order(bob.id, "bob-1")
    alice, _ = await customer("Alice")
    await alice.send("/orders")

    forged = OrderCard(order_id=str(bobs_order.id)).pack()
    assert await _alert(alice, forged) == "No such order."
    assert await _alert(alice, "o:not-an-id:1") == "Id: must be a 24-character hexadecimal id."
    assert await _alert(alice, "o:1:2:3:4") == "This button is out of date."
    assert await _alert(alice, "\x00garbage") == "This button is out of date."
    assert "Secret tea" not in alice.transcript()
    assert len(await orders_of(shop, bob)) == 1


async def test_forged_cart_changes_are_refused(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea = await new_product("Tea", stock=500)
    alice, account = await customer("Alice")
    await alice.send("/cart")

    too_many = AddToCart(product_id=str(tea.id), quantity=1000).pack()
    assert await _alert(alice, too_many) == "Quantity: must be at most 100."
    not_in_cart = SetLine(product_id=str(tea.id), quantity=3).pack()
    assert await _alert(alice, not_in_cart) == "This product is not in your cart."
    assert (await shop.carts.view(account.id)).is_empty


async def test_stale_buttons_get_a_short_explanation(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea, mug = await new_product("Tea"), await new_product("Mug")
    alice, account = await customer("Alice")
    await fill_cart(shop, account, (tea, 1))
    await alice.send("/catalog")
    await shop.catalog.archive(SYSTEM, mug.id)

    archived = await alice.press("Mug · $4.50 · in stock")
    assert archived.show_alert and archived.text == "No such product."

    cart = await tap(alice, "🛒 Cart")
    await shop.carts.clear(account.id)  # emptied elsewhere
    gone = await alice.press("+ Tea", message_id=cart.message_id)
    assert gone.show_alert and gone.text == "This product is not in your cart."
    assert (await shop.carts.view(account.id)).is_empty


async def test_an_old_catalog_page_shows_the_last_page_there_is(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    products = [await new_product(f"Tea {n}") for n in range(4)]  # 3 per page: 2 pages
    alice, _ = await customer("Alice")
    await alice.send("/catalog")
    await shop.catalog.archive(SYSTEM, products[0].id)

    page = await tap(alice, "▶")

    assert "(page 1 of 1)" in (page.text or "")
    assert [b.text for row in page.buttons for b in row][:3] == [
        f"Tea {n} · $4.50 · in stock" for n in (3, 2, 1)
    ]
