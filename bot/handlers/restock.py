"""The "🔔 Notify me" button of a sold-out product's card: asks core to tell the customer
when it is back (or not any more), then shows the other button in place."""

from __future__ import annotations

import contextlib

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot import restock
from bot.restock import Watch
from core.accounts.models import User
from core.shop import Shop


async def watch(
    query: CallbackQuery,
    callback_data: Watch,
    shop: Shop,
    customer: User,
    callback_answer: CallbackAnswer,
) -> None:
    alerts = shop.restock_alerts
    shown: bool | None = callback_data.on
    if not callback_data.on:
        await alerts.unwatch(customer.id, callback_data.product_id)
        callback_answer.text = restock.not_watching()
    elif await alerts.watch(customer.id, callback_data.product_id):
        callback_answer.text = restock.watching()
    else:
        shown = None
        callback_answer.text, callback_answer.show_alert = restock.in_stock_now(), True
    card = query.message
    if isinstance(card, Message) and card.reply_markup is not None:
        markup = restock.swap_watch_button(card.reply_markup, callback_data.product_id, shown)
        with contextlib.suppress(TelegramBadRequest):  # a repeated tap: not modified
            await card.edit_reply_markup(reply_markup=markup)


def build_router() -> Router:
    router = Router(name="restock")
    router.callback_query.register(watch, Watch.filter())
    return router
