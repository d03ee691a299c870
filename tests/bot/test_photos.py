"""Product cards with photos through the sandbox: the first card uploads the file, later ones
send Telegram's file_id; text and photo screens change in place where Telegram allows it,
otherwise the message is replaced; a replaced photo is uploaded again."""

from __future__ import annotations

from core.accounts.access import SYSTEM
from core.shop import Shop
from tests.bot.chat import Customer, bot_id, media_edits, tap
from tests.factories import NewProduct
from tests.images import image_bytes


async def test_a_photo_card_uploads_once_then_reuses_telegrams_file_id(
    shop: Shop,
    new_product: NewProduct,
    customer: Customer,
    running_bot: None,
) -> None:
    tea = await new_product("Tea", description="Assam & more")
    await new_product("Mug", price=1200)
    png = image_bytes("PNG", (64, 48))
    await shop.photos.attach(SYSTEM, tea.id, png)
    alice, _ = await customer("Alice")
    listing = await alice.send("/catalog")
    assert listing is not None

    card = await tap(alice, "Tea · $4.50 · in stock")
    assert card.message_id == listing.message_id  # the list became the card: edited in place
    assert card.text is None and card.file is not None and card.file.data == png
    assert (card.caption or "").startswith("Tea\nAssam & more\n\nPrice: $4.50")
    assert [row[0].text for row in card.buttons][:2] == ["-", "Add to cart"]
    [uploaded] = media_edits(alice.sandbox)
    assert uploaded.startswith("attach://")
    remembered = (await shop.catalog.get(tea.id)).photo
    assert remembered is not None and list(remembered.telegram) == [str(bot_id(alice.sandbox))]

    more = await tap(alice, "+")
    assert "Quantity: 2" in (more.caption or "") and more.file == card.file
    captions = [c for c in alice.sandbox.calls if c.method == "editMessageCaption"]
    assert len(captions) == 1
    assert len(media_edits(alice.sandbox)) == 1  # only the caption changed

    await alice.press("« Back")
    listing_again = await alice.wait_for(lambda m: (m.text or "").startswith("Catalog"))
    assert listing_again.message_id != listing.message_id  # a photo cannot become text:
    assert alice.chat.messages[listing.message_id].deleted  # the card was replaced

    again = await tap(alice, "Tea · $4.50 · in stock")
    assert again.file is not None and again.file.data == png
    assert media_edits(alice.sandbox)[-1] == remembered.telegram[str(bot_id(alice.sandbox))].file_id

    await alice.press("« Back")
    await alice.wait_for(lambda m: (m.text or "").startswith("Catalog"))
    mug = await tap(alice, "Mug · $12.00 · in stock")
    assert mug.photo is None and (mug.text or "").startswith("Mug")


async def test_a_replaced_photo_is_uploaded_again(
    shop: Shop,
    new_product: NewProduct,
    customer: Customer,
    running_bot: None,
) -> None:
    tea = await new_product("Tea")
    await shop.photos.attach(SYSTEM, tea.id, image_bytes("PNG", (8, 8), "red"))
    alice, _ = await customer("Alice")
    await alice.send("/catalog")
    await tap(alice, "Tea · $4.50 · in stock")
    jpeg = image_bytes("JPEG", (8, 8), "teal")
    await shop.photos.attach(SYSTEM, tea.id, jpeg)  # staff change the photo meanwhile

    await alice.press("« Back")
    await alice.wait_for(lambda m: (m.text or "").startswith("Catalog"))
    card = await tap(alice, "Tea · $4.50 · in stock")
    assert card.file is not None and card.file.data == jpeg
    assert media_edits(alice.sandbox)[-1].startswith("attach://")
