"""What each message the bot sent or edited shows now, so that an edit that would change
nothing is never sent: Telegram would refuse it with 400 "message is not modified".

Such an edit is answered here with that same error, which every caller already takes as
"nothing to do", without a request: an operator pressing a card another operator just
moved (its redraw is what the card shows), the broadcast progress updater after a button
redrew the same numbers. A message is taken as showing an edit from the moment the edit is
sent, so of two identical edits racing, the second is never sent either.

Only a polling bot keeps this memory (``bot/bootstrap.py``): Telegram lets one process
poll, so nothing else edits its messages. Webhook processes share the chats, so none of
them knows what another one showed.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import TYPE_CHECKING

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    DeleteMessage,
    EditMessageCaption,
    EditMessageMedia,
    EditMessageReplyMarkup,
    EditMessageText,
    SendMessage,
    TelegramMethod,
)
from aiogram.methods.base import Response, TelegramType
from aiogram.types import InlineKeyboardMarkup, Message

from bot.screens import NOT_MODIFIED

if TYPE_CHECKING:
    from aiogram import Bot

NOT_MODIFIED_ERROR = (
    f"Bad Request: {NOT_MODIFIED}: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
CAPACITY = 4096
"""Messages remembered; the least recently touched are forgotten first."""
_CONTENT = ("text", "parse_mode", "entities", "link_preview_options", "disable_web_page_preview")
_OTHER_CHANGES = (DeleteMessage, EditMessageCaption, EditMessageMedia, EditMessageReplyMarkup)

Key = tuple[int | str, int]


def _look(method: SendMessage | EditMessageText) -> bytes:
    """A digest of what a text message shows after ``method``: its text, how it is parsed
    and its inline keyboard."""
    markup = method.reply_markup if isinstance(method.reply_markup, InlineKeyboardMarkup) else None
    content = [getattr(method, name, None) for name in _CONTENT]
    return hashlib.sha256(repr((content, markup)).encode()).digest()


class ShownMessages(BaseRequestMiddleware):
    """Session middleware of the bot that polls."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._shown: OrderedDict[Key, bytes] = OrderedDict()

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        key = _key(method)
        if isinstance(method, EditMessageText) and key is not None:
            return await self._edit(make_request, bot, method, key)
        if key is not None and isinstance(method, _OTHER_CHANGES):
            self._shown.pop(key, None)
        sent = await make_request(bot, method)  # the result, whatever the annotation says
        if isinstance(method, SendMessage) and isinstance(sent, Message):
            self._remember((sent.chat.id, sent.message_id), _look(method))
        return sent

    async def _edit(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: EditMessageText,
        key: Key,
    ) -> Response[TelegramType]:
        look = _look(method)
        if self._shown.get(key) == look:
            raise TelegramBadRequest(method=method, message=NOT_MODIFIED_ERROR)
        self._remember(key, look)
        try:
            return await make_request(bot, method)  # type: ignore[arg-type]
        except TelegramBadRequest as refused:
            if NOT_MODIFIED not in refused.message:
                self._forget(key, look)
            raise
        except BaseException:
            self._forget(key, look)  # it may or may not show it now
            raise

    def _remember(self, key: Key, look: bytes) -> None:
        self._shown[key] = look
        self._shown.move_to_end(key)
        while len(self._shown) > self._capacity:
            self._shown.popitem(last=False)

    def _forget(self, key: Key, look: bytes) -> None:
        if self._shown.get(key) == look:
            del self._shown[key]


def _key(method: TelegramMethod[TelegramType]) -> Key | None:
    chat_id, message_id = getattr(method, "chat_id", None), getattr(method, "message_id", None)
    if isinstance(chat_id, int | str) and isinstance(message_id, int):
        return chat_id, message_id
    return None
