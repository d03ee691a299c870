"""Showing a screen: navigation edits the pressed message in place; a typed command or a
message too old to edit gets a new message, and a photo (a product card) is replaced by
one, since Telegram cannot turn a photo back into text."""

from __future__ import annotations

import contextlib

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

NOT_MODIFIED = "message is not modified"


async def show(
    event: Message | CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    if isinstance(event, Message):
        await event.answer(text, reply_markup=markup)
        return
    if not isinstance(event.message, Message):  # inaccessible: older than 48 hours
        await event.bot.send_message(event.from_user.id, text, reply_markup=markup)  # type: ignore[union-attr]
        return
    if event.message.photo:  # a product card: text cannot take a photo's place
        await event.message.answer(text, reply_markup=markup)
        with contextlib.suppress(TelegramBadRequest):  # too old to delete: it stays
            await event.message.delete()
        return
    try:
        await event.message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:
        if NOT_MODIFIED not in error.message:
            raise
