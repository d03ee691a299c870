"""A product card: the product's photo with the text as its caption when it has one, plain
text otherwise, always edited in place where Telegram allows it."""

from __future__ import annotations

from aiogram.types import CallbackQuery, InlineKeyboardMarkup

from bot.screens import show
from core.models import Product
from core.shop import Shop


async def show_card(
    query: CallbackQuery, shop: Shop, product: Product, text: str, markup: InlineKeyboardMarkup
) -> None:
    await show(query, text, markup)
