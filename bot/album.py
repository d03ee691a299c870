"""A product card's photos: the ◀ 2/5 ▶ row of a card whose product has several, and which
of them a card shows. The row is the card's first; flipping rewrites only that row (the
card's other rows, whoever added them, stay as they are)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import FlipPhoto
from bot.keyboards import button
from core.catalog.models import Product

_PREFIX = f"{FlipPhoto.__prefix__}{FlipPhoto.__separator__}"


def position(product: Product, asked: int) -> int:
    """``asked`` if the product has such a photo, else its first (callback data is untrusted:
    a photo may have been removed since the button was made)."""
    return asked if 0 <= asked < len(product.photos) else 0


def shown(product: Product, bot_id: int, message: Message) -> int:
    """Which of the product's photos ``message`` shows (told by Telegram's unique id of the
    file, as this bot remembers it), else its first."""
    if not message.photo:
        return 0
    unique = message.photo[-1].file_unique_id
    for at, photo in enumerate(product.photos):
        known = photo.telegram.get(str(bot_id))
        if known is not None and known.file_unique_id == unique:
            return at
    return 0


def flipper(product: Product, at: int) -> list[InlineKeyboardButton]:
    """◀ "n/count" ▶ around photo ``at`` (going round at either end) when the product has
    two photos or more; nothing otherwise."""
    count = len(product.photos)
    if count < 2:
        return []
    product_id = str(product.id)

    def to(n: int) -> FlipPhoto:
        return FlipPhoto(product_id=product_id, photo=n % count)

    return [
        button("◀", to(at - 1)),
        button(f"{at + 1}/{count}", to(at)),
        button("▶", to(at + 1)),
    ]


def with_flipper(
    markup: InlineKeyboardMarkup | None, product: Product, at: int
) -> InlineKeyboardMarkup:
    """``markup`` with the flipper for photo ``at`` as its first row, instead of any it had."""
    rows = [row for row in (markup.inline_keyboard if markup else ()) if not _is_flipper(row)]
    if row := flipper(product, at):
        rows.insert(0, row)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _is_flipper(row: list[InlineKeyboardButton]) -> bool:
    return any((key.callback_data or "").startswith(_PREFIX) for key in row)
