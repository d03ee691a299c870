"""Flipping through a product card's photos: ◀ and ▶ show another photo in the same message
(``bot/cards.py``); a card too old to edit is sent anew with that photo."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message

from bot.callbacks import ALL_PRODUCTS, FlipPhoto, ProductCard
from bot.cards import flip
from bot.handlers.catalog import open_card
from core.accounts.models import User
from core.shop import Shop


async def flip_photo(
    query: CallbackQuery, callback_data: FlipPhoto, bot: Bot, shop: Shop, customer: User
) -> None:
    product = await shop.catalog.get(callback_data.product_id)
    if isinstance(query.message, Message) and query.message.photo:
        await flip(query, bot, shop, product, callback_data.photo)
        return
    shown = ProductCard(product_id=str(product.id), category=ALL_PRODUCTS)  # the catalog's card
    await open_card(query, shown, bot, shop, customer, product, photo=callback_data.photo)


def build_router() -> Router:
    router = Router(name="photos")
    router.callback_query.register(flip_photo, FlipPhoto.filter())
    return router
