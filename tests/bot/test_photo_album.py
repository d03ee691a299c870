"""A card with several photos through the sandbox: ◀ n/count ▶ above the card's rows, flipping
in place by editMessageMedia (an upload the first time, Telegram's file_id after), the
caption and the other rows kept; buttons of photos since removed, and made-up ones, show the
first photo; a card with one photo has no such row."""

from __future__ import annotations

from bot.callbacks import FlipPhoto
from core.accounts.access import SYSTEM
from core.catalog.commands import PhotoOrder
from core.shop import Shop
from sandbox import FakeUser
from sandbox.models import Message
from tests.bot.albums import PICTURES, rows, shows, with_pictures
from tests.bot.chat import Customer, bot_id, media_edits, tap
from tests.core.variants import make_shirt
from tests.factories import NewProduct, photo_as_before


async def open_card(player: FakeUser, label: str = "Tea · $4.50 · in stock") -> Message:
    await player.send("/catalog")
    return await tap(player, label)


async def test_flipping_edits_the_photo_in_place(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea = await with_pictures(shop, await new_product("Tea", description="Assam & more"))
    alice, _ = await customer("Alice")
    card = await open_card(alice)
    assert shows(card, 0)
    assert rows(card)[0] == ["◀", "1/3", "▶"]
    assert rows(card)[1] == ["-", "1", "+"]
    caption = card.caption or ""
    assert caption.startswith("Tea\nAssam & more")

    second = await tap(alice, "▶")
    assert second.message_id == card.message_id and shows(second, 1)
    assert second.caption == caption and rows(second)[0] == ["◀", "2/3", "▶"]
    assert rows(second)[1:] == rows(card)[1:]  # the card's other rows stay
    more = await tap(alice, "+")  # the quantity changes on the photo shown
    assert shows(more, 1) and "Quantity: 2" in (more.caption or "")
    assert rows(more)[0] == ["◀", "2/3", "▶"]
    third = await tap(alice, "▶")
    assert shows(third, 2) and "Quantity: 2" in (third.caption or "")
    first = await tap(alice, "▶")  # round to the first again
    assert shows(first, 0) and rows(first)[0] == ["◀", "1/3", "▶"]
    assert shows(await tap(alice, "◀"), 2)

    uploads = [media for media in media_edits(alice.sandbox) if media.startswith("attach://")]
    assert len(uploads) == 3  # each photo uploaded once, then sent by Telegram's id
    product = await shop.catalog.get(tea.id)
    known = [photo.telegram[str(bot_id(alice.sandbox))].file_id for photo in product.photos]
    assert media_edits(alice.sandbox)[-2:] == [known[0], known[2]]
    assert len(alice.chat.messages) == 2  # /catalog and the card: nothing sent anew

    pressed = await alice.press("3/3")  # the photo shown: nothing to change, no alert
    assert pressed.text is None and not pressed.show_alert
    assert shows(alice.chat.messages[card.message_id], 2)


async def test_removed_and_made_up_photos_show_the_first(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea = await with_pictures(shop, await new_product("Tea"))
    alice, _ = await customer("Alice")
    card = await open_card(alice)
    await tap(alice, "▶")
    await tap(alice, "▶")  # the third
    await shop.photos.remove(SYSTEM, tea.id, tea.photos[2].file_id)  # staff remove it

    for photo in (2, 99, -1):
        flipped = FlipPhoto(product_id=str(tea.id), photo=photo).pack()
        await alice.send_callback(flipped, message_id=card.message_id)
        now = alice.chat.messages[card.message_id]
        assert shows(now, 0) and rows(now)[0] == ["◀", "1/2", "▶"], photo
        await tap(alice, "▶")
    nothing = FlipPhoto(product_id="0" * 24, photo=0).pack()
    query = await alice.send_callback(nothing, message_id=card.message_id)
    assert query.show_alert and query.text == "No such product."


async def test_a_reordered_product_flips_in_its_new_order(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea = await with_pictures(shop, await new_product("Tea"))
    order = [tea.photos[n].file_id for n in (2, 0, 1)]
    await shop.photos.reorder(SYSTEM, tea.id, PhotoOrder(ids=order))
    alice, _ = await customer("Alice")
    card = await open_card(alice)
    assert shows(card, 2)
    assert shows(await tap(alice, "▶"), 0)


async def test_one_photo_or_none_has_no_flipper(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    await with_pictures(shop, await new_product("Tea"), count=1)
    await new_product("Mug", price=1200)
    alice, _ = await customer("Alice")
    card = await open_card(alice)
    assert shows(card, 0) and rows(card)[0] == ["-", "1", "+"]
    await alice.press("« Back")
    await alice.wait_for(lambda m: (m.text or "").startswith("Catalog"))
    mug = await tap(alice, "Mug · $12.00 · in stock")
    assert mug.photo is None and rows(mug)[0] == ["-", "1", "+"]


async def test_a_product_stored_with_one_photo_before_is_a_photo_card(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea = await new_product("Tea")
    await photo_as_before(shop, tea, PICTURES[0])
    alice, _ = await customer("Alice")
    card = await open_card(alice)
    assert shows(card, 0) and rows(card)[0] == ["-", "1", "+"]
    remembered = (await shop.catalog.get(tea.id)).photos[0].telegram
    assert list(remembered) == [str(bot_id(alice.sandbox))]  # kept in the old document too
    await alice.press("« Back")
    await alice.wait_for(lambda m: (m.text or "").startswith("Catalog"))
    again = await tap(alice, "Tea · $4.50 · in stock")
    assert shows(again, 0)
    assert media_edits(alice.sandbox)[-1] == remembered[str(bot_id(alice.sandbox))].file_id


async def test_a_card_sent_anew_by_a_flip_is_the_catalogs_card(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    """A flip pressed on a message that shows no photo (the card could not be edited) sends
    the card anew, as the catalog opens it: the options of a product sold by variant, the
    customer's "Notify me" state, Share."""
    shirt = await make_shirt(shop, new_product, stock=0)
    await with_pictures(shop, shirt.product, 2)
    alice, account = await customer("Alice")
    assert await shop.restock_alerts.watch(account.id, shirt.product.id)
    listed = await alice.send("/catalog")
    assert listed is not None

    flipped = FlipPhoto(product_id=str(shirt.product.id), photo=1).pack()
    await alice.send_callback(flipped, message_id=listed.message_id)
    card = await alice.wait_for(lambda m: (m.caption or "").startswith("T-shirt\n"))
    assert shows(card, 1) and "No option is in stock right now." in (card.caption or "")
    assert rows(card)[1:] == [["🔕 Don't notify me"], ["📤 Share"], ["« Back", "🛒 Cart"]]
