"""Products sold by variant in the bot: choose an option (only those in stock), then the
quantity; the cart, the order and the staff card name the variant; forged buttons are
refused; two customers racing for a variant's last unit make one order."""

from __future__ import annotations

import asyncio

from bot import staff_texts
from bot.callbacks import AddToCart, SetLine
from bot.variant_callbacks import AddVariant, VariantCard
from core.accounts.access import SYSTEM
from core.accounts.commands import LanguageChoice
from core.accounts.models import Language
from core.catalog.variants.commands import VariantDraft
from core.shop import Shop
from sandbox import FakeUser
from tests.bot.chat import Customer, english, orders_of, tap
from tests.core.variants import make_shirt, variant_stock
from tests.factories import NewProduct


async def _alert(player: FakeUser, data: str) -> str | None:
    answer = await player.send_callback(data)
    assert answer.show_alert, answer
    return answer.text


async def test_a_customer_chooses_an_option_then_the_quantity(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    shirt = await make_shirt(shop, new_product, stock=4)
    await shop.variants.create(  # sold out: not offered
        SYSTEM, shirt.product.id, VariantDraft(options={"Size": "S", "Colour": "Red"})
    )
    alice, account = await customer("Alice")

    listed = await alice.send("/catalog")
    assert listed is not None
    assert [b.text for b in listed.buttons[0]] == ["T-shirt · $12.00 · in stock"]
    card = await tap(alice, "T-shirt · $12.00 · in stock")
    assert "Choose an option:" in (card.text or card.caption or "")
    assert "Price: from $12.00" in (card.text or "")
    assert [row[0].text for row in card.buttons[:2]] == ["M, Red", "L, Blue · $15.00"]
    assert "S, Red" not in str(card.buttons)

    chosen = await tap(alice, "L, Blue · $15.00")
    assert "Option: L, Blue" in (chosen.text or "")
    assert "Price: $15.00" in (chosen.text or "")
    assert "Quantity: 2" in ((await tap(alice, "+")).text or "")
    added = await alice.press("Add to cart")
    assert added.text == "Added 2 x T-shirt (L, Blue) to your cart."
    assert "Choose an option:" in ((await tap(alice, "« Options")).text or "")
    await tap(alice, "M, Red")
    await alice.press("Add to cart")

    cart = await tap(alice, "🛒 Cart")
    assert "T-shirt (L, Blue) x 2 = $30.00" in (cart.text or "")
    assert "T-shirt (M, Red) x 1 = $12.00" in (cart.text or "")
    assert "T-shirt (L, Blue) x 3 = $45.00" in (
        (await tap(alice, "+ T-shirt (L, Blue)")).text or ""
    )
    assert "T-shirt (M, Red)" not in ((await tap(alice, "Remove T-shirt (M, Red)")).text or "")
    await tap(alice, "Checkout")
    placed = await tap(alice, "✅ Confirm order")
    assert "placed." in (placed.text or "")

    [order] = await orders_of(shop, account)
    assert [(ln.name, ln.quantity, ln.unit_price) for ln in order.products] == [
        ("T-shirt (L, Blue)", 3, 1500)
    ]
    assert await variant_stock(shop, shirt.blue_l) == 1
    assert await variant_stock(shop, shirt.red_m) == 4
    card_text = english(staff_texts.order_card, await shop.staff.view(SYSTEM, order.id))
    assert "T-shirt (L, Blue) x 3 = $45.00" in card_text


async def test_forged_or_stale_option_buttons_are_refused(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    shirt = await make_shirt(shop, new_product)
    tea = await new_product("Tea")
    sold_out = await shop.variants.create(
        SYSTEM, shirt.product.id, VariantDraft(options={"Size": "S", "Colour": "Red"})
    )
    alice, account = await customer("Alice")
    await alice.send("/cart")
    await shop.variants.archive(SYSTEM, shirt.red_m.id)
    pid, red_m = str(shirt.product.id), str(shirt.red_m.id)

    gone = "This option is no longer available."
    assert await _alert(alice, VariantCard(variant_id=red_m).pack()) == gone
    assert (
        await _alert(alice, AddVariant(product_id=pid, variant_id=red_m, quantity=1).pack()) == gone
    )
    other_product = AddVariant(product_id=str(tea.id), variant_id=str(shirt.blue_l.id), quantity=1)
    assert await _alert(alice, other_product.pack()) == gone
    empty = "Not enough stock for: T-shirt (S, Red)."
    assert await _alert(alice, VariantCard(variant_id=str(sold_out.id)).pack()) == empty
    add_sold_out = AddVariant(product_id=pid, variant_id=str(sold_out.id), quantity=1)
    assert await _alert(alice, add_sold_out.pack()) == empty
    plain = AddToCart(product_id=pid, quantity=1).pack()
    assert await _alert(alice, plain) == "T-shirt comes in options: choose one first."
    not_in_cart = SetLine(product_id=pid, quantity=2, variant_id=str(shirt.blue_l.id)).pack()
    assert await _alert(alice, not_in_cart) == "This product is not in your cart."
    assert (await shop.carts.view(account.id)).is_empty


async def test_two_customers_racing_for_the_last_unit_of_a_variant_make_one_order(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    shirt = await make_shirt(shop, new_product, stock=1)
    players = [await customer(name) for name in ("Alice", "Bob")]
    for player, _ in players:
        await player.send("/catalog")
        await tap(player, "T-shirt · $12.00 · only 2 left")
        await tap(player, "M, Red")
        await player.press("Add to cart")
        await tap(player, "🛒 Cart")
        await tap(player, "Checkout")

    answers = await asyncio.gather(*(p.press("✅ Confirm order") for p, _ in players))

    refusals = [a.text for a in answers if a.show_alert]
    assert refusals == ["Not enough stock for: T-shirt (M, Red)."]
    orders = [await orders_of(shop, account) for _, account in players]
    assert sorted(len(found) for found in orders) == [0, 1]
    [order] = orders[0] or orders[1]
    assert [ln.name for ln in order.products] == ["T-shirt (M, Red)"]
    assert await variant_stock(shop, shirt.red_m) == 0


async def test_a_product_whose_options_are_all_sold_out_offers_none(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    shirt = await make_shirt(shop, new_product, stock=0)
    alice, _ = await customer("Alice")

    listed = await alice.send("/catalog")
    assert listed is not None
    assert [b.text for b in listed.buttons[0]] == ["T-shirt · $12.00 · sold out"]
    card = await tap(alice, "T-shirt · $12.00 · sold out")

    assert "No option is in stock right now." in (card.text or "")
    buttons = [[b.text for b in row] for row in card.buttons]
    assert buttons == [["🔔 Notify me"], ["📤 Share"], ["« Back", "🛒 Cart"]]
    assert shirt.red_m.stock == 0


async def test_a_russian_customer_chooses_an_option_in_russian(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    shirt = await make_shirt(shop, new_product)
    ivan, account = await customer("Ivan")
    await shop.users.set_language(account.id, LanguageChoice(language=Language.RU))

    listed = await ivan.send("/catalog")
    assert listed is not None
    [[product]] = listed.buttons[:1]
    assert product.text.endswith("в наличии")
    card = await tap(ivan, product.text)
    assert "Выберите вариант:" in (card.text or "")
    chosen = await tap(ivan, "M, Red")
    assert "Вариант: M, Red" in (chosen.text or "")
    plain = AddToCart(product_id=str(shirt.product.id), quantity=1).pack()
    assert await _alert(ivan, plain) == "У товара «T-shirt» есть варианты: сначала выберите один."  # noqa: RUF001
