"""A product card: the product's photo with the text as its caption when it has one, plain
text otherwise, always changed in place where Telegram allows it. A product with several
photos shows one at a time with a ◀ 2/5 ▶ row (``bot/album.py``); flipping edits the
card's media in place, by the photo's remembered ``file_id`` once the bot has sent it.

The first time a bot shows a photo it uploads the file from GridFS; Telegram's ``file_id``
is then kept on the product for that bot (``core/catalog/photos.py``), so later cards send the id
only. Moving from a text screen to a photo card edits the message's media
(``editMessageMedia`` may add media to a text message); the same card with another quantity
edits only the caption; a photo card cannot become text again, so ``bot/screens.py``
replaces it (send, then delete).
"""

from __future__ import annotations

import contextlib

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
)

from bot import album
from bot.screens import NOT_MODIFIED, show
from core.catalog.models import Photo, Product, TelegramFile
from core.shop import Shop


async def show_card(
    query: CallbackQuery | Message,
    bot: Bot,
    shop: Shop,
    product: Product,
    text: str,
    markup: InlineKeyboardMarkup,
    *,
    photo: int | None = None,
) -> None:
    """The card of ``product``; with several photos, ``photo`` (from a button: one it lacks
    shows the first), by default the one the card shows already, else the first, with the
    ◀ ▶ row (``bot/album.py``) above ``markup``."""
    if not product.photos:
        await show(query, text, markup)
        return
    message = query.message if isinstance(query, CallbackQuery) else None
    if photo is not None:
        at = album.position(product, photo)
    else:
        at = album.shown(product, bot.id, message) if isinstance(message, Message) else 0
    await _show_photo(query, bot, shop, product, at, text, album.with_flipper(markup, product, at))


async def flip(query: CallbackQuery, bot: Bot, shop: Shop, product: Product, asked: int) -> None:
    """Show photo ``asked`` on the card ``query`` was pressed on, in place: its caption and
    its other rows stay as they are (the card is too old to edit: ``show_card``'s caller
    sends a new one)."""
    message = query.message
    assert isinstance(message, Message)
    at = album.position(product, asked)
    markup = album.with_flipper(message.reply_markup, product, at)
    if not product.photos:  # all removed since: the card keeps the photo Telegram has
        with contextlib.suppress(TelegramBadRequest):  # not modified
            await message.edit_reply_markup(reply_markup=markup)
        return
    await _show_photo(query, bot, shop, product, at, message.html_text, markup)


async def _show_photo(
    query: CallbackQuery | Message,
    bot: Bot,
    shop: Shop,
    product: Product,
    at: int,
    text: str,
    markup: InlineKeyboardMarkup,
) -> None:
    photo = product.photos[at]
    message = query.message if isinstance(query, CallbackQuery) else None
    known = photo.telegram.get(str(bot.id))
    sent: Message | None
    if not isinstance(message, Message):  # a command (a start link), or too old to edit
        chat = query.chat.id if isinstance(query, Message) else query.from_user.id
        upload = await _file(shop, product, photo, known)
        sent = await bot.send_photo(chat, upload, caption=text, reply_markup=markup)
    elif known and message.photo and message.photo[-1].file_unique_id == known.file_unique_id:
        with contextlib.suppress(TelegramBadRequest):  # a repeated tap: not modified
            await message.edit_caption(caption=text, reply_markup=markup)
        return
    else:
        sent = await _edit_or_replace(message, shop, product, photo, text, markup, known)
    if sent is not None and sent.photo:
        largest = sent.photo[-1]
        if known is None or largest.file_id != known.file_id:  # uploaded: keep Telegram's id
            seen = TelegramFile(file_id=largest.file_id, file_unique_id=largest.file_unique_id)
            await shop.photos.remember_on_telegram(product.id, photo, bot.id, seen)


async def _edit_or_replace(
    message: Message,
    shop: Shop,
    product: Product,
    photo: Photo,
    text: str,
    markup: InlineKeyboardMarkup,
    known: TelegramFile | None,
) -> Message | None:
    """Put the photo into ``message``; where Telegram refuses (or forgot the file id),
    send the card anew from the stored file and delete the old message."""
    media = InputMediaPhoto(media=await _file(shop, product, photo, known), caption=text)
    try:
        edited = await message.edit_media(media, reply_markup=markup)
    except TelegramBadRequest as error:
        if NOT_MODIFIED in error.message:
            return None
        upload = await _file(shop, product, photo, None)
        sent = await message.answer_photo(upload, caption=text, reply_markup=markup)
        with contextlib.suppress(TelegramBadRequest):  # too old to delete: it stays
            await message.delete()
        return sent
    return edited if isinstance(edited, Message) else None


async def _file(
    shop: Shop, product: Product, photo: Photo, known: TelegramFile | None
) -> str | BufferedInputFile:
    """The photo as this bot can send it: its ``file_id`` if known, else the file itself."""
    if known is not None:
        return known.file_id
    extension = photo.content_type.removeprefix("image/").replace("jpeg", "jpg")
    return BufferedInputFile(await shop.photos.content(photo), f"{product.id}.{extension}")
