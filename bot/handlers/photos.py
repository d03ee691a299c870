"""Flipping through a product card's photos: ◀ and ▶ show another photo in the same message
(``bot/cards.py``); a card too old to edit is sent anew with that photo."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message

from bot import keyboards, texts
from bot.callbacks import ALL_PRODUCTS, FlipPhoto, ProductCard
from bot.cards import flip, show_card
from bot.handlers.variants import options_card
from core.shop import Shop


async def flip_photo(query: CallbackQuery, callback_data: FlipPhoto, bot: Bot, shop: Shop) -> None:
    product = await shop.catalog.get(callback_data.product_id)
    if isinstance(query.message, Message) and query.message.photo:
        await flip(query, bot, shop, product, callback_data.photo)
        return
    if product.options:  # sold by variant: its options card, not a quantity picker
        card = ProductCard(product_id=str(product.id))
        await options_card(query, card, bot, shop, product, photo=callback_data.photo)
        return
    markup = keyboards.product(product, 1, 1, False, ALL_PRODUCTS)
    text = texts.product(product, 1)
    await show_card(query, bot, shop, product, text, markup, photo=callback_data.photo)


def build_router() -> Router:
    router = Router(name="photos")
    router.callback_query.register(flip_photo, FlipPhoto.filter())
    return router
