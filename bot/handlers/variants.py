"""Products sold by variant: the card lists the variants in stock to choose from (the
"choose an option" step), a variant's card picks the quantity and adds it to the cart."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot import keyboards, texts, variant_keyboards, variant_texts
from bot.callbacks import ProductCard
from bot.cards import show_card
from bot.variant_callbacks import AddVariant, VariantCard
from core.accounts.models import User
from core.base.commands import parse
from core.catalog.models import Product
from core.catalog.variants import photos as variant_photos
from core.catalog.variants.models import Variant, label
from core.sales.carts import CartRead
from core.sales.commands import CartChange
from core.sales.errors import OutOfStock
from core.shop import Shop


async def options_card(
    query: CallbackQuery | Message,
    callback_data: ProductCard,
    bot: Bot,
    shop: Shop,
    customer: User,
    product: Product,
    *,
    photo: int | None = None,
) -> None:
    """The card of a product with options (``catalog.product_card`` hands it over); with
    none in stock, "🔔 Notify me" as on any sold-out card; with several photos, ``photo``
    as ``show_card`` takes it."""
    offered = await shop.variants.offered(product)
    watching = not offered and await shop.restock_alerts.is_watching(customer.id, product.id)
    text = variant_texts.options_card(product, offered)
    markup = variant_keyboards.options(
        product,
        offered,
        callback_data.page,
        callback_data.search,
        callback_data.category,
        bot_username=(await bot.me()).username,
        watching=watching,
    )
    await show_card(query, bot, shop, product, text, markup, photo=photo)


async def variant_card(
    query: CallbackQuery, callback_data: VariantCard, bot: Bot, shop: Shop
) -> None:
    variant = await shop.variants.get(callback_data.variant_id)  # archived: refused
    product = await shop.catalog.get(variant.product_id)
    if variant.stock <= 0:
        raise OutOfStock([label(product, variant)])
    quantity = min(max(callback_data.quantity, 1), keyboards.most_to_pick(variant.stock))
    text = variant_texts.variant_card(product, variant, quantity)
    markup = variant_keyboards.variant(
        variant, quantity, callback_data.page, callback_data.search, callback_data.category
    )
    await show_card(query, bot, shop, product, text, markup, photo=_photo(query, product, variant))


def _photo(query: CallbackQuery, product: Product, variant: Variant) -> int | None:
    """The variant's own photo, if it has one, as its card opens; the photo shown (perhaps
    flipped to) while the card picks a quantity."""
    message = query.message
    if isinstance(message, Message) and variant_keyboards.is_card_of(message, variant):
        return None
    return variant_photos.place(product, variant.photo_id)


async def add_variant(
    query: CallbackQuery,
    callback_data: AddVariant,
    shop: Shop,
    customer: User,
    seen_cart: CartRead | None,
    callback_answer: CallbackAnswer,
) -> None:
    change = parse(
        CartChange,
        {
            "productId": callback_data.product_id,
            "variantId": callback_data.variant_id,
            "quantity": callback_data.quantity,
        },
    )
    product = await shop.carts.add_product(customer.id, change, seen_cart)
    variant = await shop.variants.one(change.variant_id)
    callback_answer.text = texts.added(label(product, variant), change.quantity)


def build_router() -> Router:
    router = Router(name="variants")
    router.callback_query.register(variant_card, VariantCard.filter())
    router.callback_query.register(add_variant, AddVariant.filter())
    return router
