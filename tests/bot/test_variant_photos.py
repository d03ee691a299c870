"""A variant's own photo in the bot: choosing the option turns the card (in place) to that
photo; picking the quantity keeps the photo shown, flipped or not; a variant without one
keeps what the card shows; its name is shown as written, whatever markup it holds. The most
variants a product may have fit one options card; lists show the lowest price in stock."""

from __future__ import annotations

import pytest

from bot.callbacks import FlipPhoto
from core.accounts.access import SYSTEM
from core.catalog.variants.commands import (
    MAX_VALUES,
    MAX_VARIANTS,
    OptionsChange,
    VariantDraft,
    VariantPatch,
)
from core.catalog.variants.errors import TooManyVariants
from core.shop import Shop
from tests.bot.albums import rows, shows, with_pictures
from tests.bot.chat import Customer, tap
from tests.core.variants import make_shirt
from tests.factories import NewProduct

TELEGRAM_MOST_BUTTONS = 100
"""Telegram refuses a message with more inline buttons (REPLY_MARKUP_TOO_LONG)."""


async def test_choosing_an_option_shows_its_photo_in_place(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    shirt = await make_shirt(shop, new_product)
    product = await with_pictures(shop, shirt.product)
    third = product.photos[2].file_id
    await shop.variants.update(SYSTEM, shirt.blue_l.id, VariantPatch(photo_id=third))
    marked = VariantDraft(options={"Size": "S", "Colour": "Red"}, name="<i>S</i> & Co", stock=1)
    await shop.variants.create(SYSTEM, product.id, marked)
    alice, _ = await customer("Alice")

    await alice.send("/catalog")
    card = await tap(alice, "T-shirt · $12.00 · in stock")
    assert shows(card, 0) and rows(card)[0] == ["◀", "1/3", "▶"]
    chosen = await tap(alice, "L, Blue · $15.00")
    assert chosen.message_id == card.message_id
    assert shows(chosen, 2) and rows(chosen)[0] == ["◀", "3/3", "▶"]
    assert "Option: L, Blue" in (chosen.caption or "")
    more = await tap(alice, "+")
    assert shows(more, 2) and "Quantity: 2" in (more.caption or "")
    assert shows(await tap(alice, "◀"), 1)
    kept = await tap(alice, "+")  # picking the quantity keeps the photo flipped to
    assert shows(kept, 1) and "Quantity: 3" in (kept.caption or "")

    await tap(alice, "« Options")
    plain = await tap(alice, "M, Red")  # no photo of its own: the card keeps its photo
    assert shows(plain, 1) and "Option: M, Red" in (plain.caption or "")
    await tap(alice, "« Options")
    escaped = await tap(alice, "<i>S</i> & Co")
    assert "Option: <i>S</i> & Co" in (escaped.caption or "")
    flipped = await tap(alice, "▶")  # the caption is sent again as it was: still escaped
    assert shows(flipped, 2) and "Option: <i>S</i> & Co" in (flipped.caption or "")
    assert len(alice.chat.messages) == 2  # /catalog and the one card, edited throughout


async def test_a_removed_photo_leaves_the_variant_on_the_products_first(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    shirt = await make_shirt(shop, new_product)
    product = await with_pictures(shop, shirt.product)
    second = product.photos[1].file_id
    await shop.variants.update(SYSTEM, shirt.red_m.id, VariantPatch(photo_id=second))
    await shop.photos.remove(SYSTEM, product.id, second)
    assert (await shop.variants.get(shirt.red_m.id)).photo_id is None
    alice, _ = await customer("Alice")

    await alice.send("/catalog")
    await tap(alice, "T-shirt · $12.00 · in stock")
    chosen = await tap(alice, "M, Red")
    assert shows(chosen, 0) and rows(chosen)[0] == ["◀", "1/2", "▶"]


async def test_the_most_variants_a_product_may_have_fit_one_options_card(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    shirt = await new_product("T-shirt", price=1200, stock=0)
    sizes = [f"S{n}" for n in range(MAX_VALUES)]
    colours = [f"C{n}" for n in range(MAX_VALUES)]
    await shop.variants.set_options(
        SYSTEM, shirt.id, OptionsChange(options={"Size": sizes, "Colour": colours})
    )
    await with_pictures(shop, shirt)
    pairs = [(size, colour) for colour in colours for size in sizes]
    for size, colour in pairs[:MAX_VARIANTS]:
        draft = VariantDraft(options={"Size": size, "Colour": colour}, stock=20)
        await shop.variants.create(SYSTEM, shirt.id, draft)
    with pytest.raises(TooManyVariants):
        size, colour = pairs[MAX_VARIANTS]
        await shop.variants.create(
            SYSTEM, shirt.id, VariantDraft(options={"Size": size, "Colour": colour})
        )
    alice, _ = await customer("Alice")

    await alice.send("/catalog")
    card = await tap(alice, "T-shirt · $12.00 · in stock")
    assert "Choose an option:" in (card.caption or "")
    keys = sum(len(row) for row in card.buttons)
    assert keys == 3 + MAX_VARIANTS + 3  # ◀ 1/3 ▶, every variant, Share, Back and Cart
    assert keys <= TELEGRAM_MOST_BUTTONS


async def test_the_list_shows_the_lowest_price_a_product_sold_by_variant_is_bought_at(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    shirt = await make_shirt(shop, new_product, stock=4)  # M/Red 12.00, L/Blue 15.00
    await shop.variants.update(SYSTEM, shirt.red_m.id, VariantPatch(stock=0))
    alice, _ = await customer("Alice")

    listed = await alice.send("/catalog")
    assert listed is not None
    assert [b.text for b in listed.buttons[0]] == ["T-shirt · $15.00 · only 4 left"]
    card = await tap(alice, "T-shirt · $15.00 · only 4 left")
    assert "Price: $15.00" in (card.text or "")


async def test_a_photo_button_on_a_card_too_old_to_edit_sends_the_options_card(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    shirt = await make_shirt(shop, new_product)
    await with_pictures(shop, shirt.product)
    alice, _ = await customer("Alice")
    await alice.send("/catalog")  # a text message: the card is sent anew, as for an old one

    await alice.send_callback(FlipPhoto(product_id=str(shirt.product.id), photo=1).pack())

    card = alice.chat.messages[max(alice.chat.messages)]
    assert shows(card, 1) and "Choose an option:" in (card.caption or "")
    assert "Add to cart" not in str(card.buttons) and "sold out" not in (card.caption or "")
