"""Checkout: a summary with Confirm and Cancel, then the order through core's checkout.

The idempotency key is the summary: its message and the cart version it shows. A double
tap or a redelivered update makes one order; a new summary in the same message (after
shopping on from the placed order) is a new confirmation and a new order. A summary
older than the cart is shown again instead.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer

from bot import keyboards, texts
from bot.callbacks import Checkout, CheckoutStep
from bot.config import BotSettings
from bot.handlers.cart import show_cart
from bot.screens import show
from core.errors import CartChanged
from core.models import CartView, User
from core.shop import Shop

SHOWN_ORDER = "shown_order"
"""FSM data: the key of the confirmation whose placed order the bot last showed."""


async def _show_summary(query: CallbackQuery, cart: CartView) -> None:
    if cart.is_empty:
        await show_cart(query, cart)
    else:
        await show(query, texts.checkout_summary(cart), keyboards.checkout_summary(cart))


async def review(query: CallbackQuery, shop: Shop, customer: User) -> None:
    await _show_summary(query, await shop.carts.view(customer.id))


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
    key = f"tg-{summary.chat.id}-{summary.message_id}-{callback_data.version}"
    try:
        order = await shop.checkout.place_order(
            customer.id, key, cart_version=callback_data.version
        )
    except CartChanged:
        callback_answer.text, callback_answer.show_alert = texts.cart_changed(), True
        await _show_summary(query, await shop.carts.view(customer.id))
        return
    if (await state.get_data()).get(SHOWN_ORDER) == key:
        return  # a repeated tap: the message shows this order already (an edit would fail)
    await show(
        query, texts.order_placed(order, settings.payment_instructions), keyboards.order_placed()
    )
    await state.update_data({SHOWN_ORDER: key})


def build_router() -> Router:
    router = Router(name="checkout")
    router.callback_query.register(review, Checkout.filter(F.step == CheckoutStep.REVIEW))
    router.callback_query.register(confirm, Checkout.filter(F.step == CheckoutStep.CONFIRM))
    return router
