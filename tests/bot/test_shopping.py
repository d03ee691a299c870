"""Browsing, searching and changing the cart; two customers at the same time."""

from __future__ import annotations

import asyncio

from core.shop import Shop
from sandbox import FakeUser
from tests.bot.chat import Customer, orders_of, tap
from tests.factories import NewProduct


async def _buy(player: FakeUser, product_button: str, taps: int) -> str:
    """Catalog -> product -> ``taps`` x "+" -> add -> cart -> checkout -> confirm."""
    await player.send("/catalog")
    await tap(player, product_button)
    for _ in range(taps):
        await tap(player, "+")
    await player.press("Add to cart")
    await tap(player, "🛒 Cart")
    await tap(player, "Checkout")
    return (await tap(player, "✅ Confirm order")).text or ""


async def test_two_customers_shop_at_the_same_time(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea = await new_product("Tea", stock=10)
    (alice, alice_account), (bob, bob_account) = await customer("Alice"), await customer("Bob")

    placed = await asyncio.gather(
        _buy(alice, "Tea · $4.50 · in stock", 1), _buy(bob, "Tea · $4.50 · in stock", 2)
    )

    assert all("placed." in text for text in placed)
    [alices], [bobs] = await orders_of(shop, alice_account), await orders_of(shop, bob_account)
    assert (alices.products[0].quantity, bobs.products[0].quantity) == (2, 3)
    assert {alices.number, bobs.number} == {1, 2}
    assert (await shop.catalog.get(tea.id)).stock == 5
    assert "$13.50" not in alice.transcript() and "$9.00" not in bob.transcript()


async def test_search_by_typing_and_paging_through_results(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    for name in ("Green tea", "Black tea", "Mug", "White tea", "Oolong tea"):
        await new_product(name, stock=3)
    alice, _ = await customer("Alice")

    results = await alice.send("TEA")
    assert results is not None and "Search: TEA" in (results.text or "")
    assert "(page 1 of 2)" in (results.text or "")
    second = await tap(alice, "▶")
    assert [b.text for b in second.buttons[0]] == ["Green tea · $4.50 · only 3 left"]
    nothing = await alice.send("<b>kettle</b>")
    assert nothing is not None and "Search: <b>kettle</b>" in (nothing.text or "")
    assert "Nothing matches" in (nothing.text or "")


async def test_changing_the_cart(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    await new_product("Tea", stock=2)
    await new_product("Mug", price=1200)
    alice, account = await customer("Alice")
    await alice.send("/catalog")
    for product in ("Tea · $4.50 · only 2 left", "Mug · $12.00 · in stock"):
        await tap(alice, product)
        await alice.press("Add to cart")
        await tap(alice, "« Back")

    cart = await tap(alice, "🛒 Cart")
    assert "Total: $16.50" in (cart.text or "")
    assert "Tea x 2 = $9.00" in ((await tap(alice, "+ Tea")).text or "")
    refused = await alice.press("+ Tea")
    assert refused.show_alert and refused.text == "Not enough stock for: Tea."
    assert "Tea x 1 = $4.50" in ((await tap(alice, "- Tea")).text or "")
    assert "Tea" not in ((await tap(alice, "Remove Tea")).text or "")
    assert "Your cart is empty." in ((await tap(alice, "Clear cart")).text or "")
    assert (await shop.carts.view(account.id)).is_empty
