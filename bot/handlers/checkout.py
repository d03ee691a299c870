"""Checkout: a summary with Confirm and Cancel, then the order through core's checkout.

The idempotency key is the summary: its message and the cart version it shows. A double
tap or a redelivered update makes one order; a new summary in the same message (after
shopping on from the placed order) is a new confirmation and a new order. A summary
older than the cart is shown again instead.

Where the shop delivers, ``bot/handlers/delivery.py`` gathers the details first and keeps
them in the FSM data (``DELIVERY``); the summary shows them, and its Confirm button carries
their fingerprint, so a summary whose details were changed since orders nothing.
"""

from __future__ import annotations

import hashlib

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot import goods, keyboards, texts
from bot.callbacks import Checkout, CheckoutStep
from bot.config import BotSettings
from bot.handlers.cart import show_cart
from bot.screens import show
from core.accounts.models import User
from core.promotions.errors import PromoRefused
from core.sales.carts import CartRead
from core.sales.commands import DeliveryDetails
from core.sales.errors import CartChanged
from core.sales.goods import methods_for
from core.shop import Shop

SHOWN_ORDER = "shown_order"
"""FSM data: the key of the confirmation whose placed order the bot last showed."""
DELIVERY = "delivery"
"""FSM data: the delivery details for the next summary (``DeliveryDetails``, by alias)."""


async def delivery_of(state: FSMContext) -> DeliveryDetails | None:
    data = (await state.get_data()).get(DELIVERY)
    return None if data is None else DeliveryDetails.model_validate(data)


def fingerprint(details: DeliveryDetails | None) -> str:
    """Short enough for callback data; changes whenever any detail does."""
    if details is None:
        return ""
    dumped = details.model_dump_json(by_alias=True).encode()
    return hashlib.blake2s(dumped, digest_size=5).hexdigest()


async def show_summary(
    event: Message | CallbackQuery,
    shop: Shop,
    customer: User,
    state: FSMContext,
    seen_cart: CartRead | None = None,
) -> None:
    """The summary of the cart as it is now (or as just read), with the delivery details
    gathered."""
    cart = await shop.carts.view(customer.id, seen_cart)
    if cart.is_empty:
        await show_cart(event, cart)
        return
    details = await delivery_of(state)
    if details is not None and not goods.ships(cart):  # an earlier cart's: not needed now
        details = None
        await state.update_data({DELIVERY: None})
    if details is None and goods.ships(cart) and shop.delivery.required:
        await show_cart(event, cart)  # shipped goods joined a digital cart: Checkout asks
        return
    snapshot = shop.delivery.snapshot(details, customer.name) if goods.ships(cart) else None
    cart = await shop.cart_codes.quoted(cart, 0 if snapshot is None else snapshot.fee)
    text = texts.checkout_summary(cart, snapshot)
    if note := goods.cart_note(cart):
        text += f"\n\n{note}"
    await show(event, text, keyboards.checkout_summary(cart, fingerprint(details)))


async def review(
    query: CallbackQuery,
    shop: Shop,
    customer: User,
    state: FSMContext,
    seen_cart: CartRead | None,
) -> None:
    await show_summary(query, shop, customer, state, seen_cart)


async def confirm(
    query: CallbackQuery,
    callback_data: Checkout,
    shop: Shop,
    settings: BotSettings,
    customer: User,
    callback_answer: CallbackAnswer,
    state: FSMContext,
) -> None:
    summary = query.message
    if summary is None:
        callback_answer.text = texts.stale_button()
        return
    details = await delivery_of(state)
    if fingerprint(details) != callback_data.details:
        callback_answer.text, callback_answer.show_alert = texts.details_changed(), True
        await show_cart(query, await shop.carts.view(customer.id))
        return
    key = f"tg-{summary.chat.id}-{summary.message_id}-{callback_data.version}"
    if callback_data.details:
        key += f"-{callback_data.details}"
    try:
        order = await shop.checkout.place_order(
            customer.id, key, cart_version=callback_data.version, delivery=details
        )
    except CartChanged:
        callback_answer.text, callback_answer.show_alert = texts.cart_changed(), True
        await show_summary(query, shop, customer, state)
        return
    except PromoRefused as refused:  # the summary now says why, and offers to go without
        callback_answer.text, callback_answer.show_alert = texts.refusal(refused), True
        await show_summary(query, shop, customer, state)
        return
    if (await state.get_data()).get(SHOWN_ORDER) == key:
        return  # a repeated tap: the message shows this order already (an edit would fail)
    methods = methods_for(order, shop.payments.methods)
    text = texts.order_placed(order, settings.payment_instructions, methods)
    if note := goods.stars_only(order, methods):
        text += f"\n\n{note}"
    await show(query, text, keyboards.order_placed(order, methods))
    await state.update_data({SHOWN_ORDER: key})


def build_router() -> Router:
    router = Router(name="checkout")
    router.callback_query.register(review, Checkout.filter(F.step == CheckoutStep.REVIEW))
    router.callback_query.register(confirm, Checkout.filter(F.step == CheckoutStep.CONFIRM))
    return router
