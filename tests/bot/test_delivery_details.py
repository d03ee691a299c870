"""Delivery details at checkout, end to end through the sandbox: the method, the phone
(shared or typed; someone else's contact refused), the address, reusing the last details,
a note, /cancel, stale summaries and markup that must stay text."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from bot import texts
from bot.callbacks import ChooseDelivery
from bot.config import BotSettings
from core.accounts.commands import ProfileUpdate
from core.accounts.models import User
from core.base.commands import parse
from core.catalog.models import Product
from core.sales.commands import DeliveryDetails
from core.sales.models import Order
from core.shop import Shop
from sandbox import FakeUser, Message
from tests.bot.chat import Customer, english, fill_cart, orders_of, review_order, tap
from tests.bot.workers import working
from tests.factories import NewProduct
from tests.settings import DELIVERY_METHODS

CONFIRM = "✅ Confirm order"
COURIER = "Courier · $5.00"
PICKUP = "Pickup · free"


@pytest.fixture
def core_overrides() -> dict[str, Any]:
    return {"delivery_methods": DELIVERY_METHODS}


async def _shopper(
    shop: Shop, new_product: NewProduct, make_user: Callable[..., FakeUser], **options: Any
) -> tuple[FakeUser, User, Product]:
    """A signed-up customer (with the given Telegram profile) with 2 teas in the cart."""
    player = make_user("Alice", **options)
    await player.send("/start")
    await tap(player, "Keep “Alice”")
    await player.send(f"alice-{player.id}@example.com")
    account = await shop.users.by_telegram(player.id)
    assert account is not None
    tea = await new_product("Tea", price=450, stock=10)
    await fill_cart(shop, account, (tea, 2))
    return player, account, tea


def _text(message: Message | None) -> str:
    assert message is not None
    return message.text or ""


async def _summary(player: FakeUser) -> Message:
    return await player.wait_for(lambda m: "Place this order?" in (m.text or ""))


async def _pickup_summary(player: FakeUser) -> Message:
    """Checkout, pickup, a typed phone: the summary."""
    await review_order(player)
    await player.press(PICKUP)
    await player.send("+44 20 7946 0958", wait=False)
    return await _summary(player)


async def _only_order(shop: Shop, account: User) -> Order:
    orders = await orders_of(shop, account)
    assert len(orders) == 1
    return orders[0]


async def test_courier_with_a_shared_phone_and_an_address(
    shop: Shop, new_product: NewProduct, make_user: Callable[..., FakeUser], running_bot: None
) -> None:
    alice, account, tea = await _shopper(shop, new_product, make_user, phone_number="447400123456")

    ask_method = await review_order(alice)
    assert _text(ask_method) == english(texts.ask_method)
    await alice.press(COURIER)
    assert alice.chat.reply_keyboard == [[english(texts.share_phone)]]
    assert alice.chat.request_button(english(texts.share_phone)) == {
        "text": english(texts.share_phone),
        "request_contact": True,
    }
    ask_address = await alice.share_contact(english(texts.share_phone))
    assert _text(ask_address) == english(texts.ask_address)
    assert alice.chat.reply_keyboard is None  # the share button went with the question
    await alice.send("1 High St\nLondon", wait=False)
    summary = await _summary(alice)

    assert "Tea x 2 = $9.00\nCourier = $5.00" in _text(summary)
    assert "To: Alice, +447400123456\nAddress: 1 High St\nLondon" in _text(summary)
    assert "Total: $14.00" in _text(summary)
    placed = await tap(alice, CONFIRM)
    assert "Order #1 placed.\nTotal: $14.00" in _text(placed)
    order = await _only_order(shop, account)
    assert order.total_amount == 1400 and order.delivery is not None
    assert (order.delivery.method, order.delivery.phone) == ("courier", "+447400123456")
    assert order.delivery.address == "1 High St\nLondon"
    assert (await shop.catalog.get(tea.id)).stock == 8
    assert (await shop.users.get(account.id)).last_delivery is not None


async def test_another_users_contact_is_refused_and_a_typed_phone_taken(
    shop: Shop, new_product: NewProduct, make_user: Callable[..., FakeUser], running_bot: None
) -> None:
    alice, account, _ = await _shopper(shop, new_product, make_user)
    await review_order(alice)
    await alice.press(PICKUP)

    refused = await alice.send_contact("+44 20 7946 0958", "Mallory", user_id=alice.id + 1)
    assert _text(refused) == english(texts.not_your_contact)
    anonymous = await alice.send_contact("+44 20 7946 0958", "Mallory")  # no user_id at all
    assert _text(anonymous) == english(texts.not_your_contact)
    wrong = await alice.send("555 12")
    assert "Phone: is not a valid phone number" in _text(wrong)
    thanks = await alice.send("+44 (20) 7946-0958")
    assert _text(thanks) == english(texts.phone_saved, "+442079460958")
    assert alice.chat.reply_keyboard is None
    summary = await _summary(alice)

    assert "Pickup = $0.00" in _text(summary) and "12 Market St, 9 to 6" in _text(summary)
    assert "Address" not in _text(summary) and "Total: $9.00" in _text(summary)
    await tap(alice, CONFIRM)
    order = await _only_order(shop, account)
    assert order.delivery is not None and order.delivery.phone == "+442079460958"
    assert order.total_amount == 900


async def test_the_last_details_are_offered_again(
    shop: Shop, new_product: NewProduct, make_user: Callable[..., FakeUser], running_bot: None
) -> None:
    alice, account, tea = await _shopper(shop, new_product, make_user)
    given = {"method": "courier", "phone": "+442079460958", "address": "1 High St"}
    await shop.checkout.place_order(account.id, delivery=parse(DeliveryDetails, given))
    await fill_cart(shop, account, (tea, 1))

    offer = await review_order(alice)
    assert "Send to the same address as last time?" in _text(offer)
    assert "Address: 1 High St" in _text(offer)
    summary = await tap(alice, "Yes, the same")
    assert summary.message_id == offer.message_id  # nothing to type: edited in place
    assert "Total: $9.50" in _text(summary)
    await tap(alice, CONFIRM)

    orders = await orders_of(shop, account)
    assert [o.total_amount for o in orders] == [450 + 500, 900 + 500]
    assert orders[0].delivery == orders[1].delivery


async def test_changing_the_last_details_asks_again(
    shop: Shop, new_product: NewProduct, make_user: Callable[..., FakeUser], running_bot: None
) -> None:
    alice, account, tea = await _shopper(shop, new_product, make_user)
    given = {"method": "pickup", "phone": "+442079460958"}
    await shop.checkout.place_order(account.id, delivery=parse(DeliveryDetails, given))
    await fill_cart(shop, account, (tea, 1))

    offer = await review_order(alice)
    assert "Use the same details as last time?" in _text(offer)  # a pickup: no address
    assert _text(await tap(alice, "Change")) == english(texts.ask_method)
    await alice.press(COURIER)
    await alice.send("+1 202 555 0143")
    await alice.send("5 Side Rd", wait=False)
    await _summary(alice)
    await tap(alice, CONFIRM)

    latest = (await orders_of(shop, account))[0]
    assert latest.delivery is not None
    assert (latest.delivery.phone, latest.delivery.address) == ("+12025550143", "5 Side Rd")


async def test_cancel_leaves_the_flow_and_the_cart(
    shop: Shop, new_product: NewProduct, make_user: Callable[..., FakeUser], running_bot: None
) -> None:
    alice, account, _ = await _shopper(shop, new_product, make_user)
    cart = await shop.carts.view(account.id)
    await review_order(alice)
    await alice.press(COURIER)

    cancelled = await alice.send("/cancel")

    assert _text(cancelled) == english(texts.cancelled)
    assert alice.chat.reply_keyboard is None
    stray = await alice.send("+44 20 7946 0958")  # no longer a phone: a search
    assert "Search" in _text(stray)
    assert await shop.carts.view(account.id) == cart
    assert await orders_of(shop, account) == []


async def test_a_note_and_markup_in_every_detail_stay_text(
    shop: Shop, new_product: NewProduct, make_user: Callable[..., FakeUser], running_bot: None
) -> None:
    alice, account, _ = await _shopper(shop, new_product, make_user)
    await shop.users.update_profile(account.id, ProfileUpdate(name="<b>Al</b>"))
    evil = "<a href='https://evil.example'>1 High St</a> &amp;"
    await review_order(alice)
    await alice.press(COURIER)
    await alice.send("+44 20 7946 0958")
    await alice.send(evil, wait=False)
    await _summary(alice)
    ask_note = await tap(alice, "📝 Note for the shop")
    assert _text(ask_note) == english(texts.ask_note)
    await alice.send("<i>ring</i> twice", wait=False)
    summary = await _summary(alice)

    assert f"To: <b>Al</b>, +442079460958\nAddress: {evil}" in _text(summary)
    assert "Note: <i>ring</i> twice" in _text(summary)
    assert {e["type"] for e in summary.entities} == {"bold"}  # the bot's own markup only
    placed = await tap(alice, CONFIRM)
    assert f"Address: {evil}" in _text(placed)
    order = await _only_order(shop, account)
    assert order.delivery is not None
    assert (order.delivery.address, order.delivery.note) == (evil, "<i>ring</i> twice")
    assert order.delivery.recipient_name == "<b>Al</b>"


async def test_a_summary_whose_details_changed_orders_nothing(
    shop: Shop, new_product: NewProduct, make_user: Callable[..., FakeUser], running_bot: None
) -> None:
    alice, account, _ = await _shopper(shop, new_product, make_user)
    old = await _pickup_summary(alice)
    await alice.send("/start")  # leaves everything, the gathered details too

    query = await alice.press(CONFIRM, message_id=old.message_id)

    assert query.text == english(texts.details_changed)
    assert await orders_of(shop, account) == []


async def test_forged_methods_and_steps_out_of_turn_are_refused(
    shop: Shop, new_product: NewProduct, make_user: Callable[..., FakeUser], running_bot: None
) -> None:
    alice, account, _ = await _shopper(shop, new_product, make_user)
    await review_order(alice)

    forged = await alice.send_callback(ChooseDelivery(code="drone").pack())
    assert forged.text == english(texts.stale_button)
    hint = await alice.send("courier please")
    assert _text(hint) == english(texts.use_the_buttons)
    await alice.press(PICKUP)
    replayed = await alice.send_callback(ChooseDelivery(code="courier").pack())  # asked a phone
    assert replayed.text == english(texts.stale_button)
    assert await orders_of(shop, account) == []


async def test_the_operators_hear_the_details_as_text(
    shop: Shop,
    bot_settings: BotSettings,
    customer: Customer,
    make_user: Callable[..., FakeUser],
    new_product: NewProduct,
) -> None:
    operators = make_user("Operators")
    shop.outbox.operator_chat_id = operators.id
    dora, account = await customer("Dora")
    await fill_cart(shop, account, (await new_product(price=1250), 1))
    given = {
        "method": "courier",
        "phone": "+442079460958",
        "address": "<a href='x'>1 St</a>",
        "recipientName": "<b>Dora</b>",
    }
    async with working(shop, bot_settings):
        order = await shop.checkout.place_order(account.id, delivery=parse(DeliveryDetails, given))
        notice = await operators.wait_for(lambda m: "New order" in (m.text or ""))

    card = notice.text or ""
    assert card.startswith(f"New order #{order.number}: $17.50\n")
    assert (
        "Courier = $5.00\n\n"
        "Delivery: Courier\n"
        "To: <b>Dora</b>, +442079460958\n"
        "Address: <a href='x'>1 St</a>\n"
    ) in card
    # The shop's own markup only: bold headings and the link to the customer's chat.
    assert {e["type"] for e in notice.entities} == {"bold", "text_link"}
    assert {e["url"] for e in notice.entities if "url" in e} == {f"tg://user?id={dora.id}"}


async def test_a_double_tap_on_confirm_makes_one_order_with_the_details(
    shop: Shop, new_product: NewProduct, make_user: Callable[..., FakeUser], running_bot: None
) -> None:
    alice, account, tea = await _shopper(shop, new_product, make_user)
    summary = await _pickup_summary(alice)
    button = summary.button(CONFIRM)
    assert button is not None and button.callback_data is not None

    await asyncio.gather(
        *(alice.send_callback(button.callback_data, message_id=summary.message_id) for _ in "ab")
    )

    order = await _only_order(shop, account)
    assert order.delivery is not None and order.delivery.method == "pickup"
    assert (await shop.catalog.get(tea.id)).stock == 8
