"""Keyboards of the "choose an option" step."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import restock
from bot.callbacks import CatalogPage, Open, ProductCard, Section
from bot.keyboards import button, quantity_row
from bot.share import share_button
from bot.variant_callbacks import AddVariant, VariantCard
from bot.variant_texts import variant_button
from core.catalog.models import Product
from core.catalog.variants.models import Variant


def options(
    item: Product,
    offered: Sequence[Variant],
    page: int,
    search: bool,
    category: str,
    *,
    bot_username: str | None = None,
    watching: bool = False,
) -> InlineKeyboardMarkup:
    """A button per variant in stock (none: "🔔 Notify me", or ``watching``: "Don't notify
    me"), then back to the list."""
    builder = InlineKeyboardBuilder()
    for variant in offered:
        card = VariantCard(variant_id=str(variant.id), page=page, search=search, category=category)
        builder.row(button(variant_button(item, variant), card))
    if not offered:
        builder.row(restock.watch_button(str(item.id), watching))
    if bot_username:
        builder.row(share_button(item, bot_username))
    back = CatalogPage(page=page, search=search, category=category)
    builder.row(button(_("« Back"), back), button(_("🛒 Cart"), Open(section=Section.CART)))
    return builder.as_markup()


def variant(
    item: Variant, quantity: int, page: int, search: bool, category: str
) -> InlineKeyboardMarkup:
    """The quantity picker, Add to cart (while in stock), back to the options."""

    def pick(n: int) -> VariantCard:
        return VariantCard(
            variant_id=str(item.id), quantity=n, page=page, search=search, category=category
        )

    builder = InlineKeyboardBuilder()
    builder.row(*quantity_row(quantity, item.stock, pick))
    if item.stock > 0:
        add = AddVariant(
            product_id=str(item.product_id), variant_id=str(item.id), quantity=quantity
        )
        builder.row(button(_("Add to cart"), add))
    back = ProductCard(product_id=str(item.product_id), page=page, search=search, category=category)
    builder.row(button(_("« Options"), back), button(_("🛒 Cart"), Open(section=Section.CART)))
    return builder.as_markup()


def is_card_of(message: Message, item: Variant) -> bool:
    """Whether ``message`` is ``item``'s card (it has the quantity row of that variant)."""
    keys = message.reply_markup.inline_keyboard if message.reply_markup else ()
    mine = (
        f"{VariantCard.__prefix__}{VariantCard.__separator__}{item.id}{VariantCard.__separator__}"
    )
    return sum((key.callback_data or "").startswith(mine) for row in keys for key in row) > 1
